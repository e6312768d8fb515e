// Shared set-up for the end-to-end browser tests: a fake LLM speaking the OpenAI
// chat-completions wire format, `tryfirst serve` pointed at it and at the DynamoDB emulator,
// headless Chromium, and helpers to read what was stored.
//
// Every `startStack()` gets its own table prefix, so its question allowance (2 per hour per
// client IP, and every browser request comes from 127.0.0.1) starts fresh.

import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(E2E_DIR, '..', '..');
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
export const TRYFIRST_BIN =
  process.env.TRYFIRST_BIN || path.join(REPO, 'target', 'debug', 'tryfirst');
export const VENV = process.env.TRYFIRST_VENV || path.join(os.homedir(), '.cache', 'tryfirst', 'venv');

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The article most tests ask about. */
export const ARTICLE = 'printer-offline';

const DYNAMO_ENV = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
];

/** The emulator's variables, or a clear error saying how to get them. */
export function dynamoEnv() {
  const missing = DYNAMO_ENV.filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(', ')}: the e2e tests need the DynamoDB emulator. ` +
        'Start it from the repository root with  eval "$(scripts/dynamodb start)"  ' +
        '(scripts/test does this), then run the tests in the same shell.',
    );
  }
  return Object.fromEntries(DYNAMO_ENV.map((name) => [name, process.env[name]]));
}

// Fake LLM -------------------------------------------------------------------------------------

/** The advice the fake gives unless a test sets another. */
export const DEFAULT_REPLY = {
  advice:
    '1. Print a configuration page from the printer\'s own menu and note its IP address.\n' +
    '2. If the address changed, tell us: the printer needs a fixed address on the router.\n\n' +
    'If nobody can print, see [Wi-Fi with no internet](/wifi-no-internet/) first.',
  verdict: 'careful',
  cited: ['printer-offline', 'wifi-no-internet'],
};

/**
 * An HTTP server on 127.0.0.1 answering `POST /v1/chat/completions` like OpenAI does.
 * `mode`: 'answer' (200 with `reply` as the assistant's JSON text) or 'fail' (500 with an
 * OpenAI error body). Every request is recorded (`requests`: {headers, raw, body}).
 */
export async function startFakeLlm() {
  const fake = {
    mode: 'answer',
    reply: DEFAULT_REPLY,
    requests: [],
    get count() {
      return this.requests.length;
    },
    url: '',
    close: async () => {},
  };
  let sequence = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const send = (status, body) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(404, {
          error: { message: `Unknown request ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' },
        });
        return;
      }
      let body = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      fake.requests.push({ headers: req.headers, raw, body });
      if (fake.mode === 'fail') {
        send(500, {
          error: { message: 'The server had an error while processing your request.', type: 'server_error', code: 'server_error' },
        });
        return;
      }
      sequence += 1;
      send(200, {
        id: `chatcmpl-e2e-${sequence}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: (body && body.model) || 'gpt-4o-mini',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: JSON.stringify(fake.reply) },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 812, completion_tokens: 96, total_tokens: 908 },
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${server.address().port}/v1`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

// tryfirst serve -------------------------------------------------------------------------------

let prefixCounter = 0;

/** Every serve still running, so none outlives this process even if a test crashes. */
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A table prefix no other run or stack uses. */
export function uniquePrefix() {
  prefixCounter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `e2e-${process.pid}-${Date.now().toString(36)}-${random}-${prefixCounter}-`;
}

/**
 * Starts `tryfirst serve --port 0 --root <repo>` with the LLM pointed at `llmUrl` and the store
 * at the emulator, and waits for its "Serving … at http://127.0.0.1:PORT/" line. Its stderr is
 * kept (`log()`) and drained for the rest of its life.
 */
export async function startServe({ llmUrl, prefix = uniquePrefix(), extraEnv = {} }) {
  if (!existsSync(TRYFIRST_BIN)) {
    throw new Error(
      `${TRYFIRST_BIN} does not exist: build it with  cargo build -p generator  ` +
        'or point TRYFIRST_BIN at a tryfirst binary.',
    );
  }
  const env = {
    ...process.env,
    ...dynamoEnv(),
    TRYFIRST_LLM_PROVIDER: 'openai',
    TRYFIRST_LLM_BASE_URL: llmUrl,
    TRYFIRST_LLM_API_KEY: 'test-key',
    TRYFIRST_LLM_TIMEOUT_MS: '5000',
    TRYFIRST_LLM_BUDGET_MS: '8000',
    TRYFIRST_TABLE_PREFIX: prefix,
    RUST_LOG: process.env.RUST_LOG || 'info',
    NO_COLOR: '1',
    ...extraEnv,
  };
  const child = spawn(TRYFIRST_BIN, ['serve', '--port', '0', '--root', REPO], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let log = '';
  let pending = '';
  let onLine = () => {};
  const consume = (chunk) => {
    const text = chunk.toString('utf8');
    log += text;
    pending += text;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      onLine(line);
    }
  };
  child.stderr.on('data', consume);
  child.stdout.on('data', consume);

  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`tryfirst serve did not report its address within 60 s. Its output:\n${log}`));
    }, 60_000);
    let built = false;
    onLine = (line) => {
      if (/^Built \d+ articles/.test(line)) built = true;
      const match = /^Serving .* at (http:\/\/127\.0\.0\.1:\d+)\/ /.exec(line);
      if (match) {
        clearTimeout(timer);
        onLine = () => {};
        if (built) {
          resolve(match[1]);
        } else {
          child.kill('SIGKILL');
          reject(new Error(`tryfirst serve could not build the site from ${REPO}. Its output:\n${log}`));
        }
      }
    };
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tryfirst serve exited (${code ?? signal}) before serving. Its output:\n${log}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

  return {
    baseUrl,
    prefix,
    leadsTable: `${prefix}leads`,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGINT'); // serve shuts down gracefully on Ctrl+C
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      // serve builds into <tmp>/tryfirst-serve-<port> and leaves it behind: clean up after ourselves.
      rmSync(path.join(os.tmpdir(), `tryfirst-serve-${new URL(baseUrl).port}`), { recursive: true, force: true });
    },
  };
}

