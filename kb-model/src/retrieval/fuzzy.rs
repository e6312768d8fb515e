//! Typo-tolerant term matching: a query term with no exact match may match the vocabulary
//! terms closest to it, within a budget that grows with the typed word's length.

use super::SearchIndex;

/// Score multiplier per edit for a typo-tolerant match.
pub(super) const PENALTY: f32 = 0.7;
/// Typed words at least this long may match with one edit…
const FUZZY_ONE_EDIT_LEN: usize = 5;
/// …and at least this long with two.
const FUZZY_TWO_EDITS_LEN: usize = 8;

impl SearchIndex {
    /// The vocabulary terms closest to a term with no exact match, within the typo budget of a
    /// word typed `typed_len` characters long, and their edit distance. Scans the vocabulary.
    pub(super) fn near_terms(&self, term: &str, typed_len: usize) -> (Vec<usize>, usize) {
        let budget = if typed_len >= FUZZY_TWO_EDITS_LEN {
            2
        } else if typed_len >= FUZZY_ONE_EDIT_LEN {
            1
        } else {
            return (Vec::new(), 0);
        };
        let query: Vec<char> = term.chars().collect();
        // Very short stems match too much by accident.
        if query.len() < 4 {
            return (Vec::new(), 0);
        }
        let mut best = budget + 1;
        let mut ids = Vec::new();
        for (id, candidate) in self.vocabulary.iter().enumerate() {
            if candidate.len().abs_diff(query.len()) > best.min(budget) {
                continue;
            }
            let distance = edit_distance(&query, candidate, budget);
            if distance < best {
                best = distance;
                ids.clear();
            }
            if distance == best {
                ids.push(id);
            }
        }
        if best > budget {
            ids.clear();
        }
        (ids, best)
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `max + 1`
/// as soon as it is certain to exceed `max`.
pub fn edit_distance(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let width = b.len() + 1;
    let mut before_previous: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before_previous[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()].min(max + 1)
}
