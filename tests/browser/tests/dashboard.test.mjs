// The performance dashboard on a 360 px phone. A visitor reads /dasbor: the figures, a chart's
// data table (caption and numbers), narrows it to one agency with the GET filter, downloads the
// table as CSV, and sees the live figures connect when JavaScript runs (the page is complete
// without it). The demo officer reads their agency per unit at /admin/dasbor, downloads a unit
// table and follows a unit's figures to its cases. Every page is checked with axe-core.

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
  server = await sharedServer({ name: 'dashboard' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  // Open live streams must not hold the stop back: SIGTERM ends the server cleanly.
  const code = await server?.stop();
  assert.equal(code, 0, 'the server stopped cleanly with streams having been open');
});

async function inPhone(story, options = {}) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl, acceptDownloads: true, ...options });
  try {
    return await story(context);
  } finally {
    await context.close();
  }
}

/** Clicks a download link; returns the suggested file name and the file's text. */
async function download(page, link) {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: fs.readFileSync(path, 'utf8') };
}

/** The rows of the table whose caption starts with `caption`, each as its cells' texts. */
async function tableRows(page, caption) {
  const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) }).first();
  assert.equal(await table.count(), 1, `a table captioned "${caption}"`);
  return table.locator('tbody tr').evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((c) => c.textContent.trim())),
  );
}

describe('the performance dashboard', () => {
  it('a visitor reads a chart table, filters, downloads a CSV and sees the live figures on a phone', async () => {
    await inPhone(async (context) => {
      const page = await context.newPage();
      await visit(page, '/dasbor', 'dashboard-public');
      assert.ok((await scrollWidth(page)) <= 360, 'the dashboard fits a 360 px phone');
      assert.match(await textOf(page, 'h1'), /Dasbor kinerja pelayanan/);
      // Each chart is an SVG with a name, followed by its data table.
      assert.ok((await page.locator('svg.chart[role="img"][aria-label]').count()) >= 1, 'charts drawn on the server');
      const caption = 'Permohonan dan pengaduan per minggu';
      assert.match(await textOf(page, `caption:has-text("${caption}")`), /per minggu/);
      const weeks = await tableRows(page, caption);
      assert.ok(weeks.length >= 4, `a row per week: ${JSON.stringify(weeks)}`);
      assert.match(weeks[0][0], /^\d{4}-\d{2}-\d{2}$/, 'each row names its week');
      assert.ok(weeks.some((row) => row.slice(1).some((cell) => /^\d+$/.test(cell) && cell !== '0')), 'and numbers');

      // The live figures connect (the first event arrives at once) and the numbers stay as drawn.
      const received = await textOf(page, '[data-figure="applications.received"]');
      await page.locator('#dasbor-live[data-connected="true"]').waitFor({ state: 'attached', timeout: 15_000 });
      assert.equal(await page.locator('#dasbor-live').getAttribute('aria-live'), 'polite');
      assert.equal(await textOf(page, '[data-figure="applications.received"]'), received);

      // The GET filter: one agency.
      await page.locator('#agency').selectOption('disdukcapil');
      const filtered = await navigation(page, () => page.locator('form[action="/dasbor"] [type="submit"]').click());
      assert.equal(filtered.status(), 200);
      assert.match(page.url(), /agency=disdukcapil/);
      assert.equal(await page.locator('#agency').inputValue(), 'disdukcapil');
      await checkA11y(page, 'dashboard-public-filtered');
      assert.ok((await scrollWidth(page)) <= 360);
      await screenshot(page, 'dashboard-public-360');

      // The table as CSV.
      const section = page.locator('section', { has: page.locator('caption', { hasText: caption }) });
      const csv = await download(page, section.locator('a[download]'));
      assert.match(csv.name, /^dasbor-trend-.*\.csv$/);
      const lines = csv.text.trim().split(/\r\n/);
      assert.equal(lines[0], 'Minggu mulai,Permohonan,Selesai,Pengaduan,Selesai tepat waktu');
      assert.match(lines[1], /^\d{4}-\d{2}-\d{2},\d+,\d+,\d+,\d+$/);
    });
  });

  it('without JavaScript the dashboard is complete', async () => {
    await inPhone(
      async (context) => {
        const page = await context.newPage();
        await visit(page, '/dasbor', 'dashboard-public-no-js');
        assert.match(await textOf(page, '[data-figure="applications.received"]'), /^\d+$/);
        assert.equal(await page.locator('#dasbor-live').innerText(), '', 'the live region stays silent');
        assert.ok((await scrollWidth(page)) <= 360);
      },
      { javaScriptEnabled: false },
    );
  });

  it("the demo officer reads their agency per unit, downloads a table and opens a unit's cases", async () => {
    await inPhone(async (context) => {
      const page = await context.newPage();
      await visit(page, '/admin/masuk?next=%2Fadmin%2Fdasbor', 'officer-sign-in');
      await page.locator('#username').fill('petugas');
      await page.locator('#password').fill('demo-petugas-2026');
      const landed = await navigation(page, () => page.locator('form:has(#password) [type="submit"]').first().click());
      assert.equal(landed.status(), 200);
      await visit(page, '/admin/dasbor', 'dashboard-agency');
      assert.ok((await scrollWidth(page)) <= 360, 'the agency dashboard fits a 360 px phone');
      assert.match(await textOf(page, 'h1'), /Dasbor perangkat daerah: /);
      const units = await tableRows(page, 'Permohonan per unit');
      assert.ok(units.length >= 2, `a row per unit: ${JSON.stringify(units)}`);
      assert.ok(units.every((row) => /^\d+$/.test(row[1])), 'received is a number in every row');
      await screenshot(page, 'dashboard-agency-360');

      const section = page.locator('section', { has: page.locator('caption', { hasText: 'Permohonan per unit' }) });
      const csv = await download(page, section.locator('a[download]'));
      assert.match(csv.name, /^dasbor-disdukcapil-unit-permohonan-.*\.csv$/);
      const lines = csv.text.trim().split(/\r\n/);
      assert.match(lines[0], /^Unit,Diterima,Selesai,/);
      assert.equal(lines.length, units.length + 1, 'one line per unit');

      // The busiest unit's open cases, one tap from its figure.
      const link = section.locator('tbody a[href^="/admin/dasbor/unit/"]').first();
      assert.equal(await link.count(), 1, 'the officer may work the units\' cases: their figures link');
      const opened = await navigation(page, () => link.click());
      assert.equal(opened.status(), 200);
      assert.match(await textOf(page, 'h1'), /Kasus terbuka: /);
      await checkA11y(page, 'dashboard-unit-cases');
      assert.ok((await scrollWidth(page)) <= 360);
    });
  });
});
