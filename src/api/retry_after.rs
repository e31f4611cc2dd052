//! `Retry-After`, as delay-seconds or an HTTP-date.

use crate::engine::ReportDate;

/// `Retry-After` as a wait in ms: delay-seconds or an HTTP-date (`now_ms` is then Unix time in ms).
pub(super) fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    if let Some(seconds) = digits(value) {
        return Some(seconds as f64 * 1000.0);
    }
    let at_ms = parse_http_date(value)? as f64 * 1000.0;
    Some((at_ms - now_ms).max(0.0))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7) as Unix seconds. The weekday must be
/// a weekday's name but is not checked against the date.
fn parse_http_date(value: &str) -> Option<i64> {
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (weekday, rest) = value.split_once(", ")?;
    let mut parts = rest.split(' ');
    let mut next = |len: usize| parts.next().filter(|part| part.len() == len);
    let (day, month, year, time) = (next(2)?, next(3)?, next(4)?, next(8)?);
    if !WEEKDAYS.contains(&weekday) || next(3)? != "GMT" || parts.next().is_some() {
        return None;
    }
    let month = MONTHS.iter().position(|name| *name == month)? + 1;
    let day = ReportDate::from_ymd(digits(year)? as i32, month as u8, digits(day)? as u8)?;
    let mut clock = time.split(':').map(|part| digits(part).filter(|_| part.len() == 2));
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(day.unix_seconds() + (hour * 3600 + minute * 60 + second) as i64)
}

/// A run of ASCII digits (no sign, no spaces) as a number; None if empty or too long to matter.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_read_strictly() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"), Some(1_709_251_199));
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:37 GMT",
            "Sun, 06 Nov 1994 08:49:3 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov +994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }
}
