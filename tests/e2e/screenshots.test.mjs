// Screenshots for a person to look at (tests/e2e/artifacts/, not committed): an article in light
// and dark mode and on a phone, and the answered question form in light and dark mode.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { ARTICLE, CONTEXT_DEFAULTS, artifactPath, ask, launchBrowser, startStack } from './harness.mjs';

const ARTICLE_PATH = `/${ARTICLE}/`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Asserts the file is a PNG of more than 10 kB; returns its pixel size. */
function assertPng(file) {
  const bytes = readFileSync(file);
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR', `${file} starts with its header`);
  assert.ok(bytes.length > 10 * 1024, `${file} is ${bytes.length} bytes: too small to show a page`);
  const size = { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  assert.ok(size.width > 300 && size.height > 200, `${file} is ${size.width}×${size.height}`);
  return size;
}

describe('screenshots', () => {
  let browser;
  let stack;

  before(async () => {
    browser = await launchBrowser();
    stack = await startStack();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function shootArticle(name, options) {
    const context = await browser.newContext({ ...CONTEXT_DEFAULTS, ...options });
    try {
      const page = await context.newPage();
      await page.goto(stack.url(ARTICLE_PATH));
      await page.evaluate(() => document.fonts.ready);
      const file = artifactPath(name);
      await page.screenshot({ path: file, fullPage: true });
      return assertPng(file);
    } finally {
      await context.close();
    }
  }

  it('an article in light mode', async () => {
    const { width } = await shootArticle('article-light.png', { colorScheme: 'light' });
    assert.equal(width, CONTEXT_DEFAULTS.viewport.width);
  });

  it('an article in dark mode', async () => {
    await shootArticle('article-dark.png', { colorScheme: 'dark' });
  });

  it('an article on a phone', async () => {
    const { width } = await shootArticle('article-phone.png', {
      colorScheme: 'light',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    });
    assert.equal(width, 390, 'nothing overflows the phone width');
  });

  it('the answered question form, light and dark', async () => {
    const context = await browser.newContext({ ...CONTEXT_DEFAULTS, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(stack.url(ARTICLE_PATH));
      const { status } = await ask(page, {
        question: 'Printer offline for me only; my colleagues next to me print without problems.',
        email: 'ivy@example.com',
      });
      assert.equal(status, 200);
      await page.locator('.ask-answer .ask-quota').waitFor({ state: 'visible' });
      const section = page.locator('section.ask');
      await section.scrollIntoViewIfNeeded();

      const light = artifactPath('answered-light.png');
      await section.screenshot({ path: light });
      assertPng(light);

      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = artifactPath('answered-dark.png');
      await section.screenshot({ path: dark });
      assertPng(dark);
    } finally {
      await context.close();
    }
  });
});
