// The search page: runs the query from `?q=` against the Pagefind index in /pagefind/. Words
// that appear nowhere on the site are first corrected against its vocabulary
// (/search/words.json): Pagefind stems words but forgives no misspelling, and a misspelt word
// otherwise matches only by accident. First-party, no inline script; Pagefind needs `'wasm-unsafe-eval'` in the
// Content-Security-Policy's script-src.
(() => {
  'use strict';

  const form = document.querySelector('[data-search-form]');
  const status = document.querySelector('[data-search-status]');
  const list = document.querySelector('[data-search-results]');
  if (!form || !status || !list) return;
  const input = form.querySelector('input[name="q"]');

  let pagefind = null;
  let vocabulary = null;

  const say = (text) => {
    status.textContent = '';
    const p = document.createElement('p');
    p.textContent = text;
    status.appendChild(p);
  };

  const loadPagefind = async () => {
    if (!pagefind) {
      pagefind = await import('/pagefind/pagefind.js');
      await pagefind.options({ excerptLength: 24 });
      await pagefind.init();
    }
    return pagefind;
  };

  const loadVocabulary = async () => {
    if (!vocabulary) {
      const response = await fetch('/search/words.json');
      vocabulary = response.ok ? await response.json() : [];
    }
    return vocabulary;
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

  // Each word of the query that is not in the vocabulary, replaced by its closest word
  // (1 edit for words of 4+ letters, 2 for 8+). Returns null when nothing changes.
  const corrected = async (query) => {
    const words = await loadVocabulary();
    const known = new Set(words);
    let changed = false;
    const fixed = query.toLowerCase().split(/\s+/).filter(Boolean).map((word) => {
      if (known.has(word) || word.length < 4) return word;
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

  // Pagefind excerpts are HTML with <mark> around matches; keep only text and <mark>.
  const excerpt = (html) => {
    const template = document.createElement('template');
    template.innerHTML = html;
    const p = document.createElement('p');
    p.className = 'excerpt';
    for (const node of template.content.childNodes) {
      if (node.nodeName === 'MARK') {
        const mark = document.createElement('mark');
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    }
    return p;
  };

  const render = (results) => {
    list.textContent = '';
    for (const result of results) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = result.url;
      link.textContent = result.meta.title || result.url;
      const heading = document.createElement('h2');
      heading.appendChild(link);
      li.appendChild(heading);
      li.appendChild(excerpt(result.excerpt || ''));
      if (result.meta.category) {
        const meta = document.createElement('p');
        meta.className = 'meta';
        meta.textContent = result.meta.category;
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
      render([]);
      return;
    }
    say('Searching…');
    try {
      const engine = await loadPagefind();
      const fix = await corrected(query);
      let shown = fix || query;
      let found = await engine.search(shown);
      if (fix && found.results.length === 0) {
        // The correction found nothing either: fall back to the words as typed.
        found = await engine.search(query);
        shown = query;
      }
      const results = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
      render(results);
      if (results.length === 0) {
        say(`Nothing found for “${query}”. Try other words, or browse the categories below.`);
      } else {
        const count = results.length === 1 ? '1 article' : `${results.length} articles`;
        say(shown === query ? `${count} found for “${query}”.` : `${count} found for “${shown}” (you typed “${query}”).`);
      }
    } catch (error) {
      say('Search is not available right now. Please browse the categories below.');
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
