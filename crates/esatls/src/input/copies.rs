//! Recognition of inputs whose bytes another input contains: copies of a
//! log under other names, early copies of a log that went on growing, and
//! compressed copies, beside the uncompressed file or anywhere else.

use std::cmp::Reverse;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{DiscoveredInput, Origin};

/// Bytes of a file's start that must match before two files are compared
/// to the end.
const HEAD_BYTES: u64 = 4 * 1024;

/// Bytes read at a time when two files are compared.
const COMPARE_CHUNK_BYTES: usize = 64 * 1024;

/// The input read in place of one whose bytes it contains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Container {
    /// The file at this path has the same content and comes earlier.
    Same(PathBuf),
    /// The content is the start of the longer file at this path.
    Start(PathBuf),
    /// The file cannot be decompressed to its end, and what can be is the
    /// start of the file at `original`; `error` says why.
    Damaged { original: PathBuf, error: String },
}

/// The size and first bytes of one regular file among the inputs.
struct FileHead<'a> {
    index: usize,
    path: &'a Path,
    size: u64,
    head: Vec<u8>,
}

impl FileHead<'_> {
    /// Returns the order in which files are preferred as the one to read:
    /// the longer first, then the earlier.
    fn rank(&self) -> (u64, Reverse<usize>) {
        (self.size, Reverse(self.index))
    }
}

/// Finds, for each input, the input that is read in its place because it
/// contains all of its bytes: the longest file whose content starts with
/// the input's content, the earliest of them if several are as long.
///
/// Only regular, non-empty files take part. Two files are compared to the
/// end only when the first [`HEAD_BYTES`] of one are the start of the
/// other, so distinct logs cost one short read each.
pub(super) fn find_containers(inputs: &[DiscoveredInput]) -> Vec<Option<Container>> {
    let mut heads: Vec<FileHead> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| {
            let Origin::Path(path) = &input.origin else {
                return None;
            };
            let (size, head) = read_head(path)?;
            Some(FileHead {
                index,
                path,
                size,
                head,
            })
        })
        .collect();
    // In this order, the heads that start with a given head follow it
    // directly, so each file's candidates are one run of the list.
    heads.sort_by(|a, b| a.head.cmp(&b.head));
    let mut found = vec![None; inputs.len()];
    let mut sizes = vec![0; inputs.len()];
    let mut paths = vec![None; inputs.len()];
    for file in &heads {
        found[file.index] = find_container(file, &heads);
        sizes[file.index] = file.size;
        paths[file.index] = Some(file.path);
    }
    (0..inputs.len())
        .map(|index| {
            let mut container = found[index]?;
            // A file that changed between two comparisons can make a
            // container contained in turn. The chain ends because each
            // step goes to a file of higher rank.
            while let Some(next) = found[container] {
                container = next;
            }
            let path = paths[container]?.to_path_buf();
            Some(if sizes[container] == sizes[index] {
                Container::Same(path)
            } else {
                Container::Start(path)
            })
        })
        .collect()
}

/// Returns the index of the highest-ranked file in `sorted` (sorted by
/// head) whose content starts with all of `file`'s content.
fn find_container(file: &FileHead, sorted: &[FileHead]) -> Option<usize> {
    let first = sorted.partition_point(|other| other.head < file.head);
    let mut candidates: Vec<&FileHead> = sorted[first..]
        .iter()
        .take_while(|other| other.head.starts_with(&file.head))
        .filter(|other| other.rank() > file.rank())
        .collect();
    candidates.sort_by_key(|candidate| Reverse(candidate.rank()));
    candidates
        .into_iter()
        .find(|candidate| is_start_of(file.path, candidate.path))
        .map(|candidate| candidate.index)
}

/// Returns whether the decompressed content of `compressed` is not empty
/// and all of it is the start of `plain` (the same log, or an early copy
/// of it). A compressed file that goes on past the end of `plain` contains
/// more and is not a copy. Only regular files are opened, and a read error
/// returns false so that both files are read.
pub(super) fn is_compressed_copy(compressed: &Path, plain: &Path) -> bool {
    if !is_regular(compressed) || !is_regular(plain) {
        return false;
    }
    let Ok(mut opened) = super::open(&Origin::Path(compressed.to_path_buf())) else {
        return false;
    };
    let Ok(mut plain) = File::open(plain) else {
        return false;
    };
    let mut first = [0; 1];
    match opened.reader.read(&mut first) {
        Ok(1) => {}
        _ => return false,
    }
    let mut decompressed = io::Cursor::new(first).chain(opened.reader);
    stream_is_start_of(&mut decompressed, &mut plain).unwrap_or(false)
}

