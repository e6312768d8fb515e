// The search page: runs the query from `?q=` against its language's index, which the form's
// `data-index` names (default /search/index.json; generator/src/render/search.rs describes the
// files, all beside it). Words that appear nowhere on the site are first corrected against its
// vocabulary (words.json): a misspelt word otherwise matches nothing. A query is stemmed as the
// index was, by the stemmer its manifest names; Snowball Dutch is imported from the form's
// `data-stemmer` only when needed. First-party, no inline script, no WebAssembly:
// `script-src 'self'` is enough.
(() => {
  'use strict';

  const form = document.querySelector('[data-search-form]');
  const status = document.querySelector('[data-search-status]');
  const list = document.querySelector('[data-search-results]');
  if (!form || !status || !list) return;
  const input = form.querySelector('input[name="q"]');

  const indexUrl = form.dataset.index || '/search/index.json';
  const folder = indexUrl.slice(0, indexUrl.lastIndexOf('/') + 1);
  const LIMIT = 10;
  const json = new Map();
  let vocabulary = null;

  // The words, in the page's language: search.html's <script type="application/json"
  // id="search-strings">. `{name}` placeholders are filled here, as text (never HTML).
  let strings = {};
  try {
    strings = JSON.parse(document.getElementById('search-strings').textContent);
  } catch {
    // No block or a broken one: the keys show instead.
  }
  const text = (key, args = {}) =>
    (key in strings ? strings[key] : key).replace(/\{(\w+)\}/g, (all, name) =>
      name in args ? String(args[name]) : all);

  const say = (line) => {
    status.textContent = '';
    const p = document.createElement('p');
    p.textContent = line;
    status.appendChild(p);
  };

  // Each file is fetched once per page view.
  const load = (path) => {
    if (!json.has(path)) {
      json.set(path, fetch(path).then((response) => {
        if (!response.ok) throw new Error(`${path}: ${response.status}`);
        return response.json();
      }));
    }
    return json.get(path);
  };

  const loadVocabulary = async () => {
    if (!vocabulary) {
      try {
        vocabulary = await load(`${folder}words.json`);
      } catch (_) {
        vocabulary = [];
      }
    }
    return vocabulary;
  };

  // The same functions as generator/src/render/search.rs (`stem`, `Stemmer::stem`, `terms`,
  // `fnv1a`): the index was written with them, so a query must go through them too.
  const stem = (word) => {
    const chars = [...word].length;
    if (chars <= 3) return word;
    if (word.endsWith('ies') && chars > 4) return word.slice(0, -3);
    let w = word;
    if (w.endsWith('sses')) w = w.slice(0, -2);
    else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
    if (w.endsWith('y') && chars > 4) return w.slice(0, -1);
    for (const suffix of ['ing', 'ed']) {
      if (w.endsWith(suffix)) {
        const base = w.slice(0, -suffix.length);
        if ([...base].length >= 3) return base;
      }
    }
    return w;
  };

  // The stemmer a manifest's `stem` names (index v2 said true or false); `snowballDutch` is
  // snowball-dutch.js's `stemmer`, when the page has one. Dutch keeps a word with a digit
  // ("win11") as written, as the generator does.
  const stemmerOf = (name, snowballDutch) => {
    if (name === true || name === 'tryfirst-english') return stem;
    if (name === 'snowball-dutch' && snowballDutch) {
      return (word) => (/^\p{Alphabetic}+$/u.test(word) ? snowballDutch(word) : word);
    }
    return (word) => word;
  };

  const terms = (text, stemmer) => text
    .split(/[^\p{Alphabetic}\p{N}]+/u)
    .filter((word) => [...word].length >= 2)
    .map((word) => stemmer(word.toLowerCase()));

  const encoder = new TextEncoder();
  const fnv1a = (text) => {
    let hash = 0x811c9dc5;
    for (const byte of encoder.encode(text)) {
      hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  };

  // The manifest and the stemmer it names, loaded once.
  let index = null;
  const loadIndex = () => {
    index ??= load(indexUrl).then(async (manifest) => {
      let snowballDutch = null;
      if (manifest.stem === 'snowball-dutch') {
        try {
          ({ stemmer: snowballDutch } = await import(form.dataset.stemmer));
        } catch (_) {
          // Without it, only words written as their stem match: better than no search.
          snowballDutch = null;
        }
      }
      return { manifest, stemmer: stemmerOf(manifest.stem, snowballDutch) };
    });
    return index;
  };

  // Articles holding every term of the query, best first: the sum over the terms of the
  // term's weight in the article times how rare the term is on the site.
  const find = async (query) => {
    const { manifest, stemmer } = await loadIndex();
    const wanted = [...new Set(terms(query, stemmer))];
    if (wanted.length === 0) return [];
    const postings = await Promise.all(wanted.map(async (term) => {
      const shard = await load(`${folder}shard-${fnv1a(term) % manifest.shards}.json`);
      return Object.hasOwn(shard, term) ? shard[term] : [];
    }));
    let scores = null;
    for (const list of postings) {
      const rarity = Math.log(1 + manifest.articles / Math.max(1, list.length / 2));
      const next = new Map();
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i];
        if (scores === null || scores.has(doc)) {
          next.set(doc, (scores === null ? 0 : scores.get(doc)) + list[i + 1] * rarity);
        }
      }
      scores = next;
    }
    const best = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, LIMIT);
    return Promise.all(best.map(async ([doc]) => {
      const chunk = await load(`${folder}docs-${Math.floor(doc / manifest.chunk)}.json`);
      const [url, title, category, description] = chunk[doc % manifest.chunk];
      // The start of the article's text, for an excerpt around the matched words (index v2).
      let text = '';
      if (manifest.text_chunk) {
        try {
          const texts = await load(`${folder}text-${Math.floor(doc / manifest.text_chunk)}.json`);
          text = texts[doc % manifest.text_chunk] || '';
        } catch (_) {
          text = '';
        }
      }
      return { url, title, category, description, text };
    }));
  };

  // Damerau-Levenshtein (optimal string alignment) distance, stopping early past `limit`.
  const distance = (a, b, limit) => {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let before = null;
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
      const current = [i];
      let best = i;
      for (let j = 1; j <= b.length; j += 1) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, before[j - 2] + 1);
        }
        current.push(value);
        best = Math.min(best, value);
      }
      if (best > limit) return limit + 1;
      before = previous;
      previous = current;
    }
    return previous[b.length];
  };

  // Whether every term of `word` is in the index: an inflection its stem already finds
  // ("wachtwoorden" → "wachtwoord") is not a misspelling to correct.
  const indexed = async (word) => {
    const { manifest, stemmer } = await loadIndex();
    const wanted = terms(word, stemmer);
    const found = await Promise.all(wanted.map(async (term) => {
      const shard = await load(`${folder}shard-${fnv1a(term) % manifest.shards}.json`);
      return Object.hasOwn(shard, term);
    }));
    return wanted.length > 0 && found.every(Boolean);
  };

  // Each word of the query that is neither in the vocabulary nor found through its stem,
  // replaced by its closest word (1 edit for words of 4+ letters, 2 for 8+). Returns null
  // when nothing changes.
  const corrected = async (query) => {
    const words = await loadVocabulary();
    const known = new Set(words);
    let changed = false;
    const typed = query.toLowerCase().split(/\s+/).filter(Boolean);
    const keep = await Promise.all(typed.map(async (word) => known.has(word) || word.length < 4 || indexed(word)));
    const fixed = typed.map((word, i) => {
      if (keep[i]) return word;
      const limit = word.length >= 8 ? 2 : 1;
      let best = null;
      let bestDistance = limit + 1;
      for (const candidate of words) {
        const d = distance(word, candidate, limit);
        if (d < bestDistance) {
          best = candidate;
          bestDistance = d;
          if (d === 1 && limit === 1) break;
        }
      }
      if (best) {
        changed = true;
        return best;
      }
      return word;
    });
    return changed ? fixed.join(' ') : null;
  };

  // The article's description, with the words that match the query marked.
  const excerpt = (text, query, stemmer) => {
    const wanted = new Set(terms(query, stemmer));
    const p = document.createElement('p');
    p.className = 'excerpt';
    for (const part of text.split(/([\p{Alphabetic}\p{N}]+)/u)) {
      const [term] = terms(part, stemmer);
      if (term && wanted.has(term)) {
        const mark = document.createElement('mark');
        mark.textContent = part;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(part));
      }
    }
    return p;
  };

  // About 30 words of the article's text around its first word that matches the query, with
  // "…" where it was cut; null when the text has none of the query's words.
  const WINDOW = 30;
  const passage = (text, query, stemmer) => {
    const wanted = new Set(terms(query, stemmer));
    const words = text.split(/\s+/).filter(Boolean);
    const first = words.findIndex((word) => terms(word, stemmer).some((term) => wanted.has(term)));
    if (first < 0) return null;
    const start = Math.max(0, first - Math.floor(WINDOW / 3));
    const end = Math.min(words.length, start + WINDOW);
    return `${start > 0 ? '… ' : ''}${words.slice(start, end).join(' ')}${end < words.length ? ' …' : ''}`;
  };

  const render = (results, query, stemmer) => {
    list.textContent = '';
    for (const result of results) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = result.url;
      link.textContent = result.title || result.url;
      const heading = document.createElement('h2');
      heading.appendChild(link);
      li.appendChild(heading);
      // What the article says around the matched words; its description when they are only in
      // its title, tags or category.
      const around = passage(result.text || '', query, stemmer);
      li.appendChild(excerpt(around || result.description || '', query, stemmer));
      if (result.category) {
        const meta = document.createElement('p');
        meta.className = 'meta';
        meta.textContent = result.category;
        li.appendChild(meta);
      }
      list.appendChild(li);
    }
    list.hidden = results.length === 0;
  };

  const search = async (query) => {
    query = query.trim();
    if (!query) {
      say('');
      render([], '', (word) => word);
      return;
    }
    say(text('search.searching'));
    try {
      const { stemmer } = await loadIndex();
      const fix = await corrected(query);
      let shown = fix || query;
      let results = await find(shown);
      if (fix && results.length === 0) {
        // The correction found nothing either: fall back to the words as typed.
        results = await find(query);
        shown = query;
      }
      render(results, shown, stemmer);
      if (results.length === 0) {
        say(text('search.nothing_found', { query }));
      } else {
        const n = results.length;
        const count = text(n === 1 ? 'search.result_count_one' : 'search.result_count_other', { count: n });
        say(shown === query
          ? text('search.found', { count, query })
          : text('search.found_corrected', { count, shown, query }));
      }
    } catch (error) {
      say(text('search.unavailable'));
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = input.value;
    const url = new URL(window.location.href);
    url.searchParams.set('q', query);
    window.history.replaceState(null, '', url);
    search(query);
  });

  const initial = new URLSearchParams(window.location.search).get('q') || '';
  input.value = initial;
  if (initial) search(initial);
})();
