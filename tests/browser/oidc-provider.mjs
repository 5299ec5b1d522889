// A real OpenID Connect provider (panva's oidc-provider) for tests, on
// 127.0.0.1 over plain http. Everything lives in memory and is gone on exit.
//
//   node tests/browser/oidc-provider.mjs
//
// When it listens it prints exactly one line to stdout,
//   OIDC_ISSUER=http://127.0.0.1:<port>
// and runs until SIGTERM or SIGINT. Problems go to stderr.
//
// Environment:
//   OIDC_PORT                       port (default 0: a free one)
//   OIDC_CLIENT_ID                  default "balai"
//   OIDC_CLIENT_SECRET              default "balai-secret"
//   OIDC_REDIRECT_URIS              comma-separated, matched exactly (port
//                                   included); default
//                                   http://127.0.0.1:8080/admin/masuk/oidc/callback
//   OIDC_POST_LOGOUT_REDIRECT_URIS  comma-separated, default none
//
// The one client is confidential: authorization_code + response_type code,
// client_secret_basic (client_secret_post is accepted too), PKCE with S256 on
// every request. Scopes: openid, email, profile, phone, balai (officers' role
// and place) and nik (a citizen's NIK); their claims are put in the ID token as
// well as served by userinfo. Each sign-in's `acr` is the account's level
// (urn:balai:test:loa:substantial or urn:balai:test:loa:low), its `amr` the
// methods the account's login used.
//
// Endpoints: see /.well-known/openid-configuration. The authorization
// endpoint is /auth, token /token, JWKS /jwks, userinfo /me, end session
// /session/end.
//
// Sign-in without JavaScript, as a cookie-keeping HTTP client does it:
//  1. GET /auth?response_type=code&client_id=…&redirect_uri=…&scope=openid%20email%20profile%20balai
//         &state=…&nonce=…&code_challenge=…&code_challenge_method=S256[&login_hint=ani]
//     → 303 Location: /interaction/<uid>; sets the cookies _interaction
//       (Path=/interaction/<uid>) and _interaction_resume (Path=/auth/<uid>),
//       each with a .sig twin.
//  2. GET /interaction/<uid> → 200, the form (username pre-filled from login_hint).
//  3. POST /interaction/<uid>/login, Content-Type application/x-www-form-urlencoded,
//     body username=ani → 303 Location: http://127.0.0.1:<port>/auth/<uid>
//     (an unknown username: 400 with the form and an error).
//  4. GET /auth/<uid> → 303 Location: <redirect_uri>?code=…&state=…&iss=…;
//     sets the _session cookie. Signing in also grants every requested scope,
//     so no consent page ever shows (a consent prompt, e.g. prompt=consent,
//     is granted on the spot with a 303 from step 2).
//  5. POST /token with HTTP Basic client_id:client_secret and
//     grant_type=authorization_code&code=…&redirect_uri=…&code_verifier=…
//     → 200 JSON with access_token, id_token (RS256, key in /jwks).
// POST /interaction/<uid>/abort instead of step 3 ends at
// <redirect_uri>?error=access_denied&state=…&iss=….

import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT ?? 0);
const list = (value) => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const SUBSTANTIAL = 'urn:balai:test:loa:substantial';
const LOW = 'urn:balai:test:loa:low';

