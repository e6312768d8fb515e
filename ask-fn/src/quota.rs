//! The question allowance, as pure arithmetic over the times of a visitor's accepted questions.
//!
//! Semantics (also in the README): with a limit of N per window W, a question at time `t` is
//! accepted only if fewer than N accepted questions lie in `(t - W, t]`. So with 2 per hour a
//! third question is possible exactly 60 minutes after the first accepted one, never earlier —
//! a rolling window, with no clock-hour boundary to burst across. Refused questions are not
//! recorded and so never use up the allowance.

use serde::Serialize;

use crate::clock::{Millis, DAY, HOUR};

/// Allowance per identity (an email or an IP). `0` means no limit for that window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub per_hour: u32,
    pub per_day: u32,
}

impl Limits {
    fn windows(self) -> [(Millis, u32); 2] {
        [(HOUR, self.per_hour), (DAY, self.per_day)]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Accepted: the times to store (older than a day dropped, `now` appended, sorted).
    Allow(Vec<Millis>),
    /// Refused: the earliest moment a question would be accepted.
    Deny { retry_at: Millis },
}

/// The times that count against a window ending at `now`. Times *after* `now` count too: with
/// several servers (or Lambda instances) answering at once, another request may have recorded a
/// slightly later timestamp before this one writes, and it is just as accepted.
fn in_window(times: &[Millis], now: Millis, window: Millis) -> Vec<Millis> {
    let mut recent: Vec<Millis> = times
        .iter()
        .copied()
        .filter(|&t| t > now - window)
        .collect();
    recent.sort_unstable();
    recent
}

/// Whether a question at `now` is accepted, given the previously accepted times.
pub fn decide(previous: &[Millis], now: Millis, limits: Limits) -> Decision {
    let mut retry_at: Option<Millis> = None;
    for (window, max) in limits.windows() {
        if max == 0 {
            continue;
        }
        let recent = in_window(previous, now, window);
        let max = max as usize;
        if recent.len() >= max {
            // The oldest time that must leave the window before another fits.
            let leaving = recent[recent.len() - max];
            let at = leaving + window;
            retry_at = Some(retry_at.map_or(at, |r| r.max(at)));
        }
    }
    match retry_at {
        Some(retry_at) => Decision::Deny { retry_at },
        None => {
            let mut kept = in_window(previous, now, DAY);
            kept.push(now);
            kept.sort_unstable();
            Decision::Allow(kept)
        }
    }
}

/// What is left of the allowance at `now`, for the visitor's "you can ask N more" line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Remaining {
    /// `None` when the window has no limit.
    pub hour: Option<u32>,
    pub day: Option<u32>,
    /// When one more question becomes available in each window (`None`: already available, or
    /// no question is counting yet).
    pub hour_frees_at: Option<Millis>,
    pub day_frees_at: Option<Millis>,
}

