// search.js's `stem`, `terms` and `fnv1a` against the test vectors the generator's tests read
// too (tests/fixtures/search-vectors.json): the index is written by the generator and a query
// goes through search.js, so both must give the same values. No browser: the three functions
// are taken from search.js's source and evaluated on their own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('tests/fixtures/search-vectors.json', root), 'utf8'));
const source = readFileSync(new URL('themes/default/static/search.js', root), 'utf8');

// From `const stem = ` to the end of `fnv1a` (the statement that closes with `};` after it).
const start = source.indexOf('const stem = ');
const fnvStart = source.indexOf('const fnv1a = ');
const end = source.indexOf('\n  };', fnvStart) + '\n  };'.length;
assert.ok(start >= 0 && fnvStart > start && end > fnvStart, 'search.js defines stem, terms and fnv1a');
const { stem, terms, fnv1a } = new Function(`${source.slice(start, end)}\nreturn { stem, terms, fnv1a };`)();

describe('search.js and the generator agree', () => {
  it('stems words as the vectors say', () => {
    assert.ok(vectors.stems.length >= 10);
    for (const [word, expected] of vectors.stems) assert.equal(stem(word), expected, word);
  });
  it('splits texts into terms as the vectors say', () => {
    for (const { text, stemming, terms: expected } of vectors.terms) {
      assert.deepEqual(terms(text, stemming), expected, text);
    }
  });
  it('hashes texts as the vectors say', () => {
    for (const [text, expected] of vectors.hashes) assert.equal(fnv1a(text), expected, text);
  });
});