const ACCOUNTS = {
  ani: {
    name: 'Ani Wijaya', email: 'ani@kupangkota.go.id',
    balai_role: 'officer', balai_government: '5371', balai_agency: 'disdukcapil',
  },
  budi: {
    name: 'Budi Santoso', email: 'budi@kupangkota.go.id',
    balai_role: 'government_admin', balai_government: '5371',
    // Roles that need a second factor must show one in `amr` (RFC 8176).
    amr: ['pwd', 'otp'],
  },
  citra: {
    name: 'Citra Lestari', email: 'citra@kupangkota.go.id',
    balai_role: 'agency_head', balai_government: '5371', balai_agency: 'disdukcapil',
    amr: ['pwd', 'otp'],
  },
  // An agency head who signed in with a password only: Balai must refuse the role.
  eko: {
    name: 'Eko Prasetyo', email: 'eko@kupangkota.go.id',
    balai_role: 'agency_head', balai_government: '5371', balai_agency: 'disdukcapil',
  },
  // Signs in fine but has no Balai role at all, and no NIK either.
  tamu: { name: 'Tamu Umum', email: 'tamu@contoh.test' },

  // Citizens, for a citizen identity provider (the national digital identity):
  // `nik` is the person's NIK, `acr` the level the provider verified them at.
  // Maria and Yohanes are held in the demo's records; Agustina only in its
  // population register; Petrus nowhere.
  maria: { name: 'Maria Yosefina Lado', nik: '5371045203900003', acr: SUBSTANTIAL },
  'maria-low': { name: 'Maria Yosefina Lado', nik: '5371045203900003', acr: LOW },
  // Yohanes's provider holds a verified e-mail address and phone (Balai binds
  // them only from a substantial sign-in) ...
  yohanes: {
    name: 'Yohanes Benu', nik: '5371011708850002', acr: SUBSTANTIAL,
    email: 'yohanes.benu@contoh.id', phone_number: '+6281337700099', phone_number_verified: true,
  },
  // ... and the same person signed in at a low level.
  'yohanes-low': {
    name: 'Yohanes Benu', nik: '5371011708850002', acr: LOW,
    email: 'yohanes.benu@contoh.id', phone_number: '+6281337700099', phone_number_verified: true,
  },
  // An e-mail address the provider has not verified.
  agustina: {
    name: 'Agustina Seran', nik: '5371016605920004', acr: SUBSTANTIAL,
    email: 'agustina.seran@contoh.id', email_verified: false,
  },
  petrus: { name: 'Petrus Nenobais', nik: '5371012304950005', acr: LOW },
  // A NIK claim that is no NIK at all.
  'nik-rusak': { name: 'Nik Rusak', nik: '53710452', acr: SUBSTANTIAL },
};

