// search.js's stemmers, `terms` and `fnv1a` against the test vectors the generator's tests read
// too (tests/fixtures/search-vectors.json): the index is written by the generator and a query
// goes through search.js, so both must give the same values. No browser: the functions are
// taken from search.js's source and evaluated on their own, with Snowball Dutch imported from
// the vendored snowball-dutch.js as the search page imports it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('tests/fixtures/search-vectors.json', root), 'utf8'));
const source = readFileSync(new URL('themes/default/static/search.js', root), 'utf8');
// Imported as the ES module it is, whatever node makes of a .js file outside a "type": "module"
// package.
const dutchSource = readFileSync(new URL('themes/default/static/snowball-dutch.js', root), 'utf8');
const { stemmer: snowballDutch } = await import(
  `data:text/javascript;base64,${Buffer.from(dutchSource).toString('base64')}`
);

// From `const stem = ` to the end of `fnv1a` (the statement that closes with `};` after it).
const start = source.indexOf('const stem = ');
const fnvStart = source.indexOf('const fnv1a = ');
const end = source.indexOf('\n  };', fnvStart) + '\n  };'.length;
assert.ok(start >= 0 && fnvStart > start && end > fnvStart, 'search.js defines stem, stemmerOf, terms and fnv1a');
const { stemmerOf, terms, fnv1a } = new Function(
  `${source.slice(start, end)}\nreturn { stemmerOf, terms, fnv1a };`,
)();
const stemmer = (name) => stemmerOf(name, snowballDutch);

describe('search.js and the generator agree', () => {
  it('stems words as the vectors say, for every stemmer', () => {
    assert.deepEqual(Object.keys(vectors.stems).sort(), ['snowball-dutch', 'tryfirst-english']);
    for (const [name, pairs] of Object.entries(vectors.stems)) {
      const stem = stemmer(name);
      const wrong = pairs.filter(([word, expected]) => stem(word) !== expected)
        .map(([word, expected]) => `${word}: ${stem(word)}, not ${expected}`);
      assert.deepEqual(wrong, [], `${name}: ${wrong.length} of ${pairs.length} differ`);
    }
    assert.ok(vectors.stems['tryfirst-english'].length >= 10);
    assert.ok(vectors.stems['snowball-dutch'].length >= 2000);
  });
  it('reads index v2 manifests, whose stem was a bool', () => {
    assert.equal(stemmerOf(true, null)('printers'), 'printer');
    assert.equal(stemmerOf(false, null)('printers'), 'printers');
  });
  it('splits texts into terms as the vectors say', () => {
    for (const { text, stem, terms: expected } of vectors.terms) {
      assert.deepEqual(terms(text, stemmer(stem)), expected, `${text} (${stem})`);
    }
  });
  it('hashes texts as the vectors say', () => {
    for (const [text, expected] of vectors.hashes) assert.equal(fnv1a(text), expected, text);
  });
});
