//! Recognition of inputs whose bytes another input contains: copies of a
//! log under other names, and early copies of a log that went on growing.

use std::cmp::Reverse;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::{DiscoveredInput, Origin};

/// Bytes of a file's start that must match before two files are compared
/// to the end.
const HEAD_BYTES: u64 = 4 * 1024;

/// Bytes read at a time when two files are compared.
const COMPARE_CHUNK_BYTES: usize = 64 * 1024;

/// The input read in place of one whose bytes it contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Container {
    /// The input at this index has the same content and comes earlier.
    Same(usize),
    /// The content is the start of the longer input at this index.
    Start(usize),
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
    for file in &heads {
        found[file.index] = find_container(file, &heads);
        sizes[file.index] = file.size;
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
            Some(if sizes[container] == sizes[index] {
                Container::Same(container)
            } else {
                Container::Start(container)
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
    let mut shorter = File::open(shorter)?;
    let mut longer = File::open(longer)?;
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