/// Returns whether `path` leads to a regular file. Callers look before
/// opening because opening a named pipe would wait for a writer.
fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|metadata| metadata.is_file())
}

/// Returns the size and the first [`HEAD_BYTES`] of a regular, non-empty
/// file.
fn read_head(path: &Path) -> Option<(u64, Vec<u8>)> {
    // Look before opening: opening a named pipe would wait for a writer.
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() == 0 {
        return None;
    }
    let mut head = Vec::new();
    File::open(path)
        .ok()?
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .ok()?;
    Some((metadata.len(), head))
}

/// Returns whether all the bytes of `shorter` are the first bytes of
/// `longer`, reading both only as far as `shorter` goes. A read error
/// returns false, so that both files are read and the error is reported
/// then.
fn is_start_of(shorter: &Path, longer: &Path) -> bool {
    compare_start(shorter, longer).unwrap_or(false)
}

fn compare_start(shorter: &Path, longer: &Path) -> io::Result<bool> {
    stream_is_start_of(&mut File::open(shorter)?, &mut File::open(longer)?)
}

/// Returns whether every byte `shorter` yields is, in order, a byte that
/// `longer` yields first.
fn stream_is_start_of(shorter: &mut dyn Read, longer: &mut dyn Read) -> io::Result<bool> {
    let mut expected = vec![0; COMPARE_CHUNK_BYTES];
    let mut found = vec![0; COMPARE_CHUNK_BYTES];
    loop {
        let count = match shorter.read(&mut expected) {
            Ok(0) => return Ok(true),
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        match longer.read_exact(&mut found[..count]) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(error) => return Err(error),
        }
        if expected[..count] != found[..count] {
            return Ok(false);
        }
    }
}

/// How the decompressed content of two inputs compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Same,
    /// The first input's content is the start of the second's, which is
    /// longer.
    FirstIsStart,
    SecondIsStart,
    Different,
}

/// The first decompressed bytes of one regular file among the inputs.
struct ContentHead<'a> {
    index: usize,
    path: &'a Path,
    compressed: bool,
    head: Vec<u8>,
}

/// Finds, for each input, the input read in its place when one of the two
/// is compressed and the decompressed content of the other contains all
/// of its content. Copies among plain files are found by
/// [`find_containers`] first.
///
/// gzip and the other formats write different bytes for one content (the
/// gzip header holds a time, and levels differ), so two compressed copies
/// of one log, or a compressed log and an early plain copy of it, differ
/// byte for byte. Their decompressed contents are compared in full only
/// when their first [`HEAD_BYTES`] match. Of two inputs with the same
/// content, the plain one is read (it is cheaper to read), else the
/// earlier one.
pub(super) fn find_compressed_containers(inputs: &[DiscoveredInput]) -> Vec<Option<Container>> {
    let mut heads: Vec<ContentHead> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| {
            let Origin::Path(path) = &input.origin else {
                return None;
            };
            let (compressed, head) = read_content_head(path)?;
            Some(ContentHead {
                index,
                path,
                compressed,
                head,
            })
        })
        .collect();
    // For each input, the input read in its place and how the two compare.
    let mut found: Vec<Option<(usize, Link)>> = vec![None; inputs.len()];
    if !heads.iter().any(|head| head.compressed) {
        return vec![None; inputs.len()];
    }
    heads.sort_by(|a, b| a.head.cmp(&b.head));
    for (position, file) in heads.iter().enumerate() {
        let start = heads.partition_point(|other| other.head < file.head);
        let candidates = heads[start..]
            .iter()
            .enumerate()
            .take_while(|(_, other)| other.head.starts_with(&file.head))
            .filter(|(offset, other)| {
                start + offset != position && (file.compressed || other.compressed)
            });
        for (_, other) in candidates {
            let link = match compare_contents(file.path, other.path) {
                (Relation::FirstIsStart, Some(error)) => Link::Damaged(error),
                (Relation::FirstIsStart, None) => Link::Start,
                (Relation::Same, _) if reads_instead(other, file) => Link::Same,
                _ => continue,
            };
            found[file.index] = Some((other.index, link));
            break;
        }
    }
    let paths: std::collections::HashMap<usize, &Path> =
        heads.iter().map(|head| (head.index, head.path)).collect();
    (0..inputs.len())
        .map(|index| {
            let (mut container, first) = found[index].clone()?;
            let mut same = first == Link::Same;
            // Each step goes to longer content, or to the same content in a
            // preferred input, so the chain ends; the bound only guards
            // against files that change while they are compared.
            for _ in 0..inputs.len() {
                let Some((next, link)) = &found[container] else {
                    break;
                };
                container = *next;
                same &= *link == Link::Same;
            }
            let path = paths.get(&container)?.to_path_buf();
            Some(match first {
                Link::Damaged(error) => Container::Damaged {
                    original: path,
                    error,
                },
                _ if same => Container::Same(path),
                _ => Container::Start(path),
            })
        })
        .collect()
}

