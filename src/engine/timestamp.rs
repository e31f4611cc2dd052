//! Event times. `date` is documented as `dd/MM/yyyyTHH:mm:ss`, but the API is beta, so ISO 8601 is read too,
//! and `a/b/yyyy` is ambiguous: every row is counted under both day orders and the order is chosen when the
//! summary is made (docs/summary.md), which keeps the parser streaming and chunk-invariant.

use core::fmt;

use time::{Date, Month};

use crate::engine::snapshot::{Reader, Snap, Writer, ensure, sum};
use crate::error::Result;

/// A calendar day (UTC), e.g. the date a report was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportDate(pub Date);

impl ReportDate {
    /// The day, or None when the calendar has no such day (2023-02-29, month 13).
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<ReportDate> {
        let month = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(ReportDate)
    }

    /// The UTC day of a Unix time, or None beyond the years ±9999.
    pub fn of_unix_seconds(seconds: i64) -> Option<ReportDate> {
        let julian = i32::try_from(seconds.div_euclid(86_400) + UNIX_EPOCH_JULIAN_DAY).ok()?;
        Date::from_julian_day(julian).ok().map(ReportDate)
    }

    /// Its first second as Unix time.
    pub fn unix_seconds(self) -> i64 {
        (i64::from(self.0.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY) * 86_400
    }
}

/// `yyyy-MM-dd`, the form the API and `validateReportDate` use. Written by hand: `time`'s formatting
/// machinery would be a tenth of the wasm module for two fixed formats.
impl fmt::Display for ReportDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

/// What a `date` field says before the day order is known; kept as it is for failed sign-ins, whose
/// times are only placed once the summary has chosen the day order.
#[derive(Clone, Copy)]
pub struct Stamp {
    day: Day,
    second_of_day: u32,
}

/// `a/b/yyyy` as written, or for ISO dates the day and month.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Day {
    a: u8,
    b: u8,
    year: u16,
    iso: bool,
}

const DAY_MONTH: usize = 0;
const MONTH_DAY: usize = 1;
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// Rows counted by hour separately for each of these series (the tally's kinds of action).
pub const SERIES: usize = 3;

/// Times seen under one day order.
#[derive(Clone, Default)]
struct OrderTally {
    dated: u64,
    first: Option<i64>,
    last: Option<i64>,
    by_hour: [[u64; 24]; SERIES],
    on_report_date: u64,
}

impl OrderTally {
    fn add(&mut self, julian_day: i64, second_of_day: u32, series: usize, report_day: Option<i64>) {
        let t = (julian_day - UNIX_EPOCH_JULIAN_DAY) * 86_400 + i64::from(second_of_day);
        self.dated += 1;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        self.by_hour[series][(second_of_day / 3600) as usize] += 1;
        if report_day == Some(julian_day) {
            self.on_report_date += 1;
        }
    }

    fn merge(&mut self, other: &OrderTally) {
        self.dated += other.dated;
        self.first = either_or_both(self.first, other.first, i64::min);
        self.last = either_or_both(self.last, other.last, i64::max);
        for (mine, theirs) in self.by_hour.iter_mut().zip(&other.by_hour) {
            for (h, n) in mine.iter_mut().zip(theirs) {
                *h += n;
            }
        }
        self.on_report_date += other.on_report_date;
    }
}

impl Snap for OrderTally {
    fn put(&self, w: &mut Writer) {
        let OrderTally {
            dated,
            first,
            last,
            by_hour,
            on_report_date,
        } = self;
        w.uint(*dated);
        w.opt_int(*first);
        w.opt_int(*last);
        for n in by_hour.iter().flatten() {
            w.uint(*n);
        }
        w.uint(*on_report_date);
    }

    fn take(r: &mut Reader<'_>) -> Result<Self> {
        let dated = r.uint()?;
        let first = r.opt_int()?;
        let last = r.opt_int()?;
        let mut by_hour = [[0; 24]; SERIES];
        let mut hours = 0u64;
        for n in by_hour.iter_mut().flatten() {
            *n = r.uint()?;
            hours = sum(hours, *n)?;
        }
        let on_report_date = r.uint()?;
        ensure(
            hours == dated && on_report_date <= dated,
            "its hours do not add up to its dated rows",
        )?;
        Ok(OrderTally {
            dated,
            first,
            last,
            by_hour,
            on_report_date,
        })
    }
}