/**
 * A fake LLM and a serve in front of it, with a fresh allowance. `env`: extra variables for
 * serve (e.g. a larger allowance for tests that are not about the allowance).
 */
export async function startStack({ env = {} } = {}) {
  const llm = await startFakeLlm();
  let serve;
  try {
    serve = await startServe({ llmUrl: llm.url, extraEnv: env });
  } catch (error) {
    await llm.close();
    throw error;
  }
  return {
    llm,
    serve,
    baseUrl: serve.baseUrl,
    url: (pathname) => new URL(pathname, serve.baseUrl + '/').href,
    async stop() {
      await serve.stop();
      await llm.close();
    },
  };
}

// Browser --------------------------------------------------------------------------------------

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  let closing = false;
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    closing = true;
    return close(...args);
  };
  // A browser that goes away on its own (crash, killed) otherwise only shows as "Target page,
  // context or browser has been closed" in whichever test runs next.
  browser.on('disconnected', () => {
    if (!closing) console.error(`e2e: Chromium exited unexpectedly at ${new Date().toISOString()}`);
  });
  return browser;
}

/** Context options shared by the tests: a fixed locale and time zone, so times read HH:MM. */
export const CONTEXT_DEFAULTS = {
  locale: 'en-GB',
  timezoneId: 'UTC',
  viewport: { width: 1280, height: 900 },
};

/**
 * Fills the question form of the page (each field as a person would type it) and submits it
 * with the button. Returns nothing; callers wait for what they expect.
 */
export async function fillQuestion(page, { question, email = 'ann@example.com', company = 'Acme Ltd', consent = true }) {
  await page.getByLabel('Describe your situation', { exact: true }).fill(question);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Company', { exact: true }).fill(company);
  if (consent) await page.getByLabel(/I agree that/).check();
}

export async function submitQuestion(page) {
  await page.getByRole('button', { name: 'Ask' }).click();
}

/** Fills and submits, and resolves with the /ask response (status and JSON body). */
export async function ask(page, fields) {
  await fillQuestion(page, fields);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/ask' && r.request().method() === 'POST'),
    submitQuestion(page),
  ]);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status(), body, headers: response.headers() };
}

// Stored leads ---------------------------------------------------------------------------------

/** Every item of a leads table, read with boto3 from the moto venv. */
export async function readLeads(table) {
  const python = path.join(VENV, 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`${python} is missing: scripts/dynamodb start creates the venv (or set TRYFIRST_VENV).`);
  }
  const { stdout } = await execFileAsync(python, [path.join(E2E_DIR, 'read_table.py'), table], {
    env: { ...process.env, ...dynamoEnv() },
  });
  return JSON.parse(stdout);
}

// Files ----------------------------------------------------------------------------------------

export function artifactPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
