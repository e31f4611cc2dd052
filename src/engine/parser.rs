//! ReportParser: wires gzip → records → columns → tally for bytes pushed in any chunking.

use foldhash::fast::FixedState;
use hashbrown::HashMap;

use crate::engine::columns::Columns;
use crate::engine::gzip::Inflated;
use crate::engine::interner::same_bytes;
use crate::engine::records::{Record, RecordSplitter};
use crate::engine::{GzipDecoder, ReportDate, Tally};
use crate::error::{Error, ErrorCode, Result, quoted};
use crate::limits::{MAX_FILTERS, MAX_TALLY_BYTES};

/// Record bytes read between two checks of the tables' size: small enough that one stretch cannot add
/// much past `MAX_TALLY_BYTES`, large enough that the check costs nothing per row.
const CHECK_EVERY_BYTES: usize = 1 << 20;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Within a gzip member's first `HOLD_BYTES` of data, an error the CSV makes waits for the member's
/// checksum: data that a damaged member decodes to is garbage, and garbage makes the CSV fail for the
/// wrong reason (a "record" of a megabyte, say), while the checksum names the real one. Past it, the error
/// is returned at once, so a long or endless member cannot postpone it for ever. The bound is a place in
/// the member's data, not a distance from the error, so the outcome does not depend on chunking.
const HOLD_BYTES: u64 = 16 << 20;

/// How the bytes arrive: not yet known (fewer than two bytes seen), plain CSV, or gzip.
enum Encoding {
    Unknown(Vec<u8>),
    Plain,
    Gzip(Box<GzipDecoder>),
}

/// A slice: only rows whose field in `column` (a header name, matched as columns are) is exactly `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// The header name.
    pub column: String,
    /// The exact bytes a row's field must have.
    pub value: Vec<u8>,
}

/// The first half of a [`ReportParser`]: report bytes, gzip or plain CSV (told apart by the first bytes),
/// into [`Inflated`] pieces for a [`CsvSide`]. The page runs the halves on two threads.
pub struct ReportDecoder {
    encoding: Encoding,
}

impl Default for ReportDecoder {
    fn default() -> Self {
        ReportDecoder {
            encoding: Encoding::Unknown(Vec::new()),
        }
    }
}

impl ReportDecoder {
    /// Reads the next piece of the report. After an error every call returns that error.
    pub fn push<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, chunk: &[u8], out: &mut F) -> Result<()> {
        let Encoding::Unknown(head) = &mut self.encoding else {
            return self.push_known(chunk, out);
        };
        let Some(rest) = sniff_prefix(head, &GZIP_MAGIC, chunk) else {
            return Ok(());
        };
        let head = std::mem::take(head);
        self.encoding = if head == GZIP_MAGIC {
            Encoding::Gzip(Box::default())
        } else {
            Encoding::Plain
        };
        self.push_known(&head, out)?;
        self.push_known(rest, out)
    }

    fn push_known<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, bytes: &[u8], out: &mut F) -> Result<()> {
        match &mut self.encoding {
            Encoding::Gzip(gzip) => gzip.push(bytes, out),
            _ if bytes.is_empty() => Ok(()),
            _ => out(Inflated::Data(bytes)),
        }
    }

    /// The report has ended: Ok unless the gzip data is cut off.
    pub fn finish<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, out: &mut F) -> Result<()> {
        match &mut self.encoding {
            Encoding::Unknown(head) => {
                let head = std::mem::take(head);
                self.encoding = Encoding::Plain;
                self.push_known(&head, out)
            }
            Encoding::Gzip(gzip) => gzip.finish(),
            Encoding::Plain => Ok(()),
        }
    }
}

/// The second half of a [`ReportParser`]: decoded pieces into a [`Tally`], deciding which error a report
/// gets. An error from the CSV inside a gzip member's first `HOLD_BYTES` waits for the member's end; if
/// the decoder fails first, its error is the one to give.
pub struct CsvSide {
    csv: CsvStage,
    /// Data read of the gzip member being read, None outside a member (and for plain CSV).
    member_len: Option<u64>,
    held: Option<Error>,
}

impl CsvSide {
    /// A CSV side that counts only the rows every one of `filters` matches (see [`ReportParser::filtered`]).
    pub fn new(report_date: Option<ReportDate>, filters: Vec<Filter>) -> Self {
        CsvSide {
            csv: CsvStage::new(report_date, filters),
            member_len: None,
            held: None,
        }
    }

