//! Streaming gzip: any number of members, each header parsed incrementally, the deflate body inflated
//! by miniz_oxide, the CRC32 and length trailer checked.

use crate::crc32::Hasher;
use miniz_oxide::inflate::stream::{InflateState, ZeroReset, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use crate::error::{Error, ErrorCode, Result};

/// Size of the one output buffer. 32, 64 and 128 KiB inflate at the same speed within noise; 64 KiB keeps
/// the calls to `out` few while staying well inside L2.
const OUT_BUF_LEN: usize = 64 * 1024;

/// MTIME, XFL and OS follow the magic, CM and FLG: 10 bytes in all.
const FIXED_HEADER_LEN: usize = 10;
/// CRC32 and ISIZE, both little-endian.
const TRAILER_LEN: usize = 8;

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FLAGS_RESERVED: u8 = 0xe0;

/// Where in a member the next input byte belongs.
#[derive(Clone, Copy)]
enum Stage {
    /// Magic, CM, FLG, MTIME, XFL, OS; also the member boundary, where no byte of it has arrived yet.
    Fixed,
    /// The two-byte XLEN of FEXTRA.
    ExtraLen,
    Extra {
        left: usize,
    },
    /// Zero-terminated FNAME or FCOMMENT.
    Text,
    /// The two-byte header CRC of FHCRC, skipped like the other optional fields.
    HeaderCrc,
    Body,
    Trailer,
}

/// Decodes concatenated gzip members pushed in any chunking.
pub struct GzipDecoder {
    stage: Stage,
    /// The bytes of the fixed-size field being read (fixed header, XLEN, header CRC, trailer), since they
    /// may arrive split across pushes.
    field: [u8; FIXED_HEADER_LEN],
    field_len: usize,
    /// Optional header fields of the current member not yet skipped.
    flags_left: u8,
    inflater: Box<InflateState>,
    crc: Hasher,
    member_len: u64,
    members: u64,
    /// Input bytes consumed so far, so that messages can say where the data went wrong.
    offset: u64,
    member_start: u64,
    buf: Box<[u8]>,
    filled: usize,
    /// The first error; decoding does not resume after it, so every later call repeats it.
    failed: Option<Error>,
}

/// What the decoder hands on, in stream order: each member's start, its decoded bytes in pieces, and its
/// end once its trailer proved the data sound. The bounds let a reader of the data tell a member's own
/// errors from the ones its damaged data caused (`CsvSide`), wherever that reader runs.
#[derive(Debug)]
pub enum Inflated<'a> {
    /// A member's header was read: its data follows.
    MemberStart,
    /// Decoded bytes (plain CSV is handed on as it is, outside any member).
    Data(&'a [u8]),
    /// The member's trailer matched its data.
    MemberEnd,
}

impl Default for GzipDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl GzipDecoder {
    /// A decoder at the start of its first member.
    pub fn new() -> Self {
        GzipDecoder {
            stage: Stage::Fixed,
            field: [0; FIXED_HEADER_LEN],
            field_len: 0,
            flags_left: 0,
            inflater: InflateState::new_boxed(DataFormat::Raw),
            crc: Hasher::new(),
            member_len: 0,
            members: 0,
            offset: 0,
            member_start: 0,
            buf: vec![0; OUT_BUF_LEN].into_boxed_slice(),
            filled: 0,
            failed: None,
        }
    }

    /// Consumes all of `input`, handing what it decodes to `out` as it is produced.
    ///
    /// `out` gets a `Data` per filled output buffer, one at the end of each member's data and one when the
    /// input runs dry; an error from `out` stops decoding and is returned. On a decoding error, everything
    /// decoded before the fault is handed over first, and an error `out` returns on it wins.
    pub fn push<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, input: &[u8], out: &mut F) -> Result<()> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.decode(input, out).or_else(|error| self.flush(out).and(Err(error)));
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    /// The input has ended: Ok only at a member boundary after at least one whole member.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let place = match self.stage {
            Stage::Fixed if self.field_len == 0 && self.members > 0 => return Ok(()),
            Stage::Fixed if self.offset == 0 => {
                return Err(Error::new(
                    ErrorCode::Truncated,
                    "The download is cut off: no gzip data arrived. Download the report again.",
                ));
            }
            Stage::Fixed | Stage::ExtraLen | Stage::Extra { .. } | Stage::Text | Stage::HeaderCrc => {
                "inside a member's header"
            }
            Stage::Body => "inside a member",
            Stage::Trailer => "inside a member's trailer",
        };
        Err(Error::new(
            ErrorCode::Truncated,
            format!(
                "The download is cut off: the gzip data ends {place} after {} bytes. Download the report again.",
                grouped(self.offset)
            ),
        ))
    }

    fn decode<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, mut input: &[u8], out: &mut F) -> Result<()> {
        while !input.is_empty() {
            match self.stage {
                Stage::Fixed => {
                    let complete = self.fill(&mut input, FIXED_HEADER_LEN);
                    self.check_fixed_header()?;
                    if complete {
                        self.flags_left = self.field[3];
                        self.next_header_field();
                        out(Inflated::MemberStart)?;
                    }
                }
                Stage::ExtraLen => {
                    if self.fill(&mut input, 2) {
                        self.skip_extra(usize::from(u16::from_le_bytes([self.field[0], self.field[1]])));
                    }
                }
                Stage::Extra { left } => {
                    let n = left.min(input.len());
                    self.advance(&mut input, n);
                    self.skip_extra(left - n);
                }
                Stage::Text => match input.iter().position(|&b| b == 0) {
                    Some(end) => {
                        self.advance(&mut input, end + 1);
                        self.next_header_field();
                    }
                    None => {
                        let all = input.len();
                        self.advance(&mut input, all);
                    }
                },
                Stage::HeaderCrc => {
                    if self.fill(&mut input, 2) {
                        self.next_header_field();
                    }
                }
                Stage::Body => self.inflate(&mut input, out)?,
                Stage::Trailer => {
                    if self.fill(&mut input, TRAILER_LEN) {
                        self.check_trailer()?;
                        out(Inflated::MemberEnd)?;
                    }
                }
            }
        }
        self.flush(out)
    }

    /// Inflates until the input is used up or the member's deflate data ends.
    fn inflate<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, input: &mut &[u8], out: &mut F) -> Result<()> {
        loop {
            if self.filled == self.buf.len() {
                self.flush(out)?;
            }
            let result = inflate(&mut self.inflater, input, &mut self.buf[self.filled..], MZFlush::None);
            let produced = &self.buf[self.filled..self.filled + result.bytes_written];
            self.crc.update(produced);
            self.member_len += produced.len() as u64;
            self.filled += produced.len();
            self.advance(input, result.bytes_consumed);
            match result.status {
                Ok(MZStatus::StreamEnd) => {
                    // All of the member's data reaches `out` before its end.
                    self.flush(out)?;
                    self.inflater.reset_as(ZeroReset);
                    self.stage = Stage::Trailer;
                    return Ok(());
                }
                // Either the output buffer is full or the input is used up; in the latter case the next
                // call still drains output miniz_oxide holds back, and answers Buf once there is none.
                Ok(MZStatus::Ok) => {}
                Err(MZError::Buf) if input.is_empty() => return Ok(()),
                Ok(MZStatus::NeedDict) | Err(_) => {
                    return Err(bad_gzip("the compressed data is corrupt", self.offset));
                }
            }
        }
    }

    fn check_fixed_header(&self) -> Result<()> {
        let head = &self.field[..self.field_len];
        let at = |index: usize| self.member_start + index as u64 + 1;
        if let Some(wrong) = head.iter().zip([0x1f, 0x8b]).position(|(&byte, magic)| byte != magic) {
            return Err(if self.members == 0 {
                bad_gzip("the gzip signature is missing", at(wrong))
            } else {
                bad_gzip("unexpected data after the end of the gzip stream", at(0))
            });
        }
        if let Some(&method) = head.get(2).filter(|&&m| m != 8) {
            return Err(bad_gzip(&format!("compression method {method} is not deflate"), at(2)));
        }
        if head.get(3).is_some_and(|&flags| flags & FLAGS_RESERVED != 0) {
            return Err(bad_gzip("reserved header flags are set", at(3)));
        }
        Ok(())
    }

    fn check_trailer(&mut self) -> Result<()> {
        let stored_crc = u32::from_le_bytes([self.field[0], self.field[1], self.field[2], self.field[3]]);
        let stored_len = u32::from_le_bytes([self.field[4], self.field[5], self.field[6], self.field[7]]);
        let member = self.members + 1;
        let trailer_at = self.offset - TRAILER_LEN as u64 + 1;
        if stored_crc != std::mem::replace(&mut self.crc, Hasher::new()).finalize() {
            let what = format!("the CRC32 checksum of member {member} does not match its data");
            return Err(bad_gzip(&what, trailer_at));
        }
        // ISIZE holds the length modulo 2^32, so the truncation is the comparison the format defines.
        if stored_len != self.member_len as u32 {
            let what = format!(
                "member {member} decodes to {} bytes but its trailer records a length of {}",
                grouped(self.member_len),
                grouped(stored_len.into()),
            );
            return Err(bad_gzip(&what, trailer_at + 4));
        }
        self.members = member;
        self.member_len = 0;
        self.member_start = self.offset;
        self.field_len = 0;
        self.stage = Stage::Fixed;
        Ok(())
    }

    /// Moves on to the next optional header field the flags announce, in the order RFC 1952 puts them.
    fn next_header_field(&mut self) {
        self.field_len = 0;
        self.stage = if self.take_flag(FEXTRA) {
            Stage::ExtraLen
        } else if self.take_flag(FNAME) || self.take_flag(FCOMMENT) {
            Stage::Text
        } else if self.take_flag(FHCRC) {
            Stage::HeaderCrc
        } else {
            Stage::Body
        };
    }

    /// An empty FEXTRA is done as soon as its length is read.
    fn skip_extra(&mut self, left: usize) {
        if left == 0 {
            self.next_header_field();
        } else {
            self.stage = Stage::Extra { left };
        }
    }

    fn take_flag(&mut self, flag: u8) -> bool {
        let set = self.flags_left & flag != 0;
        self.flags_left &= !flag;
        set
    }

    /// Copies input into the fixed-size field being read; true once all `len` bytes of it are there.
    fn fill(&mut self, input: &mut &[u8], len: usize) -> bool {
        let n = (len - self.field_len).min(input.len());
        self.field[self.field_len..self.field_len + n].copy_from_slice(&input[..n]);
        self.field_len += n;
        self.advance(input, n);
        self.field_len == len
    }

    fn advance(&mut self, input: &mut &[u8], n: usize) {
        *input = &input[n..];
        self.offset += n as u64;
    }

    fn flush<F: FnMut(Inflated<'_>) -> Result<()>>(&mut self, out: &mut F) -> Result<()> {
        match std::mem::take(&mut self.filled) {
            0 => Ok(()),
            filled => out(Inflated::Data(&self.buf[..filled])),
        }
    }
}

