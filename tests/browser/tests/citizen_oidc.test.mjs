// A citizen signs in through the citizen identity provider (a real OpenID Connect provider started
// by the test, playing the national digital identity) on a 360 px phone without JavaScript: the
// provider vouches for the NIK, its `acr` sets the level. Every Balai page visited is checked with
// axe-core (WCAG 2.1 A + AA); the provider's own pages are not Balai's and are not checked.

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
import { CITIZENS, LOW_ACR, SUBSTANTIAL_ACR, startOidcProvider } from '../lib/oidc.mjs';
import { freePort, startServer } from '../lib/server.mjs';

const MARIA_NIK = CITIZENS.maria.nik;

let provider;
let server;
let browser;

before(async () => {
  const port = await freePort();
  provider = await startOidcProvider({ balaiBaseUrl: `http://127.0.0.1:${port}`, citizens: true });
  server = await startServer({ name: 'citizen-oidc', port, env: provider.balaiEnv });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  provider?.stop();
});

/** A fresh phone without JavaScript; every URL it asks for is kept in `urls`. */
async function inFreshContext(story) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl, javaScriptEnabled: false });
  const urls = [];
  context.on('request', (request) => urls.push(request.url()));
  try {
    return await story(context, urls);
  } finally {
    await context.close();
  }
}

/**
 * From Balai's citizen sign-in page, through the provider's form as `username`, back to Balai's
 * account page.
 */
async function signInThroughIdp(page, username, name) {
  await visit(page, '/masuk?next=%2Fakun', `citizen-idp-sign-in-${name}`);
  const idp = page.locator('#idp');
  assert.ok(await idp.isVisible(), 'the sign-in page offers the digital identity');
  assert.equal(await textOf(page, '#idp'), 'Masuk dengan identitas digital');
  assert.ok((await scrollWidth(page)) <= 360, 'no sideways scrolling on a phone');
  await navigation(page, () => idp.click());
  assert.ok(page.url().startsWith(provider.issuer), `the browser is at the provider: ${page.url()}`);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The callback answers with a page that moves on to the account by itself (no script needed).
  await page.waitForURL((url) => url.origin === server.baseUrl && url.pathname === '/akun', { timeout: 15_000 });
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/akun');
  await checkA11y(page, `citizen-idp-account-${name}`);
}

describe('Masuk lewat identitas digital (OIDC warga)', () => {
  it('a citizen verified by the provider at the substantial level sees her full record', async () => {
    assert.equal(CITIZENS.maria.acr, SUBSTANTIAL_ACR);
    await inFreshContext(async (context, urls) => {
      const page = await context.newPage();
      await signInThroughIdp(page, 'maria', 'substantial');
      const text = await textOf(page, 'main');
      assert.match(text, /Maria Yosefina Lado/, 'signed in as the NIK from the provider');
      assert.match(await textOf(page, '#assurance'), /substansial/, "the provider's acr sets the level");
      assert.match(text, /Jl\. Frans Seda No\. 12/, 'the full address at the substantial level');
      assert.equal(await textOf(page, '#masked-nik'), '5371••••••••0003');
      assert.ok(!text.includes(MARIA_NIK), 'the full NIK is never on screen');
      assert.ok((await scrollWidth(page)) <= 360, 'no sideways scrolling on a phone');
      await screenshot(page, 'citizen-idp-substantial-360');
      assert.deepEqual(urls.filter((u) => u.includes(MARIA_NIK)), [], 'the NIK is in no URL');
      assert.ok(urls.some((u) => u.startsWith(`${server.baseUrl}/masuk/idp/callback?`)), 'back through the callback');

      const out = await navigation(page, () => page.locator('form[action="/keluar"] [type="submit"]').click());
      assert.equal(out.status(), 200);
      await page.goto('/akun');
      assert.equal(pathOf(page), '/masuk?next=%2Fakun', 'signed out');
    });
  });

  it('at an acr not listed as substantial the session is basic and the address stays hidden', async () => {
    assert.equal(CITIZENS['maria-low'].acr, LOW_ACR);
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await signInThroughIdp(page, 'maria-low', 'basic');
      const text = await textOf(page, 'main');
      assert.match(text, /Maria Yosefina Lado/, 'signed in as the NIK from the provider');
      assert.match(await textOf(page, '#assurance'), /dasar/);
      assert.doesNotMatch(await textOf(page, '#assurance'), /substansial/);
      assert.ok(!text.includes('Jl. Frans Seda'), 'the address waits for the substantial level');
      assert.ok(await page.locator('#full-record-note').isVisible(), 'the page says how to see the full record');
      await screenshot(page, 'citizen-idp-basic-360');
    });
  });

  it('never writes the NIK into the server log', async () => {
    const log = server.readLog();
    assert.match(log, /citizen sign-in through an identity provider is on/, 'the server ran with the provider');
    const lines = log.split('\n').filter((l) => l.includes(MARIA_NIK));
    assert.deepEqual(lines, [], 'the NIK appears in the server log');
  });
});
