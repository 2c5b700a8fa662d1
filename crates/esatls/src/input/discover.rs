//! Expansion of the paths given on the command line into inputs.

use std::path::{Path, PathBuf};

use super::{InputError, Origin};

/// One input found while expanding the command-line paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredInput {
    pub origin: Origin,
    /// The directory given on the command line that this file was found
    /// in, if it was found by walking one.
    pub walked_from: Option<PathBuf>,
}

/// The inputs a command line names, and what was left out.
#[derive(Debug, Default)]
pub struct Expansion {
    pub inputs: Vec<DiscoveredInput>,
    /// Directories that could not be read, and entries of walked
    /// directories that are not regular files.
    pub errors: Vec<InputError>,
    /// Inputs left out because an earlier path reached the same file.
    pub duplicates: Vec<String>,
    /// Compressed copies left out because the same log is there
    /// uncompressed (`name.@...s.gz` beside `name.@...s`), with the file
    /// they copy.
    pub twins: Vec<(String, String)>,
    /// Directories given that hold no file to read.
    pub empty_directories: Vec<String>,
    /// Files left out because an earlier file has the same content (a
    /// copy under another name), with that file.
    pub copies: Vec<(String, String)>,
}

/// Expands files, directories (walked recursively, entries in name order)
/// and `-` (standard input) into a list of inputs.
///
/// Each file is read once however many paths reach it. A walk does not
/// follow symbolic links to directories (a link back up the tree would make
/// it endless) and leaves out entries that are not regular files, such as
/// FIFOs, which are reported; a FIFO or device named on the command line is
/// read.
pub fn expand_inputs(paths: &[PathBuf]) -> Expansion {
    let mut expansion = Expansion::default();
    let mut seen = std::collections::HashSet::new();
    // The key leaves out the subdirectory that names the appliance, because
    // two appliances never write the same bytes (their ids, serial numbers
    // and times differ).
    let mut contents: std::collections::HashMap<(u64, u64), String> =
        std::collections::HashMap::new();
    let mut stdin_seen = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if stdin_seen {
                expansion.duplicates.push("-".to_string());
                continue;
            }
            stdin_seen = true;
            expansion.inputs.push(DiscoveredInput {
                origin: Origin::Stdin,
                walked_from: None,
            });
        } else if path.is_dir() {
            let before = expansion.inputs.len();
            walk(path, path, &mut expansion.inputs, &mut expansion.errors);
            if expansion.inputs.len() == before {
                expansion.empty_directories.push(path.display().to_string());
            }
        } else {
            expansion.inputs.push(DiscoveredInput {
                origin: Origin::Path(path.clone()),
                walked_from: None,
            });
        }
    }
    let inputs = std::mem::take(&mut expansion.inputs);
    let mut stems = std::collections::HashMap::new();
    for input in &inputs {
        if let Origin::Path(path) = &input.origin {
            if compressed_stem(path).is_none() {
                stems.insert(path.clone(), path.display().to_string());
            }
        }
    }
    for input in inputs {
        if let Origin::Path(path) = &input.origin {
            if let Some(twin) = compressed_stem(path).and_then(|stem| stems.get(&stem)) {
                expansion
                    .twins
                    .push((path.display().to_string(), twin.clone()));
                continue;
            }
        }
        if let Origin::Path(path) = &input.origin {
            if let Some(identity) = file_identity(path) {
                if !seen.insert(identity) {
                    expansion.duplicates.push(path.display().to_string());
                    continue;
                }
            }
            if let Some(fingerprint) = content_fingerprint(path) {
                match contents.entry(fingerprint) {
                    std::collections::hash_map::Entry::Occupied(original) => {
                        expansion
                            .copies
                            .push((path.display().to_string(), original.get().clone()));
                        continue;
                    }
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(path.display().to_string());
                    }
                }
            }
        }
        expansion.inputs.push(input);
    }
    expansion
}

/// Returns the subdirectory of the walked `root` that holds `path`
/// (`esa1` for `logs/esa1/mail.current` found by walking `logs`): the
/// layout of a directory per appliance. A file directly in `root` has
/// none.
pub(crate) fn appliance_subdirectory<'a>(
    path: &'a Path,
    root: &Path,
) -> Option<&'a std::ffi::OsStr> {
    let relative = path.strip_prefix(root).ok()?;
    let mut components = relative.components();
    let first = components.next()?;
    components.next()?;
    Some(first.as_os_str())
}

/// Bytes of a file's start that identify its content, with its size.
const FINGERPRINT_BYTES: usize = 64 * 1024;