/// `at` is the 1-based position of the offending byte.
fn bad_gzip(what: &str, at: u64) -> Error {
    Error::new(
        ErrorCode::BadGzip,
        format!(
            "The file is not valid gzip ({what} at byte {}). Download the report again or open the .csv instead.",
            grouped(at)
        ),
    )
}

/// 12345678 → "12,345,678": byte counts in messages are read by people.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::{DeflateEncoder, GzEncoder};
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    /// CSV-like text with enough repetition to compress the way reports do.
    fn csv(rows: usize) -> Vec<u8> {
        let mut text = b"date,action,status,username,ip,resource\n".to_vec();
        for row in 0..rows {
            let line = format!(
                "2024-05-01T{:02}:{:02}:00Z,SAML_AUTHN,SUCCESS,user{}@example.ac.uk,10.0.{}.{},\"https://r{}.example.com/\"\n",
                row / 60 % 24,
                row % 60,
                row * 7919 % 1000,
                row % 256,
                row * 31 % 256,
                row * 13 % 97
            );
            text.extend_from_slice(line.as_bytes());
        }
        text
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// A member whose hand-built header carries the optional fields that `flags` names.
    fn member_with_fields(flags: u8, data: &[u8]) -> Vec<u8> {
        let mut member = vec![0x1f, 0x8b, 8, flags, 0x78, 0x56, 0x34, 0x12, 0, 3];
        if flags & FEXTRA != 0 {
            // One subfield "AB" of two bytes, one of which is a zero that must not end anything.
            member.extend_from_slice(&[6, 0, b'A', b'B', 2, 0, 0, b'y']);
        }
        if flags & FNAME != 0 {
            member.extend_from_slice(b"report.csv\0");
        }
        if flags & FCOMMENT != 0 {
            member.extend_from_slice(b"raw statistics \x8b\x1f\0");
        }
        if flags & FHCRC != 0 {
            let header_crc = crc32fast::hash(&member) as u16;
            member.extend_from_slice(&header_crc.to_le_bytes());
        }
        let mut encoder = DeflateEncoder::new(member, Compression::default());
        encoder.write_all(data).unwrap();
        let mut member = encoder.finish().unwrap();
        member.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        member.extend_from_slice(&(data.len() as u32).to_le_bytes());
        member
    }

    /// A member with an empty FEXTRA, which ends without another byte to read.
    fn member_with_empty_extra(data: &[u8]) -> Vec<u8> {
        let mut member = member_with_fields(0, data);
        member[3] = FEXTRA;
        member.splice(10..10, [0, 0]);
        member
    }

    /// Pushes `stream` in pieces of the given sizes (the rest in one last push), then finishes.
    fn decode_in(stream: &[u8], sizes: impl IntoIterator<Item = usize>) -> (Vec<u8>, Result<()>) {
        let mut output = Vec::new();
        let mut decoder = GzipDecoder::new();
        let mut out = |piece: Inflated<'_>| {
            if let Inflated::Data(data) = piece {
                output.extend_from_slice(data);
            }
            Ok(())
        };
        let mut rest = stream;
        let mut result = Ok(());
        for size in sizes {
            let (chunk, tail) = rest.split_at(size.min(rest.len()));
            rest = tail;
            result = decoder.push(chunk, &mut out);
            if result.is_err() {
                break;
            }
        }
        let result = result
            .and_then(|()| decoder.push(rest, &mut out))
            .and_then(|()| decoder.finish());
        (output, result)
    }

    fn decode(stream: &[u8]) -> (Vec<u8>, Result<()>) {
        decode_in(stream, [])
    }

    fn bytewise(stream: &[u8]) -> (Vec<u8>, Result<()>) {
        decode_in(stream, std::iter::repeat_n(1, stream.len()))
    }

    fn error(result: Result<()>) -> Error {
        result.expect_err("the stream should have been rejected")
    }

    /// Several members, each with its content: plain, with every optional header field, empty.
    fn members() -> Vec<(Vec<u8>, Vec<u8>)> {
        let (a, b) = (csv(20), csv(7));
        vec![
            (gzip(&a), a.clone()),
            (member_with_fields(FEXTRA | FNAME | FCOMMENT | FHCRC, &b), b),
            (gzip(b""), Vec::new()),
            (member_with_empty_extra(&a), a),
        ]
    }

    /// The content and the stream of all of `members()`.
    fn multi_member() -> (Vec<u8>, Vec<u8>) {
        let (streams, contents): (Vec<_>, Vec<_>) = members().into_iter().unzip();
        (contents.concat(), streams.concat())
    }

    #[test]
    fn one_member() {
        let data = csv(5000);
        let stream = gzip(&data);
        assert_eq!(decode(&stream), (data.clone(), Ok(())));
        assert_eq!(bytewise(&stream), (data, Ok(())));
    }

    #[test]
    fn out_gets_whole_buffers_then_the_rest() {
        let data = csv(5000);
        assert!(data.len() > 3 * OUT_BUF_LEN);
        let mut pieces = Vec::new();
        let mut decoder = GzipDecoder::default();
        let mut out = |piece: Inflated<'_>| {
            if let Inflated::Data(data) = piece {
                pieces.push(data.len());
            }
            Ok(())
        };
        decoder.push(&gzip(&data), &mut out).unwrap();
        decoder.finish().unwrap();
        let (last, full) = pieces.split_last().unwrap();
        assert!(full.iter().all(|&len| len == OUT_BUF_LEN), "{pieces:?}");
        assert_eq!(full.len() * OUT_BUF_LEN + last, data.len());
    }

    #[test]
    fn several_members_including_an_empty_one() {
        let (a, b) = (csv(300), csv(2));
        let stream = [gzip(&a), gzip(b""), gzip(&b)].concat();
        assert_eq!(decode(&stream), ([a, b].concat(), Ok(())));
        assert_eq!(decode(&gzip(b"")), (Vec::new(), Ok(())));
    }

    #[test]
    fn optional_header_fields_are_skipped() {
        let data = csv(30);
        let tail = b"last,member\n";
        for flags in 0..16u8 {
            let flags = flags << 1; // FHCRC, FEXTRA, FNAME, FCOMMENT are bits 1 to 4
            let stream = [member_with_fields(flags, &data), gzip(tail)].concat();
            let expected = ([&data[..], tail].concat(), Ok(()));
            assert_eq!(decode(&stream), expected, "flags {flags:#x}");
            assert_eq!(bytewise(&stream), expected, "flags {flags:#x}");
        }
        let stream = member_with_empty_extra(&data);
        assert_eq!(bytewise(&stream), (data, Ok(())));
    }

    #[test]
    fn every_split_point_gives_the_same_output() {
        let (expected, stream) = multi_member();
        for split in 0..=stream.len() {
            assert_eq!(
                decode_in(&stream, [split]),
                (expected.clone(), Ok(())),
                "split at {split}"
            );
        }
        assert_eq!(bytewise(&stream), (expected, Ok(())));
    }

    #[test]
    fn every_strict_prefix_is_truncated_unless_it_ends_a_member() {
        let (_, stream) = multi_member();
        let mut boundaries = Vec::new();
        let (mut end, mut content) = (0, Vec::new());
        for (member, member_content) in members() {
            end += member.len();
            content.extend(member_content);
            boundaries.push((end, content.clone()));
        }
        for end in 0..stream.len() {
            match boundaries.iter().find(|(boundary, _)| *boundary == end) {
                Some((_, content)) => assert_eq!(decode(&stream[..end]), (content.clone(), Ok(()))),
                None => {
                    let error = error(decode(&stream[..end]).1);
                    assert_eq!(error.code, ErrorCode::Truncated, "prefix of {end} bytes: {error}");
                }
            }
        }
    }

    #[test]
    fn truncation_messages_say_where() {
        let stream = gzip(&csv(2000));
        assert_eq!(
            error(decode(b"").1).message,
            "The download is cut off: no gzip data arrived. Download the report again."
        );
        let cut = &stream[..1234];
        assert_eq!(
            error(bytewise(cut).1).message,
            "The download is cut off: the gzip data ends inside a member after 1,234 bytes. Download the report again."
        );
        assert!(
            error(decode(&stream[..5]).1)
                .message
                .contains("inside a member's header after 5 bytes")
        );
        assert!(
            error(decode(&stream[..stream.len() - 3]).1)
                .message
                .contains("inside a member's trailer")
        );
    }

    #[test]
    fn checksum_and_length_mismatches_are_bad_gzip() {
        let data = csv(100);
        let mut stream = [gzip(b"first\n"), gzip(&data)].concat();
        let len = stream.len();
        stream[len - 8] ^= 1;
        let bad_crc = error(decode(&stream).1);
        assert_eq!(bad_crc.code, ErrorCode::BadGzip);
        assert!(bad_crc.message.contains("CRC32 checksum of member 2"), "{bad_crc}");
        assert!(
            bad_crc
                .message
                .contains(&format!("at byte {}", grouped(len as u64 - 7))),
            "{bad_crc}"
        );

        stream[len - 8] ^= 1;
        stream[len - 4] ^= 1;
        let bad_len = error(bytewise(&stream).1);
        assert_eq!(bad_len.code, ErrorCode::BadGzip);
        let (decoded, recorded) = (grouped(data.len() as u64), grouped(data.len() as u64 ^ 1));
        let lengths = format!("decodes to {decoded} bytes but its trailer records a length of {recorded}");
        assert!(bad_len.message.contains(&lengths), "{bad_len}");
    }

    #[test]
    fn corrupt_header_or_data_is_bad_gzip() {
        let stream = gzip(&csv(100));
        let cases: [(&str, Vec<u8>); 5] = [
            (
                "the gzip signature is missing at byte 2",
                [&[0x1f, 0x8c][..], &stream[2..]].concat(),
            ),
            (
                "compression method 7 is not deflate at byte 3",
                [&stream[..2], &[7], &stream[3..]].concat(),
            ),
            (
                "reserved header flags are set at byte 4",
                [&stream[..3], &[0x20], &stream[4..]].concat(),
            ),
            // BFINAL with the reserved block type 3.
            (
                "the compressed data is corrupt",
                [&stream[..10], &[0x07, 0, 0, 0]].concat(),
            ),
            (
                "unexpected data after the end of the gzip stream at byte",
                [&stream[..], &gzip(b"more"), b"\n"].concat(),
            ),
        ];
        for (what, bad) in cases {
            for (_, result) in [decode(&bad), bytewise(&bad)] {
                let error = error(result);
                assert_eq!(error.code, ErrorCode::BadGzip, "{what}: {error}");
                assert!(error.message.contains(what), "{what}: {error}");
                assert!(
                    error
                        .message
                        .ends_with("Download the report again or open the .csv instead.")
                );
            }
        }
    }

    /// Each member's data comes between its start and its end, and a member's end only once its trailer
    /// was checked.
    #[test]
    fn members_are_bounded_in_the_output() {
        let events = std::cell::RefCell::new(Vec::new());
        let mut out = |piece: Inflated<'_>| {
            events.borrow_mut().push(match piece {
                Inflated::MemberStart => "start",
                Inflated::Data(_) => "data",
                Inflated::MemberEnd => "end",
            });
            Ok(())
        };
        let mut stream = gzip(b"a,b\n");
        stream.extend(gzip(b""));
        stream.extend(gzip(b"c,d\n"));
        let mut decoder = GzipDecoder::new();
        decoder.push(&stream[..stream.len() - 1], &mut out).unwrap();
        assert_eq!(
            events.borrow().len(),
            7,
            "the last member ends only with its trailer's last byte"
        );
        decoder.push(&stream[stream.len() - 1..], &mut out).unwrap();
        decoder.finish().unwrap();
        assert_eq!(
            *events.borrow(),
            ["start", "data", "end", "start", "end", "start", "data", "end"]
        );
    }

    #[test]
    fn an_error_from_out_stops_decoding_and_is_returned_for_good() {
        let stop = Error::new(ErrorCode::NotAReport, "no action column");
        let mut calls = 0;
        let mut out = |piece: Inflated<'_>| match piece {
            Inflated::Data(_) => {
                calls += 1;
                Err(stop.clone())
            }
            _ => Ok(()),
        };
        let mut decoder = GzipDecoder::new();
        assert_eq!(decoder.push(&gzip(&csv(5000)), &mut out), Err(stop.clone()));
        assert_eq!(decoder.push(&gzip(b"again"), &mut out), Err(stop.clone()));
        assert_eq!(decoder.finish(), Err(stop));
        assert_eq!(calls, 1);
    }

    #[test]
    fn on_a_fault_the_data_before_it_is_handed_over_first() {
        let mut damaged = gzip(&csv(5000));
        let crc_at = damaged.len() - 8;
        damaged[crc_at] ^= 1;
        let mut data = 0;
        let mut count = |piece: Inflated<'_>| {
            if let Inflated::Data(bytes) = piece {
                data += bytes.len();
            }
            Ok(())
        };
        assert_eq!(
            GzipDecoder::new().push(&damaged, &mut count).unwrap_err().code,
            ErrorCode::BadGzip
        );
        assert_eq!(data, csv(5000).len());
    }

    #[test]
    fn byte_counts_are_grouped_in_thousands() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (123456, "123,456"),
            (12345678, "12,345,678"),
        ];
        for (n, text) in cases {
            assert_eq!(grouped(n), text);
        }
    }

    fn assert_same_result(a: &(Vec<u8>, Result<()>), b: &(Vec<u8>, Result<()>)) {
        let codes = |r: &Result<()>| r.as_ref().map_err(|e| e.code).copied();
        assert_eq!(codes(&a.1), codes(&b.1));
        assert_eq!(a.0, b.0);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_after_the_magic(
            whole_header in any::<bool>(),
            body in vec(any::<u8>(), 0..800),
            sizes in vec(0usize..40, 0..30),
        ) {
            let header: &[u8] = if whole_header { &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255] } else { &[0x1f, 0x8b] };
            let stream = [header, &body].concat();
            let whole = decode(&stream);
            assert_same_result(&whole, &decode_in(&stream, sizes));
            assert_same_result(&whole, &bytewise(&stream));
        }

        #[test]
        fn a_damaged_stream_in_any_chunking(
            position in any::<prop::sample::Index>(),
            flip in 1u8..,
            sizes in vec(0usize..200, 0..30),
        ) {
            let (_, mut stream) = multi_member();
            let at = position.index(stream.len());
            stream[at] ^= flip;
            let whole = decode(&stream);
            assert_same_result(&whole, &decode_in(&stream, sizes));
            assert_same_result(&whole, &bytewise(&stream));
        }
    }
}