fn either_or_both(a: Option<i64>, b: Option<i64>, pick: fn(i64, i64) -> i64) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// The time side of a Summary, as chosen from both day orders.
pub struct ChosenTimes {
    pub dated: u64,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    /// Dated rows by UTC hour, one histogram per series.
    pub by_hour: [[u64; 24]; SERIES],
}

#[derive(Clone, Default)]
pub struct EventTimes {
    report_day: Option<i64>,
    orders: [OrderTally; 2],
    first_part_over_12: bool,
    second_part_over_12: bool,
    /// Consecutive rows nearly always share their date, so its calendar check is reused.
    last_day: Option<(Day, [Option<i64>; 2])>,
}

impl EventTimes {
    pub fn new(report_date: Option<ReportDate>) -> Self {
        EventTimes {
            report_day: report_date.map(|d| i64::from(d.0.to_julian_day())),
            ..Default::default()
        }
    }

    /// Counts the time in `field` for a row of `series` (below `SERIES`); returns it, if it is one.
    #[inline]
    pub fn add(&mut self, field: &[u8], series: usize) -> Option<Stamp> {
        let stamp = parse(field)?;
        let Stamp { day, second_of_day } = stamp;
        if !day.iso {
            self.first_part_over_12 |= day.a > 12;
            self.second_part_over_12 |= day.b > 12;
        }
        let days = match self.last_day {
            Some((last, days)) if last == day => days,
            _ => {
                let days = if day.iso {
                    let julian = julian_day(day.year, day.b, day.a);
                    [julian, julian]
                } else {
                    [julian_day(day.year, day.b, day.a), julian_day(day.year, day.a, day.b)]
                };
                self.last_day = Some((day, days));
                days
            }
        };
        for (order, day) in self.orders.iter_mut().zip(days) {
            if let Some(day) = day {
                order.add(day, second_of_day, series, self.report_day);
            }
        }
        Some(stamp)
    }

    pub fn merge(&mut self, other: &EventTimes) {
        self.report_day = self.report_day.or(other.report_day);
        for (mine, theirs) in self.orders.iter_mut().zip(&other.orders) {
            mine.merge(theirs);
        }
        self.first_part_over_12 |= other.first_part_over_12;
        self.second_part_over_12 |= other.second_part_over_12;
    }

    /// Dated rows under either day order, which no count of rows may be below.
    pub fn most_dated(&self) -> u64 {
        self.orders[0].dated.max(self.orders[1].dated)
    }

    /// Whether `a/b/yyyy` dates read month first (docs/summary.md).
    fn month_first(&self) -> bool {
        let [day_month, month_day] = &self.orders;
        if self.report_day.is_some() && month_day.on_report_date != day_month.on_report_date {
            month_day.on_report_date > day_month.on_report_date
        } else {
            self.second_part_over_12 && !self.first_part_over_12
        }
    }

    /// Unix seconds of a stamp `add` returned, in the day order the Summary uses; None when that order
    /// makes it no calendar day (the row is undated there).
    pub fn unix_seconds(&self, stamp: Stamp) -> Option<i64> {
        let Day { a, b, year, iso } = stamp.day;
        let (month, day) = if iso || !self.month_first() { (b, a) } else { (a, b) };
        let julian = julian_day(year, month, day)?;
        Some((julian - UNIX_EPOCH_JULIAN_DAY) * 86_400 + i64::from(stamp.second_of_day))
    }

    pub fn chosen(&self) -> ChosenTimes {
        let order = &self.orders[if self.month_first() { MONTH_DAY } else { DAY_MONTH }];
        ChosenTimes {
            dated: order.dated,
            first_event: order.first.and_then(format_utc),
            last_event: order.last.and_then(format_utc),
            by_hour: order.by_hour,
        }
    }
}

