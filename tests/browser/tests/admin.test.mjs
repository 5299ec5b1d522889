// The administration pages, as a government officer uses them on a 360 px
// phone. Every page visited is checked with axe-core (WCAG 2.1 A + AA).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checkA11y,
  launchBrowser,
  navigation,
  newPhoneContext,
  screenshot,
  textOf,
  visit,
} from '../lib/browser.mjs';
import { sharedServer } from '../lib/server.mjs';
import { Authenticator } from '../lib/totp.mjs';

const ADMIN_USER = 'admin';
const ADMIN_PASSWORD = process.env.BALAI_DEMO_ADMIN_PASSWORD || 'demo-admin-2026';
const SERVICE = '/layanan/53.71/AKTA-LAHIR';
const EDIT = '/admin/layanan/53.71/AKTA-LAHIR/ubah';
const NEW_NAME = 'Penerbitan Akta Kelahiran Baru';

let server;
let browser;

before(async () => {
  server = await sharedServer({ name: 'admin' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function inFreshContext(story) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl });
  try {
    return await story(context);
  } finally {
    await context.close();
  }
}

const authenticator = new Authenticator();

/**
 * Fill in and submit the sign-in form at /admin/masuk, then the second factor
 * when asked (enrolling the authenticator on the first sign-in); returns the
 * last response.
 */
async function signIn(page, username, password) {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  const submit = page.locator('form:has(#password) [type="submit"]').first();
  const response = await navigation(page, () => submit.click());
  if (new URL(page.url()).pathname !== '/admin/masuk/faktor-kedua') return response;
  await checkA11y(page, authenticator.secret ? 'admin-totp' : 'admin-totp-enrol');
  const shown = page.locator('#totp-secret');
  if ((await shown.count()) > 0) authenticator.secret = (await shown.innerText()).trim();
  assert.ok(authenticator.secret, 'the authenticator was enrolled');
  await page.locator('#code').fill(await authenticator.nextCode());
  return navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
}

/** Submit the service form (the one holding #name); returns the response. */
function submitServiceForm(page) {
  const submit = page.locator('form:has(#name) [type="submit"]').first();
  return navigation(page, () => submit.click());
}

/** The first number in #versi, e.g. 2 for "Versi 2 · Ditetapkan dengan ...". */
async function shownVersion(page) {
  const text = await textOf(page, '#versi');
  const m = text.match(/\d+/);
  assert.ok(m, `#versi shows a version number; it reads "${text}"`);
  return Number(m[0]);
}

describe('Administrasi layanan (admin)', () => {
  it('an administrator with a wrong password sees an error and stays on the sign-in page', async () => {
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'admin-login');
      const response = await signIn(page, ADMIN_USER, 'bukan-kata-sandinya');
      assert.ok(response.status() >= 400, `a wrong password is refused (got ${response.status()})`);
      assert.equal(new URL(page.url()).pathname, '/admin/masuk');
      const error = page.locator('#login-error, [role="alert"], .error-summary').first();
      assert.ok(await error.isVisible(), 'an error message is shown');
      assert.notEqual((await error.innerText()).trim(), '', 'the error message says something');
      await checkA11y(page, 'admin-login-wrong-password');

      // And the admin pages stay closed.
      await page.goto('/admin');
      assert.equal(new URL(page.url()).pathname, '/admin/masuk', '/admin sends a stranger to sign in');
      await checkA11y(page, 'admin-login-redirected');
    });
  });

  it('an administrator revises a service and the public page shows the new version', async () => {
    await inFreshContext(async (context) => {
      const admin = await context.newPage();
      const citizen = await context.newPage();

      // Sign in.
      await visit(admin, '/admin/masuk', 'admin-login-before-sign-in');
      let response = await signIn(admin, ADMIN_USER, ADMIN_PASSWORD);
      assert.equal(response.status(), 200, 'signing in lands on a page that answers 200');
      assert.equal(new URL(admin.url()).pathname, '/admin', 'signing in lands on /admin');
      await checkA11y(admin, 'admin-dashboard');
      assert.ok(
        (await admin.locator(`main a[href="${EDIT}"], a[href="${EDIT}"]`).count()) >= 1,
        `the admin list of services links to ${EDIT}`,
      );

      // The current public page.
      await visit(citizen, SERVICE, 'service-before-edit');
      const oldName = await textOf(citizen, 'h1');
      assert.match(oldName, /Akta Kelahiran/);
      assert.equal(await shownVersion(citizen), 1, 'the demo service starts at version 1');

      // Open the edit form.
      await visit(admin, EDIT, 'admin-edit');
      const name = admin.locator('#name');
      assert.equal(await name.inputValue(), oldName, 'the form holds the current name');

      // An empty name is refused, next to the field, and nothing is published.
      await name.fill('');
      await admin.locator('#change_note').fill('Uji nama kosong');
      response = await submitServiceForm(admin);
      assert.ok(
        response.status() === 422 || response.status() === 400 || response.status() === 200,
        `the invalid form comes back (got ${response.status()})`,
      );
      assert.equal(new URL(admin.url()).pathname, EDIT, 'the same form comes back');
      const nameError = admin.locator('#name-error');
      assert.ok(await nameError.isVisible(), '#name-error is shown');
      assert.notEqual((await nameError.innerText()).trim(), '', '#name-error says what is wrong');
      const describedBy = (await admin.locator('#name').getAttribute('aria-describedby')) || '';
      assert.ok(
        describedBy.split(/\s+/).includes('name-error'),
        `#name is linked to its error (aria-describedby="${describedBy}")`,
      );
      assert.equal(await admin.locator('#name').getAttribute('aria-invalid'), 'true', '#name is marked invalid');
      await checkA11y(admin, 'admin-edit-invalid');
      await screenshot(admin, 'admin-edit-360');

      await visit(citizen, SERVICE, 'service-after-invalid-edit');
      assert.equal(await textOf(citizen, 'h1'), oldName, 'the public page still shows the old name');
      assert.equal(await shownVersion(citizen), 1, 'still version 1');

      // A valid revision is published as version 2.
      await admin.locator('#name').fill(NEW_NAME);
      await admin.locator('#change_note').fill('Uji perubahan');
      response = await submitServiceForm(admin);
      assert.ok(response.status() < 400, `the revision is accepted (got ${response.status()})`);
      await checkA11y(admin, 'admin-after-save');

      await visit(citizen, SERVICE, 'service-after-edit');
      assert.match(await textOf(citizen, 'h1'), new RegExp(NEW_NAME));
      assert.equal(await shownVersion(citizen), 2, '#versi shows version 2');
      await screenshot(citizen, 'admin-edit-published-360');

      // The previous version stays readable.
      await visit(citizen, `${SERVICE}/versi/1`, 'service-version-1');
      assert.equal(await textOf(citizen, 'h1'), oldName, 'version 1 shows the old name');
      assert.equal(await shownVersion(citizen), 1, 'version 1 says it is version 1');
    });
  });

  it('an editor overtaken by a colleague gets the form back with their input and what changed', async () => {
    await inFreshContext(async (context) => {
      const KK_EDIT = '/admin/layanan/53.71/KK/ubah';
      const colleague = await context.newPage();
      await visit(colleague, '/admin/masuk', 'admin-login-conflict');
      await signIn(colleague, ADMIN_USER, ADMIN_PASSWORD);
      const editor = await context.newPage();
      // Both open the same version of the same standard.
      await visit(colleague, KK_EDIT, 'admin-edit-conflict-colleague');
      await visit(editor, KK_EDIT, 'admin-edit-conflict-editor');

      await colleague.locator('#name').fill('Kartu Keluarga (diperbarui rekan)');
      await colleague.locator('#change_note').fill('nama diperjelas');
      const first = await submitServiceForm(colleague);
      assert.ok(first.status() < 400, `the colleague publishes (got ${first.status()})`);

      const summary = 'Ringkasan yang ditulis editor kedua dengan teliti';
      await editor.locator('#summary').fill(summary);
      await editor.locator('#change_note').fill('ringkasan baru');
      const stale = await submitServiceForm(editor);
      assert.equal(stale.status(), 409, 'the stale edit is not published over the colleague');
      const notice = await textOf(editor, '#conflict');
      assert.match(notice, /Versi terbaru sekarang 2/);
      assert.match(notice, /Nama layanan/, 'names what the colleague changed');
      assert.equal(await editor.locator('#summary').inputValue(), summary, 'the editor keeps their input');
      await checkA11y(editor, 'admin-edit-conflict');
      await screenshot(editor, 'admin-edit-conflict-360');

      const again = await submitServiceForm(editor);
      assert.ok(again.status() < 400, `submitting again publishes on top (got ${again.status()})`);
      const citizen = await context.newPage();
      await visit(citizen, '/layanan/53.71/KK', 'service-after-conflict');
      assert.equal(await shownVersion(citizen), 3);
      assert.match(await textOf(citizen, 'main'), new RegExp(summary));
    });
  });

  it('an administrator corrects the working-day calendar and sees line-numbered errors', async () => {
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'admin-login-calendar');
      await signIn(page, ADMIN_USER, ADMIN_PASSWORD);
      await visit(page, '/admin/kalender/53.71/2026', 'admin-calendar');
      const area = page.locator('#holidays');
      const original = await area.inputValue();
      assert.match(original, /2026-12-25,Hari Raya Natal,libur_nasional/, 'the seeded holidays are listed');

      await area.fill(`${original}\n2026-02-30,Tanggal salah,libur_daerah`);
      let response = await navigation(page, () => page.locator('form:has(#holidays) [type="submit"]').click());
      assert.equal(response.status(), 422, 'a bad date is refused');
      const error = page.locator('.field-error').first();
      assert.match(await error.innerText(), /Baris \d+/, 'the error names the line');
      await checkA11y(page, 'admin-calendar-invalid');

      await page.locator('#holidays').fill(`${original}\n2026-11-24,HUT Kota Kupang,libur_daerah`);
      response = await navigation(page, () => page.locator('form:has(#holidays) [type="submit"]').click());
      assert.equal(response.status(), 200);
      assert.match(await page.locator('#holidays').inputValue(), /2026-11-24,HUT Kota Kupang,libur_daerah/);
      assert.ok(await page.locator('[role="status"]').isVisible(), 'the page confirms the save');
      await checkA11y(page, 'admin-calendar-saved');
      await screenshot(page, 'admin-calendar-360');
    });
  });

  it('an administrator updates an agency maklumat and the public page shows it', async () => {
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'admin-login-maklumat');
      await signIn(page, ADMIN_USER, ADMIN_PASSWORD);
      const link = page.locator('a[href^="/admin/instansi/"][href$="/maklumat"]').first();
      const href = await link.getAttribute('href');
      await visit(page, href, 'admin-maklumat');
      await page.locator('#maklumat').fill('');
      let response = await navigation(page, () => page.locator('form:has(#maklumat) [type="submit"]').click());
      assert.equal(response.status(), 422);
      assert.ok(await page.locator('#maklumat-error').isVisible());
      await checkA11y(page, 'admin-maklumat-invalid');
      await page.locator('#maklumat').fill('Kami sanggup melayani dengan cepat, ramah dan tanpa pungutan liar.');
      response = await navigation(page, () => page.locator('form:has(#maklumat) [type="submit"]').click());
      assert.equal(response.status(), 200);
      assert.match(new URL(page.url()).pathname, /^\/instansi\/\d+$/);
      assert.match(await textOf(page, '#maklumat'), /tanpa pungutan liar/);
      await checkA11y(page, 'agency-after-maklumat');
    });
  });

  it('an administrator adds a service that a citizen can then find', async () => {
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'admin-login-create');
      await signIn(page, ADMIN_USER, ADMIN_PASSWORD);
      await visit(page, '/admin/layanan/53.71/baru', 'admin-new-service');
      const fields = {
        '#code': 'SURAT-KETERANGAN-USAHA',
        '#name': 'Surat Keterangan Usaha',
        '#name_en': 'Business statement letter',
        '#summary': 'Surat keterangan bagi pelaku usaha mikro.',
        '#keywords': 'sku, usaha, mikro',
        '#sla_days': '2',
        '#fee': '0',
        '#fee_legal_basis': 'Tidak dipungut biaya',
        '#product': 'Surat Keterangan Usaha',
        '#complaint_handling': 'SP4N-LAPOR!',
        '#legal_basis': 'Peraturan Wali Kota Kupang tentang Surat Keterangan Usaha',
        '#facilities': 'Loket',
        '#competence': 'Operator terlatih',
        '#internal_supervision': 'Kepala bidang',
        '#staff_count': '2',
        '#service_guarantee': 'Tepat waktu',
        '#security_guarantee': 'Data aman',
        '#performance_evaluation': 'Tiap semester',
        '#sk_number': '500/1/2026',
        '#req_document_0': 'KTP-el pemohon',
        '#step_description_0': 'Verifikasi dan penerbitan surat',
        '#step_sla_0': '2',
      };
      // First submit with the code missing: the summary links to the field.
      for (const [selector, value] of Object.entries(fields)) {
        if (selector !== '#code') await page.locator(selector).fill(value);
      }
      const submit = () => navigation(page, () => page.locator('form:has(#name) [type="submit"]').click());
      let response = await submit();
      assert.equal(response.status(), 422);
      assert.ok(await page.locator('#code-error').isVisible(), 'the missing code is named');
      assert.ok(await page.locator('.error-summary a[href="#code"]').isVisible(), 'the summary links to the field');
      await checkA11y(page, 'admin-new-service-invalid');
      await page.locator('#code').fill(fields['#code']);
      response = await submit();
      assert.equal(response.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/layanan/53.71/SURAT-KETERANGAN-USAHA');
      assert.equal(await textOf(page, 'h1'), 'Surat Keterangan Usaha');
      assert.match(await textOf(page, '#waktu'), /2 hari kerja/);
      await checkA11y(page, 'new-service-public');
    });
  });
  it('an administrator rewrites the sign-in code message and the next citizen receives it', async () => {
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'admin-login-texts');
      await signIn(page, ADMIN_USER, ADMIN_PASSWORD);
      await navigation(page, () => page.locator('#message-texts').click());
      await visit(page, '/admin/pesan', 'admin-texts');
      const body = page.locator('#sign-in-code-id-body');
      await body.fill('Silakan masuk ke layanan Pemkot Kupang.');
      const form = page.locator('form:has(#sign-in-code-id-body)');
      let response = await navigation(page, () => form.locator('[type="submit"]').click());
      assert.equal(response.status(), 422);
      assert.match(await textOf(page, '#sign-in-code-id-body-error'), /harus memuat \{\{ code \}\}/);
      assert.equal(await body.getAttribute('aria-invalid'), 'true');
      await checkA11y(page, 'admin-texts-invalid');

      await body.fill('{{ code }} adalah kode masuk layanan Pemkot Kupang ({{ minutes }} menit). Jangan berikan kepada siapa pun.');
      response = await navigation(page, () => form.locator('[type="submit"]').click());
      assert.equal(response.status(), 200);
      assert.match(await textOf(page, '#saved'), /Teks disimpan/);

      const citizen = await context.newPage();
      await visit(citizen, '/masuk', 'sign-in-form-texts');
      await citizen.locator('#nik').fill('5371045203900003');
      await citizen.locator('#to').fill('maria.lado@contoh.id');
      await navigation(citizen, () => citizen.locator('form:has(#nik) [type="submit"]').click());
      await visit(citizen, '/demo/pesan', 'demo-inbox-texts');
      assert.match(await textOf(citizen, '.inbox .message .body'), /^\d{6} adalah kode masuk layanan Pemkot Kupang \(5 menit\)/);
      await citizen.close();

      const reset = page.locator('form[action^="/admin/pesan/sign-in-code/id/bawaan"] [type="submit"]');
      response = await navigation(page, () => reset.click());
      assert.equal(response.status(), 200);
      assert.match(await page.locator('#sign-in-code-id-body').inputValue(), /^Kode masuk Balai: \{\{ code \}\}/);
      await screenshot(page, 'admin-texts-360');
    });
  });
});
