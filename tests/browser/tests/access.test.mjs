// Purpose-bound access on a 360 px phone, without JavaScript: the demo officer
// opens Maria's record from a case, naming why; Maria then sees that opening on
// "Siapa yang mengakses data saya". Every page is checked with axe-core.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
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
const PURPOSE = 'Pemeriksaan keabsahan dokumen pendukung';

let server;
let browser;

before(async () => {
  server = await sharedServer({ name: 'access' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function inPhone(story) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl, javaScriptEnabled: false });
  try {
    return await story(context);
  } finally {
    await context.close();
  }
}

describe('Siapa yang mengakses data saya (identity, purpose-bound access)', () => {
  it('an officer names a purpose to open a record, and the citizen sees it', async () => {
    await inPhone(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'officer-sign-in');
      await page.locator('#username').fill('petugas');
      await page.locator('#password').fill('demo-petugas-2026');
      const signedIn = await navigation(page, () => page.locator('form:has(#password) [type="submit"]').first().click());
      assert.equal(signedIn.status(), 200);
      assert.equal(pathOf(page), '/admin');

      await navigation(page, () => page.locator('#my-cases').click());
      await visit(page, '/admin/kasus', 'officer-cases');
      assert.ok((await scrollWidth(page)) <= 360, 'the work list fits a phone');
      await navigation(page, () => page.locator('#cases tr', { hasText: 'Akta Kelahiran' }).locator('a').first().click());
      assert.match(pathOf(page), /^\/admin\/kasus\/\d+$/);
      await visit(page, pathOf(page), 'officer-case');
      assert.equal(await textOf(page, '#citizen-record'), '', 'nothing shown before a purpose is named');

      const refused = await navigation(page, () => page.locator('form:has(#purpose) [type="submit"]').click());
      assert.equal(refused.status(), 422);
      assert.match(await textOf(page, '#purpose-error'), /Wajib diisi/);
      assert.equal(await page.locator('#purpose').getAttribute('aria-invalid'), 'true');

      await page.locator('#purpose').fill(PURPOSE);
      const opened = await navigation(page, () => page.locator('form:has(#purpose) [type="submit"]').click());
      assert.equal(opened.status(), 200);
      const record = await textOf(page, '#citizen-record');
      assert.match(record, /Maria Yosefina Lado/);
      assert.match(record, /5371••••••••0003/);
      assert.ok(!record.includes(NIK), 'the full NIK is never on screen');
      assert.ok((await scrollWidth(page)) <= 360);
      await screenshot(page, 'officer-opened-record-360');
    });

    await inPhone(async (context) => {
      const page = await context.newPage();
      await visit(page, '/masuk?next=%2Fakun', 'sign-in-form');
      await page.locator('#nik').fill(NIK);
      await page.locator('#to').fill('maria.lado@contoh.id');
      await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
      const inbox = await context.newPage();
      await visit(inbox, '/demo/pesan', 'demo-inbox');
      const code = (await textOf(inbox, '.inbox .message .body')).match(/(\d{6})/)[1];
      await inbox.close();
      await page.locator('#code').fill(code);
      await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
      assert.equal(pathOf(page), '/akun');

      await navigation(page, () => page.locator('#access-log').click());
      assert.equal(pathOf(page), '/akun/akses');
      await visit(page, '/akun/akses', 'citizen-access-log');
      const reads = await textOf(page, '#reads');
      assert.match(reads, new RegExp(PURPOSE), 'the officer\'s purpose is listed');
      assert.match(reads, /Verifikasi berkas permohonan akta kelahiran/, 'and the earlier read of the demo');
      assert.match(reads, /Dinas Kependudukan dan Pencatatan Sipil Kota Kupang/);
      assert.match(reads, /Petugas/);
      assert.match(reads, /PMH-\d{6}/);
      assert.match(reads, /WITA/);
      assert.ok((await scrollWidth(page)) <= 360);
      await screenshot(page, 'citizen-access-log-360');
    });
  });
});
