// The editors' kit as a visitor meets it, on a site made by `tryfirst init` and built with
// `tryfirst build` (minified, as deployed), served from its folder on 127.0.0.1: an article
// with a screenshot and a callout has no axe violations in light or dark mode, the screenshot
// loads with its size and a WebP source, the copy button copies and the favicon is there.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import AxeBuilder from '@axe-core/playwright';

import { CONTEXT_DEFAULTS, REPO, TRYFIRST_BIN, launchBrowser } from './harness.mjs';
import { serveFolder } from './static-server.mjs';

const execFileAsync = promisify(execFile);

describe('editors’ kit: screenshot, callout, copy button, favicon', () => {
  let tmp;
  let server;
  let browser;

  before(async () => {
    assert.ok(existsSync(TRYFIRST_BIN), `${TRYFIRST_BIN} is missing: cargo build -p generator`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tryfirst-e2e-editors-'));
    const site = path.join(tmp, 'site');
    await execFileAsync(TRYFIRST_BIN, ['init', site]);
    // The example article gets the example site's screenshot (1400 px wide: scaled to 1200).
    const folder = path.join(site, 'content', 'general');
    copyFileSync(path.join(REPO, 'content', 'network', 'printer-offline-settings.png'), path.join(folder, 'settings.png'));
    const article = path.join(folder, 'printer-offline.md');
    const text = readFileSync(article, 'utf8').replace(
      '## When to bring us in',
      '![Windows Settings showing the printer as Offline](settings.png)\n\n## When to bring us in',
    );
    writeFileSync(article, text);
    await execFileAsync(TRYFIRST_BIN, ['build', '--root', site, '--out', path.join(tmp, 'public')]);
    server = await serveFolder(path.join(tmp, 'public'));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('an article with a screenshot and a callout has no violations, light and dark', async () => {
    const context = await browser.newContext(CONTEXT_DEFAULTS);
    const page = await context.newPage();
    const response = await page.goto(server.url('/printer-offline/'));
    assert.equal(response.status(), 200);
    const callout = page.locator('.callout-tip[role="note"]');
    assert.equal(await callout.locator('.callout-title').textContent(), 'Tip');
    const img = page.locator('picture img[alt="Windows Settings showing the printer as Offline"]');
    assert.equal(await img.getAttribute('width'), '1200');
    assert.equal(await img.getAttribute('loading'), 'lazy');
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const image = document.querySelector('picture img');
      return image.complete && image.naturalWidth > 0;
    });
    // The browser chose the WebP source.
    const current = await img.evaluate((image) => image.currentSrc);
    assert.match(current, /\/assets\/images\/settings\.[0-9a-f]+\.webp$/);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      const results = await new AxeBuilder({ page }).analyze();
      assert.deepEqual(
        results.violations.map((v) => `${scheme}: ${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`),
        [],
      );
      assert.ok(results.passes.length >= 10, 'axe ran its rules');
    }
    // The callout's label keeps its contrast in both schemes (checked above); its colours differ.
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await callout.evaluate((el) => getComputedStyle(el).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await callout.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(light, dark);
    await context.close();
  });

  it('the copy button copies the command; without JavaScript there is none', async () => {
    const context = await browser.newContext({ ...CONTEXT_DEFAULTS, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(server.url('/printer-offline/'));
    const button = page.getByRole('button', { name: 'Copy the code to the clipboard' });
    await button.click();
    await page.waitForFunction(() => document.querySelector('.copy-button').textContent === 'Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, 'Get-PrintJob -PrinterName "Office printer" | Remove-PrintJob');
    await context.close();

    const noJs = await browser.newContext({ ...CONTEXT_DEFAULTS, javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(server.url('/printer-offline/'));
    assert.equal(await plain.locator('.copy-button').count(), 0);
    assert.match(await plain.locator('pre code').textContent(), /Get-PrintJob/);
    await noJs.close();
  });

  it('serves a favicon, SVG and ICO', async () => {
    for (const [file, type] of [['/favicon.svg', 'image/svg+xml'], ['/favicon.ico', 'image/x-icon']]) {
      const response = await fetch(server.url(file));
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get('content-type'), type);
    }
  });
});
