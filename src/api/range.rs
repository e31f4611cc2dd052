//! A range of report days: which days, and their tallies merged in date order whatever order they finish in.

use crate::engine::{ReportDate, Tally};
use crate::error::{Error, ErrorCode, Result};

/// The days from `from` to `to`, both included; BAD_DATE when `from` is after `to`.
pub fn range_days(from: ReportDate, to: ReportDate) -> Result<Vec<ReportDate>> {
    if from > to {
        return Err(Error::new(
            ErrorCode::BadDate,
            format!("The range starts ({from}) after it ends ({to}): give from on or before to."),
        ));
    }
    Ok(
        std::iter::successors(Some(from), |day| day.0.next_day().map(ReportDate))
            .take_while(|day| *day <= to)
            .collect(),
    )
}

enum Slot {
    Running,
    /// Finished, waiting for an earlier day before it is merged.
    Waiting(Box<Tally>),
    Merged,
}

/// The days' tallies merged in date order as they finish: the merge is then the same whichever day
/// finishes first (a resource's title is the latest day's), and a finished day's tally is held only while
/// an earlier day is still running.
pub struct OrderedMerge {
    slots: Vec<Slot>,
    next: usize,
    merged: Option<Tally>,
    first_error: Option<(usize, Error)>,
}

impl OrderedMerge {
    /// A merge waiting for `days` days.
    pub fn new(days: usize) -> Self {
        OrderedMerge {
            slots: (0..days).map(|_| Slot::Running).collect(),
            next: 0,
            merged: None,
            first_error: None,
        }
    }

    /// Day `at` (its place in the range) has finished.
    pub fn finish(&mut self, at: usize, result: Result<Tally>) {
        self.slots[at] = match result {
            Ok(tally) => Slot::Waiting(Box::new(tally)),
            Err(error) => {
                if self.first_error.as_ref().is_none_or(|(first, _)| at < *first) {
                    self.first_error = Some((at, error));
                }
                Slot::Merged
            }
        };
        while self.next < self.slots.len() {
            match std::mem::replace(&mut self.slots[self.next], Slot::Merged) {
                Slot::Running => {
                    self.slots[self.next] = Slot::Running;
                    break;
                }
                Slot::Waiting(tally) => match &mut self.merged {
                    Some(merged) => merged.merge(*tally),
                    None => self.merged = Some(*tally),
                },
                Slot::Merged => {}
            }
            self.next += 1;
        }
    }

    /// The merge of every day that succeeded; when none did, the earliest failed day's error (its date,
    /// from `days`, in the message).
    pub fn done(self, days: &[ReportDate]) -> Result<Tally> {
        match (self.merged, self.first_error) {
            (Some(merged), _) if self.next == self.slots.len() => Ok(merged),
            (None, Some((at, error))) if self.next == self.slots.len() => Err(Error::new(
                error.code,
                format!("No day of the range gave a report. {}: {}", days[at], error.message),
            )),
            _ => Err(Error::new(
                ErrorCode::Aborted,
                "The range was stopped before every day had finished.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ReportParser;

    fn day(d: u8) -> ReportDate {
        ReportDate::from_ymd(2024, 2, d).unwrap()
    }

    fn tally(csv: &str) -> Tally {
        let mut parser = ReportParser::new(None);
        parser.push(csv.as_bytes()).unwrap();
        parser.finish().unwrap()
    }

    #[test]
    fn days_of_a_range_cross_month_ends() {
        let days = range_days(day(27), ReportDate::from_ymd(2024, 3, 2).unwrap()).unwrap();
        let shown: Vec<String> = days.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]
        );
        assert_eq!(range_days(day(3), day(3)).unwrap(), [day(3)]);
        assert_eq!(range_days(day(4), day(3)).unwrap_err().code, ErrorCode::BadDate);
    }

    fn day_csv(title: &str, account: &str) -> String {
        format!(
            "action,status,account.accountid,attribute.resourceid,attribute.resourcetitle\nFEDERATED_TRANSFER,SUCCESS,{account},r,{title}\n"
        )
    }

    #[test]
    fn any_finishing_order_merges_in_date_order() {
        let days = [day(1), day(2), day(3)];
        let csvs = [day_csv("first", "a"), day_csv("second", "b"), day_csv("third", "a")];
        let mut in_order = OrderedMerge::new(3);
        for (at, csv) in csvs.iter().enumerate() {
            in_order.finish(at, Ok(tally(csv)));
        }
        let want = in_order.done(&days).unwrap().summary();
        assert_eq!((want.resources[0].title.as_str(), want.distinct_accounts), ("third", 2));
        for order in [[2, 0, 1], [1, 2, 0], [2, 1, 0]] {
            let mut merge = OrderedMerge::new(3);
            for at in order {
                merge.finish(at, Ok(tally(&csvs[at])));
            }
            assert_eq!(merge.done(&days).unwrap().summary(), want, "{order:?}");
        }
    }

    #[test]
    fn failed_days_are_left_out_and_all_failing_gives_the_earliest_error() {
        let days = [day(1), day(2), day(3)];
        let mut merge = OrderedMerge::new(3);
        merge.finish(1, Err(Error::new(ErrorCode::Server, "down")));
        merge.finish(2, Ok(tally(&day_csv("t", "a"))));
        merge.finish(0, Err(Error::new(ErrorCode::Auth, "no")));
        assert_eq!(merge.done(&days).unwrap().summary().rows, 1);

        let mut merge = OrderedMerge::new(3);
        merge.finish(2, Err(Error::new(ErrorCode::Server, "down")));
        merge.finish(1, Err(Error::new(ErrorCode::Auth, "no")));
        let running = OrderedMerge::new(1);
        merge.finish(0, Err(Error::new(ErrorCode::Timeout, "slow")));
        let error = merge.done(&days).map(|t| t.rows()).unwrap_err();
        assert_eq!(error.code, ErrorCode::Timeout);
        assert!(error.message.contains("2024-02-01: slow"), "{}", error.message);
        assert_eq!(
            running.done(&days[..1]).map(|t| t.rows()).unwrap_err().code,
            ErrorCode::Aborted
        );
    }
}
