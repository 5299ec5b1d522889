// The public catalogue, as a citizen uses it on a 360 px phone.
// Every page visited is checked with axe-core (WCAG 2.1 A + AA).

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

const AKTA = '/layanan/53.71/AKTA-LAHIR';
const PBG = '/layanan/53.71/PBG';

let server;
let browser;

before(async () => {
  server = await sharedServer({ name: 'catalogue' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Run `story(page)` in a fresh phone context, closed afterwards. */
async function asCitizen(story, contextOptions = {}) {
  const context = await newPhoneContext(browser, { baseURL: server.baseUrl, ...contextOptions });
  try {
    return await story(await context.newPage());
  } finally {
    await context.close();
  }
}

/** The links to service pages inside <main>, as { text, href } (href is a path). */
async function serviceLinks(page) {
  return page.locator('main a[href^="/layanan/"]').evaluateAll((links) =>
    links.map((a) => ({ text: a.textContent.replace(/\s+/g, ' ').trim(), href: a.getAttribute('href') })),
  );
}

/** Search from the home page's form, the way a person does: type, press Enter. */
async function searchFromHome(page, query) {
  const box = page.locator('#q');
  assert.equal(await box.count(), 1, 'the home page has one search field #q');
  await box.fill(query);
  const response = await navigation(page, () => box.press('Enter'));
  assert.equal(response.status(), 200, 'the search results page answers 200');
  const url = new URL(page.url());
  assert.equal(url.pathname, '/cari');
  assert.equal(url.searchParams.get('q'), query);
}

/** On a results page, follow the link to the birth certificate of Kota Kupang. */
async function openBirthCertificate(page) {
  const links = await serviceLinks(page);
  const akta = links.filter((l) => l.text.includes('Akta Kelahiran'));
  assert.ok(akta.length > 0, `a result mentions "Akta Kelahiran"; results: ${JSON.stringify(links)}`);
  const target = akta.find((l) => l.href.split(/[?#]/)[0] === AKTA);
  assert.ok(target, `one "Akta Kelahiran" result links to ${AKTA}; found ${JSON.stringify(akta)}`);
  const link = page.locator(`main a[href="${target.href}"]`).first();
  const response = await navigation(page, () => link.click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, AKTA);
}

describe('Katalog layanan publik (catalogue)', () => {
  it('a citizen finds the birth certificate and sees what it needs, costs and how long it takes', async () => {
    await asCitizen(async (page) => {
      await visit(page, '/', 'home');

      const searchbox = page.getByRole('searchbox');
      assert.ok((await searchbox.count()) >= 1, 'the home page has a search field (role searchbox)');
      const labelled = await page.locator('#q').evaluate(
        (el) =>
          (el.labels && [...el.labels].some((l) => l.textContent.trim() !== '')) ||
          (el.getAttribute('aria-label') || '').trim() !== '' ||
          el.hasAttribute('aria-labelledby'),
      );
      assert.ok(labelled, 'the search field #q has a label');
      assert.equal(
        await page.locator('form[role="search"]:has(#q)').getAttribute('action'),
        '/cari',
        'the search form is <form action="/cari" role="search">',
      );

      await searchFromHome(page, 'akta');
      assert.equal(pathOf(page), '/cari?q=akta');
      const results = await serviceLinks(page);
      assert.ok(results.length > 0, 'the results list links to services');
      await checkA11y(page, 'search-akta');

      await openBirthCertificate(page);
      await checkA11y(page, 'service-akta-kelahiran');

      assert.match(await textOf(page, 'h1'), /Akta Kelahiran/);
      assert.ok(
        (await page.locator('#persyaratan li').count()) >= 1,
        'the requirements (#persyaratan) list at least one item',
      );
      assert.match(await textOf(page, '#biaya'), /Rp0/, 'the fee (#biaya) reads Rp0');
      assert.match(await textOf(page, '#waktu'), /5 hari kerja/, 'the time (#waktu) reads 5 hari kerja');
      for (const id of ['persyaratan', 'biaya', 'waktu', 'produk', 'pengaduan']) {
        assert.ok(await page.locator(`#${id}`).first().isVisible(), `#${id} is visible`);
      }
      await screenshot(page, 'akta-kelahiran-360');
    });
  });

  it('the same page reads in English with ?lang=en', async () => {
    await asCitizen(async (page) => {
      await visit(page, `${AKTA}?lang=en`, 'service-akta-kelahiran-en');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.match(await textOf(page, '#waktu'), /5 working days/);
    });
  });

  it('a citizen browses a category and an agency', async () => {
    await asCitizen(async (page) => {
      await visit(page, '/', 'home-categories');

      const category = page.locator('#kategori a').first();
      assert.equal(await category.count(), 1, 'the home page has category links (#kategori a)');
      const categoryName = (await category.innerText()).trim();
      let response = await navigation(page, () => category.click());
      assert.equal(response.status(), 200, `the category "${categoryName}" opens`);
      await checkA11y(page, 'category');
      const inCategory = await serviceLinks(page);
      assert.ok(inCategory.length > 0, `category "${categoryName}" lists at least one service`);

      const service = page.locator('main a[href^="/layanan/"]').first();
      response = await navigation(page, () => service.click());
      assert.equal(response.status(), 200);
      assert.match(new URL(page.url()).pathname, /^\/layanan\//);
      await checkA11y(page, 'category-service');

      const agency = page.locator('a[href^="/instansi/"]').first();
      assert.equal(await agency.count(), 1, 'the service page links to its agency (a[href^="/instansi/"])');
      response = await navigation(page, () => agency.click());
      assert.equal(response.status(), 200);
      assert.match(new URL(page.url()).pathname, /^\/instansi\//);
      await checkA11y(page, 'agency');

      assert.ok(await page.locator('#maklumat').first().isVisible(), 'the agency page shows #maklumat');
      assert.ok((await textOf(page, '#maklumat')).length > 0, '#maklumat has text');
      assert.ok((await serviceLinks(page)).length > 0, 'the agency page lists its services');
    });
  });

  it('the page works without JavaScript', async () => {
    await asCitizen(
      async (page) => {
        await visit(page, '/', 'home-nojs');
        await searchFromHome(page, 'akta');
        await checkA11y(page, 'search-akta-nojs');
        await openBirthCertificate(page);
        await checkA11y(page, 'service-akta-kelahiran-nojs');
        assert.match(await textOf(page, '#biaya'), /Rp0/);
      },
      { javaScriptEnabled: false },
    );
  });

  it('no horizontal scrolling on a 360 px phone', async () => {
    await asCitizen(async (page) => {
      const fitsThePhone = async (url, name) => {
        await visit(page, url, name);
        const width = await scrollWidth(page);
        assert.ok(width <= 360, `${url} is ${width} px wide: it scrolls sideways on a 360 px phone`);
      };
      await fitsThePhone('/', 'home-width');
      await fitsThePhone('/cari?q=izin', 'search-izin-width');
      await fitsThePhone(PBG, 'service-pbg-width');
      // The agency page of the building permit (PBG) service.
      const agencyLink = page.locator('a[href^="/instansi/"]').first();
      assert.equal(await agencyLink.count(), 1, `${PBG} links to its agency (a[href^="/instansi/"])`);
      const agencyHref = await agencyLink.getAttribute('href');
      await fitsThePhone(agencyHref, 'agency-pbg-width');
    });
  });

  it('an unknown service shows a helpful 404', async () => {
    await asCitizen(async (page) => {
      await visit(page, '/layanan/53.71/TIDAK-ADA', 'service-404', { status: 404 });
      assert.ok(await page.locator('h1').first().isVisible(), 'the 404 page has a heading');
      assert.notEqual(await textOf(page, 'h1'), '', 'the 404 heading says something');
    });
  });
});
