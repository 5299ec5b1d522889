// An officer signs in through the government's single sign-on (a real OpenID Connect provider
// started by the test), on a 360 px phone, with and without JavaScript. Every Balai page visited
// is checked with axe-core (WCAG 2.1 A + AA).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkA11y, launchBrowser, navigation, newPhoneContext, screenshot, textOf } from '../lib/browser.mjs';
import { startOidcProvider } from '../lib/oidc.mjs';
import { freePort, startServer } from '../lib/server.mjs';

let provider;
let server;
let browser;

before(async () => {
  const port = await freePort();
  provider = await startOidcProvider({ balaiBaseUrl: `http://127.0.0.1:${port}` });
  server = await startServer({ name: 'oidc', port, env: provider.balaiEnv });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  provider?.stop();
});

async function inFreshContext(options, story) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl, ...options });
  try {
    return await story(context);
  } finally {
    await context.close();
  }
}

/** From Balai's sign-in page, through the provider's form as `username`, back to Balai. */
async function signInThroughSso(page, username) {
  await page.goto('/admin/masuk');
  await checkA11y(page, 'oidc-admin-login');
  const sso = page.locator('#sso');
  assert.ok(await sso.isVisible(), 'the sign-in page offers the SSO account');
  await navigation(page, () => sso.click());
  assert.ok(page.url().startsWith(provider.issuer), `the browser is at the provider: ${page.url()}`);
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('Masuk lewat SSO pemerintah (OIDC)', () => {
  for (const javaScriptEnabled of [true, false]) {
    it(`an officer signs in through OIDC and lands on the admin page (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      await inFreshContext({ javaScriptEnabled }, async (context) => {
        const page = await context.newPage();
        await signInThroughSso(page, 'ani');
        await page.waitForURL((url) => url.pathname === '/admin', { timeout: 15_000 });
        await page.waitForLoadState('load');
        await checkA11y(page, `oidc-admin-dashboard-js-${javaScriptEnabled}`);
        assert.match(await textOf(page, 'header'), /Ani Wijaya/, 'the header names the officer from the provider');
        await screenshot(page, `oidc-signed-in-js-${javaScriptEnabled}`);
      });
    });
  }

  it('an account the provider gives no Balai role is refused with the claim named', async () => {
    await inFreshContext({}, async (context) => {
      const page = await context.newPage();
      await signInThroughSso(page, 'tamu');
      await page.waitForURL((url) => url.pathname.startsWith('/admin/masuk/oidc/callback'), { timeout: 15_000 });
      const error = page.locator('#login-error');
      assert.ok(await error.isVisible(), 'the refusal is shown on the sign-in page');
      assert.match(await error.innerText(), /balai_role/);
      await checkA11y(page, 'oidc-refused');
      await page.goto('/admin');
      assert.equal(new URL(page.url()).pathname, '/admin/masuk', 'no session was opened');
    });
  });
});