    /// Takes the decoder's next piece; an error is the report's (a held one is not returned until it is).
    pub fn take(&mut self, piece: Inflated<'_>) -> Result<()> {
        match piece {
            Inflated::MemberStart => self.member_len = Some(0),
            Inflated::MemberEnd => self.member_len = None,
            Inflated::Data(bytes) => {
                if let Some(len) = &mut self.member_len {
                    *len += bytes.len() as u64;
                }
                if self.held.is_none() {
                    self.held = self.csv.push(bytes).err();
                }
            }
        }
        match (&self.held, self.member_len) {
            (None, _) => Ok(()),
            (Some(_), Some(len)) if len < HOLD_BYTES => Ok(()),
            (Some(error), _) => Err(error.clone()),
        }
    }

    /// Takes a batch of decoded bytes with the member bounds in it, as (offset, true for an end) in order.
    pub fn take_batch(&mut self, data: &[u8], bounds: impl IntoIterator<Item = (usize, bool)>) -> Result<()> {
        let mut at = 0;
        for (offset, end) in bounds {
            let offset = offset.clamp(at, data.len());
            self.take(Inflated::Data(&data[at..offset]))?;
            at = offset;
            self.take(if end {
                Inflated::MemberEnd
            } else {
                Inflated::MemberStart
            })?;
        }
        self.take(Inflated::Data(&data[at..]))
    }

    /// Rows read so far, for progress.
    pub fn rows(&self) -> u64 {
        self.csv.tally.rows()
    }

    /// The data so far ended exactly at a record's end (after the header): where another reader of the same
    /// report, given its header, may carry on.
    pub fn at_record_start(&self) -> bool {
        self.csv.head.is_none() && self.csv.records.at_record_start()
    }

    /// The data taken from now on lies at `place` in the report (see `Tally::set_place`).
    pub fn set_place(&mut self, place: u64) {
        self.csv.tally.set_place(place);
    }

    /// Bytes the tables hold (`limits::MAX_TALLY_BYTES` bounds them).
    pub fn held_bytes(&self) -> usize {
        self.csv.tally.held_bytes()
    }

    /// The decoder finished without an error: ends the CSV and returns the tally.
    pub fn finish(mut self) -> Result<Tally> {
        if let Some(error) = self.held {
            return Err(error);
        }
        self.csv.finish()?;
        Ok(self.csv.tally)
    }
}

/// Report bytes, pushed in any chunking, into a [`Tally`]: gzip or plain CSV, told apart by the first bytes.
pub struct ReportParser {
    report_date: Option<ReportDate>,
    filters: Vec<Filter>,
    decoder: ReportDecoder,
    csv: CsvSide,
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
            decoder: ReportDecoder::default(),
            csv: CsvSide::new(report_date, filters.clone()),
            filters,
            failed: None,
        }
    }

    /// Reads the next piece of the report. After an error every call returns that error.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let ReportParser {
            decoder, csv, failed, ..
        } = self;
        guard(failed, || decoder.push(chunk, &mut |piece| csv.take(piece)))
    }

    /// Rows read so far, for progress.
    pub fn rows(&self) -> u64 {
        self.csv.rows()
    }

    /// Ends the report and returns its tally; the parser is then ready for another report.
    pub fn finish(&mut self) -> Result<Tally> {
        let ReportParser {
            decoder, csv, failed, ..
        } = self;
        let ended = guard(failed, || decoder.finish(&mut |piece| csv.take(piece)));
        let fresh = ReportParser::filtered(self.report_date, self.filters.clone());
        let done = std::mem::replace(self, fresh);
        ended.and_then(|()| done.csv.finish())
    }
}

/// Runs `step` unless an earlier step failed, and keeps its error: after an error every call returns it.
pub fn guard(failed: &mut Option<Error>, step: impl FnOnce() -> Result<()>) -> Result<()> {
    if let Some(error) = failed {
        return Err(error.clone());
    }
    step().inspect_err(|error| *failed = Some(error.clone()))
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
            tally: Tally::new(report_date).sliced(&filters),
            filters,
            layout: None,
            unchecked_bytes: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(head) = &mut self.head else {
            return self.split(bytes);
        };
        let Some(rest) = sniff_prefix(head, BOM, bytes) else {
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
fn sniff_prefix<'a>(head: &mut Vec<u8>, wanted: &[u8], chunk: &'a [u8]) -> Option<&'a [u8]> {
    let take = chunk.len().min(wanted.len().saturating_sub(head.len()));
    head.extend_from_slice(&chunk[..take]);
    let undecided = head.len() < wanted.len() && wanted.starts_with(head);
    (!undecided).then_some(&chunk[take..])
}

/// The value each filtered column must have, by the column's place.
type Wanted = Vec<(usize, Vec<u8>)>;

/// The header's columns, and what filters want of them; `None` when filters ask one column for two
/// values, which no row has.
struct Layout {
    columns: Columns,
    filters: Option<Wanted>,
}

