//! Card numbers: 13–19 digits in a card's usual grouping that pass the Luhn check.

use super::digits::digit_composites;
use super::{SecretKind, Span};

/// 13–19 digits, contiguous or in the usual groupings (4-4-4-4[-3], 4-6-5, 4-6-4), passing Luhn.
/// Any run of groups inside a longer digit sequence is tried, so "call 020 4111 1111 1111 1111"
/// still loses the card.
pub(super) fn find_card_numbers(bytes: &[u8], out: &mut Vec<Span>) {
    for composite in digit_composites(bytes) {
        let sizes: Vec<usize> = composite.sizes().collect();
        let n = sizes.len();
        let mut first = 0;
        while first < n {
            if first == 0 && !composite.left_free {
                first += 1;
                continue;
            }
            let mut best = None;
            let mut digits = 0;
            for last in first..n {
                digits += sizes[last];
                if digits > 19 || (last == n - 1 && !composite.right_free) {
                    break;
                }
                let groups = &composite.groups[first..=last];
                if card_grouping(&sizes[first..=last]) && luhn(bytes, groups) {
                    best = Some(last);
                }
            }
            match best {
                Some(last) => {
                    out.push(Span {
                        start: composite.groups[first].0,
                        end: composite.groups[last].1,
                        kind: SecretKind::CardNumber,
                    });
                    first = last + 1;
                }
                None => first += 1,
            }
        }
    }
}

pub(super) fn card_grouping(sizes: &[usize]) -> bool {
    let total: usize = sizes.iter().sum();
    if !(13..=19).contains(&total) {
        return false;
    }
    match sizes {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [init @ .., last] => init.iter().all(|&s| s == 4) && (1..=4).contains(last),
        [] => false,
    }
}

pub(super) fn luhn(bytes: &[u8], groups: &[(usize, usize)]) -> bool {
    let digits = groups
        .iter()
        .flat_map(|&(a, b)| bytes.get(a..b).unwrap_or_default().iter())
        .map(|b| u32::from(b - b'0'));
    let digits: Vec<u32> = digits.collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}