/// Returns the size and a hash of the first [`FINGERPRINT_BYTES`] of a
/// regular file, so that copies of one log under two names are read once.
/// Two rotated log files never share their first lines (each line carries
/// its time), so equal fingerprints mean equal files in practice.
fn content_fingerprint(path: &Path) -> Option<(u64, u64)> {
    use std::hash::Hasher;
    use std::io::Read;
    // Look before opening: opening a named pipe would wait for a writer.
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() == 0 {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut head = Vec::with_capacity(FINGERPRINT_BYTES);
    file.take(FINGERPRINT_BYTES as u64)
        .read_to_end(&mut head)
        .ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(&head);
    Some((metadata.len(), hasher.finish()))
}

/// Returns the path without its compression suffix, for a file whose name
/// ends in one.
fn compressed_stem(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let stem = [".gz", ".zst", ".bz2", ".xz"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))?;
    Some(path.with_file_name(stem))
}

/// Returns the device and inode of the file `path` reaches.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.dev(), metadata.ino()))
}

fn walk(root: &Path, dir: &Path, inputs: &mut Vec<DiscoveredInput>, errors: &mut Vec<InputError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(InputError::Walk {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut paths: Vec<(PathBuf, std::fs::FileType)> = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(source) => {
                errors.push(InputError::Walk {
                    path: dir.to_path_buf(),
                    source,
                });
                continue;
            }
        };
        match entry.file_type() {
            Ok(file_type) => paths.push((entry.path(), file_type)),
            Err(source) => errors.push(InputError::Walk {
                path: entry.path(),
                source,
            }),
        }
    }
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if file_type.is_dir() {
            walk(root, &path, inputs, errors);
            continue;
        }
        // A link is read when it leads to a regular file; a link to a
        // directory is not walked.
        let target_is_file = if file_type.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_dir() => continue,
                Ok(metadata) => metadata.is_file(),
                Err(source) => {
                    errors.push(InputError::Open {
                        origin: Origin::Path(path),
                        source,
                    });
                    continue;
                }
            }
        } else {
            file_type.is_file()
        };
        if target_is_file {
            inputs.push(DiscoveredInput {
                origin: Origin::Path(path),
                walked_from: Some(root.to_path_buf()),
            });
        } else {
            errors.push(InputError::Open {
                origin: Origin::Path(path),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a regular file, so a directory walk leaves it out; name it on the \
                     command line to read it",
                ),
            });
        }
    }
}

/// Returns the start time in an ESA rotation name, `name.@YYYYMMDDTHHMMSS.s`
/// (also `.c`, `.current` or a compression suffix after it), as local
/// seconds since 1970-01-01.
pub fn rotation_time(path: &Path) -> Option<i64> {
    let name = path.file_name()?.to_str()?;
    let at = name.rfind(".@")?;
    let stamp = name.get(at + 2..at + 17)?;
    let bytes = stamp.as_bytes();
    if bytes[8] != b'T' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let text = stamp.get(range)?;
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    };
    let year = digits(0..4)?;
    let month = digits(4..6)?;
    let day = digits(6..8)?;
    let hour = digits(9..11)?;
    let minute = digits(11..13)?;
    let second = digits(13..15)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let date = jiff::civil::Date::new(year as i16, month as i8, day as i8).ok()?;
    let days = i64::from(date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days());
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second.min(59))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_names() {
        let time = rotation_time(Path::new("logs/mail_logs.@20210228T173106.s")).unwrap();
        let expected = crate::header::LogTime {
            year: 2021,
            month: 2,
            day: 28,
            hour: 17,
            minute: 31,
            second: 6,
            offset: None,
        };
        assert_eq!(time, expected.local_seconds());
        assert!(rotation_time(Path::new("mail.@20190516T183759.c")).is_some());
        assert!(rotation_time(Path::new("mail.@20190516T183759.s.gz")).is_some());
        assert_eq!(rotation_time(Path::new("mail.current")), None);
        assert_eq!(rotation_time(Path::new("mail_logs.@123456789.s")), None);
        assert_eq!(rotation_time(Path::new("mail.@20191316T183759.s")), None);
    }

    #[test]
    fn expands_directories_in_name_order() {
        let dir = std::env::temp_dir().join(format!("esatls-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("esa1")).unwrap();
        std::fs::write(dir.join("esa1/b.log"), "").unwrap();
        std::fs::write(dir.join("esa1/a.log"), "").unwrap();
        std::fs::write(dir.join(".hidden"), "").unwrap();
        std::os::unix::fs::symlink("..", dir.join("esa1/loop")).unwrap();
        std::os::unix::fs::symlink("b.log", dir.join("esa1/c.log")).unwrap();
        let expansion = expand_inputs(&[
            dir.clone(),
            PathBuf::from("-"),
            dir.join("esa1/a.log"),
            PathBuf::from("-"),
        ]);
        assert!(expansion.errors.is_empty(), "{:?}", expansion.errors);
        assert_eq!(
            expansion.duplicates,
            vec![
                "-".to_string(),
                dir.join("esa1/c.log").display().to_string(),
                dir.join("esa1/a.log").display().to_string(),
            ]
        );
        let names: Vec<String> = expansion
            .inputs
            .iter()
            .map(|i| i.origin.to_string())
            .collect();
        assert_eq!(
            names,
            vec![
                dir.join("esa1/a.log").display().to_string(),
                dir.join("esa1/b.log").display().to_string(),
                "<stdin>".to_string()
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
