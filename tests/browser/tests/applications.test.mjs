// Online applications. A citizen applies for a birth certificate on a 360 px
// phone, attaching a photo through the file picker, and follows the case by
// its tracking number; the demo officer works the queue on a desktop screen,
// asks for a correction, the citizen sends a new photo from the phone, and the
// officer verifies. Every page visited is checked with axe-core.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checkA11y,
  launchBrowser,
  navigation,
  newPhoneContext,
  pathOf,
  screenshot,
  scrollWidth,
  textOf,
  visit,
} from '../lib/browser.mjs';
import { sharedServer } from '../lib/server.mjs';

const NIK = '5371045203900003';
const CITIZEN_NAME = 'Maria Yosefina Lado';
const SERVICE = '/layanan/53.71/AKTA-LAHIR';
const APPLY = `${SERVICE}/ajukan`;
const REASON = 'Foto surat keterangan kelahiran buram, mohon difoto ulang dengan terang';

/** A desktop screen for the officer's desk. */
const DESKTOP = {
  viewport: { width: 1280, height: 800 },
  locale: 'id-ID',
  // As for the phone: the axe-core script tag must not be blocked by the page's CSP.
  bypassCSP: true,
};

let server;
let browser;
/** Shared by the stories in order: the citizen's phone, and what the first story made. */
let phone;
let caseFile;

before(async () => {
  server = await sharedServer({ name: 'applications' });
  browser = await launchBrowser();
  phone = await newPhoneContext(browser, { baseURL: server.baseUrl });
});

after(async () => {
  await phone?.close();
  await browser?.close();
  await server?.stop();
});

/**
 * A photo as a phone camera would hand it over: a JPEG drawn on a canvas in
 * the page (a sky, a sheet of paper and some lines of "text"), so no image
 * file has to be kept with the tests. `shade` makes each photo differ.
 */
async function takePhoto(page, shade = 0) {
  const dataUrl = await page.evaluate((shade) => {
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 360;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = `rgb(${90 + shade}, 120, 160)`;
    ctx.fillRect(0, 0, 480, 360);
    ctx.fillStyle = '#f4f1e8';
    ctx.fillRect(60, 30, 360, 300);
    ctx.fillStyle = '#333';
    for (let y = 60; y < 300; y += 24) ctx.fillRect(84, y, 200 + ((y * 7) % 110), 6);
    return canvas.toDataURL('image/jpeg', 0.85);
  }, shade);
  const buffer = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  assert.deepEqual([...buffer.subarray(0, 3)], [0xff, 0xd8, 0xff], 'the canvas gave a JPEG');
  return { name: `IMG_2026120${5 + shade}_0815.jpg`, mimeType: 'image/jpeg', buffer };
}

/** Tap a file input and pick `file` in the chooser the phone opens. */
async function pickFile(page, input, file) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), input.click()]);
  await chooser.setFiles(file);
}

/** The code in the newest message of the demo inbox, read in a second tab. */
async function codeFromInbox(context) {
  const inbox = await context.newPage();
  await inbox.goto('/demo/pesan');
  const body = await textOf(inbox, '.inbox .message .body');
  await inbox.close();
  const match = body.match(/(\d{6})/);
  assert.ok(match, `a code in the newest message: ${body}`);
  return match[1];
}

/** On the citizen sign-in form: NIK, a WhatsApp code from the demo inbox; returns the last response. */
async function signInCitizen(page) {
  await page.locator('#nik').fill(NIK);
  await page.locator('input[name="channel"][value="whatsapp"]').check();
  await page.locator('#to').fill('0812 3450 0011');
  await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
  await page.locator('#code').fill(await codeFromInbox(page.context()));
  return navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
}

/** The demo officer signs in at /admin/masuk; returns the response of the page landed on. */
async function signInOfficer(page) {
  await visit(page, '/admin/masuk', 'officer-sign-in-desk');
  await page.locator('#username').fill('petugas');
  await page.locator('#password').fill('demo-petugas-2026');
  return navigation(page, () => page.locator('form:has(#password) [type="submit"]').first().click());
}

/**
 * How many lines the text of the first element matching `selector` takes
 * (a code broken across lines takes two or more).
 */
function linesOf(page, selector) {
  return page.locator(selector).first().evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    const box = el.getBoundingClientRect();
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.2;
    return { lines: tops.size, height: box.height, lineHeight };
  });
}

