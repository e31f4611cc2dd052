//! ReportParser: wires gzip → records → columns → tally for bytes pushed in any chunking.

use crate::engine::columns::Columns;
use crate::engine::interner::same_bytes;
use crate::engine::records::{Record, RecordSplitter};
use crate::engine::{GzipDecoder, ReportDate, Tally};
use crate::error::{Error, ErrorCode, Result, quoted};
use crate::limits::MAX_TALLY_BYTES;

/// Record bytes read between two checks of the tables' size: small enough that one stretch cannot add
/// much past `MAX_TALLY_BYTES`, large enough that the check costs nothing per row.
const CHECK_EVERY_BYTES: usize = 1 << 20;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How the bytes arrive: not yet known (fewer than two bytes seen), plain CSV, or gzip.
enum Encoding {
    Unknown(Vec<u8>),
    Plain,
    Gzip(Box<GzipDecoder>),
}

/// A slice: only rows whose field in `column` (a header name, matched as columns are) is exactly `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub column: String,
    pub value: Vec<u8>,
}

pub struct ReportParser {
    report_date: Option<ReportDate>,
    encoding: Encoding,
    csv: CsvStage,
    failed: Option<Error>,
}

impl ReportParser {
    /// `report_date`, when known (a fetch), decides the day order of `a/b/yyyy` dates.
    pub fn new(report_date: Option<ReportDate>) -> Self {
        ReportParser::filtered(report_date, Vec::new())
    }

    /// A parser that counts only the rows every one of `filters` matches (unreadable rows still count as
    /// skipped). A filter naming a column the report lacks fails with BAD_FILTER once the header is read.
    pub fn filtered(report_date: Option<ReportDate>, filters: Vec<Filter>) -> Self {
        ReportParser {
            report_date,
            encoding: Encoding::Unknown(Vec::new()),
            csv: CsvStage::new(report_date, filters),
            failed: None,
        }
    }

    /// Reads the next piece of the report. After an error every call returns that error.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.guard(|p| p.push_bytes(chunk))
    }

    /// Rows read so far, for progress.
    pub fn rows(&self) -> u64 {
        self.csv.tally.rows()
    }

    /// Ends the report and returns its tally; the parser is then ready for another report.
    pub fn finish(&mut self) -> Result<Tally> {
        let result = self.guard(|p| p.finish_bytes());
        let fresh = ReportParser::filtered(self.report_date, self.csv.filters.clone());
        let done = std::mem::replace(self, fresh);
        result.map(|()| done.csv.tally)
    }

    fn guard(&mut self, step: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        step(self).inspect_err(|error| self.failed = Some(error.clone()))
    }

    fn push_bytes(&mut self, chunk: &[u8]) -> Result<()> {
        let Encoding::Unknown(head) = &mut self.encoding else {
            return self.push_known(chunk);
        };
        let Some(rest) = gather(head, &GZIP_MAGIC, chunk) else {
            return Ok(());
        };
        let head = std::mem::take(head);
        self.encoding = if head == GZIP_MAGIC {
            Encoding::Gzip(Box::default())
        } else {
            Encoding::Plain
        };
        self.push_known(&head)?;
        self.push_known(rest)
    }

    fn push_known(&mut self, bytes: &[u8]) -> Result<()> {
        match &mut self.encoding {
            Encoding::Gzip(gzip) => gzip.push(bytes, &mut |plain| self.csv.push(plain)),
            _ => self.csv.push(bytes),
        }
    }

    fn finish_bytes(&mut self) -> Result<()> {
        match &mut self.encoding {
            Encoding::Unknown(head) => {
                let head = std::mem::take(head);
                self.csv.push(&head)?;
            }
            Encoding::Gzip(gzip) => gzip.finish()?,
            Encoding::Plain => {}
        }
        self.csv.finish()
    }
}

/// Plain CSV → records → the tally, once the header has said where each column is.
struct CsvStage {
    /// The first bytes, held until it is clear whether they are a BOM.
    head: Option<Vec<u8>>,
    records: RecordSplitter,
    filters: Vec<Filter>,
    layout: Option<Layout>,
    tally: Tally,
    /// Record bytes read since the tables' size was last checked.
    unchecked_bytes: usize,
}

