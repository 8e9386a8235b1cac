//! Times written as ISO 8601 text: a Segment message's or a Shopify Web Pixels event's
//! `timestamp` (`"2026-11-25T09:14:03.512Z"`), and the order logs the model builder reads
//! (`2024-06-01 13:45:00 +0200` from Shopify, `2024-06-01 13:45:00 UTC` from BigQuery).

/// The latest time read as one, 9999-12-31T23:59:59.999Z in ms since the epoch: a number past it
/// is not epoch milliseconds (a GA4 `event_timestamp` in microseconds, or nanoseconds, would be
/// thousands of years ahead), and differences of times could overflow.
pub const LATEST_MS: f64 = 253_402_300_799_999.0;

/// A time read from text: ms since the epoch, and whether the text gave its zone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iso {
    pub ms: f64,
    pub zoned: bool,
}

/// Why text is not such a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsoError {
    Unreadable,
    /// A well-formed date that does not exist (`2024-02-30`).
    NoSuchDay,
}

/// Reads `s` (white space around it ignored): a date `YYYY-MM-DD` (midnight UTC), or a date,
/// `T` (or a space), `hh:mm`, optionally `:ss` and a fraction (read to the millisecond, further
/// digits dropped, as `Date.parse` does; `24:00` is the end of the day, a second `60` is not
/// read, as there), then optionally a zone — `Z`,
/// `UTC`, `GMT`, or an offset `±hh`, `±hhmm`, `±hh:mm` —, which one space may precede. Without a
/// zone the time is read as UTC and not `zoned`; a date alone is midnight UTC, as ECMAScript
/// reads it, and `zoned`.
pub fn read(s: &str) -> Result<Iso, IsoError> {
    use IsoError::Unreadable;
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| number(b, from, len).ok_or(Unreadable);
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(Unreadable);
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(Unreadable);
    }
    if day > days_in_month(year, month) {
        return Err(IsoError::NoSuchDay);
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Ok(Iso {
            ms: (days * 86_400_000) as f64,
            zoned: true,
        });
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return Err(Unreadable);
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    let (mut i, mut second, mut ms) = (16, 0, 0);
    if b.get(i) == Some(&b':') {
        second = num(17, 2)?;
        i = 19;
        if b.get(i) == Some(&b'.') {
            let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            ms = (0..3).fold(0, |n, k| {
                n * 10
                    + if k < digits {
                        num(i + 1 + k, 1).unwrap_or(0)
                    } else {
                        0
                    }
            });
            i += 1 + digits;
        }
    }
    let end_of_day = hour == 24 && minute == 0 && second == 0 && ms == 0;
    if (hour > 23 && !end_of_day) || minute > 59 || second > 59 {
        return Err(Unreadable);
    }
    let zone = b.get(i..).unwrap_or_default();
    let zone = zone.strip_prefix(b" ").unwrap_or(zone);
    let offset = match zone {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        _ if zone.eq_ignore_ascii_case(b"UTC") || zone.eq_ignore_ascii_case(b"GMT") => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let at = b.len() - rest.len();
            let (h, m) = match rest {
                [_, _] => (num(at, 2)?, 0),
                [_, _, _, _] => (num(at, 2)?, num(at + 2, 2)?),
                [_, _, b':', _, _] => (num(at, 2)?, num(at + 3, 2)?),
                _ => return Err(Unreadable),
            };
            if h > 23 || m > 59 {
                return Err(Unreadable);
            }
            Some(if *sign == b'+' {
                h * 60 + m
            } else {
                -(h * 60 + m)
            })
        }
        _ => return Err(Unreadable),
    };
    let whole = ((days * 24 + hour) * 60 + minute - offset.unwrap_or(0)) * 60 + second;
    Ok(Iso {
        ms: (whole * 1000 + ms) as f64,
        zoned: offset.is_some(),
    })
}

/// An event's time from text: [`read`], with its zone, not before 1970.
pub fn parse(s: &str) -> Option<f64> {
    read(s)
        .ok()
        .filter(|t| t.zoned && t.ms >= 0.0)
        .map(|t| t.ms)
}

/// The decimal number of the `len` digits of `b` at `from`; `None` when any is not a digit.
#[inline(never)]
fn number(b: &[u8], from: usize, len: usize) -> Option<i64> {
    let digits = b.get(from..from + len)?;
    digits.iter().try_fold(0i64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
    })
}

pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::{parse, read, IsoError};

    #[test]
    fn reads_the_times_segment_and_shopify_write() {
        // Each against what `Date.parse` gives in JavaScript.
        for (text, ms) in [
            ("2026-11-25T09:14:03.512Z", 1_795_598_043_512.0),
            ("2015-12-12T19:11:01.249Z", 1_449_947_461_249.0),
            ("2015-12-12T19:11:01Z", 1_449_947_461_000.0),
            ("2015-12-12T20:11:01.249+01:00", 1_449_947_461_249.0),
            ("2015-12-12T14:41:01.249-0430", 1_449_947_461_249.0),
            ("2015-12-12 19:11Z", 1_449_947_460_000.0),
            ("2015-12-12T19:11:01.2499999Z", 1_449_947_461_249.0),
            ("2024-06-01 13:45:00 +0200", 1_717_242_300_000.0),
            ("2024-06-01 13:45:00 UTC", 1_717_249_500_000.0),
            ("2024-06-01 13:45:00 gmt", 1_717_249_500_000.0),
            ("1970-01-01T00:00:00Z", 0.0),
            ("2026-11-25T24:00Z", 1_795_651_200_000.0),
            (" 2000-03-01T00:00:00.000Z ", 951_868_800_000.0),
        ] {
            assert_eq!(parse(text), Some(ms), "{text}");
        }
    }

    #[test]
    fn an_event_time_needs_its_zone_and_a_true_day() {
        for text in [
            "",
            "yesterday",
            "2015-12-12T19:11:01",
            "2023-02-29T00:00Z",
            "2015-13-01T00:00Z",
            "2015-12-32T00:00Z",
            "2015-12-12T24:00:01Z",
            "2016-12-31T23:59:60Z",
            "2015-12-12T19:11:01,5Z",
            "2015-12-12T19:60Z",
            "2015-12-12T19:11+25:00",
            "2015-12-12T19:11+1",
            "2015-12-12T19:11  Z",
            "2015-12-12T19:11 CEST",
            "1969-12-31T23:59:59Z",
            "12/12/2015",
            "2015-1-12",
            "+2015-12-12",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
        assert_eq!(read("2024-02-30"), Err(IsoError::NoSuchDay));
        assert_eq!(parse("2024-02-29"), Some(1_709_164_800_000.0));
        assert_eq!(
            read("2024-02-29T00:00").map(|t| (t.ms, t.zoned)),
            Ok((1_709_164_800_000.0, false))
        );
    }
}