pub fn remaining(times: &[Millis], now: Millis, limits: Limits) -> Remaining {
    let window_state = |window: Millis, max: u32| -> (Option<u32>, Option<Millis>) {
        if max == 0 {
            return (None, None);
        }
        let recent = in_window(times, now, window);
        let left = (max as usize).saturating_sub(recent.len()) as u32;
        // The oldest counted question frees a place when it leaves the window.
        (Some(left), recent.first().map(|&t| t + window))
    };
    let (hour, hour_frees_at) = window_state(HOUR, limits.per_hour);
    let (day, day_frees_at) = window_state(DAY, limits.per_day);
    Remaining {
        hour,
        day,
        hour_frees_at,
        day_frees_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MINUTE;

    const LIMITS: Limits = Limits {
        per_hour: 2,
        per_day: 5,
    };
    const T0: Millis = 1_800_000_000_000;

    /// Asks at each offset (minutes from T0), keeping the accepted ones; returns which were accepted.
    fn run(offsets_min: &[i64]) -> (Vec<bool>, Vec<Millis>) {
        let mut accepted = Vec::new();
        let mut outcomes = Vec::new();
        for &offset in offsets_min {
            match decide(&accepted, T0 + offset * MINUTE, LIMITS) {
                Decision::Allow(times) => {
                    accepted = times;
                    outcomes.push(true);
                }
                Decision::Deny { .. } => outcomes.push(false),
            }
        }
        (outcomes, accepted)
    }

    #[test]
    fn third_question_waits_exactly_sixty_minutes_after_the_first() {
        assert_eq!(
            decide(&[T0, T0 + 10 * MINUTE], T0 + 20 * MINUTE, LIMITS),
            Decision::Deny {
                retry_at: T0 + HOUR
            }
        );
        assert_eq!(
            decide(&[T0, T0 + 10 * MINUTE], T0 + HOUR - 1, LIMITS),
            Decision::Deny {
                retry_at: T0 + HOUR
            }
        );
        assert!(matches!(
            decide(&[T0, T0 + 10 * MINUTE], T0 + HOUR, LIMITS),
            Decision::Allow(_)
        ));
    }

    #[test]
    fn no_burst_across_a_clock_hour() {
        // 2 at 10:59, then 11:00 and 11:01: a clock-hour counter would allow these; we do not.
        let (outcomes, _) = run(&[59, 59, 60, 61, 118, 119]);
        assert_eq!(outcomes, [true, true, false, false, false, true]);
    }

    #[test]
    fn sixth_question_waits_for_the_first_to_leave_the_day() {
        // Five questions, 2 per hour as allowed: at 0, 0, 60, 60, 120 minutes.
        let (outcomes, accepted) = run(&[0, 0, 60, 60, 120]);
        assert_eq!(outcomes, [true; 5]);
        // At 180 minutes the hour allows it, the day does not, until T0 + 24h.
        assert_eq!(
            decide(&accepted, T0 + 180 * MINUTE, LIMITS),
            Decision::Deny { retry_at: T0 + DAY }
        );
        assert_eq!(
            decide(&accepted, T0 + DAY - 1, LIMITS),
            Decision::Deny { retry_at: T0 + DAY }
        );
        let Decision::Allow(times) = decide(&accepted, T0 + DAY, LIMITS) else {
            panic!("allowed at T0 + 24h")
        };
        // The two questions at T0 left the day window and were dropped.
        assert_eq!(
            times,
            [
                T0 + 60 * MINUTE,
                T0 + 60 * MINUTE,
                T0 + 120 * MINUTE,
                T0 + DAY
            ]
        );
    }

    #[test]
    fn when_both_windows_refuse_the_later_time_wins() {
        let accepted = [
            T0,
            T0 + 60 * MINUTE,
            T0 + 61 * MINUTE,
            T0 + 200 * MINUTE,
            T0 + 201 * MINUTE,
        ];
        assert_eq!(
            decide(&accepted, T0 + 210 * MINUTE, LIMITS),
            Decision::Deny { retry_at: T0 + DAY }
        );
    }

    #[test]
    fn slightly_later_times_from_concurrent_requests_count() {
        // Another server accepted two questions stamped a few milliseconds after our `now`.
        assert_eq!(
            decide(&[T0 + 5, T0 + 9], T0, LIMITS),
            Decision::Deny {
                retry_at: T0 + 5 + HOUR
            }
        );
        let Decision::Allow(times) = decide(&[T0 + 5], T0, LIMITS) else {
            panic!("one place left")
        };
        assert_eq!(times, [T0, T0 + 5]);
    }

    #[test]
    fn zero_means_unlimited() {
        let unlimited = Limits {
            per_hour: 0,
            per_day: 0,
        };
        let many: Vec<Millis> = (0..100).map(|i| T0 + i).collect();
        assert!(matches!(
            decide(&many, T0 + 200, unlimited),
            Decision::Allow(_)
        ));
        assert_eq!(
            remaining(&many, T0 + 200, unlimited),
            Remaining {
                hour: None,
                day: None,
                hour_frees_at: None,
                day_frees_at: None
            }
        );
    }

    #[test]
    fn remaining_counts_down_and_says_when_places_free() {
        assert_eq!(
            remaining(&[], T0, LIMITS),
            Remaining {
                hour: Some(2),
                day: Some(5),
                hour_frees_at: None,
                day_frees_at: None
            }
        );
        let r = remaining(&[T0, T0 + MINUTE], T0 + 2 * MINUTE, LIMITS);
        assert_eq!(
            r,
            Remaining {
                hour: Some(0),
                day: Some(3),
                hour_frees_at: Some(T0 + HOUR),
                day_frees_at: Some(T0 + DAY)
            }
        );
    }

    #[test]
    fn a_stream_of_attempts_never_exceeds_the_limits() {
        // Every 7 minutes for three days: in any 60-minute window at most 2, in any 24 h at most 5.
        let offsets: Vec<i64> = (0..(3 * 24 * 60 / 7)).map(|i| i * 7).collect();
        let (outcomes, _) = run(&offsets);
        let accepted: Vec<Millis> = offsets
            .iter()
            .zip(&outcomes)
            .filter(|(_, ok)| **ok)
            .map(|(o, _)| T0 + o * MINUTE)
            .collect();
        for &start in &accepted {
            assert!(
                accepted
                    .iter()
                    .filter(|&&t| t >= start && t < start + HOUR)
                    .count()
                    <= 2
            );
            assert!(
                accepted
                    .iter()
                    .filter(|&&t| t >= start && t < start + DAY)
                    .count()
                    <= 5
            );
        }
        assert_eq!(accepted.len(), 15, "5 per day for 3 days");
    }
}
