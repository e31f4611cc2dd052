//! Writing rows as RFC 4180 CSV into plain output or a series of gzip members.

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

/// Where encoded bytes go; `cut` ends one gzip member and starts the next.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()>;
    fn cut(&mut self) -> io::Result<()>;
    fn finish(self) -> io::Result<()>;
}

pub(crate) struct Plain<W: Write>(pub W);

impl<W: Write> Sink for Plain<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }
    fn cut(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn finish(mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// gzip at flate2's default level; the header carries no name and mtime 0, so output is reproducible.
pub(crate) struct Members<W: Write>(Option<GzEncoder<W>>);

impl<W: Write> Members<W> {
    pub fn new(out: W) -> Members<W> {
        Members(Some(GzEncoder::new(out, Compression::default())))
    }

    fn encoder(&mut self) -> &mut GzEncoder<W> {
        self.0.as_mut().expect("an encoder is present between calls")
    }
}

impl<W: Write> Sink for Members<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.encoder().write_all(bytes)
    }
    fn cut(&mut self) -> io::Result<()> {
        let out = self.0.take().expect("an encoder is present between calls").finish()?;
        self.0 = Some(GzEncoder::new(out, Compression::default()));
        Ok(())
    }
    fn finish(mut self) -> io::Result<()> {
        self.0
            .take()
            .expect("an encoder is present between calls")
            .finish()?
            .flush()
    }
}

const CHUNK: usize = 1 << 16;

/// Encodes records into a buffer handed to the sink in large chunks (gzip is much faster fed that way).
pub(crate) struct CsvWriter<S: Sink> {
    sink: S,
    buffer: Vec<u8>,
    line_end: &'static [u8],
    /// Buffer offset of the middle of the last record (still buffered), where a member cut goes.
    last_middle: usize,
}

impl<S: Sink> CsvWriter<S> {
    pub fn new(sink: S, crlf: bool) -> CsvWriter<S> {
        CsvWriter {
            sink,
            buffer: Vec::with_capacity(CHUNK + 4096),
            line_end: if crlf { b"\r\n" } else { b"\n" },
            last_middle: 0,
        }
    }

    /// One record; a field is quoted when `always_quote` says so or when it holds `,`, `"`, CR or LF.
    pub fn record<'f>(&mut self, fields: impl Iterator<Item = (&'f str, bool)>) -> io::Result<()> {
        if self.buffer.len() >= CHUNK {
            self.sink.put(&self.buffer)?;
            self.buffer.clear();
        }
        let start = self.buffer.len();
        for (i, (field, always_quote)) in fields.enumerate() {
            if i > 0 {
                self.buffer.push(b',');
            }
            if always_quote || field.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
                self.buffer.push(b'"');
                for piece in field.split_inclusive('"') {
                    self.buffer.extend_from_slice(piece.as_bytes());
                    if piece.ends_with('"') {
                        self.buffer.push(b'"');
                    }
                }
                self.buffer.push(b'"');
            } else {
                self.buffer.extend_from_slice(field.as_bytes());
            }
        }
        self.buffer.extend_from_slice(self.line_end);
        self.last_middle = start + (self.buffer.len() - start) / 2;
        Ok(())
    }

    /// Ends the gzip member in the middle of the last record (or where the last cut was), so a record,
    /// and perhaps a UTF-8 character, spans two members.
    pub fn cut(&mut self) -> io::Result<()> {
        self.sink.put(&self.buffer[..self.last_middle])?;
        self.buffer.drain(..self.last_middle);
        self.last_middle = 0;
        self.sink.cut()
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.sink.put(&self.buffer)?;
        self.sink.finish()
    }
}
