//! Inputs: files, directories and standard input, decompressed by their
//! magic bytes and cut into bounded lines.

mod copies;
mod discover;
#[cfg(unix)]
mod follow;
mod lines;
mod stop;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub(crate) use discover::appliance_subdirectory;
pub use discover::{expand_inputs, rotation_time, DiscoveredInput, Expansion};
#[cfg(unix)]
pub use follow::{
    compressed_files_in, FollowEvent, FollowOptions, Follower, DEFAULT_POLL_INTERVAL,
};
pub use lines::{split_lines, Line, LineReader, SplitLines, DEFAULT_MAX_LINE_BYTES};
pub use stop::StopHandle;
pub(crate) use stop::{is_stopped_read, StoppableReader};

/// Where one input comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    Path(PathBuf),
    Stdin,
    /// A stream handed over by a program using the library, by its name.
    Named(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Path(path) => write!(f, "{}", path.display()),
            Origin::Stdin => f.write_str("<stdin>"),
            Origin::Named(name) => f.write_str(name),
        }
    }
}

/// Compression recognised from an input's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

/// Magic numbers of the compressed formats. A bzip2 stream's `BZh` is
/// followed by its block size, a digit from 1 to 9.
const MAGIC_NUMBERS: [(Compression, &[u8]); 4] = [
    (Compression::Gzip, &[0x1f, 0x8b]),
    (Compression::Zstd, &[0x28, 0xb5, 0x2f, 0xfd]),
    (Compression::Bzip2, b"BZh"),
    (Compression::Xz, &[0xfd, b'7', b'z', b'X', b'Z', 0x00]),
];

/// Bytes read to recognise a compression: the longest magic number, xz's,
/// has six.
const MAGIC_BYTES: usize = 6;

impl Compression {
    /// Recognises the compression from the first bytes of a stream (its
    /// magic number), whatever the file is called.
    pub fn detect(head: &[u8]) -> Compression {
        for (compression, magic) in MAGIC_NUMBERS {
            if !head.starts_with(magic) {
                continue;
            }
            if compression == Compression::Bzip2
                && !head
                    .get(magic.len())
                    .is_some_and(|size| (b'1'..=b'9').contains(size))
            {
                continue;
            }
            return compression;
        }
        Compression::None
    }

    /// Returns whether `head` is too short to tell: it is the start of a
    /// magic number, or of bzip2's magic number and block size, but not
    /// all of it.
    pub fn is_partial_magic(head: &[u8]) -> bool {
        MAGIC_NUMBERS.iter().any(|(compression, magic)| {
            let length = magic.len() + usize::from(*compression == Compression::Bzip2);
            head.len() < length && magic.starts_with(&head[..head.len().min(magic.len())])
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
        }
    }
}

/// Counts the bytes read through it, so that a decompression error can name
/// the compressed offset where it happened.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        self.count.fetch_add(count as u64, Ordering::Relaxed);
        Ok(count)
    }
}

impl<R: BufRead> BufRead for CountingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.count.fetch_add(amount as u64, Ordering::Relaxed);
        self.inner.consume(amount);
    }
}

/// An opened input: the decompressed byte stream and what is known about it.
pub struct OpenedInput {
    pub reader: Box<dyn Read + Send>,
    pub compression: Compression,
    /// Compressed bytes read so far (equal to the decompressed count for
    /// plain input).
    pub compressed_read: Arc<AtomicU64>,
    /// Modification time of the file, in seconds since the Unix epoch.
    pub modified: Option<i64>,
    /// Whether the input is a regular file, which can be opened again;
    /// pipes, FIFOs and devices cannot.
    pub regular: bool,
}

/// Failure to open or read one input.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{origin}: cannot open: {source}")]
    Open {
        origin: Origin,
        #[source]
        source: io::Error,
    },
    #[error("{origin}: read failed at decompressed byte {offset}: {source}")]
    Read {
        origin: Origin,
        offset: u64,
        #[source]
        source: io::Error,
    },
    #[error(
        "{origin}: corrupt or truncated {compression} data at compressed byte {compressed_offset} \
         (decompressed byte {offset}): {source}; records read before this point were kept"
    )]
    Corrupt {
        origin: Origin,
        compression: &'static str,
        compressed_offset: u64,
        offset: u64,
        #[source]
        source: io::Error,
    },
    #[error("{origin}: not read: {what}")]
    Unsupported { origin: Origin, what: &'static str },
    /// A stream to be read as it is written is compressed, so it is
    /// complete already.
    #[error("{origin}: {compression}-compressed, so it is complete: read it without following")]
    Compressed {
        origin: Origin,
        compression: &'static str,
    },
    /// A followed file or directory could not be read; the message names
    /// the path.
    #[error("{0}")]
    Follow(io::Error),
    #[error("{path}: cannot read directory: {source}")]
    Walk {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Opens `origin` and wraps it in the decompressor its magic bytes call for.
///
/// A [`Origin::Named`] input cannot be opened by name: use
/// [`open_reader`].
pub fn open(origin: &Origin) -> Result<OpenedInput, InputError> {
    let open_error = |source| InputError::Open {
        origin: origin.clone(),
        source,
    };
    let (raw, modified, regular): (Box<dyn Read + Send>, Option<i64>, bool) = match origin {
        Origin::Stdin => (Box::new(io::stdin()), None, false),
        Origin::Named(_) => {
            return Err(open_error(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a named stream cannot be opened again",
            )))
        }
        Origin::Path(path) => {
            let file = File::open(path).map_err(open_error)?;
            let metadata = file.metadata().map_err(open_error)?;
            if metadata.is_dir() {
                return Err(open_error(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is a directory",
                )));
            }
            let regular = metadata.is_file();
            (Box::new(file), modified_seconds(&metadata), regular)
        }
    };
    let mut opened = open_reader(origin, raw, modified)?;
    opened.regular = regular;
    Ok(opened)
}

