// The satisfaction survey (SKM). Maria finds her birth-certificate application on her phone; the
// demo officer completes it at the desk; her survey invitation arrives in the demo inbox; she
// follows its link on the 360 px phone, answers the nine questions and the profile, and sees the thanks page. Opening the link
// again shows the clear "already answered" page, and the agency's public results read on the
// phone too. Every page visited is checked with axe-core.

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
import { sharedServer } from '../lib/server.mjs';

const NIK = '5371045203900003';

/** A desktop screen for the officer's desk. */
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'id-ID', bypassCSP: true };

let server;
let browser;
let phone;
/** The survey link the first story followed. */
let link;

before(async () => {
  server = await sharedServer({ name: 'surveys' });
  browser = await launchBrowser();
  phone = await newPhoneContext(browser, { baseURL: server.baseUrl });
});

after(async () => {
  await phone?.close();
  await browser?.close();
  await server?.stop();
});

async function signInOfficer(page) {
  await visit(page, '/admin/masuk', 'officer-sign-in');
  await page.locator('#username').fill('petugas');
  await page.locator('#password').fill('demo-petugas-2026');
  return navigation(page, () => page.locator('form:has(#password) [type="submit"]').first().click());
}

/** The code in the newest message of the demo inbox, read in a second tab. */
async function codeFromInbox(context) {
  const inbox = await context.newPage();
  await inbox.goto('/demo/pesan');
  const body = await textOf(inbox, '.inbox .message .body');
  await inbox.close();
  const match = body.match(/(\d{6})/);
  assert.ok(match, `a code in the newest message: ${body}`);
  return match[1];
}

/** Maria signs in on the phone and finds her birth-certificate application; returns its case id. */
async function mariasApplication(page) {
  await page.goto('/masuk?next=%2Fakun%2Fpermohonan');
  await page.locator('#nik').fill(NIK);
  await page.locator('input[name="channel"][value="whatsapp"]').check();
  await page.locator('#to').fill('0812 3450 0011');
  await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
  await page.locator('#code').fill(await codeFromInbox(page.context()));
  await navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
  await page.goto('/akun/permohonan');
  const card = page.locator('#applications li', { hasText: 'Akta Kelahiran' }).first();
  const href = await card.locator('a').first().getAttribute('href');
  assert.ok(href, 'Maria has a birth-certificate application');
  return href.split('?')[0].split('/').pop();
}

/** The officer verifies the case step by step and completes it on its last; returns its tracking number. */
async function completeCase(officer, caseId) {
  for (let moves = 0; moves < 10; moves += 1) {
    await officer.goto(`/admin/permohonan/${caseId}`);
    const complete = officer.locator('form#act-complete');
    const event = (await complete.count()) === 1 ? complete : officer.locator('form#act-verify');
    assert.equal(await event.count(), 1, `the case can be verified or completed: ${await textOf(officer, 'main')}`);
    const done = await navigation(officer, () => event.locator('[type="submit"]').click());
    assert.equal(done.status(), 200);
    assert.equal(await officer.locator('#action-error').count(), 0, await textOf(officer, '#action-error'));
    if (event === complete) {
      assert.match(await textOf(officer, '#status'), /Selesai/);
      await checkA11y(officer, 'officer-case-completed');
      return textOf(officer, 'h1');
    }
  }
  return assert.fail('the case reaches its last step');
}

