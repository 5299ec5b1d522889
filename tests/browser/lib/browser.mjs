// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// a 360 px phone context, axe-core accessibility checks and screenshots.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { artifactsDir } from './server.mjs';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core');

/** Debian's Chromium; Playwright's own browser download is not used. */
export const CHROMIUM_PATH = process.env.BALAI_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** A low-end Android phone: 360×740 CSS px at 2× density, touch, Indonesian. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'id-ID',
  // The server's Content-Security-Policy (script-src 'self') would block the
  // axe-core script tag that checkA11y injects; the pages' own policy is not
  // what these tests are about.
  bypassCSP: true,
};

export function launchBrowser() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with ` +
        '`apt-get update && apt-get install -y chromium` (or set BALAI_CHROMIUM).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A new phone-sized context; `overrides` are extra Playwright context options. */
export function newPhoneContext(browser, overrides = {}) {
  return browser.newContext({ ...PHONE, ...overrides });
}

const A11Y_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

function safeName(name) {
  return String(name).replace(/[^A-Za-z0-9_.-]+/g, '-');
}

async function axeLoaded(page) {
  return page.evaluate(() => typeof window.axe === 'object').catch(() => false);
}

async function axeRun(page) {
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    }));
  }, A11Y_TAGS);
}

/**
 * For a page whose scripts do not run (javaScriptEnabled: false, or a CSP
 * that was not bypassed): the DOM it shows is served again, at the same URL,
 * to a scripted page of the same size, and axe-core runs there. (Running axe
 * through the automation channel inside a script-disabled page brings
 * Chromium down.) Stylesheets and images still come from the server.
 */
async function axeRunMirrored(page) {
  const browser = page.context().browser();
  const url = page.url();
  const html = await page.content();
  const context = await browser.newContext({
    ...PHONE,
    viewport: page.viewportSize() ?? PHONE.viewport,
    javaScriptEnabled: true,
  });
  try {
    const mirror = await context.newPage();
    await mirror.route(
      (u) => u.href === url,
      (route) =>
        route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
      { times: 1 },
    );
    await mirror.goto(url);
    await mirror.addScriptTag({ path: axePath });
    return await axeRun(mirror);
  } finally {
    await context.close();
  }
}

/** Run axe-core on the page; returns the violations (all impacts). */
export async function runAxe(page) {
  if (!(await axeLoaded(page))) {
    await page.addScriptTag({ path: axePath }).catch(() => {});
  }
  if (await axeLoaded(page)) return axeRun(page);
  return axeRunMirrored(page);
}

/**
 * Check the page against WCAG 2.1 A and AA with axe-core. Fails on every
 * violation whose impact is serious or critical; all violations (including
 * minor and moderate ones) are written to artifacts/a11y-<name>.json.
 */
export async function checkA11y(page, name) {
  const violations = await runAxe(page);
  fs.mkdirSync(artifactsDir, { recursive: true });
  fs.writeFileSync(
    path.join(artifactsDir, `a11y-${safeName(name)}.json`),
    JSON.stringify({ url: page.url(), violations }, null, 2),
  );
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  const lines = blocking.map(
    (v) => `- ${v.id} [${v.impact}] ${v.help} (${v.nodes.length}×, first: ${JSON.stringify(v.nodes[0]?.target)})`,
  );
  assert.equal(
    blocking.length,
    0,
    `accessibility violations on "${name}" (${page.url()}):\n${lines.join('\n')}`,
  );
  return violations;
}

/** Save a full-page PNG to artifacts/<name>.png; returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${safeName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Width of the document in CSS px (more than the viewport means sideways scrolling). */
export function scrollWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/**
 * Go to `url`, assert the HTTP status (200 unless told) and check
 * accessibility under `name`. Returns the response.
 */
export async function visit(page, url, name, { status = 200 } = {}) {
  const response = await page.goto(url);
  assert.ok(response, `no response for ${url}`);
  assert.equal(response.status(), status, `HTTP status of ${url}`);
  await checkA11y(page, name);
  return response;
}

/** The path and query of the page's URL, e.g. "/cari?q=akta". */
export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

/** The visible text of the first element matching `selector` ('' when absent). */
export async function textOf(page, selector) {
  const el = page.locator(selector).first();
  if ((await el.count()) === 0) return '';
  return (await el.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Run `action` (a click, a key press, a form submission) and wait until the
 * page has navigated and loaded. Returns the final response of the
 * navigation (after any redirect), so its status can be checked.
 */
export async function navigation(page, action) {
  const main = page.mainFrame();
  const response = page.waitForResponse(
    (r) =>
      r.request().isNavigationRequest() &&
      r.frame() === main &&
      !(r.status() >= 300 && r.status() < 400),
  );
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === main });
  // If `action` throws, these two must not end as unhandled rejections later.
  response.catch(() => {});
  committed.catch(() => {});
  await action();
  const [res] = await Promise.all([response, committed]);
  await page.waitForLoadState('load');
  return res;
}
