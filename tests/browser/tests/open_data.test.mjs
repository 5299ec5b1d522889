// Open data on a 360 px phone. A reuser comes from the dashboard to /open-data, reads the licence and
// the small-count rule, switches to English with the site's language switch, picks a period in a
// government's GET form and downloads its daily CSV (no JavaScript needed). Every page is checked
// with axe-core.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  checkA11y,
  launchBrowser,
  navigation,
  newPhoneContext,
  screenshot,
  scrollWidth,
  textOf,
  visit,
} from '../lib/browser.mjs';
import { sharedServer } from '../lib/server.mjs';

let server;
let browser;

before(async () => {
  server = await sharedServer({ name: 'open-data' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('open data', () => {
  it('a reuser finds the licence and the rule, switches language and downloads a period as CSV', async () => {
    const context = await newPhoneContext(browser, {
      baseURL: server.baseUrl,
      acceptDownloads: true,
      javaScriptEnabled: false,
    });
    try {
      const page = await context.newPage();
      await visit(page, '/dasbor', 'open-data-from-dashboard');
      const link = page.locator('main a', { hasText: 'Data terbuka' });
      assert.equal(await link.getAttribute('href'), '/open-data', 'the dashboard links to open data');
      await visit(page, '/open-data', 'open-data');
      assert.ok((await scrollWidth(page)) <= 360, 'the page fits a 360 px phone');
      assert.equal(await textOf(page, 'h1'), 'Data terbuka');
      assert.equal(
        await page.locator('a[rel="license"]').getAttribute('href'),
        'https://creativecommons.org/licenses/by/4.0/',
      );
      assert.match(await textOf(page, '#h-suppression + p'), /Angka 1 sampai 4 tidak diterbitkan/);
      await screenshot(page, 'open-data-360');

      // The site's language switch.
      const english = await navigation(page, () => page.locator('header nav a[hreflang="en"]').click());
      assert.equal(english.status(), 200);
      await checkA11y(page, 'open-data-en');
      assert.equal(await textOf(page, 'h1'), 'Open data');

      // Kota Kupang's form: a period, then the CSV button.
      const form = page.locator('form[action="/open-data/53.71/daily.csv"]');
      const today = new Date();
      const from = new Date(today.getTime() - 14 * 24 * 3600 * 1000).toISOString().slice(0, 10);
      await form.locator('input[name="from"]').fill(from);
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        form.locator('button:not([formaction])').click(),
      ]);
      assert.match(file.suggestedFilename(), new RegExp(`^balai-harian-5371-${from}-.*\\.csv$`));
      const lines = fs.readFileSync(await file.path(), 'utf8').trim().split(/\r\n/);
      assert.equal(
        lines[0],
        'day,agency_code,agency_name,service_code,service_name,kind,received,closed,closed_on_time,resolved,suppressed',
      );
      assert.ok(lines.length > 1, 'the demo holds work in the last two weeks');
      assert.ok(lines.slice(1).every((line) => line >= from), 'every day in the period');
    } finally {
      await context.close();
    }
  });
});
