//! Where decoded report bytes may be cut so that several readers can each count a share of the records,
//! each given the header first (the page's parsing workers, www/js/pipeline.js). A cut goes after a line
//! feed outside quotes, counting quotes from a place known to be outside them; whether each cut really
//! fell between records is then checked by the reader before it (`CsvSide::at_record_start`), since a
//! stray quote inside a bare field (which csv-core reads as a plain character) fools the count.

use crate::engine::parser::BOM;

/// A header line longer than this is not looked for; the report is then read by one reader.
const MAX_HEADER_BYTES: usize = 64 << 10;

/// The length, with its line feed, of the report's header line at the start of `data` (after a byte order
/// mark), when a copy of it put before any later line reads as it does at the start: a first line that is
/// not empty and has no quote and no carriage return but one before its line feed. None when there is no
/// such line within `MAX_HEADER_BYTES`.
pub fn header_line(data: &[u8]) -> Option<usize> {
    let start = if data.starts_with(BOM) { BOM.len() } else { 0 };
    let window = &data[start..data.len().min(start + MAX_HEADER_BYTES)];
    let end = window.iter().position(|&b| b == b'\n')?;
    let line = window[..end].strip_suffix(b"\r").unwrap_or(&window[..end]);
    let plain = !line.is_empty() && !line.iter().any(|&b| b == b'"' || b == b'\r');
    plain.then_some(start + end + 1)
}

/// The end of the last line in `data` whose line feed has an even number of quotes before it, `data`
/// starting outside quotes; None when no line feed qualifies.
pub fn last_cut(data: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut cut = None;
    for (at, &byte) in data.iter().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => cut = Some(at + 1),
            _ => {}
        }
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_a_plain_first_line() {
        assert_eq!(header_line(b"date,action\r\n1,2\n"), Some(13));
        assert_eq!(header_line(b"\xEF\xBB\xBFdate\n"), Some(8));
        assert_eq!(header_line(b"\ndate\n"), None);
        assert_eq!(header_line(b"\"date\",action\n"), None);
        assert_eq!(header_line(b"date\raction\n"), None);
        assert_eq!(header_line(b"date,action"), None);
    }

    #[test]
    fn cuts_fall_after_line_feeds_outside_quotes() {
        assert_eq!(last_cut(b"a,\"b\nc\"\nd,\"e\nf"), Some(8));
        assert_eq!(last_cut(b"a,\"say \"\"hi\"\"\"\nb"), Some(15));
        assert_eq!(last_cut(b"a,\"b\nc"), None);
        assert_eq!(last_cut(b""), None);
    }
}
