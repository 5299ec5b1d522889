// Complaints. On a 360 px phone, someone without an account reports rubbish
// piling up in Kota Kupang: anonymously, with a photo taken on the phone and
// the location from the phone's position. They write down the tracking number
// and the secret, open the report with them on /pengaduan/lacak, and find it
// on the public list, its map and its public page. Every page visited is
// checked with axe-core and must not scroll sideways.

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

/** Pasar Oebobo, Kota Kupang: inside the government's area for complaints. */
const PLACE = { latitude: -10.1650, longitude: 123.6050 };
const TITLE = 'Sampah menumpuk di depan Pasar Oebobo';
const TEXT = 'Sampah tidak diangkut sejak hari Senin dan mulai berbau. Hubungi saya di 0812-3456-7890.';

let server;
let browser;
let phone;
/** What the reporter wrote down. */
let receipt;

before(async () => {
  server = await sharedServer({ name: 'complaints' });
  browser = await launchBrowser();
  phone = await newPhoneContext(browser, {
    baseURL: server.baseUrl,
    geolocation: PLACE,
    permissions: ['geolocation'],
  });
});

after(async () => {
  await phone?.close();
  await browser?.close();
  await server?.stop();
});

/** A photo as a phone camera hands it over: a JPEG drawn on a canvas in the page. */
async function takePhoto(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 360;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgb(120, 150, 90)';
    ctx.fillRect(0, 0, 480, 360);
    ctx.fillStyle = '#5a4632';
    for (let i = 0; i < 30; i += 1) ctx.fillRect(40 + ((i * 53) % 380), 180 + ((i * 29) % 150), 30, 20);
    return canvas.toDataURL('image/jpeg', 0.85);
  });
  const buffer = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  assert.deepEqual([...buffer.subarray(0, 3)], [0xff, 0xd8, 0xff], 'the canvas gave a JPEG');
  return { name: 'IMG_20261205_0730.jpg', mimeType: 'image/jpeg', buffer };
}

async function noSidewaysScroll(page, what) {
  assert.ok((await scrollWidth(page)) <= 360, `${what} scrolls sideways at 360 px`);
}

