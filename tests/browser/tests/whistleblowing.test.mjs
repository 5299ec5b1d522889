// Whistleblowing on a 360 px phone, without JavaScript: someone reports at /wbs
// without signing in, keeps the number and secret, and follows the report at
// /wbs/lacak; the demo inspector opens it with the demo's private key. Every
// page is checked with axe-core.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkA11y, launchBrowser, navigation, newPhoneContext, pathOf, scrollWidth, textOf, visit } from '../lib/browser.mjs';
import { sharedServer } from '../lib/server.mjs';

const MARKER = 'Pungutan liar di loket perizinan setiap hari Jumat';

let server;
let browser;

before(async () => {
  server = await sharedServer({ name: 'whistleblowing' });
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

describe('Whistleblowing (WBS)', () => {
  it('a report is filed, followed by its secret, and opened only with the key', async () => {
    const { tracking, secret } = await inPhone(async (context) => {
      const page = await context.newPage();
      await visit(page, '/wbs', 'wbs-form');
      assert.ok((await scrollWidth(page)) <= 360, 'the form fits a phone');
      await page.locator('#text').fill(MARKER);
      await page.locator('#place').fill('Kantor pelayanan terpadu');
      const sent = await navigation(page, () => page.locator('#wbs-form [type="submit"]').click());
      assert.equal(sent.status(), 201);
      await checkA11y(page, 'wbs-receipt');
      const tracking = await textOf(page, '#tracking');
      const secret = await textOf(page, '#secret');
      assert.ok(tracking && secret, 'the receipt shows the number and the secret');

      await visit(page, '/wbs/lacak', 'wbs-track-form');
      await page.locator('#tracking').fill(tracking);
      await page.locator('#secret').fill('SALAH-SALAH-SALAH');
      const wrong = await navigation(page, () => page.locator('form [type="submit"]').last().click());
      assert.equal(wrong.status(), 422);
      await page.locator('#secret').fill(secret);
      const followed = await navigation(page, () => page.locator('form [type="submit"]').last().click());
      assert.equal(followed.status(), 200);
      await checkA11y(page, 'wbs-track');
      assert.ok(!(await page.content()).includes(MARKER), 'the tracking page never shows the text');
      return { tracking, secret };
    });
    assert.ok(secret);

    await inPhone(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk', 'officer-sign-in');
      await page.locator('#username').fill('inspektur');
      await page.locator('#password').fill('demo-inspektur-2026');
      await navigation(page, () => page.locator('form:has(#password) [type="submit"]').first().click());
      await visit(page, '/admin/wbs', 'wbs-queue');
      await navigation(page, () => page.locator('#queue a', { hasText: tracking }).click());
      assert.match(pathOf(page), /^\/admin\/wbs\/\d+$/);
      assert.ok(!(await page.content()).includes(MARKER), 'sealed until opened');
      const key = fs.readFileSync(path.join(server.dataDir, 'keys', 'wbs-demo-inspector.key'), 'utf8').trim();
      await page.locator('#private_key').fill(key);
      const opened = await navigation(page, () => page.locator('form:has(#private_key) [type="submit"]').click());
      assert.equal(opened.status(), 200);
      await checkA11y(page, 'wbs-opened');
      assert.ok((await textOf(page, '#opened-text')).includes(MARKER));
      const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 361).map((e) => `${e.tagName}#${e.id}.${e.className}`).slice(0, 5));
      assert.ok((await scrollWidth(page)) <= 360, `the opened report fits a phone: ${wide.join(', ')}`);
    });
  });
});
