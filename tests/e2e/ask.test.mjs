// The question form with JavaScript (themes/default/static/ask.js) against `tryfirst serve`, a
// fake OpenAI-compatible LLM and DynamoDB (moto).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  ARTICLE,
  CONTEXT_DEFAULTS,
  ask,
  fillQuestion,
  launchBrowser,
  readLeads,
  startStack,
  submitQuestion,
} from './harness.mjs';

const ARTICLE_PATH = `/${ARTICLE}/`;
const DRAFT_KEY = `tryfirst-ask:${ARTICLE_PATH}`;

/** Resolves once the page has handled the /ask response (the form is no longer busy). */
async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('form[data-ask-form]').hasAttribute('aria-busy'));
}

/** "HH:MM" of an RFC 3339 time in UTC (the contexts run in UTC with the en-GB locale). */
function hhmm(iso) {
  return new Date(iso).toISOString().slice(11, 16);
}

function counter(page, pathname) {
  const seen = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === pathname) seen.push(request);
  });
  return seen;
}

describe('the question form with JavaScript', () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  describe('answers, the allowance and the limit (one serve, questions in order)', () => {
    let stack;
    let context;
    let page;
    let bundle;
    let firstAskedAt;

    before(async () => {
      stack = await startStack();
      context = await browser.newContext(CONTEXT_DEFAULTS);
      page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const response = await page.request.get(stack.url('/tryfirst-bundle.json'));
      assert.equal(response.status(), 200, 'serve publishes the bundle it built');
      bundle = await response.json();
      await page.goto(stack.url(ARTICLE_PATH));
    });

    after(async () => {
      await context?.close();
      await stack?.stop();
    });

    it('answers a question with the verdict, the advice, cited articles and the allowance left', async () => {
      firstAskedAt = Date.now();
      const { status, body } = await ask(page, {
        question: 'The printer shows offline for me only; colleagues can print fine from the same floor.',
        email: 'ann@example.com',
      });
      assert.equal(status, 200, `POST /ask answered ${status}: ${JSON.stringify(body)}`);
      await settled(page);

      const answer = page.locator('.ask-answer');
      assert.equal(await answer.isVisible(), true, 'the answer is shown');
      assert.equal(await answer.locator('.ask-answer-heading').textContent(), 'Our answer');
      assert.equal(await answer.locator('.verdict').textContent(), 'Be careful');
      assert.match(await answer.locator('.verdict').getAttribute('class'), /\bverdict-careful\b/);
      const advice = await answer.locator('.answer-body').innerText();
      assert.match(advice, /Print a configuration page from the printer's own menu/);
      assert.match(advice, /fixed address on the router/);
      // The advice's own link to one of our pages survives the server's sanitising, made absolute.
      assert.equal(await answer.locator(`.answer-body a[href="${stack.url('/wifi-no-internet/')}"]`).count(), 1);

      const cited = await answer.locator('.ask-cited a').evaluateAll((links) =>
        links.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })),
      );
      const printer = bundle.articles.find((a) => a.slug === ARTICLE);
      const wifi = bundle.articles.find((a) => a.slug === 'wifi-no-internet');
      assert.deepEqual(cited, [
        { text: printer.title, href: printer.url },
        { text: wifi.title, href: wifi.url },
      ]);
      assert.equal(printer.url, stack.url(ARTICLE_PATH), 'cited links point at this site');

      assert.equal(
        await answer.locator('.ask-quota').textContent(),
        'You can ask up to 2 questions an hour and 5 a day.',
      );
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'ask-answer', 'focus moves to the answer');
      assert.equal(await page.locator('#ask-question').inputValue(), '', 'the answered question is cleared');
      assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), DRAFT_KEY), null, 'the draft is cleared');
      assert.equal(await page.locator('.ask-status').textContent(), '');
    });

    it('sends the LLM the steps of the article from the bundle, and not the visitor\'s email', async () => {
      assert.equal(stack.llm.count, 1, 'one question, one LLM call');
      const [request] = stack.llm.requests;
      assert.equal(request.headers.authorization, 'Bearer test-key');
      assert.ok(request.body, 'the LLM request is JSON');
      const user = request.body.messages.find((m) => m.role === 'user');
      assert.ok(user, 'there is a user message');
      const printer = bundle.articles.find((a) => a.slug === ARTICLE);
      assert.ok(printer.steps.length >= 3, 'the bundle has the article steps');
      assert.ok(user.content.includes(printer.title), 'the article title is sent');
      printer.steps.forEach((step, i) => {
        assert.ok(user.content.includes(`${i + 1}. ${step}`), `step ${i + 1} from the bundle is sent: ${step}`);
      });
      assert.ok(user.content.includes(printer.escalation), 'the escalation text is sent');
      assert.ok(user.content.includes('colleagues can print fine from the same floor'), 'the question is sent');
      assert.ok(!request.raw.toLowerCase().includes('ann@example.com'), 'the email never reaches the LLM');
      assert.ok(!request.raw.includes('Acme Ltd'), "the visitor's company never reaches the LLM");

      const leads = await readLeads(stack.serve.leadsTable);
      assert.equal(leads.length, 1);
      assert.equal(leads[0].status, 'answered');
      assert.equal(leads[0].article, ARTICLE);
      assert.equal(leads[0].content_hash, printer.content_hash);
      assert.equal(leads[0].stale_page, false);
      assert.equal(leads[0].email, 'ann@example.com');
      assert.equal(leads[0].verdict, 'careful');
    });

    it('answers a second question without telling how many that address has left', async () => {
      const { status, body } = await ask(page, {
        question: 'I restarted the printer and my laptop, still offline. It has a new IP on its display.',
        email: 'ann@example.com',
      });
      assert.equal(status, 200, `POST /ask answered ${status}: ${JSON.stringify(body)}`);
      await settled(page);
      const answer = page.locator('.ask-answer');
      assert.equal(await answer.locator('.verdict').textContent(), 'Be careful');
      // Anyone can type a known address: a 200 reveals the limits, not its owner's questions.
      assert.deepEqual(body.quota, { per_hour: 2, per_day: 5 });
      assert.equal(
        await answer.locator('.ask-quota').textContent(),
        'You can ask up to 2 questions an hour and 5 a day.',
      );
    });

    it('refuses a third question within the hour, says when, and keeps the text', async () => {
      const text = 'Third question: now the scanner on the same printer says offline as well.';
      const llmCalls = stack.llm.count;
      const { status, body, headers } = await ask(page, { question: text, email: 'ann@example.com' });
      assert.equal(status, 429, `POST /ask answered ${status}: ${JSON.stringify(body)}`);
      assert.ok(Number(headers['retry-after']) > 0, 'Retry-After is set');
      await settled(page);

      const statusBox = page.locator('.ask-status');
      const message = await statusBox.textContent();
      assert.match(message, /You have reached the limit for now\. You can ask again at \d{2}:\d{2} \(local time\)\./);
      assert.equal(message.match(/\d{2}:\d{2}/)[0], hhmm(body.retry_at), 'the time shown is retry_at, local');
      const expected = firstAskedAt + 60 * 60 * 1000;
      assert.ok(
        Math.abs(Date.parse(body.retry_at) - expected) < 90_000,
        `the next question is possible 60 minutes after the first: ${body.retry_at}`,
      );
      assert.match(await statusBox.getAttribute('class'), /\bis-error\b/);
      assert.equal(await page.locator('#ask-question').inputValue(), text, 'the typed text is still there');
      assert.equal(stack.llm.count, llmCalls, 'a refused question never reaches the LLM');
      // Refused by the visitor's own limit, the question is still kept for the team, as a lead
      // marked rate_limited (no LLM call, no notification).
      const leads = await readLeads(stack.serve.leadsTable);
      assert.equal(leads.length, 3, 'the refused question is kept as a lead');
      assert.deepEqual(
        leads.map((lead) => lead.status).filter((s) => s === 'rate_limited'),
        ['rate_limited'],
        'exactly one lead, the refused question, is rate_limited',
      );
    });
  });

  describe('validation, drafts and a strict CSP (one serve, one question)', () => {
    let stack;
    let context;

    before(async () => {
      stack = await startStack();
      context = await browser.newContext(CONTEXT_DEFAULTS);
    });

    after(async () => {
      await context?.close();
      await stack?.stop();
    });

    async function openArticle() {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(stack.url(ARTICLE_PATH));
      return page;
    }

    async function assertEmailMarked(page, question) {
      const error = page.locator('#ask-email-error');
      assert.equal(await error.isVisible(), true, 'the email error is shown');
      assert.match(await error.textContent(), /That email address looks incomplete/);
      const email = page.locator('#ask-email');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.match(await email.getAttribute('aria-describedby'), /\bask-email-error\b/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'ask-email', 'focus is on the email field');
      assert.equal(await page.locator('#ask-question').inputValue(), question, 'the question is still there');
      assert.equal(await page.locator('#ask-question').getAttribute('aria-invalid'), null, 'the question is not marked');
    }

    it('marks an incomplete email next to the field before sending anything', async () => {
      const page = await openArticle();
      const posts = counter(page, '/ask');
      const question = 'My printer is offline after the office moved to a new internet line.';
      await fillQuestion(page, { question, email: 'ann@example' });
      await submitQuestion(page);
      await page.locator('#ask-email-error').waitFor({ state: 'visible' });
      await assertEmailMarked(page, question);
      assert.equal(posts.length, 0, 'nothing was sent');

      // Typing in the field clears its mark.
      await page.locator('#ask-email').pressSequentially('.com');
      assert.equal(await page.locator('#ask-email').getAttribute('aria-invalid'), null);
      assert.equal(await page.locator('#ask-email-error').isVisible(), false);
      await page.close();
    });

    it('marks an email the server refuses next to the field, keeping the question', async () => {
      const page = await openArticle();
      const question = 'The printer went offline after the router was replaced this morning.';
      // Passes the script's quick check, refused by the server (two dots in a row).
      const { status, body } = await ask(page, { question, email: 'an..n@example.com' });
      assert.equal(status, 422, `POST /ask answered ${status}: ${JSON.stringify(body)}`);
      assert.equal(body.error.field, 'email');
      await settled(page);
      await assertEmailMarked(page, question);
      assert.equal(stack.llm.count, 0);
      await page.close();
    });

    it(
      'gives every invalid text field the same thick error edge',
      async () => {
        const page = await openArticle();
        await submitQuestion(page);
        await page.locator('#ask-question-error').waitFor({ state: 'visible' });
        const borders = await page.evaluate(() =>
          ['ask-question', 'ask-email', 'ask-company'].map((id) => {
            const node = document.getElementById(id);
            const style = getComputedStyle(node);
            return {
              id,
              invalid: node.getAttribute('aria-invalid'),
              left: style.borderLeftWidth,
              top: style.borderTopWidth,
              color: style.borderLeftColor,
            };
          }),
        );
        for (const field of borders) {
          assert.equal(field.invalid, 'true', `${field.id} is marked invalid`);
          assert.ok(parseFloat(field.left) > parseFloat(field.top), `${field.id} has a thicker left edge: ${JSON.stringify(field)}`);
          assert.equal(field.color, borders[0].color, `${field.id} has the error colour: ${JSON.stringify(field)}`);
        }
        await page.close();
      },
    );

    it('works under a strict Content-Security-Policy', async () => {
      const csp =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
        });
      });
      await page.route(stack.url(ARTICLE_PATH), async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
      });
      await page.goto(stack.url(ARTICLE_PATH));
      const { status } = await ask(page, {
        question: 'The printer is offline on my laptop only, since I came back from holiday.',
        email: 'csp@example.com',
      });
      assert.equal(status, 200, 'the script posted the question as JSON');
      await settled(page);
      assert.equal(await page.locator('.ask-answer .verdict').textContent(), 'Be careful');
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'nothing was blocked');
      await page.close();
    });

    it('keeps a draft across a reload and a new visit in the same tab', async () => {
      const page = await openArticle();
      const question = 'Half-typed: the printer shows offline only when I am on the VPN from home';
      await page.locator('#ask-question').fill(question);
      await page.locator('#ask-email').fill('bob@example.com');
      await page.reload();
      assert.equal(await page.locator('#ask-question').inputValue(), question, 'the draft survives a reload');
      assert.equal(await page.locator('#ask-email').inputValue(), 'bob@example.com');

      // A fresh navigation (no form restoration by the browser): the draft comes from sessionStorage.
      await page.goto(stack.url('/'));
      await page.goto(stack.url(ARTICLE_PATH));
      await page.waitForFunction((text) => document.querySelector('#ask-question').value === text, question);
      assert.equal(await page.locator('#ask-question').inputValue(), question);
      await page.close();
    });
  });

  describe('when the LLM fails', () => {
    let stack;
    let context;

    before(async () => {
      stack = await startStack();
      stack.llm.mode = 'fail';
      context = await browser.newContext(CONTEXT_DEFAULTS);
    });

    after(async () => {
      await context?.close();
      await stack?.stop();
    });

    it('says honestly that there is no advice, and keeps the question as a lead for a person', async () => {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(stack.url(ARTICLE_PATH));
      const { status, body } = await ask(page, {
        question: 'Printer offline on every computer since this morning, the display shows no error.',
        email: 'carol@example.com',
      });
      assert.equal(status, 200, `POST /ask answered ${status}: ${JSON.stringify(body)}`);
      await settled(page);

      const answer = page.locator('.ask-answer');
      assert.equal(await answer.isVisible(), true);
      assert.equal(
        await answer.locator('.ask-message').textContent(),
        'We could not generate advice right now. We have your question and will email you at carol@example.com.',
      );
      assert.equal(await answer.locator('.verdict').count(), 0, 'no verdict without advice');
      assert.equal(await answer.locator('.answer-body').count(), 0, 'no advice body');
      assert.equal(await page.locator('.ask-status').textContent(), '');
      assert.equal(stack.llm.count, 2, 'one attempt and one retry on a 500');

      const leads = await readLeads(stack.serve.leadsTable);
      assert.equal(leads.length, 1);
      assert.equal(leads[0].status, 'llm_failed');
      assert.equal(leads[0].email, 'carol@example.com');
      assert.match(leads[0].question, /Printer offline on every computer/);
      assert.match(leads[0].follow_up_reason, /^llm_failed/);
      await page.close();
    });
  });
});
