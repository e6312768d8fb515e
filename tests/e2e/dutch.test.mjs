// A Dutch visitor from start to finish: reads a Dutch article, switches to English and back,
// searches in Dutch, and asks in Dutch (the answer, a field error and the limit, in Dutch), with
// JavaScript on and off.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import AxeBuilder from '@axe-core/playwright';

import { CONTEXT_DEFAULTS, launchBrowser, startStack } from './harness.mjs';

/** The Dutch printer article (its own slug) and its English original. */
const DUTCH_PATH = '/nl/printer-staat-offline/';
const ENGLISH_PATH = '/printer-offline/';
const SLUG = 'printer-offline';

const DUTCH_REPLY = {
  advice:
    '1. Druk via het menu van de printer een configuratiepagina af en noteer het IP-adres.\n' +
    '2. Is het adres veranderd, laat het ons weten: de printer heeft een vast adres nodig.',
  verdict: 'careful',
  cited: [SLUG],
};

/** Fills the Dutch form as a person would, by its Dutch labels. */
async function fillDutch(page, { question, email = 'an@voorbeeld.nl', company = 'Bakkerij Jansen' }) {
  await page.getByLabel('Beschrijf je situatie', { exact: true }).fill(question);
  await page.getByLabel('E-mailadres', { exact: true }).fill(email);
  await page.getByLabel('Bedrijf', { exact: true }).fill(company);
  await page.getByLabel(/Ik ga ermee akkoord/).check();
}

const isAsk = (r) => new URL(r.url()).pathname === '/ask' && r.request().method() === 'POST';

