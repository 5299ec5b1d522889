// Starts the test OpenID Connect provider (../oidc-provider.mjs, npm oidc-provider) for a story and
// the Balai settings that point at it.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { browserTestsDir } from './server.mjs';

/**
 * @param {{ balaiBaseUrl: string }} options where Balai will listen (its callback is registered)
 * @returns {Promise<{ issuer: string, balaiEnv: Record<string, string>, stop(): void }>}
 */
export async function startOidcProvider({ balaiBaseUrl }) {
  const redirect = `${balaiBaseUrl}/admin/masuk/oidc/callback`;
  const child = spawn(process.execPath, [path.join(browserTestsDir, 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_REDIRECT_URIS: redirect },
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
  return {
    issuer,
    balaiEnv: {
      BALAI_OIDC_ISSUER: issuer,
      BALAI_OIDC_CLIENT_ID: 'balai',
      BALAI_OIDC_CLIENT_SECRET: 'balai-secret',
      BALAI_OIDC_REDIRECT_URL: redirect,
      BALAI_OIDC_SCOPES: 'email profile balai',
    },
    stop: () => child.kill('SIGTERM'),
  };
}