// The provider's own in-memory store warns on start; this one is as good for tests.
const store = new Map();
const grants = new Map();
class MemoryAdapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, { payload, expires: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session') store.set(`SessionUid:${payload.uid}`, { payload: id, expires: Infinity });
    if (payload.grantId) grants.set(payload.grantId, [...(grants.get(payload.grantId) ?? []), key]);
  }

  async find(id) { return this.#get(this.key(id)); }

  async findByUid(uid) {
    const id = this.#get(`SessionUid:${uid}`);
    return id && this.find(id);
  }

  async consume(id) {
    const payload = await this.find(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { store.delete(this.key(id)); }

  async revokeByGrantId(grantId) {
    for (const key of grants.get(grantId) ?? []) store.delete(key);
    grants.delete(grantId);
  }

  #get(key) {
    const entry = store.get(key);
    if (entry && entry.expires <= Date.now()) store.delete(key);
    else return entry?.payload;
  }
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Small self-contained pages: the provider's defaults pull a web font from
// the internet, and the browser tests run an accessibility check on every page.
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:sans-serif;margin:0;padding:1rem;color:#111;background:#fff}
main{max-width:22rem;margin:0 auto}
label{display:block;font-weight:bold;margin:.5rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem;border:1px solid #555}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem;color:#fff;background:#0b4f8a;border:0}
button.secondary{color:#0b4f8a;background:#fff;border:1px solid #0b4f8a}
.error{color:#a00000;font-weight:bold}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function loginForm(uid, { username = '', error } = {}) {
  const describedBy = error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return page('Sign in', `
<h1>Sign in</h1>
${error ? `<p id="login-error" class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" required value="${esc(username)}"${describedBy}>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort">
<button type="submit" class="secondary">Cancel</button>
</form>`);
}

const provider = (issuer, keys) => new Provider(issuer, {
  adapter: MemoryAdapter,
  jwks: { keys: [keys] },
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    // The session cookie defaults to SameSite=None, which browsers drop on
    // plain http (no Secure flag possible); Lax works for these redirects.
    long: { sameSite: 'lax' },
  },
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID || 'balai',
    client_secret: process.env.OIDC_CLIENT_SECRET || 'balai-secret',
    // A "web" client may use http redirect URIs for the code flow.
    redirect_uris: list(process.env.OIDC_REDIRECT_URIS ?? 'http://127.0.0.1:8080/admin/masuk/oidc/callback'),
    post_logout_redirect_uris: list(process.env.OIDC_POST_LOGOUT_REDIRECT_URIS),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  responseTypes: ['code'], // nothing implicit or hybrid
  pkce: { methods: ['S256'], required: () => true },
  acrValues: [SUBSTANTIAL, LOW],
  claims: {
    // acr: the level the person was verified at; amr (RFC 8176): whether a
    // second factor was used.
    acr: null,
    openid: ['sub', 'amr', 'acr'],
    email: ['email', 'email_verified'],
    phone: ['phone_number', 'phone_number_verified'],
    profile: ['name'],
    balai: ['balai_role', 'balai_government', 'balai_agency'],
    nik: ['nik'],
  },
  // Put the scopes' claims in the ID token too, not only at userinfo.
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const account = Object.hasOwn(ACCOUNTS, sub) ? ACCOUNTS[sub] : undefined;
    if (!account) return undefined;
    const { amr, acr, ...claims } = account; // amr and acr come from the login, not from the profile
    return { accountId: sub, claims: () => ({ sub, email_verified: true, ...claims }) };
  },
  features: {
    devInteractions: { enabled: false }, // ours are below
    rpInitiatedLogout: {
      logoutSource(ctx, form) {
        ctx.body = page('Sign out', `<h1>Sign out?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`);
      },
      postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<h1>Signed out</h1>');
      },
    },
  },
  clientBasedCORS: () => false, // no client calls the provider from a browser script
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>Error</h1>${Object.entries(out)
      .map(([key, value]) => `<p><strong>${esc(key)}</strong>: <span id="${esc(key)}">${esc(value)}</span></p>`)
      .join('')}`);
  },
  // Fixed lifetimes (the defaults are functions that print notices).
  ttl: {
    AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600,
    Interaction: 3600, Session: 86400, Grant: 86400,
  },
});

// A grant of everything the authorization request asked for.
async function grantAll(oidc, { params, grantId }, accountId) {
  const grant = (grantId && await oidc.Grant.find(grantId))
    || new oidc.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  if (params.claims) {
    const { id_token: idToken = {}, userinfo = {} } = JSON.parse(params.claims);
    grant.addOIDCClaims([...Object.keys(idToken), ...Object.keys(userinfo)]);
  }
  return grant.save();
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16384) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

async function interaction(oidc, req, res, uid, action) {
  let details;
  try {
    details = await oidc.interactionDetails(req, res);
  } catch {
    details = undefined;
  }
  if (!details || details.uid !== uid) {
    send(res, 400, page('Error', '<h1>Error</h1><p>This sign-in has expired or its cookie is missing. Start again from the application.</p>'));
    return;
  }
  const { prompt, params, session } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'consent') {
      // Test accounts consent to everything, without a page.
      const grantId = await grantAll(oidc, details, session.accountId);
      await oidc.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    send(res, 200, loginForm(uid, { username: params.login_hint }));
    return;
  }

  if (req.method === 'POST' && action === 'login') {
    const username = ((await readForm(req)).get('username') ?? '').trim();
    if (!Object.hasOwn(ACCOUNTS, username)) {
      send(res, 400, loginForm(uid, { username, error: `Unknown username "${username}".` }));
      return;
    }
    // Sign in and consent in one step: no consent page follows.
    const grantId = await grantAll(oidc, details, username);
    await oidc.interactionFinished(req, res, {
      login: { accountId: username, amr: ACCOUNTS[username].amr ?? ['pwd'], acr: ACCOUNTS[username].acr },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (req.method === 'POST' && action === 'abort') {
    await oidc.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }

  send(res, 405, page('Error', '<h1>Method not allowed</h1>'));
}

// The issuer carries the port, so listen first and build the provider after.
const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const oidc = provider(issuer, { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' });
  oidc.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));
  const callback = oidc.callback();

  server.on('request', (req, res) => {
    const match = /^\/interaction\/([^/?]+)(?:\/(login|abort))?\/?(?:\?|$)/.exec(req.url);
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(oidc, req, res, match[1], match[2]).catch((err) => {
      console.error('interaction error:', err);
      if (!res.headersSent) send(res, 500, page('Error', '<h1>Server error</h1>'));
      else res.end();
    });
  });

  process.stdout.write(`OIDC_ISSUER=${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
