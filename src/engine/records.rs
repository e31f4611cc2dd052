//! CSV records from plain bytes pushed in any chunking, through csv-core (RFC 4180 quoting, LF or CRLF;
//! csv-core itself skips empty lines). A record that spans pushes is carried over in reused buffers.

use csv_core::{ReadRecordResult, Reader};

use crate::error::{Error, ErrorCode, Result};
use crate::limits::{MAX_COLUMNS, MAX_RECORD_BYTES};

const TOO_LONG: &str = "is longer than 1 MiB";
const TOO_WIDE: &str = "has more than 4,096 fields";

/// One record's fields, borrowed from the splitter's buffers.
pub struct Record<'a> {
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, which must be below `len()`.
    #[inline]
    pub fn field(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    /// The field in `column`, or an empty one when the report has no such column.
    #[inline]
    pub fn get(&self, column: Option<usize>) -> &'a [u8] {
        column.map_or(&[], |i| self.field(i))
    }

    /// Bytes of the record's fields.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.field(i))
    }
}

/// Buffers grow to the record being read, up to `MAX_RECORD_BYTES` and `MAX_COLUMNS`; past either the
/// input is refused, so a hostile line can never take unbounded memory.
pub struct RecordSplitter {
    reader: Reader,
    /// Records completed so far, to say where a refused one starts.
    records: u64,
    data: Vec<u8>,
    data_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
}

impl Default for RecordSplitter {
    fn default() -> Self {
        RecordSplitter {
            reader: Reader::new(),
            records: 0,
            data: vec![0; 4096],
            data_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
        }
    }
}

impl RecordSplitter {
    /// Consumes all of `input`, calling `on_record` for each record completed.
    pub fn push<F: FnMut(Record<'_>) -> Result<()>>(&mut self, input: &[u8], on_record: &mut F) -> Result<()> {
        // An empty input would tell csv-core that the data has ended.
        if input.is_empty() {
            return Ok(());
        }
        self.split(input, on_record)
    }

    /// No record is begun: what was pushed ended exactly at a record's end.
    pub fn at_record_start(&self) -> bool {
        self.data_len == 0 && self.ends_len == 0
    }

    /// The input has ended: a last record without a line break is completed.
    pub fn finish<F: FnMut(Record<'_>) -> Result<()>>(&mut self, on_record: &mut F) -> Result<()> {
        // csv-core reads an empty input as the end of the data.
        self.split(&[], on_record)
    }

    fn split<F: FnMut(Record<'_>) -> Result<()>>(&mut self, mut input: &[u8], on_record: &mut F) -> Result<()> {
        let at_end = input.is_empty();
        loop {
            let (result, read, written, ended) =
                self.reader
                    .read_record(input, &mut self.data[self.data_len..], &mut self.ends[self.ends_len..]);
            input = &input[read..];
            self.data_len += written;
            self.ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty => {
                    if !at_end {
                        return Ok(());
                    }
                }
                ReadRecordResult::OutputFull => {
                    let records = self.records;
                    grow(&mut self.data, self.data_len, MAX_RECORD_BYTES, || {
                        too_large(records, TOO_LONG)
                    })?;
                }
                ReadRecordResult::OutputEndsFull => {
                    let records = self.records;
                    grow(&mut self.ends, self.ends_len, MAX_COLUMNS, || {
                        too_large(records, TOO_WIDE)
                    })?;
                }
                ReadRecordResult::Record => {
                    if self.data_len > MAX_RECORD_BYTES {
                        return Err(too_large(self.records, TOO_LONG));
                    }
                    if self.ends_len > MAX_COLUMNS {
                        return Err(too_large(self.records, TOO_WIDE));
                    }
                    let record = Record {
                        data: &self.data[..self.data_len],
                        ends: &self.ends[..self.ends_len],
                    };
                    self.data_len = 0;
                    self.ends_len = 0;
                    self.records += 1;
                    on_record(record)?;
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }
}

/// `records` complete records came before the refused one.
fn too_large(records: u64, what: &str) -> Error {
    let which = match records {
        0 => "The header line".to_string(),
        n => format!("Record {} (after {n} complete records)", n + 1),
    };
    Error::new(
        ErrorCode::TooLarge,
        format!(
            "{which} {what}, far beyond any real report: the file is damaged or is not a raw statistics report. Download the report again, or open the .csv.gz file the API gave."
        ),
    )
}

/// Doubles `buffer`, which holds `used` elements of the record, to at most one past `cap` (csv-core asks
/// for room before it knows whether the record ends); a record that needs more than `cap` is refused.
fn grow<T: Copy + Default>(buffer: &mut Vec<T>, used: usize, cap: usize, refuse: impl FnOnce() -> Error) -> Result<()> {
    if used > cap {
        return Err(refuse());
    }
    buffer.resize((buffer.len() * 2).min(cap + 1), T::default());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(chunks: &[&[u8]]) -> Vec<Vec<String>> {
        let mut splitter = RecordSplitter::default();
        let mut out = Vec::new();
        let mut collect = |r: Record<'_>| {
            out.push(r.fields().map(|f| String::from_utf8_lossy(f).into_owned()).collect());
            Ok(())
        };
        for chunk in chunks {
            splitter.push(chunk, &mut collect).unwrap();
        }
        splitter.finish(&mut collect).unwrap();
        out
    }

    #[test]
    fn quoting_line_breaks_and_crlf() {
        let csv = b"a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\nlast,,\n1,2,3";
        let want = vec![
            vec!["a", "b", "c"],
            vec!["x, y", "say \"hi\"", "two\nlines"],
            vec!["last", "", ""],
            vec!["1", "2", "3"],
        ];
        assert_eq!(split_all(&[csv]), want);
        let bytes: Vec<&[u8]> = csv.chunks(1).collect();
        assert_eq!(split_all(&bytes), want);
        for cut in 0..csv.len() {
            assert_eq!(split_all(&[&csv[..cut], &csv[cut..]]), want, "cut at {cut}");
        }
    }

    fn first_error(input: &[u8]) -> Option<Error> {
        let mut splitter = RecordSplitter::default();
        let mut ignore = |_: Record<'_>| Ok(());
        splitter
            .push(input, &mut ignore)
            .and_then(|()| splitter.finish(&mut ignore))
            .err()
    }

    #[test]
    fn records_up_to_the_caps_are_read_and_beyond_them_refused() {
        let at_cap = format!("{}\n", "x".repeat(MAX_RECORD_BYTES));
        assert_eq!(first_error(at_cap.as_bytes()), None);
        let over = format!("a\n\"{}\"\n", "x".repeat(MAX_RECORD_BYTES + 1));
        let error = first_error(over.as_bytes()).unwrap();
        assert_eq!(error.code, ErrorCode::TooLarge);
        assert!(
            error
                .message
                .starts_with("Record 2 (after 1 complete records) is longer than 1 MiB"),
            "{}",
            error.message
        );
        assert_eq!(first_error(vec![b','; MAX_COLUMNS - 1].as_slice()), None);
        let wide = first_error(vec![b','; MAX_COLUMNS].as_slice()).unwrap();
        assert_eq!(
            (
                wide.code,
                wide.message.starts_with("The header line has more than 4,096 fields")
            ),
            (ErrorCode::TooLarge, true)
        );
    }

    #[test]
    fn long_fields_and_many_fields_grow_the_buffers() {
        let long = "x".repeat(100_000);
        let many = vec!["f"; 500].join(",");
        let csv = format!("{long}\n{many}\n");
        let got = split_all(&[csv.as_bytes()]);
        assert_eq!(got[0], vec![long]);
        assert_eq!(got[1].len(), 500);
    }
}
