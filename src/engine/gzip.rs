//! Streaming gzip: any number of members, each header parsed incrementally, the deflate body inflated
//! by miniz_oxide, the CRC32 and length trailer checked.

use crate::error::Result;

/// Decodes concatenated gzip members pushed in any chunking.
pub struct GzipDecoder {}

impl GzipDecoder {
    pub fn new() -> Self {
        todo!("gzip helper")
    }

    /// Consumes all of `input`, handing each piece of decompressed bytes to `out` as it is produced.
    /// An error from `out` stops decoding and is returned as is.
    pub fn push<F: FnMut(&[u8]) -> Result<()>>(&mut self, _input: &[u8], _out: &mut F) -> Result<()> {
        todo!("gzip helper")
    }

    /// The input has ended: Ok only at a member boundary after at least one whole member.
    pub fn finish(&mut self) -> Result<()> {
        todo!("gzip helper")
    }
}