describe('a Dutch visitor', () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  describe('reading and searching', () => {
    let stack;
    before(async () => {
      stack = await startStack();
    });
    after(async () => {
      await stack?.stop();
    });

    it('reads the article in Dutch and switches to English and back', async () => {
      const context = await browser.newContext({ ...CONTEXT_DEFAULTS, locale: 'nl-NL' });
      const page = await context.newPage();
      await page.goto(stack.url(DUTCH_PATH));
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await page.locator('h2#probeer-eerst-dit').textContent(), 'Probeer eerst dit');
      assert.equal(
        await page.locator('link[rel="alternate"][hreflang="en"]').getAttribute('href'),
        stack.url(ENGLISH_PATH),
        'the page names its English version',
      );
      await page.locator('.language-switch').getByRole('link', { name: 'English' }).click();
      await page.waitForURL(stack.url(ENGLISH_PATH));
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.locator('.language-switch').getByRole('link', { name: 'Nederlands' }).click();
      await page.waitForURL(stack.url(DUTCH_PATH));
      const results = await new AxeBuilder({ page }).analyze();
      assert.deepEqual(results.violations.map((v) => v.id), [], 'no axe violation on the Dutch article');
      await context.close();
    });

    it('searches the Dutch index: "wachtwoorden" finds the article about "wachtwoord"', async () => {
      const context = await browser.newContext({ ...CONTEXT_DEFAULTS, locale: 'nl-NL' });
      const page = await context.newPage();
      await page.goto(stack.url('/nl/'));
      await page.getByRole('searchbox').first().fill('wachtwoorden');
      await page.getByRole('searchbox').first().press('Enter');
      await page.waitForURL(/\/nl\/search\/\?q=wachtwoorden/);
      await page.waitForFunction(() => {
        const status = document.querySelector('[data-search-status]');
        return status && /gevonden|Niets gevonden/.test(status.textContent);
      });
      const hrefs = await page.$$eval('.search-results h2 a', (links) => links.map((a) => a.getAttribute('href')));
      assert.ok(hrefs.includes('/nl/wachtwoord-verlopen/'), `results: ${hrefs.join(' ')}`);
      assert.ok(hrefs.every((href) => href.startsWith('/nl/')), `only Dutch articles: ${hrefs.join(' ')}`);
      await context.close();
    });
  });

  describe('asking with JavaScript', () => {
    let stack;
    let context;
    let page;
    before(async () => {
      stack = await startStack();
      stack.llm.reply = DUTCH_REPLY;
      context = await browser.newContext({ ...CONTEXT_DEFAULTS, locale: 'nl-NL' });
      page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(stack.url(DUTCH_PATH));
    });
    after(async () => {
      await context?.close();
      await stack?.stop();
    });

    it('gets a Dutch answer built from the Dutch steps', async () => {
      await fillDutch(page, { question: 'De printer staat alleen bij mij offline; collega’s kunnen wel printen.' });
      const [response] = await Promise.all([
        page.waitForResponse(isAsk),
        page.getByRole('button', { name: 'Vraag stellen' }).click(),
      ]);
      assert.equal(response.status(), 200);
      assert.equal(JSON.parse(response.request().postData()).lang, 'nl', 'the form posts the page language');
      const answer = page.locator('.ask-answer');
      await answer.waitFor();
      assert.equal(await answer.locator('.ask-answer-heading').textContent(), 'Ons antwoord');
      assert.match(await answer.locator('.answer-body').innerText(), /configuratiepagina/);
      const [request] = stack.llm.requests;
      const prompt = request.body.messages.map((m) => m.content).join('\n');
      const bundle = await (await page.request.get(stack.url('/tryfirst-bundle.json'))).json();
      const dutch = bundle.articles.find((a) => a.slug === SLUG && a.language === 'nl');
      assert.ok(dutch, 'the bundle has the Dutch version of the article');
      dutch.steps.forEach((step) => assert.ok(prompt.includes(step), `the Dutch step is sent: ${step}`));
      assert.match(prompt, /Dutch|Nederlands/, 'the model is told to answer in Dutch');
    });

    it('says what is wrong with a field in Dutch, keeping what was typed', async () => {
      await fillDutch(page, { question: 'Nog een vraag over de printer die offline blijft.', email: 'an@' });
      await page.getByRole('button', { name: 'Vraag stellen' }).click();
      const email = page.getByLabel('E-mailadres', { exact: true });
      await page.waitForFunction(() => document.querySelector('#ask-email')?.getAttribute('aria-invalid') === 'true');
      const message = await page.locator('#ask-email-error').textContent();
      assert.match(message, /e-mailadres/i, `Dutch field error: ${message}`);
      assert.equal(await email.inputValue(), 'an@');
    });

    it('answers an English question on the Dutch page in English, marked as English', async () => {
      await fillDutch(page, { question: 'The printer still shows offline after I restarted it and the router.' });
      const [second] = await Promise.all([
        page.waitForResponse(isAsk),
        page.getByRole('button', { name: 'Vraag stellen' }).click(),
      ]);
      assert.equal(second.status(), 200);
      assert.equal((await second.json()).lang, 'en');
      const verdict = page.locator('.ask-answer .verdict');
      await verdict.waitFor();
      assert.equal(await verdict.textContent(), 'Be careful');
      assert.equal(await verdict.getAttribute('lang'), 'en', 'read out as English on a Dutch page');
      assert.equal(await page.locator('.ask-answer-heading').getAttribute('lang'), null, "the page's own words are Dutch");
    });

    it('tells the limit in Dutch after two questions', async () => {
      await fillDutch(page, { question: 'Derde vraag: de printer staat nog steeds offline vandaag.' });
      const [third] = await Promise.all([
        page.waitForResponse(isAsk),
        page.getByRole('button', { name: 'Vraag stellen' }).click(),
      ]);
      assert.equal(third.status(), 429);
      const body = await third.json();
      assert.match(JSON.stringify(body), /limiet/, `a Dutch limit message: ${JSON.stringify(body)}`);
      await page.waitForFunction(() => /limiet/.test(document.querySelector('.ask-status')?.textContent || ''));
    });
  });

  describe('asking without JavaScript', () => {
    let stack;
    let context;
    before(async () => {
      stack = await startStack();
      stack.llm.reply = DUTCH_REPLY;
      context = await browser.newContext({ ...CONTEXT_DEFAULTS, locale: 'nl-NL', javaScriptEnabled: false });
    });
    after(async () => {
      await context?.close();
      await stack?.stop();
    });

    async function submit(page) {
      const [response] = await Promise.all([
        page.waitForResponse(isAsk),
        page.waitForNavigation({ waitUntil: 'load' }),
        page.getByRole('button', { name: 'Vraag stellen' }).click(),
      ]);
      return response;
    }

    it('answers with a Dutch page, and a Dutch error page that keeps what was typed', async () => {
      const page = await context.newPage();
      await page.goto(stack.url(DUTCH_PATH));
      await fillDutch(page, { question: 'kort' });
      const refused = await submit(page);
      assert.equal(refused.status(), 422);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.match(await page.locator('main').innerText(), /Beschrijf je situatie iets uitgebreider/);
      assert.equal(await page.getByLabel('Beschrijf je situatie', { exact: true }).inputValue(), 'kort');

      await page.goto(stack.url(DUTCH_PATH));
      await fillDutch(page, { question: 'De printer staat alleen bij mij offline sinds vanochtend.' });
      const answered = await submit(page);
      assert.equal(answered.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.equal(await page.locator('h1').textContent(), 'Ons antwoord');
      assert.match(await page.locator('main').innerText(), /configuratiepagina/);
    });
  });
});