impl CsvStage {
    fn new(report_date: Option<ReportDate>, filters: Vec<Filter>) -> Self {
        CsvStage {
            head: Some(Vec::new()),
            records: RecordSplitter::default(),
            filters,
            layout: None,
            tally: Tally::new(report_date),
            unchecked_bytes: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(head) = &mut self.head else {
            return self.split(bytes);
        };
        let Some(rest) = gather(head, BOM, bytes) else {
            return Ok(());
        };
        self.flush_head()?;
        self.split(rest)
    }

    fn flush_head(&mut self) -> Result<()> {
        match self.head.take() {
            Some(head) => self.split(head.strip_prefix(BOM).unwrap_or(&head)),
            None => Ok(()),
        }
    }

    fn split(&mut self, bytes: &[u8]) -> Result<()> {
        let CsvStage {
            records,
            filters,
            layout,
            tally,
            unchecked_bytes,
            ..
        } = self;
        records.push(bytes, &mut |record| {
            *unchecked_bytes += record.byte_len();
            if *unchecked_bytes >= CHECK_EVERY_BYTES {
                *unchecked_bytes = 0;
                check_size(tally)?;
            }
            read_record(layout, filters, tally, record)
        })
    }

    fn finish(&mut self) -> Result<()> {
        self.flush_head()?;
        let CsvStage {
            records,
            filters,
            layout,
            tally,
            ..
        } = self;
        records.finish(&mut |record| read_record(layout, filters, tally, record))?;
        if layout.is_none() {
            return Err(Error::new(
                ErrorCode::NotAReport,
                "The report is empty: it has no header line. Fetch the report again, or open the .csv or .csv.gz file downloaded from the raw statistics API.",
            ));
        }
        Ok(())
    }
}

fn check_size(tally: &Tally) -> Result<()> {
    if tally.held_bytes() <= MAX_TALLY_BYTES {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::TooLarge,
        format!(
            "After {} rows the report holds more distinct values than the 1 GiB its tables may use, far beyond any real day (a million distinct accounts and addresses need about 80 MB): the file is damaged or is not a raw statistics report.",
            tally.rows()
        ),
    ))
}

/// Adds the start of `chunk` to `head` while `head` could still turn out to be `wanted`. Returns what is
/// left of `chunk` once that is decided, or `None` while more bytes are needed.
fn gather<'a>(head: &mut Vec<u8>, wanted: &[u8], chunk: &'a [u8]) -> Option<&'a [u8]> {
    let take = chunk.len().min(wanted.len().saturating_sub(head.len()));
    head.extend_from_slice(&chunk[..take]);
    let undecided = head.len() < wanted.len() && wanted.starts_with(head);
    (!undecided).then_some(&chunk[take..])
}

/// The header's columns, and each filter's place and value.
struct Layout {
    columns: Columns,
    filters: Vec<(usize, Vec<u8>)>,
}

