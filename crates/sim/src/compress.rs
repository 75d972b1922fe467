//! Transport compression: one zlib or zstd stream per connection, flushed after every payload
//! (`compress=zlib-stream` / `compress=zstd-stream`), sent as binary frames.

use flate2::{Compress, Compression, FlushCompress};
use zstd::stream::raw::{Encoder, InBuffer, Operation, OutBuffer};

/// Transport compression a client asked for in its connection URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompressKind {
    None,
    ZlibStream,
    ZstdStream,
}

impl CompressKind {
    pub(crate) fn from_query(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") => Some(Self::None),
            Some("zlib-stream") => Some(Self::ZlibStream),
            Some("zstd-stream") => Some(Self::ZstdStream),
            Some(_) => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ZlibStream => "zlib-stream",
            Self::ZstdStream => "zstd-stream",
        }
    }
}

/// The compressor of one connection.
pub(crate) enum Compressor {
    None,
    Zlib(Box<Compress>),
    Zstd(Box<Encoder<'static>>),
}

impl std::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "Compressor::None",
            Self::Zlib(_) => "Compressor::Zlib",
            Self::Zstd(_) => "Compressor::Zstd",
        })
    }
}

/// Compression failed: the connection cannot continue on a broken stream.
#[derive(Debug)]
pub(crate) struct CompressFailed;

impl Compressor {
    pub(crate) fn new(kind: CompressKind) -> Result<Self, CompressFailed> {
        Ok(match kind {
            CompressKind::None => Self::None,
            CompressKind::ZlibStream => {
                Self::Zlib(Box::new(Compress::new(Compression::fast(), true)))
            }
            CompressKind::ZstdStream => {
                Self::Zstd(Box::new(Encoder::new(1).map_err(|_| CompressFailed)?))
            }
        })
    }

    pub(crate) fn is_none(&self) -> bool {
        matches!(self, Self::None)
    }

    /// Compresses one payload and flushes the stream so the client can decode it alone.
    pub(crate) fn compress(&mut self, input: &[u8]) -> Result<Vec<u8>, CompressFailed> {
        match self {
            Self::None => Ok(input.to_vec()),
            Self::Zlib(z) => zlib_sync_flush(z, input),
            Self::Zstd(z) => zstd_flush(z, input),
        }
    }
}

fn zlib_sync_flush(z: &mut Compress, input: &[u8]) -> Result<Vec<u8>, CompressFailed> {
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    let mut consumed = 0usize;
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(256));
        }
        let before_in = z.total_in();
        z.compress_vec(&input[consumed..], &mut out, FlushCompress::Sync)
            .map_err(|_| CompressFailed)?;
        consumed += usize::try_from(z.total_in() - before_in).map_err(|_| CompressFailed)?;
        // A sync flush is complete once all input is consumed and output space was left over.
        if consumed == input.len() && out.len() < out.capacity() {
            return Ok(out);
        }
    }
}

fn zstd_flush(z: &mut Encoder<'static>, input: &[u8]) -> Result<Vec<u8>, CompressFailed> {
    let mut out = vec![0u8; zstd::zstd_safe::CCtx::out_size().max(input.len() + 64)];
    let mut written = 0usize;
    let mut src = InBuffer::around(input);
    while src.pos < input.len() {
        let mut dst = OutBuffer::around(&mut out[written..]);
        z.run(&mut src, &mut dst).map_err(|_| CompressFailed)?;
        written += dst.pos();
        if written == out.len() {
            out.resize(out.len() * 2, 0);
        }
    }
    loop {
        let mut dst = OutBuffer::around(&mut out[written..]);
        let remaining = z.flush(&mut dst).map_err(|_| CompressFailed)?;
        written += dst.pos();
        if remaining == 0 {
            break;
        }
        if written == out.len() {
            out.resize(out.len() * 2, 0);
        }
    }
    out.truncate(written);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Decompress, FlushDecompress};

    #[test]
    fn zlib_stream_round_trips_message_by_message() {
        let mut c = Compressor::new(CompressKind::ZlibStream).expect("zlib compressor");
        let mut d = Decompress::new(true);
        for text in ["{\"op\":10}", "{\"op\":11,\"d\":null}"] {
            let bytes = c.compress(text.as_bytes()).expect("compress");
            assert!(bytes.ends_with(&[0, 0, 0xff, 0xff]));
            let mut out = Vec::with_capacity(1024);
            d.decompress_vec(&bytes, &mut out, FlushDecompress::Sync)
                .expect("inflate");
            assert_eq!(out, text.as_bytes());
        }
    }

    #[test]
    fn zstd_stream_round_trips_message_by_message() {
        let mut c = Compressor::new(CompressKind::ZstdStream).expect("zstd compressor");
        let mut d = zstd::stream::raw::Decoder::new().expect("decoder");
        let big = "x".repeat(300_000);
        for text in ["{\"op\":10}", big.as_str(), "{\"op\":11}"] {
            let bytes = c.compress(text.as_bytes()).expect("compress");
            let mut out = vec![0u8; text.len() + 16];
            let mut src = InBuffer::around(&bytes);
            let mut dst = OutBuffer::around(&mut out[..]);
            while src.pos < bytes.len() {
                zstd::stream::raw::Operation::run(&mut d, &mut src, &mut dst).expect("decode");
            }
            let n = dst.pos();
            assert_eq!(&out[..n], text.as_bytes());
        }
    }
}
