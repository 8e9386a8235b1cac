//! Times written as ISO 8601 / RFC 3339 text, as a Segment message and a Shopify Web Pixels event
//! carry them (`"2026-11-25T09:14:03.512Z"`): read into ms since the epoch.

/// Ms since the epoch of `s`: a date `YYYY-MM-DD` (midnight UTC, as `Date.parse` reads it), or
/// a date, `T` (or a space), `hh:mm`, optionally `:ss` and a fraction, then `Z` or an offset
/// `±hh:mm` (or `±hhmm`). A time without its zone is not read: the device's zone is not the
/// one the event was written in. `None` for anything else, a day that does not exist, or a time
/// before 1970.
pub fn parse(s: &str) -> Option<f64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| number(b, from, len);
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return at(days * 86_400_000);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut second = 0;
    let mut ms = 0;
    if b.get(i) == Some(&b':') {
        second = num(17, 2)?;
        i = 19;
        if matches!(b.get(i), Some(b'.' | b',')) {
            let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            // Milliseconds: the first three digits (more are dropped, as `Date.parse` does).
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
    // A leap second (`:60`) is read as the last millisecond before the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _, b':', _, _] => (num(i + 1, 2)?, num(i + 4, 2)?),
                [_, _, _, _] => (num(i + 1, 2)?, num(i + 3, 2)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let (second, ms) = if second == 60 {
        (59, 999)
    } else {
        (second, ms)
    };
    let whole = ((days * 24 + hour) * 60 + minute - offset) * 60 + second;
    at(whole * 1000 + ms)
}

/// The decimal number of the `len` digits of `b` at `from`; `None` when any is not a digit.
#[inline(never)]
fn number(b: &[u8], from: usize, len: usize) -> Option<i64> {
    let digits = b.get(from..from + len)?;
    digits.iter().try_fold(0i64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
    })
}

fn at(ms: i64) -> Option<f64> {
    (ms >= 0).then_some(ms as f64)
}

fn days_in_month(year: i64, month: i64) -> i64 {
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
    use super::parse;

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
            ("2024-02-29", 1_709_164_800_000.0),
            ("1970-01-01T00:00:00Z", 0.0),
            (" 2000-03-01T00:00:00.000Z ", 951_868_800_000.0),
        ] {
            assert_eq!(parse(text), Some(ms), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_such_a_time() {
        for text in [
            "",
            "yesterday",
            "2015-12-12T19:11:01",
            "2015-12-12T19:11:01.Z",
            "2023-02-29",
            "2015-13-01",
            "2015-12-32T00:00Z",
            "2015-12-12T24:00Z",
            "2015-12-12T19:60Z",
            "2015-12-12T19:11+25:00",
            "2015-12-12T19:11+01",
            "1969-12-31T23:59:59Z",
            "12/12/2015",
            "2015-1-12",
            "+2015-12-12",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