fn read_record(layout: &mut Option<Layout>, filters: &[Filter], tally: &mut Tally, record: Record<'_>) -> Result<()> {
    match layout {
        Some(Layout { columns, filters }) if record.len() == columns.width => {
            let wanted = |filters: &Wanted| filters.iter().all(|(at, value)| same_bytes(record.field(*at), value));
            if filters.as_ref().is_some_and(wanted) {
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
            let filters = places_of(&columns, filters)?;
            tally.start_file(&columns);
            *layout = Some(Layout { columns, filters });
        }
    }
    Ok(())
}

/// The value each filtered column must have, each column once: a row is counted only when it meets every
/// filter, so a filter given twice is one, and a row costs at most one test per column however long the
/// list. `None` when one column is asked for two values.
fn places_of(columns: &Columns, filters: &[Filter]) -> Result<Option<Wanted>> {
    if filters.len() > MAX_FILTERS {
        return Err(too_many_filters());
    }
    let mut wanted: HashMap<usize, &[u8], FixedState> = HashMap::default();
    for filter in filters {
        let at = columns.position(&filter.column).ok_or_else(|| {
            Error::new(
                ErrorCode::BadFilter,
                format!(
                    "The report has no column {} to slice by. Remove that slice, or choose a column the report has.",
                    quoted(&filter.column)
                ),
            )
        })?;
        if *wanted.entry(at).or_insert(&filter.value) != filter.value.as_slice() {
            return Ok(None);
        }
    }
    Ok(Some(
        wanted.into_iter().map(|(at, value)| (at, value.to_vec())).collect(),
    ))
}

/// The error for a list of filters longer than `MAX_FILTERS`.
pub fn too_many_filters() -> Error {
    Error::new(
        ErrorCode::BadFilter,
        format!("A report can be sliced by at most {MAX_FILTERS} filters at once: remove some."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Summary;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(data).expect("writing to memory");
        encoder.finish().expect("writing to memory")
    }

    fn code_of(chunks: &[&[u8]]) -> Option<ErrorCode> {
        let mut parser = ReportParser::new(None);
        let pushed: Result<()> = chunks.iter().try_for_each(|chunk| parser.push(chunk));
        pushed.and_then(|()| parser.finish().map(drop)).err().map(|e| e.code)
    }

    /// A header of 5,000 fields: the CSV refuses it (TOO_LARGE) within the member's first bytes.
    fn too_wide() -> Vec<u8> {
        format!("{}\n", vec!["x"; 5000].join(",")).into_bytes()
    }

    #[test]
    fn an_error_the_csv_makes_is_the_reports_once_its_member_proves_sound() {
        let mut stream = gzip(&too_wide());
        stream.extend(gzip(b"more"));
        assert_eq!(code_of(&[&stream]), Some(ErrorCode::TooLarge));
        let bytes: Vec<&[u8]> = stream.chunks(7).collect();
        assert_eq!(code_of(&bytes), Some(ErrorCode::TooLarge));
    }

    #[test]
    fn a_damaged_or_cut_member_outranks_the_error_its_data_caused() {
        let mut damaged = gzip(&too_wide());
        let crc_at = damaged.len() - 8;
        damaged[crc_at] ^= 1;
        assert_eq!(code_of(&[&damaged]), Some(ErrorCode::BadGzip));
        assert_eq!(code_of(&[&damaged[..crc_at]]), Some(ErrorCode::Truncated));
    }

    #[test]
    fn an_error_in_a_long_member_is_returned_past_its_first_hold_bytes() {
        let long = gzip(&vec![b'x'; (HOLD_BYTES + HOLD_BYTES / 2) as usize]);
        assert_eq!(code_of(&[&long[..long.len() - 8]]), Some(ErrorCode::TooLarge));
    }

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
    fn filters_are_met_once_per_column_and_at_most_max_filters_are_taken() {
        let twice = [("action", "FEDERATED_TRANSFER"), ("ACTION ", "FEDERATED_TRANSFER")];
        assert_eq!(sliced(&twice).unwrap().rows, 2);
        assert_eq!(
            sliced(&[("action", "FEDERATED_TRANSFER"), ("action", "AUTHENTICATE")])
                .unwrap()
                .rows,
            0
        );
        let many = vec![("action", "FEDERATED_TRANSFER"); MAX_FILTERS];
        assert_eq!(sliced(&many).unwrap().rows, 2);
        let too_many = vec![("action", "FEDERATED_TRANSFER"); MAX_FILTERS + 1];
        assert_eq!(sliced(&too_many).unwrap_err().code, ErrorCode::BadFilter);
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
