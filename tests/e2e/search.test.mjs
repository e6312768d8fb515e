// Search on a static host: the header box leads to the search page, which finds articles from
// the Pagefind index, corrects a misspelt word against the site's vocabulary, and has no
// accessibility violations with results on screen.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import AxeBuilder from '@axe-core/playwright';

import { CONTEXT_DEFAULTS, launchBrowser, startStack } from './harness.mjs';

describe('search', () => {
  let stack;
  let browser;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const resultsFor = async (page) => {
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-search-status]');
      return status && /found|Nothing found/.test(status.textContent);
    });
    return {
      status: (await page.textContent('[data-search-status]')).trim(),
      titles: await page.$$eval('.search-results h2 a', (links) => links.map((a) => a.textContent)),
      hrefs: await page.$$eval('.search-results h2 a', (links) => links.map((a) => a.getAttribute('href'))),
    };
  };

  it('finds an article from the header search box', async () => {
    const context = await browser.newContext(CONTEXT_DEFAULTS);
    const page = await context.newPage();
    await page.goto(stack.url('/'));
    await page.fill('#site-search-input', 'bitlocker recovery key');
    await page.press('#site-search-input', 'Enter');
    await page.waitForURL(/\/search\/\?q=bitlocker/);
    const { titles, hrefs } = await resultsFor(page);
    assert.ok(hrefs.includes('/bitlocker-recovery-key/'), `results: ${titles.join(' | ')}`);
    await context.close();
  });

  it('finds the article from a misspelt word and says what it searched for', async () => {
    const context = await browser.newContext(CONTEXT_DEFAULTS);
    const page = await context.newPage();
    await page.goto(stack.url('/search/?q=pirnter%20ofline'));
    const { status, hrefs } = await resultsFor(page);
    assert.equal(hrefs[0], '/printer-offline/', `status: ${status}`);
    assert.match(status, /found for “printer offline” \(you typed “pirnter ofline”\)/);
    // An inflected form of a word in the article finds it too (Pagefind stems English).
    await page.fill('#search-query', 'printers');
    await page.press('#search-query', 'Enter');
    await page.waitForFunction(() => document.querySelector('[data-search-status]').textContent.includes('“printers”'));
    const inflected = await resultsFor(page);
    assert.ok(inflected.hrefs.includes('/printer-offline/'), `results: ${inflected.titles.join(' | ')}`);
    await context.close();
  });

  it('shows the words around the match in the article, highlighted', async () => {
    const context = await browser.newContext(CONTEXT_DEFAULTS);
    const page = await context.newPage();
    // "toner" is in a step of printer-offline, not in its title or description.
    await page.goto(stack.url('/search/?q=toner'));
    const { hrefs } = await resultsFor(page);
    const at = hrefs.indexOf('/printer-offline/');
    assert.ok(at >= 0, `results: ${hrefs.join(' | ')}`);
    const excerpt = await page.$$eval('.search-results .excerpt', (ps) => ps.map((p) => p.innerHTML));
    assert.match(excerpt[at], /<mark>toner<\/mark>/);
    assert.match(excerpt[at], /…/, 'cut out of the longer text');
    assert.doesNotMatch(excerpt[at], /^Check the printer itself, clear/, 'not the description');
    await context.close();
  });

  it('says so when nothing matches, and axe finds no violations on the results', async () => {
    const context = await browser.newContext(CONTEXT_DEFAULTS);
    const page = await context.newPage();
    await page.goto(stack.url('/search/?q=zzzxq'));
    const { status, hrefs } = await resultsFor(page);
    assert.equal(hrefs.length, 0);
    assert.match(status, /Nothing found for “zzzxq”/);
    await page.goto(stack.url('/search/?q=outlook'));
    await resultsFor(page);
    const { violations } = await new AxeBuilder({ page }).analyze();
    assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`), []);
    await context.close();
  });
});
