// CloudFront Function (cloudfront-js-2.0) on every viewer request to the static site.
// The site is plain files in a private S3 bucket, so the pretty URLs the generator links to
// (/printer-offline/) must be mapped to the object that holds them (/printer-offline/index.html),
// and the old URLs an editor listed in `aliases` must answer with a real 301. The redirects
// live in a CloudFront KeyValueStore (old path -> new path) that the deploy workflow fills from
// the generator's /redirects.json, so a content change never needs a new function.
// The source of truth is this file; infra/template.yaml embeds an exact copy (scripts/infra-check
// fails when they differ) and infra/tests/site-router.test.mjs runs it under Node.
import cf from 'cloudfront';

const redirects = cf.kvs();

// A path whose last segment has a dot is a file (/ask.3f2a.js, /feed.xml): served as is and
// never looked up in the redirects, so assets cost no KeyValueStore read.
function isFile(uri) {
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  return last.indexOf('.') !== -1;
}

function movedTo(location) {
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: { location: { value: location } },
  };
}

// The redirect target for `key`, or null when the store has none (get() throws then).
async function lookup(key) {
  try {
    return await redirects.get(key);
  } catch (e) {
    return null;
  }
}

// The one-slash form of a path: tabs and line breaks dropped, a leading '/' ensured, and every
// run of '/' and '\' made a single '/', as a browser's URL parser would read them. Without it
// `//evil.example/login` would be answered with `Location: //evil.example/login/`, which a
// browser follows to another host (an open redirect); `/\evil.example` reads the same way.
function canonical(uri) {
  return ('/' + uri).replace(/[\t\n\r]/g, '').replace(/[\/\\]+/g, '/');
}

async function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var clean = canonical(uri);
  if (clean !== uri) {
    // Never serve or redirect the doubtful form itself: one redirect to the same-site path.
    return movedTo(isFile(clean) || clean.endsWith('/') ? clean : clean + '/');
  }
  if (isFile(uri)) {
    return request;
  }
  // The map's keys are the generator's paths, which end with '/'.
  var page = uri.endsWith('/') ? uri : uri + '/';
  var target = await lookup(page);
  if (target !== null) {
    return movedTo(target);
  }
  if (page !== uri) {
    // /printer-offline -> /printer-offline/: one canonical URL per page, and relative links
    // inside the page resolve the same way as on the generator's own server.
    return movedTo(page);
  }
  request.uri = uri + 'index.html';
  return request;
}
