// A citizen signs in with NIK and a one-time code on a 360 px phone, picking
// the code up from the demo's message inbox as a newcomer without a real
// phone would. Every page is checked with axe-core; the server's whole log is
// checked for the NIK afterwards.

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
const YOHANES = '5371011708850002';
/** A NIK of valid shape that neither the demo's records nor its population register know. */
const NOBODY = '5371011708850009';

/** How many messages the demo inbox shows. */
async function messageCount(context) {
  const inbox = await context.newPage();
  await inbox.goto('/demo/pesan');
  const count = await inbox.locator('.inbox .message').count();
  await inbox.close();
  return count;
}

let server;
let browser;

before(async () => {
  server = await sharedServer({ name: 'identity' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function inFreshContext(story, overrides = {}) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl, ...overrides });
  try {
    return await story(context);
  } finally {
    await context.close();
  }
}

/** The code in the newest message of the demo inbox, read in a second tab. */
async function codeFromInbox(context) {
  const inbox = await context.newPage();
  await visit(inbox, '/demo/pesan', 'demo-inbox');
  const body = await textOf(inbox, '.inbox .message .body');
  await inbox.close();
  const match = body.match(/(\d{6})/);
  assert.ok(match, `a code in the newest message: ${body}`);
  return match[1];
}

async function requestCode(page, to) {
  await page.locator('#nik').fill(NIK);
  await page.locator('input[name="channel"][value="whatsapp"]').check();
  await page.locator('#to').fill(to);
  return navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
}

describe('Masuk sebagai warga (identity)', () => {
  it('signs in with NIK and a WhatsApp code from the demo inbox, without JavaScript', async () => {
    await inFreshContext(
      async (context) => {
        const page = await context.newPage();
        await visit(page, '/akun', 'sign-in-form');
        assert.equal(pathOf(page), '/masuk?next=%2Fakun', 'the record page sends a stranger to sign in');
        assert.match(await textOf(page, '#demo-hint'), /NIK 5371045203900003/);
        assert.ok((await scrollWidth(page)) <= 360, 'no sideways scrolling on a phone');

        const sent = await requestCode(page, '0812 3450 0011');
        assert.equal(sent.status(), 200);
        assert.ok(pathOf(page).startsWith('/masuk/kode'), pathOf(page));
        assert.ok(!page.url().includes(NIK), 'the NIK is not in the URL');
        assert.match(await textOf(page, '#sent-to'), /Bila \+62812••••011 adalah kontak yang tercatat untuk NIK ini/);
        await visit(page, page.url(), 'code-form');
        await screenshot(page, 'citizen-code-360');

        const code = await codeFromInbox(context);
        await page.locator('#code').fill(code);
        const signedIn = await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
        assert.equal(signedIn.status(), 200);
        assert.equal(pathOf(page), '/akun');
        await visit(page, '/akun', 'citizen-record');
        assert.equal(await textOf(page, '#masked-nik'), '5371••••••••0003');
        const text = await textOf(page, 'main');
        assert.match(text, /Maria Yosefina Lado/);
        assert.match(await textOf(page, '#assurance'), /dasar/, 'a code to a contact is the basic level');
        assert.ok(!text.includes('Jl. Frans Seda'), 'the address waits for the substantial level');
        assert.ok(!text.includes(NIK), 'the full NIK is never on screen');
        assert.ok((await scrollWidth(page)) <= 360);
        await screenshot(page, 'citizen-record-360');

        const out = await navigation(page, () => page.locator('form[action="/keluar"] [type="submit"]').click());
        assert.equal(out.status(), 200);
        await page.goto('/akun');
        assert.equal(pathOf(page), '/masuk?next=%2Fakun', 'signed out');
      },
      { javaScriptEnabled: false },
    );
  });

  it('shows a wrong code and a wrong NIK next to their fields', async () => {
    await inFreshContext(async (context) => {
      const page = await context.newPage();
      await visit(page, '/masuk', 'sign-in-form-errors');
      await page.locator('#nik').fill('5371045203900000');
      await page.locator('#to').fill('maria@contoh.id');
      const refused = await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
      assert.equal(refused.status(), 422);
      assert.match(await textOf(page, '#nik-error'), /tidak boleh 0000/);
      assert.equal(await page.locator('#nik').getAttribute('aria-invalid'), 'true');
      await screenshot(page, 'citizen-bad-nik-360');

      await requestCode(page, '081234500011');
      const code = await codeFromInbox(context);
      const wrong = code === '000000' ? '111111' : '000000';
      await page.locator('#code').fill(wrong);
      const again = await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
      assert.equal(again.status(), 401);
      assert.match(await textOf(page, '[role="alert"]'), /Sisa percobaan: 4/);
    });
  });

  it('sends nothing to a stranger\'s address, and tells the stranger nothing either', async () => {
    await inFreshContext(
      async (context) => {
        const page = await context.newPage();
        const inboxBefore = await messageCount(context);
        await visit(page, '/masuk', 'sign-in-form-stranger');
        await page.locator('#nik').fill(NIK);
        await page.locator('input[name="channel"][value="email"]').check();
        await page.locator('#to').fill('penyerang@contoh.id');
        const sent = await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
        assert.equal(sent.status(), 200);
        assert.ok(pathOf(page).startsWith('/masuk/kode'), 'the same next page as for the citizen');
        assert.match(await textOf(page, '#sent-to'), /Bila pe••@contoh\.id adalah kontak yang tercatat/);
        assert.equal(await messageCount(context), inboxBefore, 'no message went anywhere');
        await page.locator('#code').fill('123456');
        const wrong = await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
        assert.equal(wrong.status(), 401, 'no code opens it');
      },
      { javaScriptEnabled: false },
    );
  });

  it('an officer binds a new phone at the counter, and the citizen then signs in at the substantial level', async () => {
    await inFreshContext(
      async (context) => {
        const desk = await context.newPage();
        await visit(desk, '/admin/masuk', 'officer-sign-in-counter');
        await desk.locator('#username').fill('petugas');
        await desk.locator('#password').fill('demo-petugas-2026');
        await navigation(desk, () => desk.locator('form:has(#password) [type="submit"]').first().click());
        await navigation(desk, () => desk.locator('#counter').click());
        await visit(desk, '/admin/loket', 'counter-form');
        assert.ok((await scrollWidth(desk)) <= 360, 'the counter form fits a phone');
        await desk.locator('#nik').fill(YOHANES);
        await desk.locator('input[name="channel"][value="sms"]').check();
        await desk.locator('#to').fill('0852 0000 0001');
        const unchecked = await navigation(desk, () => desk.locator('form:has(#nik) [type="submit"]').click());
        assert.equal(unchecked.status(), 422, 'not without the KTP-el seen in person');
        assert.match(await textOf(desk, '#ktp_checked-error'), /KTP-el asli/);
        await desk.locator('#ktp_checked').check();
        const bound = await navigation(desk, () => desk.locator('form:has(#nik) [type="submit"]').click());
        assert.equal(bound.status(), 200);
        assert.match(await textOf(desk, '#counter-done'), /\+62852••••001/);
        await screenshot(desk, 'counter-bound-360');
        await desk.close();

        const page = await context.newPage();
        await visit(page, '/masuk', 'sign-in-form-substantial');
        await page.locator('#nik').fill(YOHANES);
        await page.locator('input[name="channel"][value="sms"]').check();
        await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
        const code = await codeFromInbox(context);
        await page.locator('#code').fill(code);
        await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
        assert.equal(pathOf(page), '/akun');
        await visit(page, '/akun', 'citizen-record-substantial');
        assert.match(await textOf(page, '#assurance'), /substansial/);
        assert.match(await textOf(page, 'main'), /Jl\. Yos Sudarso No\. 5/, 'the full record at the substantial level');
        await screenshot(page, 'citizen-record-substantial-360');
      },
      { javaScriptEnabled: false },
    );
  });

  it('a citizen changes her e-mail address with codes from the new and the old address', async () => {
    await inFreshContext(
      async (context) => {
        const page = await context.newPage();
        await visit(page, '/masuk', 'sign-in-form-change');
        await page.locator('#nik').fill(NIK);
        await page.locator('input[name="channel"][value="email"]').check();
        await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
        await page.locator('#code').fill(await codeFromInbox(context));
        await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
        await navigation(page, () => page.locator('#change-contact').click());
        await visit(page, '/akun/kontak', 'contact-change-form');
        await page.locator('input[name="channel"][value="email"]').check();
        await page.locator('#to').fill('baru.maria@contoh.id');
        await navigation(page, () => page.locator('form:has(#to) [type="submit"]').click());
        assert.equal(pathOf(page), '/akun/kontak/kode');
        await visit(page, '/akun/kontak/kode', 'contact-change-codes');
        const inbox = await context.newPage();
        await visit(inbox, '/demo/pesan', 'demo-inbox-change');
        // Newest first: the code to the new address, and the one to the address on record.
        // Both bodies name the new address; the meta line says where each went.
        const codeTo = async (masked) =>
          (
            await inbox
              .locator('.inbox .message')
              .filter({ has: inbox.locator('.meta', { hasText: masked }) })
              .first()
              .locator('.body')
              .textContent()
          ).match(/(\d{6})/)[1];
        const newCode = await codeTo('ba••@contoh.id');
        const oldCode = await codeTo('ma••@contoh.id');
        await inbox.close();
        await page.locator('#new_code').fill(newCode);
        await page.locator('#old_code').fill(oldCode);
        const done = await navigation(page, () => page.locator('form:has(#new_code) [type="submit"]').click());
        assert.equal(done.status(), 200);
        assert.equal(pathOf(page), '/akun');
        assert.match(await textOf(page, 'main'), /ba••@contoh\.id/);
        await screenshot(page, 'contact-changed-360');
      },
      { javaScriptEnabled: false },
    );
  });

  it('an unknown NIK cannot make an account: the same code page, no message, and no code opens it', async () => {
    await inFreshContext(
      async (context) => {
        const page = await context.newPage();
        const inboxBefore = await messageCount(context);
        await visit(page, '/masuk', 'sign-in-form-unknown-nik');
        await page.locator('#nik').fill(NOBODY);
        await page.locator('input[name="channel"][value="email"]').check();
        await page.locator('#to').fill('pendatang@contoh.id');
        const sent = await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
        assert.equal(sent.status(), 200);
        assert.ok(pathOf(page).startsWith('/masuk/kode'), `the same next page as for a citizen: ${pathOf(page)}`);
        assert.ok(!page.url().includes(NOBODY), 'the NIK is not in the URL');
        assert.match(await textOf(page, '#sent-to'), /Bila pe••@contoh\.id adalah kontak yang tercatat untuk NIK ini/);
        await visit(page, page.url(), 'code-form-unknown-nik');
        await screenshot(page, 'citizen-unknown-nik-code-360');
        assert.equal(await messageCount(context), inboxBefore, 'no message went anywhere');

        await page.locator('#code').fill('123456');
        const wrong = await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
        assert.equal(wrong.status(), 401, 'no code opens it');
        assert.match(
          await textOf(page, '[role="alert"]'),
          /Kode salah\. Sisa percobaan: 4\./,
          'the wrong-code message a citizen with a real code would get',
        );
        await screenshot(page, 'citizen-unknown-nik-wrong-code-360');

        await page.goto('/akun');
        assert.equal(pathOf(page), '/masuk?next=%2Fakun', 'no account was opened');
        assert.equal(await messageCount(context), inboxBefore, 'still no message');
      },
      { javaScriptEnabled: false },
    );
  });

  it('never writes the NIK or the phone number into the server log', async () => {
    const log = server.readLog();
    assert.ok(log.length > 0, 'the server logged something');
    for (const secret of [NIK, NOBODY, '5371045203900000', '081234500011', '6281234500011']) {
      const lines = log.split('\n').filter((l) => l.includes(secret));
      assert.deepEqual(lines, [], `${secret} appears in the server log`);
    }
  });
});
