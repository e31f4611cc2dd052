//! CSV records from plain bytes pushed in any chunking, through csv-core (RFC 4180 quoting, LF or CRLF;
//! csv-core itself skips empty lines). A record that spans pushes is carried over in reused buffers.

use csv_core::{ReadRecordResult, Reader};

use crate::error::Result;

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

    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.field(i))
    }
}

pub struct RecordSplitter {
    reader: Reader,
    data: Vec<u8>,
    data_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
}

impl Default for RecordSplitter {
    fn default() -> Self {
        RecordSplitter {
            reader: Reader::new(),
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
                    let len = self.data.len() * 2;
                    self.data.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => {
                    let record = Record {
                        data: &self.data[..self.data_len],
                        ends: &self.ends[..self.ends_len],
                    };
                    self.data_len = 0;
                    self.ends_len = 0;
                    on_record(record)?;
                }
                ReadRecordResult::End => return Ok(()),
            }
        }
    }
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