async function assertOneLine(page, selector, what) {
  const { lines, height, lineHeight } = await linesOf(page, selector);
  assert.equal(lines, 1, `${what} stays on one line`);
  assert.ok(height < lineHeight * 1.5, `${what} is one line high (${height} px, line ${lineHeight} px)`);
}

/** Sideways scrolling on the page, as the phone's browser measures it. */
function pageWidth(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth);
}

describe('Permohonan daring (applications)', () => {
  it('a citizen applies for a birth certificate on a phone with a photo, and tracks it without personal data', async () => {
    const page = await phone.newPage();
    await visit(page, SERVICE, 'apply-service-page');
    const required = await page.locator('#persyaratan li').allInnerTexts();
    assert.ok(required.some((r) => /Surat keterangan kelahiran/i.test(r)), `the service lists its documents: ${required}`);
    const ajukan = page.locator('#ajukan');
    assert.match(await ajukan.innerText(), /Ajukan permohonan/);

    // A stranger is sent to sign in first, and comes back to the form.
    await navigation(page, () => ajukan.click());
    assert.equal(pathOf(page), `/masuk?next=${encodeURIComponent(APPLY)}`);
    const signedIn = await signInCitizen(page);
    assert.equal(signedIn.status(), 200);
    assert.equal(pathOf(page), APPLY, 'signing in leads back to the form');
    await checkA11y(page, 'apply-form');
    assert.ok((await pageWidth(page)) <= 360, 'the form fits a phone');

    const form = page.locator('form#apply');
    assert.equal(await form.getAttribute('enctype'), 'multipart/form-data');
    // The fields the service's standard asks for (if any): what the government knows is already
    // filled in; the rest is typed.
    const fields = form.locator('input[name^="f_"]:not([type="radio"]), select[name^="f_"]');
    for (const field of await fields.all()) {
      if (!(await field.evaluate((el) => el.required)) || (await field.inputValue()) !== '') continue;
      const tag = await field.evaluate((el) => el.tagName);
      const type = await field.getAttribute('type');
      if (tag === 'SELECT') {
        const value = await field.locator('option:not([value=""])').first().getAttribute('value');
        await field.selectOption(value);
      } else if (type === 'date') {
        await field.fill('2026-11-28');
      } else if (type === 'number') {
        await field.fill((await field.getAttribute('min')) || '1');
      } else if ((await field.getAttribute('name')).endsWith('.region')) {
        await field.fill('5371041001');
      } else {
        await field.fill('Yosef Nara Lado');
      }
    }
    for (const group of await form.locator('fieldset:has(input[type="radio"][name^="f_"])').all()) {
      if ((await group.locator('input[type="radio"]:checked').count()) === 0) {
        await group.locator('input[type="radio"]').first().check();
      }
    }

    // Documents the government holds are offered, ticked; the others come from the camera roll.
    const held = form.locator('input[type="checkbox"][name^="use_"]');
    assert.ok((await held.count()) >= 1, 'a document the government holds is offered instead of an upload');
    for (const box of await held.all()) assert.ok(await box.isChecked(), 'held documents are ticked');
    const pickers = [];
    for (const group of await form.locator('fieldset:has(input[type="file"])').all()) {
      if ((await group.locator('input[type="checkbox"][name^="use_"]:checked').count()) === 0) {
        pickers.push(group.locator('input[type="file"]'));
      }
    }
    assert.ok(pickers.length >= 1, 'at least one document is to be uploaded');
    for (const [i, input] of pickers.entries()) await pickFile(page, input, await takePhoto(page, i));
    assert.equal(
      await pickers[0].evaluate((el) => el.files[0]?.type),
      'image/jpeg',
      'the photo is attached to the form',
    );
    await screenshot(page, 'apply-form-360');

    const sent = await navigation(page, () => form.locator('button[name="action"][value="send"]').click());
    assert.equal(sent.status(), 200, `sending answers 200 (${pathOf(page)}): ${await textOf(page, 'main')}`);
    const result = new URL(page.url());
    assert.match(result.pathname, /^\/akun\/permohonan\/\d+$/);
    assert.equal(result.searchParams.get('baru'), '1');
    await checkA11y(page, 'apply-sent');
    assert.match(await textOf(page, '[role="status"]'), /\S/, 'the page says the application was sent');
    const tracking = await textOf(page, '#tracking-number');
    assert.match(tracking, /^[A-Z0-9-]{6,}$/, `a tracking number: ${tracking}`);
    assert.doesNotMatch(tracking.replace(/-/g, ''), /[01OIL]/, 'no look-alike characters in the tracking number');
    assert.match(await textOf(page, '#status'), /Diproses/);
    await assertOneLine(page, '#tracking-number', 'the tracking number');
    assert.ok((await pageWidth(page)) <= 360, 'the result fits a phone');
    await screenshot(page, 'apply-sent-360');
    caseFile = { id: result.pathname.split('/').pop(), tracking, mine: result.pathname };

    // Anyone with the number follows the case, and learns nothing personal.
    const track = await phone.newPage();
    await visit(track, '/lacak', 'track-ask');
    await track.locator('#nomor').fill(tracking);
    await navigation(track, () => track.locator('form:has(#nomor) [type="submit"]').click());
    assert.equal(pathOf(track), `/lacak/${tracking}`);
    await visit(track, `/lacak/${tracking}`, 'track-case');
    assert.equal(await textOf(track, 'h1'), tracking);
    assert.match(await textOf(track, '#status'), /Diproses/);
    assert.ok((await track.locator('#steps li').count()) >= 2, 'the steps of the procedure are listed');
    const shown = await textOf(track, 'body');
    assert.match(shown, /Akta Kelahiran/);
    for (const personal of [CITIZEN_NAME, 'Maria', NIK, '5371••••••••0003', 'Yosef Nara Lado', '0812']) {
      assert.ok(!shown.includes(personal), `the tracking page does not show "${personal}"`);
    }
    assert.ok((await pageWidth(track)) <= 360, 'the tracking page fits a phone');
    await assertOneLine(track, 'h1 .code', 'the tracking number heading');
    await screenshot(track, 'track-case-360');
    await track.close();
    await page.close();
  });

  it('an officer asks for a correction on a desktop, the citizen sends a new photo from the phone, the officer verifies', async () => {
    assert.ok(caseFile, 'the citizen applied in the story before');
    const desk = await browser.newContext({ ...DESKTOP, baseURL: server.baseUrl });
    try {
      const officer = await desk.newPage();
      const landed = await signInOfficer(officer);
      assert.equal(landed.status(), 200);
      assert.equal(pathOf(officer), '/admin', 'signing in lands on the officer home');
      assert.ok(await officer.locator('table#queue').isVisible(), 'the home is the queue of cases');
      assert.doesNotMatch(await textOf(officer, 'h1'), /katalog/i, 'not the catalogue');
      await checkA11y(officer, 'officer-queue');
      await screenshot(officer, 'officer-queue-1280');

      // The new case waits in the queue. The demo's own cases fill it too, sorted by time left, so
      // when the new one is not among the lines shown, the officer narrows to its status, and
      // failing that opens it by the address the citizen's page came from.
      const row = officer.locator('table#queue tbody tr', { hasText: caseFile.tracking });
      if ((await row.count()) === 0) {
        await officer.locator('#status').selectOption({ label: 'Diproses' });
        await navigation(officer, () => officer.locator('form[action="/admin/permohonan"] [type="submit"]').click());
        await checkA11y(officer, 'officer-queue-filtered');
      }
      if ((await row.count()) === 1) {
        assert.match(await row.innerText(), /Akta Kelahiran/);
        await navigation(officer, () => row.locator('a').first().click());
      } else {
        await officer.goto(`/admin/permohonan/${caseFile.id}`);
      }
      assert.equal(pathOf(officer), `/admin/permohonan/${caseFile.id}`);
      await checkA11y(officer, 'officer-case');
      assert.equal(await textOf(officer, 'h1'), caseFile.tracking);
      assert.ok((await officer.locator('form#act-request_correction').count()) === 1, 'a correction can be asked');
      assert.ok((await officer.locator('form#act-verify').count()) === 1, 'the file can be verified');
      await screenshot(officer, 'officer-case-1280');

      // Ask for a correction, with the reason the citizen will read.
      const correction = officer.locator('form#act-request_correction');
      await correction.locator('textarea[name="reason"]').fill(REASON);
      const asked = await navigation(officer, () => correction.locator('[type="submit"]').click());
      assert.equal(asked.status(), 200);
      assert.match(await textOf(officer, '#status'), /Perlu perbaikan/);
      assert.equal(await officer.locator('form#act-verify').count(), 0, 'no verifying while the citizen corrects');
      await checkA11y(officer, 'officer-case-correction-asked');

      // The citizen, on the phone, sees why and sends a new photo.
      const page = await phone.newPage();
      await visit(page, caseFile.mine, 'citizen-correction');
      assert.match(await textOf(page, '#status'), /Perlu perbaikan/);
      assert.ok((await textOf(page, 'main')).includes(REASON), 'the officer\'s reason is shown');
      const fix = page.locator('#perbaikan form');
      assert.equal(await fix.getAttribute('enctype'), 'multipart/form-data');
      const inputs = fix.locator('input[type="file"]');
      assert.ok((await inputs.count()) >= 1, 'the correction form takes files');
      await pickFile(page, inputs.first(), await takePhoto(page, 3));
      assert.ok((await pageWidth(page)) <= 360, 'the correction page fits a phone');
      await screenshot(page, 'citizen-correction-360');
      const resent = await navigation(page, () => fix.locator('[type="submit"]').click());
      assert.equal(resent.status(), 200, `resubmitting answers 200: ${await textOf(page, 'main')}`);
      assert.equal(new URL(page.url()).pathname, caseFile.mine);
      assert.match(await textOf(page, '#status'), /Diproses/, 'the correction was sent and the case goes on');
      assert.equal(await page.locator('#perbaikan form').count(), 0, 'no correction form any more');
      await checkA11y(page, 'citizen-correction-sent');
      await page.close();

      // The officer verifies the corrected file; the case moves to the next step.
      await visit(officer, `/admin/permohonan/${caseFile.id}`, 'officer-case-corrected');
      const attached = await officer.locator('a[href*="/berkas/"]').count();
      assert.ok(attached >= 1, 'the uploaded photos can be opened');
      const stepBefore = await textOf(officer, '.steps li[aria-current="step"]');
      const verify = officer.locator('form#act-verify');
      assert.equal(await verify.count(), 1, 'the corrected file can be verified');
      const verified = await navigation(officer, () => verify.locator('[type="submit"]').click());
      assert.equal(verified.status(), 200);
      assert.equal(await officer.locator('#action-error').count(), 0, await textOf(officer, '#action-error'));
      const stepAfter = await textOf(officer, '.steps li[aria-current="step"]');
      assert.notEqual(stepAfter, stepBefore, 'the case moved on to the next step');
      assert.match(await textOf(officer, '#history'), /Diverifikasi|Verifikasi/i);
      await checkA11y(officer, 'officer-case-verified');
      await screenshot(officer, 'officer-case-verified-1280');

      // And the public tracking page follows.
      const track = await phone.newPage();
      await visit(track, `/lacak/${caseFile.tracking}`, 'track-case-verified');
      assert.ok(
        (await textOf(track, '#steps li[aria-current="step"]')).length > 0,
        'the current step is marked for the citizen',
      );
      await track.close();
    } finally {
      await desk.close();
    }
  });

  it('the queue reads as stacked cards on a 360 px phone, without sideways scrolling', async () => {
    const context = await newPhoneContext(browser, { baseURL: server.baseUrl });
    try {
      const officer = await context.newPage();
      await signInOfficer(officer);
      assert.equal(pathOf(officer), '/admin');
      await checkA11y(officer, 'officer-queue-phone');
      assert.ok((await pageWidth(officer)) <= 360, 'no sideways scrolling');
      assert.ok((await scrollWidth(officer)) <= 360, 'no sideways scrolling');
      const rows = officer.locator('table#queue tbody tr');
      assert.ok((await rows.count()) >= 1, 'the queue has cases');
      const first = rows.first();
      // A card: its cells stacked one under another, each named by its column.
      const cells = await first.locator('td').evaluateAll((tds) =>
        tds.map((td) => {
          const r = td.getBoundingClientRect();
          return { top: r.top, left: r.left, width: r.width, display: getComputedStyle(td).display };
        }),
      );
      assert.ok(cells.length >= 3);
      for (let i = 1; i < cells.length; i += 1) {
        assert.ok(cells[i].top > cells[i - 1].top, `cell ${i + 1} sits below cell ${i}`);
      }
      assert.ok(cells.every((c) => c.width > 360 / 2), 'each cell takes the card\'s width');
      const heading = await officer.locator('table#queue thead').boundingBox();
      assert.ok(!heading || heading.height <= 1, 'the column headings give way to a label in each cell');
      const label = await first.locator('td').first().evaluate((td) => ({
        named: td.dataset.label,
        before: getComputedStyle(td, '::before').content,
      }));
      assert.match(label.named, /Nomor/, 'the first cell is named by its column');
      assert.notEqual(label.before, 'none', 'and shows that name');
      await assertOneLine(officer, 'table#queue tbody tr a.code', 'a tracking number in the queue');
      await screenshot(officer, 'officer-queue-360');
    } finally {
      await context.close();
    }
  });
});
