//! The report-date window: yesterday back to 30 days ago, UTC.
//!
//! Checked before any request, so a wrong date costs the user no round trip and no rate-limit budget.

use time::Duration;

use crate::engine::ReportDate;
use crate::error::{Error, ErrorCode, Result, quoted};

/// The oldest day the API still reports on, counted back from `today`.
const OLDEST_DAYS_AGO: i64 = 30;

/// The oldest and the newest day the API reports on when it is `today` (UTC); None when `today` is too
/// close to the start of the calendar to have them.
pub fn report_date_window(today: ReportDate) -> Option<(ReportDate, ReportDate)> {
    let days_ago = |n| today.0.checked_sub(Duration::days(n)).map(ReportDate);
    Some((days_ago(OLDEST_DAYS_AGO)?, days_ago(1)?))
}

/// Checks a `yyyy-MM-dd` date against the window relative to `today` (UTC).
pub fn validate_report_date(date: &str, today: ReportDate) -> Result<ReportDate> {
    let day = parse_report_date(date)?;
    match report_date_window(today) {
        Some((oldest, newest)) if (oldest..=newest).contains(&day) => Ok(day),
        Some((oldest, newest)) => Err(Error::new(
            ErrorCode::DateOutOfRange,
            format!(
                "The API only reports on yesterday back to {OLDEST_DAYS_AGO} days ago (UTC): choose a date from {oldest} to {newest}."
            ),
        )),
        // Today is the first day of the calendar: no day of the window exists.
        None => Err(Error::new(
            ErrorCode::DateOutOfRange,
            "The current time given is before any report: give the current time.",
        )),
    }
}

/// Reads exactly `yyyy-MM-dd` with ASCII digits (no signs, spaces or short fields, which the API would
/// refuse), whatever the day; e.g. the date of a report file opened from disk.
pub fn parse_report_date(date: &str) -> Result<ReportDate> {
    let bytes = date.as_bytes();
    let well_formed = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(Error::new(
            ErrorCode::BadDate,
            format!(
                "The report date {} is not in the form yyyy-MM-dd (for example 2023-06-06).",
                quoted(date)
            ),
        ));
    }
    let number =
        |range: core::ops::Range<usize>| -> u16 { bytes[range].iter().fold(0, |n, b| n * 10 + u16::from(b - b'0')) };
    ReportDate::from_ymd(i32::from(number(0..4)), number(5..7) as u8, number(8..10) as u8).ok_or_else(|| {
        Error::new(
            ErrorCode::BadDate,
            format!("The report date {date} is not a day of the calendar: check the month and day."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32, month: u8, day: u8) -> ReportDate {
        ReportDate::from_ymd(year, month, day).unwrap()
    }

    fn code(input: &str) -> ErrorCode {
        validate_report_date(input, day(2023, 6, 21)).unwrap_err().code
    }

    #[test]
    fn yesterday_and_thirty_days_ago_are_the_edges() {
        assert_eq!(
            validate_report_date("2023-06-20", day(2023, 6, 21)),
            Ok(day(2023, 6, 20))
        );
        assert_eq!(
            validate_report_date("2023-05-22", day(2023, 6, 21)),
            Ok(day(2023, 5, 22))
        );
        assert_eq!(
            code("2023-06-21"),
            ErrorCode::DateOutOfRange,
            "today is not reported yet"
        );
        assert_eq!(code("2023-05-21"), ErrorCode::DateOutOfRange, "31 days ago is gone");
        assert_eq!(code("2024-06-20"), ErrorCode::DateOutOfRange);
    }

    #[test]
    fn out_of_range_names_the_allowed_days() {
        let message = validate_report_date("2023-01-01", day(2023, 6, 21))
            .unwrap_err()
            .message;
        assert!(message.contains("from 2023-05-22 to 2023-06-20"), "{message}");
    }

    #[test]
    fn the_window_crosses_month_and_year_ends() {
        let new_year = day(2024, 1, 1);
        assert!(validate_report_date("2023-12-31", new_year).is_ok());
        assert!(validate_report_date("2023-12-02", new_year).is_ok());
        assert_eq!(
            validate_report_date("2023-12-01", new_year).unwrap_err().code,
            ErrorCode::DateOutOfRange
        );
        let leap = day(2024, 3, 1);
        assert!(validate_report_date("2024-02-29", leap).is_ok());
        assert!(validate_report_date("2024-01-31", leap).is_ok());
        assert_eq!(
            validate_report_date("2024-01-30", leap).unwrap_err().code,
            ErrorCode::DateOutOfRange
        );
    }

    #[test]
    fn only_strict_yyyy_mm_dd_is_read() {
        for bad in [
            "",
            "2023-6-20",
            "2023-06-2",
            "20-06-2023",
            "2023/06/20",
            "2023-06-20T00:00",
            " 2023-06-20",
            "2023-06-20 ",
            "+023-06-20",
            "2023-0a-20",
            "２０２３-06-20",
            "06/20/2023",
        ] {
            assert_eq!(code(bad), ErrorCode::BadDate, "{bad:?}");
        }
        let message = validate_report_date("yesterday", day(2023, 6, 21)).unwrap_err().message;
        assert!(message.contains("yyyy-MM-dd"), "{message}");
    }

    #[test]
    fn impossible_days_are_bad_dates() {
        for bad in ["2023-02-29", "2023-06-31", "2023-13-01", "2023-00-10", "2023-06-00"] {
            assert_eq!(code(bad), ErrorCode::BadDate, "{bad:?}");
        }
    }

    #[test]
    fn long_input_is_shortened_in_the_message() {
        let message = validate_report_date(&"x".repeat(10_000), day(2023, 6, 21))
            .unwrap_err()
            .message;
        assert!(message.len() < 200, "{message}");
    }

    #[test]
    fn a_today_at_the_start_of_the_calendar_has_no_window() {
        let first = ReportDate(time::Date::MIN);
        assert_eq!(
            validate_report_date("2023-06-20", first).unwrap_err().code,
            ErrorCode::DateOutOfRange
        );
    }
}
