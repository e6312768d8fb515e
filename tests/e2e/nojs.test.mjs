// The question form with JavaScript disabled: the plain HTML form posts url-encoded and the
// server answers with a small page (ask-fn's page.rs).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  ARTICLE,
  CONTEXT_DEFAULTS,
  fillQuestion,
  launchBrowser,
  readLeads,
  startStack,
} from './harness.mjs';

const ARTICLE_PATH = `/${ARTICLE}/`;

describe('the question form without JavaScript', () => {
  let browser;
  let stack;
  let context;
  let bundle;
  /** The links of the answer page of the first test, for the test after it. */
  let answerPageLinks = null;

  before(async () => {
    browser = await launchBrowser();
    stack = await startStack();
    context = await browser.newContext({ ...CONTEXT_DEFAULTS, javaScriptEnabled: false });
    const response = await context.request.get(stack.url('/tryfirst-bundle.json'));
    bundle = await response.json();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  async function openArticle() {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(stack.url(ARTICLE_PATH));
    return page;
  }

  /** Submits with the button and resolves with the response of the POST it navigates to. */
  async function submit(page, button = 'Ask') {
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/ask' && r.request().method() === 'POST'),
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: button }).click(),
    ]);
    return response;
  }

  it('answers with a readable page that links back to the article', async () => {
    const page = await openArticle();
    await fillQuestion(page, {
      question: 'Printer offline for me only; I am on the guest Wi-Fi today because my cable broke.',
      email: 'dave@example.com',
    });
    const response = await submit(page);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    // The page's script did not take over: the browser posted the plain form.
    assert.match(response.request().headers()['content-type'], /^application\/x-www-form-urlencoded/);

    assert.equal(await page.title(), 'Our answer');
    assert.equal(await page.locator('h1').textContent(), 'Our answer');
    assert.equal(await page.locator('.badge').textContent(), 'Be careful');
    const text = await page.locator('main').innerText();
    assert.match(text, /Print a configuration page from the printer's own menu/);
    assert.match(text, /You can ask up to 2 questions an hour and 5 a day\./);
    const printer = bundle.articles.find((a) => a.slug === ARTICLE);
    assert.equal(
      await page.getByRole('link', { name: printer.title }).getAttribute('href'),
      printer.url,
      'the cited article is linked',
    );

    answerPageLinks = await page.locator('main a').evaluateAll((links) =>
      links.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })),
    );
    const back = page.getByRole('link', { name: 'Back to the article' });
    assert.equal(await back.getAttribute('href'), stack.url(ARTICLE_PATH));
    await Promise.all([page.waitForNavigation(), back.click()]);
    assert.equal(page.url(), stack.url(ARTICLE_PATH));
    assert.equal(await page.locator('h1').textContent(), printer.title);
    await page.close();
  });

  it(
    'links only with absolute URLs of the site on the answer page (it is served by the function, on its own origin)',
    () => {
      assert.ok(answerPageLinks, 'the answer page was shown (previous test)');
      const base = `${bundle.base_url}/`;
      for (const link of answerPageLinks) {
        assert.ok(link.href.startsWith(base), `"${link.text}" links to ${link.href}, not to a page under ${base}`);
      }
    },
  );

  it(
    'does not send a general question (home page) "back to the article"',
    async () => {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(stack.url('/'));
      await fillQuestion(page, { question: 'How do I order a laptop for a new starter next month?', email: 'kim@example' });
      const response = await submit(page);
      assert.equal(response.status(), 422);
      const back = page.locator('main a', { hasText: /^Back to / });
      assert.equal(await back.getAttribute('href'), stack.url('/'));
      assert.notEqual(await back.textContent(), 'Back to the article');
      await page.close();
    },
  );

  it(
    'links the consent on the error page to the privacy statement',
    async () => {
      const page = await openArticle();
      await fillQuestion(page, { question: 'The printer is offline again after lunch.', email: 'lee@example', consent: false });
      const response = await submit(page);
      assert.equal(response.status(), 422);
      const privacy = page.getByRole('link', { name: 'privacy statement' });
      assert.equal(await privacy.count(), 1, 'the consent links to the privacy statement');
      assert.equal(await privacy.getAttribute('href'), `${bundle.base_url}/privacy/`);
      await page.close();
    },
  );

  it('shows an invalid email next to the field, keeps everything typed, and accepts the fix', async () => {
    const page = await openArticle();
    const question = 'Printer offline since the weekend & nobody on the 2nd floor can print <at all>.';
    await fillQuestion(page, { question, email: 'erin@example', company: 'Erin & Co' });
    const response = await submit(page);
    assert.equal(response.status(), 422);

    assert.equal(await page.locator('h1').textContent(), 'Please check your question');
    const email = page.getByLabel('Email', { exact: true });
    assert.equal(await email.inputValue(), 'erin@example');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    const described = await email.getAttribute('aria-describedby');
    assert.ok(described, 'the email field points at its error');
    assert.match(
      await page.locator(`#${described}`).textContent(),
      /That email address looks incomplete/,
    );
    assert.equal(await page.getByLabel('Describe your situation').inputValue(), question, 'the question is kept as typed');
    assert.equal(await page.getByLabel('Company').inputValue(), 'Erin & Co');
    assert.equal(await page.getByRole('checkbox').isChecked(), true, 'consent is kept');
    assert.equal(
      await page.getByRole('link', { name: 'Back to the article' }).getAttribute('href'),
      stack.url(ARTICLE_PATH),
    );
    assert.equal((await readLeads(stack.serve.leadsTable)).length, 1, 'a refused question writes no lead');

    await email.fill('erin@example.com');
    const fixed = await submit(page, 'Send my question');
    assert.equal(fixed.status(), 200);
    assert.equal(await page.locator('h1').textContent(), 'Our answer');
    assert.equal(
      await page.getByRole('link', { name: 'Back to the article' }).getAttribute('href'),
      stack.url(ARTICLE_PATH),
    );
    const leads = await readLeads(stack.serve.leadsTable);
    const lead = leads.find((l) => l.email === 'erin@example.com');
    assert.ok(lead, 'the fixed question is stored');
    assert.equal(lead.article, ARTICLE, 'the article survives the error page');
    assert.equal(lead.question, question);
    assert.equal(lead.company, 'Erin & Co');
    await page.close();
  });
});