fn read_record(layout: &mut Option<Layout>, filters: &[Filter], tally: &mut Tally, record: Record<'_>) -> Result<()> {
    match layout {
        Some(Layout { columns, filters }) if record.len() == columns.width => {
            if filters.iter().all(|(at, value)| same_bytes(record.field(*at), value)) {
                tally.add_row(columns, &record);
            }
        }
        Some(_) => tally.skip_row(),
        None => {
            let columns = Columns::from_header(&record).ok_or_else(|| {
                Error::new(
                    ErrorCode::NotAReport,
                    "This is not an OpenAthens raw statistics report: its first line has no \"action\" and \"status\" columns. Open the .csv or .csv.gz file downloaded from the raw statistics API.",
                )
            })?;
            let filters = filters
                .iter()
                .map(|filter| match columns.position(&filter.column) {
                    Some(at) => Ok((at, filter.value.clone())),
                    None => Err(Error::new(
                        ErrorCode::BadFilter,
                        format!(
                            "The report has no column {} to slice by. Remove that slice, or choose a column the report has.",
                            quoted(&filter.column)
                        ),
                    )),
                })
                .collect::<Result<_>>()?;
            tally.start_file(&columns);
            *layout = Some(Layout { columns, filters });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Summary;

    fn summarize(bytes: &[u8]) -> Result<Summary> {
        let mut parser = ReportParser::new(None);
        parser.push(bytes)?;
        Ok(parser.finish()?.summary())
    }

    const REPORT: &str = "\u{feff}date,action,status,account.permissionsets,account.accountid,request.ipaddress,attribute.resourceid,attribute.resourcetitle,attribute.federationctx,Attribute.Dept\r\n\
06/06/2023T19:29:16,AUTHENTICATE,SUCCESS,\"demo#default, demo#extra\",acc-1,10.0.0.1,,,,Maths\r\n\
06/06/2023T19:30:00,LOCAL_AUTHENTICATE,ACCOUNT_ERROR_BAD_PASSWORD,,acc-2,10.0.0.2,,,,\r\n\
06/06/2023T20:00:00,FEDERATED_TRANSFER,SUCCESS,demo#default,acc-1,10.0.0.1,https://sp.example/a,\"Cool, Inc.\",oafed,Maths\r\n\
06/06/2023T20:00:01,FEDERATED_TRANSFER,FAILURE_RESTRICTIVE,demo#default,acc-1,10.0.0.1,https://sp.example/a,,ukfed,Maths\r\n\
not a date,LOCAL_FEDERATED_TRANSFER,FAILURE_NO_LICENCE, ,,,https://sp.example/b,B,,Physics\r\n\
too,few,fields\r\n";

    #[test]
    fn a_small_report_adds_up() {
        let s = summarize(REPORT.as_bytes()).unwrap();
        assert_eq!((s.rows, s.skipped_rows, s.undated_rows), (5, 1, 1));
        assert_eq!(s.columns[0], "date");
        assert_eq!(s.columns[9], "Attribute.Dept");
        assert_eq!(s.first_event.as_deref(), Some("2023-06-06T19:29:16Z"));
        assert_eq!(s.last_event.as_deref(), Some("2023-06-06T20:00:01Z"));
        assert_eq!((s.by_hour[19], s.by_hour[20]), (2, 2));
        assert_eq!(
            (
                s.authentications.total,
                s.authentications.succeeded,
                s.authentications.failed
            ),
            (2, 1, 1)
        );
        let t = &s.transfers;
        assert_eq!((t.total, t.succeeded, t.blocked_restrictive, t.failed), (3, 1, 1, 1));
        assert_eq!(s.by_action_status["FEDERATED_TRANSFER"]["FAILURE_RESTRICTIVE"], 1);
        assert_eq!(s.resources.len(), 2);
        let a = &s.resources[0];
        assert_eq!(
            (
                a.id.as_str(),
                a.title.as_str(),
                a.federation.as_str(),
                a.transfers,
                a.blocked
            ),
            ("https://sp.example/a", "Cool, Inc.", "ukfed", 2, 1)
        );
        assert_eq!(s.by_permission_set["demo#default"], 3);
        assert_eq!(s.by_permission_set["demo#extra"], 1);
        assert_eq!(s.by_permission_set[""], 2);
        assert_eq!((s.distinct_accounts, s.distinct_ips), (2, 2));
        assert_eq!(s.custom_attributes["Dept"]["Maths"], 3);
        assert_eq!(s.by_country[""], 5);
    }

    #[test]
    fn any_chunking_gives_the_same_summary() {
        let whole = summarize(REPORT.as_bytes()).unwrap();
        for size in 1..=7 {
            let mut parser = ReportParser::new(None);
            for chunk in REPORT.as_bytes().chunks(size) {
                parser.push(chunk).unwrap();
            }
            assert_eq!(parser.finish().unwrap().summary(), whole, "chunks of {size}");
        }
    }

    #[test]
    fn empty_and_headerless_input_is_not_a_report() {
        for input in ["", "\u{feff}", "\r\n\r\n", "date,what\n1,2\n", "\u{1f}"] {
            assert_eq!(
                summarize(input.as_bytes()).unwrap_err().code,
                ErrorCode::NotAReport,
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_header_alone_is_an_empty_day() {
        let s = summarize(b"status,action").unwrap();
        assert_eq!((s.rows, s.first_event, s.by_hour), (0, None, [0; 24]));
        assert_eq!(s.columns, vec!["status", "action"]);
    }

    #[test]
    fn errors_stick_and_finish_readies_the_parser_again() {
        let mut parser = ReportParser::new(None);
        assert!(parser.push(b"nope\n").is_err());
        assert_eq!(parser.push(b"action,status\n").unwrap_err().code, ErrorCode::NotAReport);
        assert!(parser.finish().is_err());
        parser.push(b"action,status\nAUTHENTICATE,SUCCESS\n").unwrap();
        assert_eq!(parser.finish().unwrap().summary().rows, 1);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_lossily() {
        let s = summarize(b"action,status,request.countrycode\nA\xff,S,G\xfeB\nA\xfe,S,GB\n").unwrap();
        assert_eq!(s.by_action["A\u{fffd}"], 2);
        assert_eq!(s.by_country["G\u{fffd}B"], 1);
    }

    #[test]
    fn merged_tallies_count_distinct_values_once() {
        let mut one = ReportParser::new(None);
        one.push(b"action,status,account.accountid,request.ipaddress,attribute.resourceid,attribute.resourcetitle,attribute.x\nAUTHENTICATE,SUCCESS,a,1,,,p\nFEDERATED_TRANSFER,SUCCESS,b,2,r,Old,q\n").unwrap();
        let mut merged = one.finish().unwrap();
        let mut two = ReportParser::new(None);
        two.push(b"status,action,account.accountid,request.ipaddress,attribute.resourceid,attribute.resourcetitle,attribute.y\nSUCCESS,FEDERATED_TRANSFER,b,3,r,New,z\nFAILURE_RESTRICTIVE,FEDERATED_TRANSFER,c,3,r,,z\n").unwrap();
        merged.merge(two.finish().unwrap());
        let s = merged.summary();
        assert_eq!((s.rows, s.distinct_accounts, s.distinct_ips), (4, 3, 3));
        assert_eq!(
            (
                s.resources[0].transfers,
                s.resources[0].blocked,
                s.resources[0].title.as_str()
            ),
            (3, 1, "New")
        );
        assert_eq!(s.by_action_status["FEDERATED_TRANSFER"]["SUCCESS"], 2);
        assert_eq!(s.custom_attributes["x"]["p"], 1);
        assert_eq!(s.custom_attributes["y"]["z"], 2);
        assert_eq!(s.columns.len(), 8);
    }

    fn sliced(filters: &[(&str, &str)]) -> Result<Summary> {
        let filters = filters
            .iter()
            .map(|(column, value)| Filter {
                column: column.to_string(),
                value: value.as_bytes().to_vec(),
            })
            .collect();
        let mut parser = ReportParser::filtered(None, filters);
        parser.push(REPORT.as_bytes())?;
        Ok(parser.finish()?.summary())
    }

    #[test]
    fn a_slice_counts_only_its_rows_and_slices_stack() {
        let s = sliced(&[("ACTION", "FEDERATED_TRANSFER")]).unwrap();
        assert_eq!((s.rows, s.skipped_rows, s.transfers.total), (2, 1, 2));
        let s = sliced(&[
            (" action\t", "FEDERATED_TRANSFER"),
            ("attribute.federationctx", "ukfed"),
        ])
        .unwrap();
        assert_eq!((s.rows, s.resources[0].blocked), (1, 1));
        let s = sliced(&[("request.ipaddress", "")]).unwrap();
        assert_eq!((s.rows, s.by_action["LOCAL_FEDERATED_TRANSFER"]), (1, 1));
        assert_eq!(
            sliced(&[("action", "federated_transfer")]).unwrap().rows,
            0,
            "values match exactly"
        );
    }

    #[test]
    fn a_slice_by_a_column_the_report_lacks_is_bad_filter_and_parsers_keep_their_slice() {
        let error = sliced(&[("action", "AUTHENTICATE"), ("account.nothing", "x")]).unwrap_err();
        assert_eq!(error.code, ErrorCode::BadFilter);
        assert!(error.message.contains("\"account.nothing\""), "{}", error.message);
        let mut parser = ReportParser::filtered(
            None,
            vec![Filter {
                column: "status".into(),
                value: b"SUCCESS".to_vec(),
            }],
        );
        for _ in 0..2 {
            parser.push(b"action,status\nA,SUCCESS\nA,FAILED\n").unwrap();
            assert_eq!(parser.finish().unwrap().summary().rows, 1);
        }
    }
}
