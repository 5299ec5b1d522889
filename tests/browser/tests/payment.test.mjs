// Paying retribusi on a phone. Maria's waste-collection application waits for
// its fee; she opens it, opens the payment page (the amount large, the QRIS
// code wide enough to scan, the payee named), pays through the demo's mock
// gateway (which sends the signed notification over HTTP to the server, as a
// real gateway does), sees "Lunas", finds her application moved on, and
// downloads the receipt, whose verification page the server knows.

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

let server;
let browser;
let phone;

before(async () => {
  server = await sharedServer({ name: 'payment' });
  browser = await launchBrowser();
  phone = await newPhoneContext(browser, { baseURL: server.baseUrl, acceptDownloads: true });
});

after(async () => {
  await phone?.close();
  await browser?.close();
  await server?.stop();
});

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

/** On the citizen sign-in form: NIK, a WhatsApp code from the demo inbox. */
async function signInCitizen(page) {
  await page.locator('#nik').fill(NIK);
  await page.locator('input[name="channel"][value="whatsapp"]').check();
  await page.locator('#to').fill('0812 3450 0011');
  await navigation(page, () => page.locator('form:has(#nik) [type="submit"]').click());
  await page.locator('#code').fill(await codeFromInbox(page.context()));
  return navigation(page, () => page.locator('form:has(#code) [type="submit"]').click());
}

describe('Pembayaran retribusi (payment)', () => {
  it('Maria pays the fee of her waiting application with the demo gateway and gets a verifiable receipt', async () => {
    const page = await phone.newPage();
    await page.goto('/akun/permohonan');
    assert.match(pathOf(page), /^\/masuk\?next=/, 'her applications need her to sign in');
    const signedIn = await signInCitizen(page);
    assert.equal(signedIn.status(), 200);
    assert.equal(pathOf(page), '/akun/permohonan');

    // Her waste-collection application waits for its fee.
    const waiting = page.locator('li.card', { hasText: 'Menunggu pembayaran' }).first();
    assert.equal(await waiting.count(), 1, 'an application waits for payment');
    await navigation(page, () => waiting.locator('a').first().click());
    await checkA11y(page, 'payment-case-waiting');
    const caseUrl = pathOf(page);
    assert.match(await textOf(page, '#status'), /Menunggu pembayaran/);
    const pay = page.locator('#payment-link');
    const payText = await pay.innerText();
    assert.match(payText, /^Bayar Rp\d{1,3}(\.\d{3})+$/, `the case offers to pay: ${payText}`);
    const amount = payText.replace(/^Bayar /, '');

    // The payment page on a 360 px phone: the amount, the payee, a QR code wide enough to scan.
    await navigation(page, () => pay.click());
    assert.match(pathOf(page), /^\/bayar\/[a-z2-9]{20}$/);
    const payPath = pathOf(page);
    await checkA11y(page, 'payment-page');
    assert.ok((await scrollWidth(page)) <= 360, 'the page fits the phone');
    assert.equal(await textOf(page, '#amount'), amount);
    const amountSize = await page.locator('#amount').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(amountSize >= 28, `the amount is large (${amountSize} px)`);
    assert.equal(await textOf(page, '#merchant'), 'BPKAD KOTA KUPANG');
    assert.equal(await textOf(page, '#invoice-status'), 'Menunggu pembayaran');
    assert.match(await textOf(page, '#expires'), /WITA$/, 'the time limit in Kupang time');
    assert.match(await page.locator('main').innerText(), /Pindai dengan aplikasi bank atau dompet digital apa pun/);
    const qr = page.locator('#qris svg');
    await qr.scrollIntoViewIfNeeded();
    assert.ok(await qr.isVisible(), 'the QR code is shown');
    const box = await qr.boundingBox();
    assert.ok(box.width >= 240 && box.width <= 360, `the QR code is at least 240 px wide (${box.width})`);
    assert.equal(await qr.getAttribute('role'), 'img');
    const label = await qr.getAttribute('aria-label');
    assert.ok(label.includes(amount) && label.includes('BPKAD KOTA KUPANG'), `the QR code is named: ${label}`);
    const payload = await page.locator('#qris-payload').inputValue();
    assert.match(payload, /^000201010212/, 'the text to copy is a dynamic QRIS payload');
    assert.ok(payload.includes('ID.CO.QRIS.WWW') && payload.includes('BPKAD KOTA KUPANG'), payload);
    await screenshot(page, 'payment-page');

    // She pays through the demo gateway: the page comes back paid.
    await page.locator('#demo-gateway input[value="qris"]').check();
    const paid = await navigation(page, () => page.locator('#demo-gateway [type="submit"]').click());
    assert.equal(paid.status(), 200);
    assert.equal(pathOf(page), payPath);
    await checkA11y(page, 'payment-paid');
    assert.equal(await textOf(page, '#paid-heading'), 'Lunas');
    assert.equal(await textOf(page, '#invoice-status'), 'Lunas');
    assert.equal(await textOf(page, '#paid-with'), 'QRIS');
    assert.match(await textOf(page, '#paid-at'), /WITA$/);
    assert.equal(await page.locator('#qris').count(), 0, 'nothing left to pay');
    await screenshot(page, 'payment-paid');

    // Her application moved on from waiting for payment.
    await page.goto(caseUrl);
    await checkA11y(page, 'payment-case-paid');
    assert.doesNotMatch(await textOf(page, '#status'), /Menunggu pembayaran/, 'the case moved on');
    assert.equal(await textOf(page, '#payment-link'), 'Bukti bayar');

    // The receipt downloads as a PDF, and its verification page knows it.
    await page.goto(payPath);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt').click()]);
    const file = await download.path();
    const fs = await import('node:fs');
    const pdf = fs.readFileSync(file);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'a PDF');
    const id = download.suggestedFilename().match(/^bukti-bayar-([A-Za-z0-9]+)\.pdf$/)?.[1];
    assert.ok(id, `the receipt's id in its name: ${download.suggestedFilename()}`);
    const verify = await phone.newPage();
    await visit(verify, `/verifikasi/${id}`, 'payment-receipt-verification');
    const record = await textOf(verify, 'main');
    assert.match(record, /Bukti Pembayaran Retribusi/);
    assert.match(record, /BPR\/\d+\/\d{4}/, 'the receipt number');
    await verify.close();
    await page.close();
  });
});