impl Snap for EventTimes {
    fn put(&self, w: &mut Writer) {
        // `last_day` only spares repeated calendar checks while rows arrive.
        let EventTimes {
            report_day,
            orders,
            first_part_over_12,
            second_part_over_12,
            last_day: _,
        } = self;
        w.opt_int(*report_day);
        for order in orders {
            order.put(w);
        }
        w.uint(u64::from(*first_part_over_12) | u64::from(*second_part_over_12) << 1);
    }

    fn take(r: &mut Reader<'_>) -> Result<Self> {
        let report_day = r.opt_int()?;
        let orders = [OrderTally::take(r)?, OrderTally::take(r)?];
        let flags = r.uint()?;
        ensure(flags < 4, "its day-order flags are unknown")?;
        Ok(EventTimes {
            report_day,
            orders,
            first_part_over_12: flags & 1 != 0,
            second_part_over_12: flags & 2 != 0,
            last_day: None,
        })
    }
}

/// A failed sign-in's time as written.
impl Snap for Stamp {
    fn put(&self, w: &mut Writer) {
        let Stamp {
            day: Day { a, b, year, iso },
            second_of_day,
        } = *self;
        w.uint(u64::from(a));
        w.uint(u64::from(b));
        w.uint(u64::from(year) << 1 | u64::from(iso));
        w.uint(u64::from(second_of_day));
    }

    fn take(r: &mut Reader<'_>) -> Result<Self> {
        let (a, b, year, second_of_day) = (r.uint()?, r.uint()?, r.uint()?, r.uint()?);
        ensure(
            a <= 99 && b <= 99 && year >> 1 <= 9999 && second_of_day < 86_400,
            "a failed sign-in's time is no time a report can write",
        )?;
        Ok(Stamp {
            day: Day {
                a: a as u8,
                b: b as u8,
                year: (year >> 1) as u16,
                iso: year & 1 == 1,
            },
            second_of_day: second_of_day as u32,
        })
    }
}

fn julian_day(year: u16, month: u8, day: u8) -> Option<i64> {
    ReportDate::from_ymd(i32::from(year), month, day).map(|d| i64::from(d.0.to_julian_day()))
}

/// `yyyy-MM-ddTHH:mm:ssZ`.
pub fn format_utc(unix_seconds: i64) -> Option<String> {
    let day = ReportDate::of_unix_seconds(unix_seconds)?;
    let second = unix_seconds.rem_euclid(86_400);
    Some(format!(
        "{day}T{:02}:{:02}:{:02}Z",
        second / 3600,
        second / 60 % 60,
        second % 60
    ))
}