/// How an input compares with the input read in its place.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Link {
    Same,
    Start,
    /// The start, as far as the input can be decompressed.
    Damaged(String),
}

/// Returns whether `other` is read in place of `file` when both have the
/// same content.
fn reads_instead(other: &ContentHead, file: &ContentHead) -> bool {
    (other.compressed, other.index) < (file.compressed, file.index)
}

/// Returns whether a regular, non-empty file is compressed, with its
/// first [`HEAD_BYTES`] decompressed bytes. A file that cannot be opened
/// or decompressed returns `None`, so that it is read and its error
/// reported then.
fn read_content_head(path: &Path) -> Option<(bool, Vec<u8>)> {
    if !is_regular(path) {
        return None;
    }
    let mut opened = super::open(&Origin::Path(path.to_path_buf())).ok()?;
    let compressed = opened.compression != super::Compression::None;
    // A damaged file keeps the bytes read before the error.
    let mut head = vec![0; HEAD_BYTES as usize];
    let (count, _) = read_full(&mut opened.reader, &mut head);
    head.truncate(count);
    (!head.is_empty()).then_some((compressed, head))
}

/// Compares the decompressed contents of two files to the end of the
/// shorter. An error reading the first file ends its content there, and
/// is returned with the result; an error reading the second returns
/// [`Relation::Different`], so that both files are read.
fn compare_contents(first: &Path, second: &Path) -> (Relation, Option<String>) {
    let open = |path: &Path| super::open(&Origin::Path(path.to_path_buf())).ok();
    let (Some(first), Some(second)) = (open(first), open(second)) else {
        return (Relation::Different, None);
    };
    compare_streams(first.reader, second.reader)
}

/// Reads two streams side by side and returns how they compare, as
/// [`compare_contents`] describes.
fn compare_streams(mut first: impl Read, mut second: impl Read) -> (Relation, Option<String>) {
    let mut a = vec![0; COMPARE_CHUNK_BYTES];
    let mut b = vec![0; COMPARE_CHUNK_BYTES];
    loop {
        let (count_a, error) = read_full(&mut first, &mut a);
        let (count_b, None) = read_full(&mut second, &mut b) else {
            return (Relation::Different, None);
        };
        let common = count_a.min(count_b);
        if a[..common] != b[..common] {
            return (Relation::Different, None);
        }
        if let Some(error) = error {
            // What can be read of the first is the start of the second.
            if count_a <= count_b {
                return (Relation::FirstIsStart, Some(error.to_string()));
            }
            return (Relation::Different, None);
        }
        let relation = match (count_a == a.len(), count_b == b.len()) {
            (true, true) => continue,
            _ if count_a == count_b => Relation::Same,
            _ if count_a < count_b => Relation::FirstIsStart,
            _ => Relation::SecondIsStart,
        };
        return (relation, None);
    }
}

/// Fills `buffer` from `reader` unless the stream ends or fails first.
/// Returns the number of bytes read, and the error that stopped it.
fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (filled, Some(error)),
        }
    }
    (filled, None)
}
