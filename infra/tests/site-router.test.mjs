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