/// Reads `a/b/yyyy` or `yyyy-MM-dd`, then `T` or a space, `HH:mm:ss`, an optional fraction and `Z`.
fn parse(field: &[u8]) -> Option<Stamp> {
    let mut s = Cursor(field.trim_ascii());
    let first = s.number(1, 4)?;
    let (a, b, year, iso) = match s.next()? {
        b'/' if first.1 <= 2 => {
            let b = s.number(1, 2)?.0;
            s.expect(b'/')?;
            (first.0, b, s.number(4, 4)?.0, false)
        }
        b'-' if first.1 == 4 => {
            let month = s.number(2, 2)?.0;
            s.expect(b'-')?;
            (s.number(2, 2)?.0, month, first.0, true)
        }
        _ => return None,
    };
    if !matches!(s.next()?, b'T' | b' ') {
        return None;
    }
    let hour = s.number(1, 2)?.0;
    s.expect(b':')?;
    let minute = s.number(2, 2)?.0;
    s.expect(b':')?;
    let second = s.number(2, 2)?.0;
    if s.0.first() == Some(&b'.') {
        s.next();
        s.number(1, 9)?;
    }
    if s.0 == b"Z" {
        s.next();
    }
    if !s.0.is_empty() || hour > 23 || minute > 59 || second > 59 || a > 99 || b > 99 {
        return None;
    }
    Some(Stamp {
        day: Day {
            a: a as u8,
            b: b as u8,
            year: year as u16,
            iso,
        },
        second_of_day: hour * 3600 + minute * 60 + second,
    })
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn next(&mut self) -> Option<u8> {
        let (&c, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// A run of `min..=max` digits (more digits than `max` fail): its value and length.
    fn number(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let len = self.0.iter().take(max + 1).take_while(|c| c.is_ascii_digit()).count();
        if len < min || len > max {
            return None;
        }
        let value = self.0[..len].iter().fold(0, |v, &c| v * 10 + u32::from(c - b'0'));
        self.0 = &self.0[len..];
        Some((value, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times(dates: &[&str], report_date: Option<ReportDate>) -> ChosenTimes {
        let mut t = EventTimes::new(report_date);
        for d in dates {
            t.add(d.as_bytes(), 0);
        }
        t.chosen()
    }

    #[test]
    fn documented_format_and_iso() {
        let t = times(
            &[
                "06/06/2023T19:29:16",
                "2023-06-06T00:00:04Z",
                " 2023-06-06 23:59:59.123 ",
            ],
            None,
        );
        assert_eq!(t.dated, 3);
        assert_eq!(t.first_event.as_deref(), Some("2023-06-06T00:00:04Z"));
        assert_eq!(t.last_event.as_deref(), Some("2023-06-06T23:59:59Z"));
        assert_eq!((t.by_hour[0][0], t.by_hour[0][19], t.by_hour[0][23]), (1, 1, 1));
    }

    #[test]
    fn day_first_by_default_month_first_when_only_that_makes_sense() {
        let t = times(&["05/06/2023T10:00:00", "07/06/2023T10:00:00"], None);
        assert_eq!(t.first_event.as_deref(), Some("2023-06-05T10:00:00Z"));
        let t = times(&["06/05/2023T10:00:00", "06/25/2023T10:00:00"], None);
        assert_eq!(t.first_event.as_deref(), Some("2023-06-05T10:00:00Z"));
        assert_eq!(t.dated, 2);
    }

    #[test]
    fn report_date_decides_the_day_order() {
        let day = ReportDate::from_ymd(2023, 6, 7);
        let t = times(&["06/07/2023T10:00:00", "06/07/2023T11:00:00"], day);
        assert_eq!(t.first_event.as_deref(), Some("2023-06-07T10:00:00Z"));
        let t = times(&["07/06/2023T10:00:00"], day);
        assert_eq!(t.first_event.as_deref(), Some("2023-06-07T10:00:00Z"));
    }

    #[test]
    fn impossible_or_malformed_dates_are_undated() {
        for bad in [
            "",
            "31/02/2023T10:00:00",
            "06/06/2023T24:00:00",
            "06/06/2023T10:60:00",
            "06/06/23T10:00:00",
            "2023-6-06T10:00:00",
            "06/06/2023",
            "06/06/2023T10:00",
            "06/06/2023T10:00:00+01:00",
            "x",
            "006/06/2023T10:00:00",
            "2023-06-06T10:00:00ZZ",
        ] {
            assert_eq!(times(&[bad], None).dated, 0, "{bad:?}");
        }
    }

    #[test]
    fn days_are_written_yyyy_mm_dd_with_padding() {
        assert_eq!(ReportDate::from_ymd(999, 1, 2).unwrap().to_string(), "0999-01-02");
        assert_eq!(ReportDate::from_ymd(2023, 12, 31).unwrap().to_string(), "2023-12-31");
    }

    #[test]
    fn utc_times_are_written_to_the_second() {
        assert_eq!(format_utc(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(format_utc(1_686_079_756).as_deref(), Some("2023-06-06T19:29:16Z"));
        assert_eq!(format_utc(951_868_799).as_deref(), Some("2000-02-29T23:59:59Z"));
        assert_eq!(format_utc(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(format_utc(253_402_300_799).as_deref(), Some("9999-12-31T23:59:59Z"));
        assert_eq!(format_utc(i64::MAX), None);
    }

    #[test]
    fn unix_days_round_trip() {
        let day = ReportDate::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(day.unix_seconds(), 1_709_164_800);
        assert_eq!(ReportDate::of_unix_seconds(1_709_164_800 + 86_399), Some(day));
        assert_eq!(
            ReportDate::of_unix_seconds(1_709_164_800 - 1),
            ReportDate::from_ymd(2024, 2, 28)
        );
        assert_eq!(ReportDate::from_ymd(2023, 2, 29), None);
        assert_eq!(ReportDate::from_ymd(2023, 13, 1), None);
    }
}
