//! Time as a dependency: the quota's rolling windows are tested by moving an injected clock,
//! not by sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

pub trait Clock: Send + Sync {
    fn now(&self) -> Millis;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
            Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
        })
    }
}

/// A clock that only moves when told to; for tests.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Millis) -> Self {
        Self(AtomicI64::new(start))
    }

    pub fn advance(&self, by: Millis) {
        self.0.fetch_add(by, Ordering::SeqCst);
    }

    pub fn set(&self, to: Millis) {
        self.0.store(to, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

/// `2026-11-29T14:05:00Z`: what the API returns for reset times. Times beyond the calendar's
/// range (years ±9999) are shown as its first or last second.
pub fn rfc3339(at: Millis) -> String {
    let seconds = at.div_euclid(SECOND);
    let utc = OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(if seconds < 0 {
        PrimitiveDateTime::MIN.assume_utc()
    } else {
        PrimitiveDateTime::MAX.assume_utc()
    });
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// `2026-11-29`: the key of the global daily LLM counter (UTC day).
pub fn utc_day(at: Millis) -> String {
    rfc3339(at)[..10].to_owned()
}

/// The start (00:00 UTC) of a day written `2026-11-29`; `None` for anything else, 2026-02-30
/// included.
pub fn parse_utc_day(text: &str) -> Option<Millis> {
    let mut parts = text.trim().splitn(3, '-');
    let mut next = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<i32>().ok())
    };
    let (year, month, day) = (next(4)?, next(2)?, next(2)?);
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() * SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2026-11-29T14:05:09Z
        assert_eq!(rfc3339(1_795_961_109_000), "2026-11-29T14:05:09Z");
        assert_eq!(utc_day(1_795_961_109_000), "2026-11-29");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(Millis::MAX), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn parses_days_back_to_their_start() {
        assert_eq!(parse_utc_day("1970-01-01"), Some(0));
        assert_eq!(parse_utc_day("2000-02-29"), Some(951_782_400_000));
        assert_eq!(
            parse_utc_day("2026-11-29").map(utc_day).as_deref(),
            Some("2026-11-29")
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-29",
            "2026-11-29T00",
            "",
            "2026/11/29",
        ] {
            assert_eq!(parse_utc_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(HOUR);
        assert_eq!(clock.now(), 1_000 + HOUR);
        clock.set(5);
        assert_eq!(clock.now(), 5);
    }
}
