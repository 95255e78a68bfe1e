//! Dates and timestamps reduced to one instant, so `2024-01-01` equals `2024-01-01T00:00:00Z`.
//!
//! Engines print the same moment in several ways (`T` or a space between date and
//! time, optional fractional seconds, optional `Z` or offset). Parsing them into
//! seconds and nanoseconds since the Unix epoch makes every spelling compare and hash
//! alike without allocating.

/// A moment in time: whole seconds since 1970-01-01T00:00:00Z plus nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Instant {
    /// Seconds since the Unix epoch (negative before 1970).
    pub(super) seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub(super) nanos: u32,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl Instant {
    /// Parses `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fraction]]`,
    /// optionally followed by `Z` or an offset (`+HH:MM`, `+HHMM`, `+HH`). Returns `None`
    /// for anything else, including impossible dates such as `2023-02-29`.
    pub(super) fn parse(text: &str) -> Option<Self> {
        let bytes = text.trim().as_bytes();
        let (date, rest) = bytes.split_at_checked(10)?;
        let year = digits(&date[0..4])?;
        let month = digits(&date[5..7])?;
        let day = digits(&date[8..10])?;
        if date[4] != b'-' || date[7] != b'-' || !(1..=12).contains(&month) {
            return None;
        }
        if day < 1 || day > days_in_month(year, month) {
            return None;
        }
        let mut seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY;
        let mut nanos = 0;
        let mut rest = rest;
        if let Some((&separator, time)) = rest.split_first() {
            if separator != b'T' && separator != b' ' {
                return None;
            }
            let (time_seconds, time_nanos, after_time) = parse_time(time)?;
            seconds += time_seconds;
            nanos = time_nanos;
            rest = after_time;
        }
        seconds -= parse_offset(rest)?;
        Some(Self { seconds, nanos })
    }
}

/// Parses `HH:MM[:SS[.fraction]]` at the start of `bytes`; returns the seconds into the
/// day, the nanoseconds and what follows.
fn parse_time(bytes: &[u8]) -> Option<(i64, u32, &[u8])> {
    let (hour_minute, mut rest) = bytes.split_at_checked(5)?;
    let hour = digits(&hour_minute[0..2])?;
    let minute = digits(&hour_minute[3..5])?;
    if hour_minute[2] != b':' || hour > 23 || minute > 59 {
        return None;
    }
    let mut seconds = hour * 3600 + minute * 60;
    let mut nanos = 0;
    if let Some((b':', after_colon)) = rest.split_first() {
        let (second_digits, after_second) = after_colon.split_at_checked(2)?;
        let second = digits(second_digits)?;
        if second > 60 {
            return None;
        }
        seconds += second;
        rest = after_second;
        if let Some((b'.', fraction)) = rest.split_first() {
            let length = fraction
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            if length == 0 {
                return None;
            }
            let mut scale = 100_000_000;
            for &digit in fraction.iter().take(length.min(9)) {
                nanos += u32::from(digit - b'0') * scale;
                scale /= 10;
            }
            rest = &fraction[length..];
        }
    }
    Some((seconds, nanos, rest))
}

/// Parses the zone suffix: nothing or `Z` (UTC), or `±HH:MM`, `±HHMM`, `±HH`; returns
/// the offset east of UTC in seconds.
fn parse_offset(bytes: &[u8]) -> Option<i64> {
    let bytes = bytes.trim_ascii_start();
    match bytes {
        [] | [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (hours, minutes) = match zone {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -offset } else { offset })
        }
        _ => None,
    }
}

/// Reads a run of ASCII digits as a number; `None` when any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0, |value: i64, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + i64::from(byte - b'0'))
    })
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::Instant;

    fn seconds(text: &str) -> Option<(i64, u32)> {
        Instant::parse(text).map(|instant| (instant.seconds, instant.nanos))
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(seconds("1970-01-01"), Some((0, 0)));
        assert_eq!(seconds("1970-01-02"), Some((86_400, 0)));
        assert_eq!(seconds("1969-12-31"), Some((-86_400, 0)));
        assert_eq!(seconds("2024-01-01"), Some((1_704_067_200, 0)));
        assert_eq!(seconds("2000-03-01"), Some((951_868_800, 0)));
        assert_eq!(seconds("2024-02-29"), Some((1_709_164_800, 0)));
    }

    #[test]
    fn every_common_midnight_spelling_is_the_same_instant() {
        let midnight = seconds("2024-01-01");
        for text in [
            "2024-01-01T00:00:00",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00.000",
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.000Z",
            "2024-01-01 00:00:00.000000",
            "2024-01-01T00:00",
            "2024-01-01T00:00:00+00:00",
            "2024-01-01T01:00:00+01:00",
            "2023-12-31T19:00:00-0500",
            " 2024-01-01 ",
        ] {
            assert_eq!(seconds(text), midnight, "{text}");
        }
    }

    #[test]
    fn times_and_fractions_are_kept() {
        assert_eq!(
            seconds("2024-01-01T12:34:56.789"),
            Some((1_704_067_200 + 12 * 3600 + 34 * 60 + 56, 789_000_000))
        );
        assert_eq!(
            seconds("1970-01-01T00:00:00.123456789123"),
            Some((0, 123_456_789))
        );
        assert_ne!(seconds("2024-01-01T00:00:01"), seconds("2024-01-01"));
    }

    #[test]
    fn malformed_text_is_not_an_instant() {
        for text in [
            "",
            "2024",
            "2024/01/01",
            "2024-13-01",
            "2023-02-29",
            "2024-01-32",
            "2024-01-01X00:00:00",
            "2024-01-01T25:00:00",
            "2024-01-01T00:00:00.",
            "2024-01-01T00:00:00 PST",
            "yesterday!",
        ] {
            assert_eq!(seconds(text), None, "{text}");
        }
    }
}
