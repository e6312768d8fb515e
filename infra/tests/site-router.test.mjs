// Runs infra/site-router.js (the CloudFront Function) under Node with a stand-in for
// CloudFront's `cloudfront` module: a KeyValueStore whose get() throws for a missing key, as
// the real one does. `node --test infra/tests/` (scripts/infra-check runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const source = readFileSync(new URL('../site-router.js', import.meta.url), 'utf8');

function load(redirects) {
  const reads = [];
  const cf = {
    kvs: () => ({
      async get(key) {
        reads.push(key);
        if (!Object.hasOwn(redirects, key)) throw new Error(`key not found: ${key}`);
        return redirects[key];
      },
    }),
  };
  const body = source.replace("import cf from 'cloudfront';", '');
  assert.notEqual(body, source, 'the function imports the cloudfront module');
  const handler = new Function('cf', `${body}\nreturn handler;`)(cf);
  return { handler, reads };
}

const request = (uri) => ({ request: { uri, method: 'GET', headers: {}, querystring: {} } });

test('a pretty URL is served from its index.html', async () => {
  const { handler } = load({});
  assert.equal((await handler(request('/printer-offline/'))).uri, '/printer-offline/index.html');
  assert.equal((await handler(request('/'))).uri, '/index.html');
});

test('a page URL without its trailing slash is redirected to it', async () => {
  const { handler } = load({});
  const response = await handler(request('/printer-offline'));
  assert.equal(response.statusCode, 301);
  assert.equal(response.headers.location.value, '/printer-offline/');
});

test('an old URL from the redirects map answers 301 to the new one, with or without slash', async () => {
  const { handler } = load({ '/old-printer/': '/printer-offline/' });
  for (const uri of ['/old-printer/', '/old-printer']) {
    const response = await handler(request(uri));
    assert.equal(response.statusCode, 301, uri);
    assert.equal(response.headers.location.value, '/printer-offline/', uri);
  }
});

test('files are served as they are, without a KeyValueStore read', async () => {
  const { handler, reads } = load({ '/feed.xml/': '/elsewhere/' });
  for (const uri of ['/static/ask.3f2a9c.js', '/feed.xml', '/search/manifest.json', '/404.html']) {
    assert.equal((await handler(request(uri))).uri, uri);
  }
  assert.deepEqual(reads, []);
});

// Where a browser on the site goes when it follows `location`.
const SITE = 'https://help.example.com';
const followed = (location) => new URL(location, `${SITE}/some/page/`);

test('a doubled slash or a backslash never redirects to another host', async () => {
  const { handler, reads } = load({ '/evil.example/login/': '//evil.example/' });
  const cases = {
    '//evil.example/login': '/evil.example/login/',
    '//evil.example/login/': '/evil.example/login/',
    '///evil.example': '/evil.example',
    '/\\evil.example': '/evil.example',
    '/\\evil.example/x': '/evil.example/x/',
    '\\\\evil.example\\x': '/evil.example/x/',
    '/\t/evil.example/a': '/evil.example/a/',
    '/printer-offline//': '/printer-offline/',
  };
  for (const [uri, location] of Object.entries(cases)) {
    const response = await handler(request(uri));
    assert.equal(response.statusCode, 301, uri);
    assert.equal(response.headers.location.value, location, uri);
    assert.equal(followed(location).origin, SITE, uri);
  }
  assert.deepEqual(reads, [], 'the doubtful form is never looked up in the redirects');
});

// A seeded generator (mulberry32), so a failure names a seed that reproduces it:
// ROUTER_SEED=… node --test infra/tests/. ROUTER_RUNS raises the number of cases.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Paths made of the pieces that matter to a browser's URL parser: slashes, backslashes, dots,
// tabs and line breaks, '@', ':', '%' escapes, letters, and non-ASCII.
const PIECES = ['/', '/', '/', '\\', '.', '..', '\t', '\n', '\r', '@', ':', '%2f', '%5c', '%09',
  'evil.example', 'a', 'login', 'index.html', 'é', '?', '#', ' ', 'printer-offline'];

function randomUri(next) {
  const length = Math.floor(next() * 8);
  let uri = next() < 0.9 ? '/' : '';
  for (let i = 0; i < length; i++) uri += PIECES[Math.floor(next() * PIECES.length)];
  return uri;
}

test('property: every answer stays on the site and one redirect is enough', async () => {
  const seed = Number(process.env.ROUTER_SEED ?? 20261204);
  const runs = Number(process.env.ROUTER_RUNS ?? 20000);
  const next = random(seed);
  const { handler } = load({});
  for (let i = 0; i < runs; i++) {
    const uri = randomUri(next);
    const context = `seed ${seed}, case ${i}, uri ${JSON.stringify(uri)}`;
    const response = await handler(request(uri));
    if (response.statusCode === undefined) {
      // Passed on to S3: a single-slash path.
      assert.ok(!/[\\\t\n\r]|\/\//.test(response.uri), context);
      continue;
    }
    assert.equal(response.statusCode, 301, context);
    const location = response.headers.location.value;
    assert.ok(location.startsWith('/'), context);
    assert.equal(followed(location).origin, SITE, `${context} → ${location}`);
    // The target is final: no chain, no loop.
    const again = await handler(request(location));
    assert.equal(again.statusCode, undefined, `${context} → ${location} redirects again`);
  }
});
