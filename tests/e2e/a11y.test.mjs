// Accessibility: axe-core (its default rule set: WCAG 2.x A and AA, plus best practices) on the
// main page types and on every state of the question form, in light mode; the colour rules
// (contrast) again in dark mode.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import AxeBuilder from '@axe-core/playwright';

import { ARTICLE, CONTEXT_DEFAULTS, DEFAULT_REPLY, ask, fillQuestion, launchBrowser, startStack } from './harness.mjs';

const ARTICLE_PATH = `/${ARTICLE}/`;

/** axe's violations as a readable list, one block per rule, with every failing node. */
function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    at ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/** Rules whose outcome depends on the colours, re-run in dark mode. */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

async function assertAccessible(page, what, { rules } = {}) {
  const builder = new AxeBuilder({ page });
  if (rules) builder.withRules(rules);
  const results = await builder.analyze();
  assert.ok(results.passes.length >= (rules ? 1 : 10), `axe ran its rules on ${what}`);
  assert.equal(
    results.violations.length,
    0,
    `axe found ${results.violations.length} violation(s) on ${what} (${page.url()}):\n${describeViolations(results.violations)}`,
  );
}

/** Every rule in light mode, then the colour rules again in dark mode. */
async function assertAccessibleLightAndDark(page, what) {
  await page.emulateMedia({ colorScheme: 'light' });
  await assertAccessible(page, `${what} (light)`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await assertAccessible(page, `${what} (dark)`, { rules: COLOUR_RULES });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('accessibility (axe-core)', () => {
  let browser;
  let stack;
  let context;

  before(async () => {
    browser = await launchBrowser();
    // Four questions an hour (the default is two), so every state of the form can be shown
    // from one serve.
    stack = await startStack({
      env: { TRYFIRST_IP_PER_HOUR: '4', TRYFIRST_IP_PER_DAY: '10', TRYFIRST_EMAIL_PER_HOUR: '4', TRYFIRST_EMAIL_PER_DAY: '10' },
    });
    context = await browser.newContext(CONTEXT_DEFAULTS);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  async function open(pathname, on = stack) {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const response = await page.goto(on.url(pathname));
    assert.equal(response.status(), 200, `${pathname} is served`);
    return page;
  }

  for (const [what, pathname] of [
    ['the home page', '/'],
    ['a category page', '/categories/network/'],
    ['an article', ARTICLE_PATH],
    ['the privacy page', '/privacy/'],
  ]) {
    it(`${what} has no violations`, async () => {
      const page = await open(pathname);
      await assertAccessibleLightAndDark(page, what);
      await page.close();
    });
  }

  it('the form showing inline errors has no violations', async () => {
    const page = await open(ARTICLE_PATH);
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.locator('#ask-question-error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 4, 'every empty field is marked');
    await assertAccessibleLightAndDark(page, 'the form with errors');
    await page.close();
  });

  describe('every state of an answered question', () => {
    let page;

    before(async () => {
      page = await open(ARTICLE_PATH);
    });

    after(async () => {
      await page?.close();
    });

    const states = [
      ['diy', 'Safe to try yourself'],
      ['careful', 'Be careful'],
      ['bring_us_in', 'Bring us in'],
    ];
    states.forEach(([verdict, label], i) => {
      it(`answered with the verdict ${verdict}: no violations`, async () => {
        stack.llm.mode = 'answer';
        stack.llm.reply = { ...DEFAULT_REPLY, verdict };
        const { status } = await ask(page, {
          question: `Question ${i + 1}: the printer is offline for me only; colleagues print fine.`,
          email: `fay${i}@example.com`,
        });
        assert.equal(status, 200);
        await page.locator('.ask-answer .verdict', { hasText: label }).waitFor({ state: 'visible' });
        await assertAccessibleLightAndDark(page, `the answer (${verdict})`);
      });
    });

    it('the LLM failed: no violations', async () => {
      stack.llm.mode = 'fail';
      const { status } = await ask(page, {
        question: 'Question 4: the printer is offline for everyone since this morning.',
        email: 'fay4@example.com',
      });
      stack.llm.mode = 'answer';
      assert.equal(status, 200);
      await page.locator('.ask-answer .ask-message', { hasText: 'could not generate advice' }).waitFor();
      await assertAccessibleLightAndDark(page, 'the answer without advice');
    });

    it('the limit reached: no violations', async () => {
      // The stack allows 4 questions an hour; this is the fifth.
      const { status } = await ask(page, {
        question: 'Question 5: and now the scanner is offline too.',
        email: 'fay5@example.com',
      });
      assert.equal(status, 429);
      await page.locator('.ask-status.is-error').waitFor();
      await assertAccessibleLightAndDark(page, 'the limit message');
    });
  });

  describe('the pages the form gets without JavaScript', () => {
    let page;
    let plain;

    before(async () => {
      plain = await startStack(); // its own allowance
      page = await open(ARTICLE_PATH, plain);
      // axe needs script in the page, so instead of turning JavaScript off, keep ask.js out:
      // the form then posts like a browser without JavaScript.
      await page.route(/\/ask\.[0-9a-f]+\.js$/, (route) => route.abort());
      await page.reload();
    });

    after(async () => {
      await page?.close();
      await plain?.stop();
    });

    it('the error page has no violations', async () => {
      await fillQuestion(page, { question: 'Printer is offline again this morning.', email: 'gus@' });
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Ask' }).click()]);
      assert.equal(await page.locator('h1').textContent(), 'Please check your question');
      await assertAccessibleLightAndDark(page, 'the no-JavaScript error page');
    });

    it('the answer page has no violations', async () => {
      await page.getByLabel('Email', { exact: true }).fill('gus@example.com');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Send my question' }).click()]);
      assert.equal(await page.locator('h1').textContent(), 'Our answer');
      await assertAccessibleLightAndDark(page, 'the no-JavaScript answer page');
    });
  });
});
