// Search on a Dutch site: the fixture site tests/fixtures/sites/dutch-search (language = "nl"), built
// with `tryfirst build` (minified, as deployed) and served from its folder on 127.0.0.1. The
// search page reads the index its form names (data-index), imports Snowball Dutch from its
// data-stemmer, and so finds the article that says "mogelijk" for "mogelijkheden".

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { CONTEXT_DEFAULTS, REPO, TRYFIRST_BIN, launchBrowser } from './harness.mjs';
import { serveFolder } from './static-server.mjs';

const execFileAsync = promisify(execFile);

describe('search on a Dutch site', () => {
  let tmp;
  let server;
  let browser;

  before(async () => {
    assert.ok(existsSync(TRYFIRST_BIN), `${TRYFIRST_BIN} is missing: cargo build -p generator`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tryfirst-e2e-search-nl-'));
    const site = path.join(REPO, 'tests', 'fixtures', 'sites', 'dutch-search');
    await execFileAsync(TRYFIRST_BIN, ['build', '--root', site, '--out', path.join(tmp, 'public')]);
    server = await serveFolder(path.join(tmp, 'public'));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // The result links once the search has said something other than that it is searching.
  const resultsFor = async (page, query) => {
    await page.goto(server.url(`/search/?q=${encodeURIComponent(query)}`));
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-search-status]');
      return status && status.textContent.trim() !== '' && !status.textContent.includes('…');
    });
    return page.$$eval('.search-results h2 a', (links) => links.map((a) => a.getAttribute('href')));
  };

  it('finds a word from its inflection with the Dutch stemmer', async () => {
    const context = await browser.newContext(CONTEXT_DEFAULTS);
    const page = await context.newPage();
    const scripts = [];
    page.on('request', (request) => scripts.push(new URL(request.url()).pathname));
    // The article says "mogelijk": too far from "mogelijkheden" for the typo correction
    // (which would turn "wachtwoorden" into "wachtwoord" on its own), so only the stem finds it.
    assert.deepEqual(await resultsFor(page, 'mogelijkheden'), ['/printer-offline/']);
    assert.ok(scripts.some((p) => /^\/snowball-dutch\.[0-9a-f]+\.js$/.test(p)), scripts.join(' '));
    assert.deepEqual(await resultsFor(page, 'wachtwoorden'), ['/wachtwoord-verlopen/']);
    // Found through its stem, so not "corrected" to the written word "wachtwoord".
    const status = await page.textContent('[data-search-status]');
    assert.ok(status.includes('wachtwoorden') && !status.includes('wachtwoord”'), status);
    // The matched inflection is marked in the excerpt.
    assert.ok((await page.$$eval('.search-results mark', (m) => m.map((x) => x.textContent))).length > 0);
    await context.close();
  });
});