describe('a guest reports a problem from a phone and follows it', () => {
  it('finds the form from the home page and files an anonymous report with a photo and a location', async () => {
    const page = await phone.newPage();
    await visit(page, '/', 'home');
    await navigation(page, () => page.locator('main a[href^="/pengaduan/baru"]').first().click());
    assert.equal(pathOf(page), '/pengaduan/baru');
    await checkA11y(page, 'complaint-form');
    await noSidewaysScroll(page, 'the form');

    await page.locator('input[name="kind"][value="pengaduan"]').check();
    await page.locator('#category').selectOption('SAMPAH');
    await page.locator('#title').fill(TITLE);
    await page.locator('#text').fill(TEXT);
    // The location from the phone's position, through the optional script.
    const locate = page.locator('#use-location');
    await locate.waitFor({ state: 'visible' });
    await locate.click();
    await page.waitForFunction(() => document.getElementById('lat').value !== '');
    assert.equal(Number(await page.locator('#lat').inputValue()).toFixed(3), PLACE.latitude.toFixed(3));
    assert.equal(Number(await page.locator('#long').inputValue()).toFixed(3), PLACE.longitude.toFixed(3));
    await page.locator('#address').fill('Depan Pasar Oebobo, Jl. Frans Seda');
    const photo = await takePhoto(page);
    await page.locator('#photos').setInputFiles(photo);
    await page.locator('input[name="anonymous"]').check();

    let response = await navigation(page, () => page.locator('form#report button[type="submit"]').click());
    if (await page.locator('#similar-title').count()) {
      // Similar open reports nearby: this one is different, so a new report is sent (photo again).
      await checkA11y(page, 'complaint-similar');
      await noSidewaysScroll(page, 'the similar reports');
      assert.ok(await page.locator('#photos-again').count(), 'the page says to choose the photo again');
      await page.locator('#photos').setInputFiles(photo);
      response = await navigation(page, () => page.locator('form#report button[type="submit"]').click());
    }
    assert.equal(response.status(), 200);
    await checkA11y(page, 'complaint-receipt');
    await noSidewaysScroll(page, 'the receipt');
    receipt = {
      number: await textOf(page, '#tracking-number'),
      secret: await textOf(page, '#tracking-secret'),
    };
    assert.match(receipt.number, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]$/);
    assert.ok(receipt.secret.length >= 20, `a secret to write down: ${receipt.secret}`);
    assert.ok(!page.url().includes(receipt.secret), 'the secret is not in the address');
    await screenshot(page, 'complaint-receipt');
    await page.close();
  });

  it('opens the report with the number and the secret on /pengaduan/lacak', async () => {
    assert.ok(receipt, 'the report was filed');
    const page = await phone.newPage();
    await visit(page, '/pengaduan/lacak', 'complaint-track');
    await noSidewaysScroll(page, 'the tracking form');
    // A wrong secret first: the answer does not say whether the number exists.
    await page.locator('#nomor').fill(receipt.number);
    await page.locator('#rahasia').fill('SALAH-SALAH-SALAH');
    let response = await navigation(page, () => page.locator('main form button[type="submit"]').click());
    assert.equal(response.status(), 422);
    assert.match(await textOf(page, '#track-error'), /tidak cocok/);
    await checkA11y(page, 'complaint-track-wrong');

    await page.locator('#nomor').fill(receipt.number);
    await page.locator('#rahasia').fill(receipt.secret);
    response = await navigation(page, () => page.locator('main form button[type="submit"]').click());
    assert.equal(response.status(), 200);
    assert.equal(pathOf(page), '/pengaduan/lacak', 'the secret never reaches the address');
    assert.equal(await textOf(page, '#tracking-number'), receipt.number);
    assert.match(await textOf(page, 'main'), /Sampah tidak diangkut sejak hari Senin/);
    assert.match(await textOf(page, 'main'), /0812-3456-7890/, 'the reporter reads their own words unredacted');
    assert.match(await textOf(page, 'main'), /Anonim/);
    await checkA11y(page, 'complaint-reporter-view');
    await noSidewaysScroll(page, 'the reporter view');
    await page.close();
  });

  it('finds the report on the public list and map, and its public page hides the phone number', async () => {
    assert.ok(receipt, 'the report was filed');
    const page = await phone.newPage();
    await visit(page, '/pengaduan', 'complaint-list');
    await noSidewaysScroll(page, 'the public list');
    const link = page.locator(`#reports a[href="/pengaduan/${receipt.number}"]`);
    assert.equal(await link.count(), 1, 'the report is on the list');
    const point = page.locator(`svg.map a[href="/pengaduan/${receipt.number}"]`);
    assert.equal(await point.count(), 1, 'and on the map');
    assert.match(await point.getAttribute('aria-label'), /Sampah menumpuk/, 'the point has an accessible name');
    await screenshot(page, 'complaint-list');

    await navigation(page, () => link.click());
    assert.equal(pathOf(page), `/pengaduan/${receipt.number}`);
    await checkA11y(page, 'complaint-public');
    await noSidewaysScroll(page, 'the public page');
    const main = await textOf(page, 'main');
    assert.match(main, /Sampah tidak diangkut/);
    assert.ok(!main.includes('0812-3456-7890'), 'the phone number is redacted in public');
    const img = page.locator('main .photos img').first();
    assert.ok(await img.count(), 'the photo is shown');
    assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the photo loads');
    assert.ok((await img.getAttribute('alt')).length > 0);
    // "Me too" from another phone's browser.
    const response = await navigation(page, () => page.locator('main form button[type="submit"]').first().click());
    assert.equal(response.status(), 200);
    assert.match(await textOf(page, '#supporters'), /^1 /);
    await checkA11y(page, 'complaint-public-supported');
    await page.close();
  });

  it('works in English too', async () => {
    const page = await phone.newPage();
    await visit(page, '/pengaduan/baru?lang=en', 'complaint-form-en');
    assert.match(await textOf(page, 'h1'), /Send a report/);
    await noSidewaysScroll(page, 'the English form');
    await page.close();
  });
});