/// Wraps an already open stream in the decompressor its magic bytes call
/// for.
pub fn open_reader(
    origin: &Origin,
    mut raw: Box<dyn Read + Send>,
    modified: Option<i64>,
) -> Result<OpenedInput, InputError> {
    let open_error = |source| InputError::Open {
        origin: origin.clone(),
        source,
    };
    // One read of the few bytes a magic number takes. Plain text is read
    // without a buffer of its own, since the line reader reads large
    // blocks. A buffer would turn each small read of a peek at the first
    // lines (for the appliance, or to find copies) into one of 256 KiB.
    let mut magic = [0; MAGIC_BYTES];
    let read = loop {
        match raw.read(&mut magic) {
            Ok(read) => break read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(open_error(error)),
        }
    };
    let compression = Compression::detect(&magic[..read]);
    let raw = io::Cursor::new(magic).take(read as u64).chain(raw);
    let count = Arc::new(AtomicU64::new(0));
    let reader: Box<dyn Read + Send> = if compression == Compression::None {
        Box::new(CountingReader {
            inner: raw,
            count: Arc::clone(&count),
        })
    } else {
        let buffered = CountingReader {
            inner: BufReader::with_capacity(256 * 1024, raw),
            count: Arc::clone(&count),
        };
        // Every decoder reads concatenated members or frames, as `cat
        // a.gz b.gz` and parallel compressors write them.
        match compression {
            Compression::None => Box::new(buffered),
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
            Compression::Zstd => {
                Box::new(zstd::stream::read::Decoder::with_buffer(buffered).map_err(open_error)?)
            }
            Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
            Compression::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered)),
        }
    };
    Ok(OpenedInput {
        reader,
        compression,
        compressed_read: count,
        modified,
        regular: false,
    })
}

fn modified_seconds(metadata: &std::fs::Metadata) -> Option<i64> {
    let modified = metadata.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(data: Vec<u8>) -> (Compression, String) {
        let origin = Origin::Named("test".into());
        let mut opened = open_reader(&origin, Box::new(io::Cursor::new(data)), None).unwrap();
        let mut text = String::new();
        opened.reader.read_to_string(&mut text).unwrap();
        (opened.compression, text)
    }

    fn two_members(compress: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
        let mut data = compress(b"first line\n");
        data.extend(compress(b"second line\n"));
        data
    }

    #[test]
    fn magic_bytes_cover_every_magic_number() {
        for (compression, magic) in MAGIC_NUMBERS {
            let length = magic.len() + usize::from(compression == Compression::Bzip2);
            assert!(length <= MAGIC_BYTES, "{compression:?}");
        }
    }

    #[test]
    fn every_compression_with_several_members() {
        let gzip = two_members(|text| {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(text).unwrap();
            encoder.finish().unwrap()
        });
        let zstd = two_members(|text| zstd::encode_all(text, 1).unwrap());
        let bzip2 = two_members(|text| {
            let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            encoder.write_all(text).unwrap();
            encoder.finish().unwrap()
        });
        let xz = two_members(|text| {
            let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 1);
            encoder.write_all(text).unwrap();
            encoder.finish().unwrap()
        });
        for (data, expected) in [
            (gzip, Compression::Gzip),
            (zstd, Compression::Zstd),
            (bzip2, Compression::Bzip2),
            (xz, Compression::Xz),
            (b"first line\nsecond line\n".to_vec(), Compression::None),
        ] {
            let (compression, text) = read_all(data);
            assert_eq!(compression, expected);
            assert_eq!(text, "first line\nsecond line\n", "{}", expected.name());
        }
    }

    #[test]
    fn partial_magic_needs_more_bytes() {
        for head in [
            b"".as_slice(),
            &[0x1f],
            &[0x28, 0xb5, 0x2f],
            b"B",
            b"BZh",
            &[0xfd, b'7', b'z', b'X', b'Z'],
        ] {
            assert!(Compression::is_partial_magic(head), "{head:?}");
            assert_eq!(Compression::detect(head), Compression::None, "{head:?}");
        }
        for head in [
            &[0x1f, 0x8b][..],
            &[0x28, 0xb5, 0x2f, 0xfd],
            b"BZh9",
            b"BZhx",
            &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
            b"Mon Mar  2",
            &[0x1f, 0x00],
            b"BA",
        ] {
            assert!(!Compression::is_partial_magic(head), "{head:?}");
        }
    }

    #[test]
    fn short_and_lookalike_heads_are_plain() {
        assert_eq!(Compression::detect(b""), Compression::None);
        assert_eq!(Compression::detect(b"BZ"), Compression::None);
        assert_eq!(Compression::detect(b"BZhx"), Compression::None);
        assert_eq!(Compression::detect(&[0x1f]), Compression::None);
    }
}
