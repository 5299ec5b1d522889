// Starts the test OpenID Connect provider (../oidc-provider.mjs, npm oidc-provider) for a story and
// the Balai settings that point at it: as the officers' single sign-on, and optionally also as the
// citizens' identity provider (the national digital identity).

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { browserTestsDir } from './server.mjs';

/** The `acr` the provider gives a person it verified at the substantial level. */
export const SUBSTANTIAL_ACR = 'urn:balai:test:loa:substantial';
/** The `acr` of a sign-in at a low level (a password alone). */
export const LOW_ACR = 'urn:balai:test:loa:low';

/**
 * The provider's citizen accounts (see ACCOUNTS in ../oidc-provider.mjs): the username typed at
 * the provider, the `nik` claim and the `acr` of the sign-in. Maria and Yohanes are held in the
 * demo's records.
 */
export const CITIZENS = {
  maria: { nik: '5371045203900003', acr: SUBSTANTIAL_ACR },
  'maria-low': { nik: '5371045203900003', acr: LOW_ACR },
  yohanes: { nik: '5371011708850002', acr: SUBSTANTIAL_ACR },
  'yohanes-low': { nik: '5371011708850002', acr: LOW_ACR },
};

/**
 * @param {{ balaiBaseUrl: string, citizens?: boolean }} options
 *   balaiBaseUrl: where Balai will listen (its callbacks are registered at the provider);
 *   citizens: also configure Balai to sign citizens in through the provider, the NIK from the
 *   `nik` claim and only SUBSTANTIAL_ACR counting as the substantial level.
 * @returns {Promise<{ issuer: string, balaiEnv: Record<string, string>, stop(): void }>}
 */
export async function startOidcProvider({ balaiBaseUrl, citizens = false }) {
  const redirect = `${balaiBaseUrl}/admin/masuk/oidc/callback`;
  const citizenRedirect = `${balaiBaseUrl}/masuk/idp/callback`;
  // One client at the provider serves both sign-ins, each with its own callback.
  const redirects = citizens ? [redirect, citizenRedirect] : [redirect];
  const child = spawn(process.execPath, [path.join(browserTestsDir, 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_REDIRECT_URIS: redirects.join(',') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const lines = readline.createInterface({ input: child.stdout });
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OIDC provider did not start within 20 s')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const value = line.startsWith('OIDC_ISSUER=') ? line.slice('OIDC_ISSUER='.length) : null;
      value ? resolve(value) : reject(new Error(`unexpected provider output: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`the OIDC provider exited (code ${code})`)));
  });
  const balaiEnv = {
    BALAI_OIDC_ISSUER: issuer,
    BALAI_OIDC_CLIENT_ID: 'balai',
    BALAI_OIDC_CLIENT_SECRET: 'balai-secret',
    BALAI_OIDC_REDIRECT_URL: redirect,
    BALAI_OIDC_SCOPES: 'email profile balai',
  };
  if (citizens) {
    Object.assign(balaiEnv, {
      BALAI_CITIZEN_OIDC_ISSUER: issuer,
      BALAI_CITIZEN_OIDC_CLIENT_ID: 'balai',
      BALAI_CITIZEN_OIDC_CLIENT_SECRET: 'balai-secret',
      BALAI_CITIZEN_OIDC_REDIRECT_URL: citizenRedirect,
      BALAI_CITIZEN_OIDC_SCOPES: 'profile nik',
      BALAI_CITIZEN_OIDC_NIK_CLAIM: 'nik',
      BALAI_CITIZEN_OIDC_SUBSTANTIAL_ACR: SUBSTANTIAL_ACR,
    });
  }
  return {
    issuer,
    balaiEnv,
    stop: () => child.kill('SIGTERM'),
  };
}