describe('Survei Kepuasan Masyarakat (SKM)', () => {
  it('a citizen answers the survey from the link in the message on a 360 px phone', async () => {
    const mine = await phone.newPage();
    const caseId = await mariasApplication(mine);
    await mine.close();
    const desk = await browser.newContext({ ...DESKTOP, baseURL: server.baseUrl });
    let tracking;
    try {
      const officer = await desk.newPage();
      assert.equal((await signInOfficer(officer)).status(), 200);
      tracking = await completeCase(officer, caseId);
    } finally {
      await desk.close();
    }

    // The invitation names the case; the citizen opens its link on the phone.
    const inbox = await phone.newPage();
    await visit(inbox, '/demo/pesan', 'demo-inbox-survey');
    const message = inbox.locator('.inbox .message', { hasText: 'Bagaimana pelayanan kami?' }).filter({ hasText: tracking });
    assert.equal(await message.count(), 1, `one survey invitation for ${tracking}`);
    const body = (await message.locator('.body').innerText()).replace(/\s+/g, ' ');
    const found = body.match(/\/survei\/[A-Za-z0-9_-]{43}/);
    assert.ok(found, `a survey link in the newest message: ${body}`);
    link = found[0];
    await inbox.close();

    const page = await phone.newPage();
    await visit(page, link, 'survey-form');
    assert.equal(await textOf(page, 'h1'), 'Survei Kepuasan Masyarakat');
    assert.ok((await scrollWidth(page)) <= 360, 'the questionnaire fits the phone');
    await screenshot(page, 'survey-form-360');

    // Sending with a question left out names it, and keeps what was chosen.
    await page.locator('input[name="U1"][value="4"]').check();
    const refused = await navigation(page, () => page.locator('form [type="submit"]').click());
    assert.equal(refused.status(), 422);
    assert.match(await textOf(page, '.error-summary'), /U2 Sistem, mekanisme, dan prosedur/);
    assert.ok(await page.locator('input[name="U1"][value="4"]').isChecked(), 'the answer given stays chosen');
    await checkA11y(page, 'survey-form-refused');

    // Each question is a group of radio buttons labelled with the answer's own words.
    for (const [code, label] of [
      ['U1', 'Sangat sesuai'],
      ['U2', 'Mudah'],
      ['U3', 'Cepat'],
      ['U4', 'Gratis'],
      ['U5', 'Sesuai'],
      ['U6', 'Sangat kompeten'],
      ['U7', 'Sangat sopan dan ramah'],
      ['U8', 'Dikelola dengan baik'],
      ['U9', 'Baik'],
    ]) {
      await page.locator(`fieldset:has(input[name="${code}"])`).getByLabel(label, { exact: true }).check();
    }
    await page.locator('#sex').selectOption('P');
    await page.locator('#age').selectOption('30-39');
    await page.locator('#education').selectOption('s1');
    await page.locator('#occupation').selectOption('swasta');
    await page.locator('#suggestion').fill('Ruang tunggu sejuk, petugas ramah.');
    const sent = await navigation(page, () => page.locator('form [type="submit"]').click());
    assert.equal(sent.status(), 200);
    assert.equal(await textOf(page, 'h1'), 'Terima kasih');
    assert.match(await textOf(page, '#survey-message'), /Jawaban Anda sudah kami terima/);
    await checkA11y(page, 'survey-thanks');
    await screenshot(page, 'survey-thanks-360');

    // The thanks page leads to the agency's results, which read on the phone too.
    const results = page.locator('main a[href^="/skm/"]');
    assert.equal(await results.count(), 1, 'a link to the results');
    const shown = await navigation(page, () => results.click());
    assert.equal(shown.status(), 200);
    assert.match(pathOf(page), /^\/skm\/[a-z0-9-]+\?pemda=/);
    assert.match(await textOf(page, '#ikm-value'), /^\d{2,3},\d{2}$/, 'the index with two decimals after a comma');
    assert.ok((await scrollWidth(page)) <= 360, 'the results fit the phone');
    await checkA11y(page, 'survey-results');
    await screenshot(page, 'survey-results-360');
    await page.close();
  });

  it('opening the link again shows that the survey was already answered', async () => {
    assert.ok(link, 'the story before answered a survey');
    const page = await phone.newPage();
    await visit(page, link, 'survey-already-answered', { status: 409 });
    assert.equal(await textOf(page, 'h1'), 'Survei ini sudah diisi');
    assert.match(await textOf(page, '#survey-message'), /Jawaban pertama yang disimpan/);
    assert.equal(await page.locator('form input[name="U1"]').count(), 0, 'no questionnaire to send again');
    await screenshot(page, 'survey-already-answered-360');
    await visit(page, '/survei/tautan-yang-tidak-ada', 'survey-unknown', { status: 404 });
    await page.close();
  });
});
