//! Expansion of the paths given on the command line into inputs.

use std::path::{Path, PathBuf};

use super::{copies, InputError, Origin};

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
    /// uncompressed (`name.@...s.gz` beside `name.@...s`, with the same
    /// start), with the file read in their place.
    pub twins: Vec<(String, String)>,
    /// Directories given that hold no file to read.
    pub empty_directories: Vec<String>,
    /// Named pipes, sockets and devices found by walking a directory, which
    /// are left out.
    pub special_files: Vec<String>,
    /// Files left out because an earlier file has the same content (a
    /// copy under another name), with that file.
    pub copies: Vec<(String, String)>,
    /// Files left out because their content is the start of a longer
    /// file's (an early copy of a log that went on growing), with that
    /// file.
    pub partial_copies: Vec<(String, String)>,
    /// Compressed files left out because they cannot be decompressed to
    /// their end and what can be is the start of another input's content,
    /// with that input and the error.
    pub damaged_copies: Vec<(String, String, String)>,
    /// Directories a walk left out because an earlier path of it reached
    /// the same directory (a link back up the tree, or a second link to
    /// one directory), with that path.
    pub repeated_directories: Vec<(String, String)>,
}

/// Expands files, directories (walked recursively, entries in name order)
/// and `-` (standard input) into a list of inputs.
///
/// Each file is read once however many paths reach it, and a file is left
/// out when another input contains all its bytes. A walk follows symbolic
/// links to directories after the directories of the tree itself, and
/// walks each directory once however many paths lead to it. It leaves out
/// and reports entries that are not regular files, such as FIFOs, but a
/// FIFO or device named on the command line is read.
pub fn expand_inputs(paths: &[PathBuf]) -> Expansion {
    let mut expansion = Expansion::default();
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
            walk(path, &mut expansion);
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
    let inputs = drop_same_files(inputs, &mut expansion.duplicates);
    let (inputs, read_instead) = drop_contained_copies(inputs, &mut expansion);
    let inputs = drop_compressed_twins(inputs, &read_instead, &mut expansion.twins);
    expansion.inputs = drop_compressed_copies(inputs, &mut expansion);
    expansion
}

/// Leaves out inputs whose decompressed content another input contains,
/// when one of the two is compressed: two compressed copies of one log,
/// and a plain early copy of a log read compressed.
fn drop_compressed_copies(
    inputs: Vec<DiscoveredInput>,
    expansion: &mut Expansion,
) -> Vec<DiscoveredInput> {
    let containers = copies::find_compressed_containers(&inputs);
    let mut remaining = Vec::with_capacity(inputs.len());
    for (input, container) in inputs.into_iter().zip(containers) {
        let (Origin::Path(path), Some(container)) = (&input.origin, container) else {
            remaining.push(input);
            continue;
        };
        note_left_out(expansion, path, container);
    }
    remaining
}

/// Notes in `expansion` that the input at `path` is left out for the input
/// `container` names, and returns the path of that input.
fn note_left_out(expansion: &mut Expansion, path: &Path, container: copies::Container) -> PathBuf {
    let copy = path.display().to_string();
    match container {
        copies::Container::Same(original) => {
            expansion
                .copies
                .push((copy, original.display().to_string()));
            original
        }
        copies::Container::Start(original) => {
            expansion
                .partial_copies
                .push((copy, original.display().to_string()));
            original
        }
        copies::Container::Damaged { original, error } => {
            expansion
                .damaged_copies
                .push((copy, original.display().to_string(), error));
            original
        }
    }
}

/// Leaves out compressed files whose uncompressed file of the same name
/// (`name.@...s` for `name.@...s.gz`) is among the inputs and has the same
/// start. If that file is left out as contained in another, the file read
/// in its place is compared instead.
fn drop_compressed_twins(
    inputs: Vec<DiscoveredInput>,
    read_instead: &std::collections::HashMap<PathBuf, PathBuf>,
    twins: &mut Vec<(String, String)>,
) -> Vec<DiscoveredInput> {
    let read: std::collections::HashSet<PathBuf> = inputs
        .iter()
        .filter_map(|input| match &input.origin {
            Origin::Path(path) => Some(path.clone()),
            _ => None,
        })
        .collect();
    inputs
        .into_iter()
        .filter(|input| {
            let Origin::Path(path) = &input.origin else {
                return true;
            };
            let Some(stem) = compressed_stem(path) else {
                return true;
            };
            let Some(plain) = read_instead.get(&stem).or(read.get(&stem)) else {
                return true;
            };
            if !copies::is_compressed_copy(path, plain) {
                return true;
            }
            twins.push((path.display().to_string(), plain.display().to_string()));
            false
        })
        .collect()
}

/// Leaves out paths that reach a file an earlier path reaches, standard
/// input included when it is redirected from a file
/// (`esatls report a.log - < a.log`). Of a symbolic link and the file's
/// own path, the file's is kept whatever the order, so that the file is
/// named after its own directory (its appliance's).
fn drop_same_files(
    inputs: Vec<DiscoveredInput>,
    duplicates: &mut Vec<String>,
) -> Vec<DiscoveredInput> {
    let mut kept: Vec<DiscoveredInput> = Vec::with_capacity(inputs.len());
    let mut seen: std::collections::HashMap<(u64, u64), usize> = Default::default();
    for input in inputs {
        let (identity, name) = match &input.origin {
            Origin::Path(path) => (file_identity(path), path.display().to_string()),
            Origin::Stdin => (stdin_file_identity(), "-".to_string()),
            Origin::Named(_) => (None, String::new()),
        };
        let Some(identity) = identity else {
            kept.push(input);
            continue;
        };
        match seen.get(&identity) {
            None => {
                seen.insert(identity, kept.len());
                kept.push(input);
            }
            Some(&at) if is_link(&kept[at].origin) && !is_link(&input.origin) => {
                let link = std::mem::replace(&mut kept[at], input);
                duplicates.push(link.origin.to_string());
            }
            Some(_) => duplicates.push(name),
        }
    }
    kept
}

/// Returns whether `origin` is a path that is a symbolic link.
fn is_link(origin: &Origin) -> bool {
    match origin {
        Origin::Path(path) => std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_symlink()),
        Origin::Stdin | Origin::Named(_) => false,
    }
}

/// Returns the device and inode of the file standard input is redirected
/// from, or `None` when it is not a regular file (a pipe, a terminal).
fn stdin_file_identity() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned().ok()?)
        .metadata()
        .ok()?;
    metadata.is_file().then(|| (metadata.dev(), metadata.ino()))
}

/// Leaves out files whose bytes another input contains: copies under
/// another name, and early copies of a log that went on growing. Returns
/// the inputs still to read, and the path of each file left out with the
/// path read in its place.
fn drop_contained_copies(
    inputs: Vec<DiscoveredInput>,
    expansion: &mut Expansion,
) -> (
    Vec<DiscoveredInput>,
    std::collections::HashMap<PathBuf, PathBuf>,
) {
    let containers = copies::find_containers(&inputs);
    let mut remaining = Vec::with_capacity(inputs.len());
    let mut read_instead = std::collections::HashMap::new();
    for (input, container) in inputs.into_iter().zip(containers) {
        let (Origin::Path(path), Some(container)) = (&input.origin, container) else {
            remaining.push(input);
            continue;
        };
        let original = note_left_out(expansion, path, container);
        read_instead.insert(path.clone(), original);
    }
    (remaining, read_instead)
}

/// Returns the subdirectory of the walked `root` that contains `path`
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

/// Walks the directory `root`, given on the command line, into
/// `expansion`.
fn walk(root: &Path, expansion: &mut Expansion) {
    let mut walk = Walk {
        root,
        walked: std::collections::HashMap::new(),
        links: std::collections::VecDeque::new(),
        expansion,
    };
    walk.directory(root);
    while let Some(link) = walk.links.pop_front() {
        walk.directory(&link);
    }
}

/// Lists the entries of `dir` in name order, and reports those that cannot
/// be read.
fn list_entries(dir: &Path, errors: &mut Vec<InputError>) -> Vec<(PathBuf, std::fs::FileType)> {
    let walk_error = |path: &Path, source| InputError::Walk {
        path: path.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(walk_error(dir, source));
            return Vec::new();
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        match entry.map(|entry| (entry.path(), entry.file_type())) {
            Ok((path, Ok(file_type))) => paths.push((path, file_type)),
            Ok((path, Err(source))) => errors.push(walk_error(&path, source)),
            Err(source) => errors.push(walk_error(dir, source)),
        }
    }
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    paths
}

/// The state of one walk of a directory given on the command line.
struct Walk<'a> {
    root: &'a Path,
    /// Directories walked so far, by canonical path, with the path each
    /// was walked as.
    walked: std::collections::HashMap<PathBuf, PathBuf>,
    /// Symbolic links to directories, walked after the directories of the
    /// tree itself, so that a directory that a link also leads to is
    /// walked as, and names its appliance after, its own path.
    links: std::collections::VecDeque<PathBuf>,
    expansion: &'a mut Expansion,
}

impl Walk<'_> {
    fn directory(&mut self, dir: &Path) {
        if !self.first_visit(dir) {
            return;
        }
        let paths = list_entries(dir, &mut self.expansion.errors);
        for (path, file_type) in paths {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') {
                continue;
            }
            if file_type.is_dir() {
                self.directory(&path);
                continue;
            }
            self.entry(path, file_type);
        }
    }

    /// Adds an entry that is not a directory as an input if it is a
    /// regular file or a link to one, and puts a link to a directory aside
    /// to walk later.
    fn entry(&mut self, path: PathBuf, file_type: std::fs::FileType) {
        let errors = &mut self.expansion.errors;
        let target_is_file = if file_type.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(metadata) if metadata.is_dir() => {
                    self.links.push_back(path);
                    return;
                }
                Ok(metadata) => metadata.is_file(),
                Err(source) => {
                    errors.push(InputError::Open {
                        origin: Origin::Path(path),
                        source,
                    });
                    return;
                }
            }
        } else {
            file_type.is_file()
        };
        if target_is_file {
            self.expansion.inputs.push(DiscoveredInput {
                origin: Origin::Path(path),
                walked_from: Some(self.root.to_path_buf()),
            });
        } else {
            // A named pipe, socket or device among the logs: not a log
            // file of the walk, and opening a pipe could wait for ever.
            self.expansion
                .special_files
                .push(path.display().to_string());
        }
    }

    /// Records `dir` as walked and returns true, unless an earlier path of
    /// this walk reached the same directory. Such a repeated directory (a
    /// link back up the tree, or a second path to one directory) is
    /// recorded in the expansion and not walked again.
    fn first_visit(&mut self, dir: &Path) -> bool {
        let canonical = match std::fs::canonicalize(dir) {
            Ok(canonical) => canonical,
            Err(source) => {
                self.expansion.errors.push(InputError::Walk {
                    path: dir.to_path_buf(),
                    source,
                });
                return false;
            }
        };
        match self.walked.entry(canonical) {
            std::collections::hash_map::Entry::Occupied(first) => {
                self.expansion
                    .repeated_directories
                    .push((dir.display().to_string(), first.get().display().to_string()));
                false
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(dir.to_path_buf());
                true
            }
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

    fn input_names(expansion: &Expansion) -> Vec<String> {
        expansion
            .inputs
            .iter()
            .map(|input| input.origin.to_string())
            .collect()
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
            expansion.repeated_directories,
            vec![(
                dir.join("esa1/loop").display().to_string(),
                dir.display().to_string()
            )]
        );
        assert_eq!(
            expansion.duplicates,
            vec![
                "-".to_string(),
                dir.join("esa1/c.log").display().to_string(),
                dir.join("esa1/a.log").display().to_string(),
            ]
        );
        assert_eq!(
            input_names(&expansion),
            vec![
                dir.join("esa1/a.log").display().to_string(),
                dir.join("esa1/b.log").display().to_string(),
                "<stdin>".to_string()
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The expansion of a directory of test files, with names relative to
    /// it.
    struct Expanded {
        _dir: tempfile::TempDir,
        inputs: Vec<String>,
        copies: Vec<(String, String)>,
        partial_copies: Vec<(String, String)>,
        twins: Vec<(String, String)>,
    }

    /// Writes the files into a new directory and expands it.
    fn expand_files(files: &[(&str, &[u8])]) -> Expanded {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        let expansion = expand_inputs(&[dir.path().to_path_buf()]);
        assert!(expansion.errors.is_empty(), "{:?}", expansion.errors);
        let prefix = format!("{}/", dir.path().display());
        let relative = |name: &String| name.strip_prefix(&prefix).unwrap().to_string();
        let pairs = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(copy, original)| (relative(copy), relative(original)))
                .collect()
        };
        Expanded {
            inputs: input_names(&expansion).iter().map(relative).collect(),
            copies: pairs(&expansion.copies),
            partial_copies: pairs(&expansion.partial_copies),
            twins: pairs(&expansion.twins),
            _dir: dir,
        }
    }

    /// Returns `count` bytes of log lines, each numbered after `first`.
    fn log_lines(first: usize, count: usize) -> Vec<u8> {
        let mut text = Vec::new();
        let mut line = first;
        while text.len() < count {
            text.extend(format!("Mon Mar  2 10:00:00 2026 Info: line {line:06}\n").bytes());
            line += 1;
        }
        text.truncate(count);
        text
    }

    #[test]
    fn contained_copies_name_longest_container() {
        let log = log_lines(0, 20_000);
        let expanded = expand_files(&[
            ("a.log", &log[..300]),
            ("b.log", &log[..9_000]),
            ("c.log", &log[..9_000]),
            ("d.log", &log),
            ("e.log", b""),
            ("f.log", b""),
        ]);
        assert_eq!(expanded.inputs, vec!["d.log", "e.log", "f.log"]);
        assert_eq!(expanded.copies, vec![]);
        assert_eq!(
            expanded.partial_copies,
            vec![
                ("a.log".to_string(), "d.log".to_string()),
                ("b.log".to_string(), "d.log".to_string()),
                ("c.log".to_string(), "d.log".to_string()),
            ]
        );
    }

    #[test]
    fn copies_keep_earliest_name() {
        let log = log_lines(0, 5_000);
        let expanded = expand_files(&[("a.log", &log), ("b.log", &log), ("c.log", &log)]);
        assert_eq!(expanded.inputs, vec!["a.log"]);
        assert_eq!(
            expanded.copies,
            vec![
                ("b.log".to_string(), "a.log".to_string()),
                ("c.log".to_string(), "a.log".to_string()),
            ]
        );
        assert_eq!(expanded.partial_copies, vec![]);
    }

    #[test]
    fn files_diverging_after_head_are_kept() {
        let log = log_lines(0, 20_000);
        // Each starts with the same 8,000 bytes and goes on with other lines.
        let mut longer = log[..8_000].to_vec();
        longer.extend(log_lines(500_000, 14_000));
        let mut same_size = log[..8_000].to_vec();
        same_size.extend(log_lines(600_000, 12_000));
        let expanded = expand_files(&[
            ("a.log", &log[..100]),
            ("b.log", &log),
            ("c.log", &longer),
            ("d.log", &same_size),
        ]);
        assert_eq!(expanded.inputs, vec!["b.log", "c.log", "d.log"]);
        assert_eq!(expanded.copies, vec![]);
        assert_eq!(
            expanded.partial_copies,
            vec![("a.log".to_string(), "c.log".to_string())]
        );
    }

    fn gzip(content: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(content).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn compressed_copies_judged_by_content() {
        let log = log_lines(0, 100_000);
        let other = log_lines(900_000, 5_000);
        let third = log_lines(800_000, 5_000);
        let fourth = log_lines(700_000, 200_000);
        let expanded = expand_files(&[
            ("a.log", &log),
            ("a.log.gz", &gzip(&log)),
            ("b.log", &log[..70_000]),
            ("b.log.gz", &gzip(&log[..1_000])),
            ("c.log", &other),
            ("c.log.gz", &gzip(&third)),
            // Compressed under another name: the plain file is read.
            ("d.log.gz", &gzip(&other)),
            // The compressed file contains more than the plain one, so it
            // is read and the plain early copy is not.
            ("e.log", &fourth[..10_000]),
            ("e.log.gz", &gzip(&fourth)),
        ]);
        assert_eq!(
            expanded.inputs,
            vec!["a.log", "c.log", "c.log.gz", "e.log.gz"]
        );
        assert_eq!(
            expanded.copies,
            vec![("d.log.gz".to_string(), "c.log".to_string())]
        );
        assert_eq!(
            expanded.partial_copies,
            vec![
                ("b.log".to_string(), "a.log".to_string()),
                ("e.log".to_string(), "e.log.gz".to_string()),
            ]
        );
        // The compressed copy of a file left out names the file read.
        assert_eq!(
            expanded.twins,
            vec![
                ("a.log.gz".to_string(), "a.log".to_string()),
                ("b.log.gz".to_string(), "a.log".to_string()),
            ]
        );
    }

    /// Compresses `content` with gzip, writing `time` into the header as
    /// gzip does.
    fn gzip_at(content: &[u8], time: u32) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::GzBuilder::new()
            .mtime(time)
            .write(Vec::new(), flate2::Compression::default());
        encoder.write_all(content).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn compressed_copies_anywhere_read_once() {
        let log = log_lines(0, 60_000);
        let other = log_lines(500_000, 60_000);
        let first = gzip_at(&log, 1);
        let second = gzip_at(&log, 2);
        assert_ne!(first, second);
        let expanded = expand_files(&[
            ("a.log.gz", &first),
            ("b.log.gz", &second),
            ("c.log.gz", &gzip_at(&log[..20_000], 3)),
            ("d.log", &log[..5_000]),
            ("e.log.gz", &gzip_at(&other, 4)),
            ("f.log", &other[..30_000]),
        ]);
        assert_eq!(expanded.inputs, vec!["a.log.gz", "e.log.gz"]);
        assert_eq!(
            expanded.copies,
            vec![("b.log.gz".to_string(), "a.log.gz".to_string())]
        );
        assert_eq!(
            expanded.partial_copies,
            vec![
                ("c.log.gz".to_string(), "a.log.gz".to_string()),
                ("d.log".to_string(), "a.log.gz".to_string()),
                ("f.log".to_string(), "e.log.gz".to_string()),
            ]
        );
    }

    #[test]
    fn damaged_compressed_copy_is_left_out() {
        let log = log_lines(0, 60_000);
        let mut cut = gzip_at(&log, 1);
        cut.truncate(cut.len() / 2);
        let mut flipped = gzip_at(&log, 2);
        let crc = flipped.len() - 8;
        flipped[crc] ^= 0xff;
        let other = log_lines(500_000, 60_000);
        let mut other_cut = gzip_at(&other, 3);
        other_cut.truncate(other_cut.len() / 2);
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in [
            ("a.log", &log),
            ("b.log.gz", &cut),
            ("c.log.gz", &flipped),
            // Damaged, but with nothing else that holds its content.
            ("d.log.gz", &other_cut),
        ] {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        let expansion = expand_inputs(&[dir.path().to_path_buf()]);
        let name = |file: &str| dir.path().join(file).display().to_string();
        assert_eq!(
            input_names(&expansion),
            vec![name("a.log"), name("d.log.gz")]
        );
        let damaged: Vec<(String, String)> = expansion
            .damaged_copies
            .iter()
            .map(|(copy, original, _)| (copy.clone(), original.clone()))
            .collect();
        assert_eq!(
            damaged,
            vec![
                (name("b.log.gz"), name("a.log")),
                (name("c.log.gz"), name("a.log"))
            ]
        );
        assert!(expansion.twins.is_empty());
    }

    #[test]
    fn link_to_a_file_gives_way_to_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("esa1")).unwrap();
        let file = dir.path().join("esa1/mail.log");
        std::fs::write(&file, log_lines(0, 1_000)).unwrap();
        // The link sorts before the directory, so the walk reaches it first.
        let link = dir.path().join("current.log");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let expansion = expand_inputs(&[dir.path().to_path_buf()]);
        assert_eq!(input_names(&expansion), vec![file.display().to_string()]);
        assert_eq!(expansion.duplicates, vec![link.display().to_string()]);
        let walked = expansion.inputs[0].walked_from.as_deref();
        assert_eq!(walked, Some(dir.path()));
    }

    #[test]
    fn fifo_named_like_compressed_copy_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, log_lines(0, 1_000)).unwrap();
        let fifo = dir.path().join("a.log.gz");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let (sender, receiver) = std::sync::mpsc::channel();
        let paths = vec![plain.clone(), fifo.clone()];
        std::thread::spawn(move || {
            let _ = sender.send(expand_inputs(&paths));
        });
        let Ok(expansion) = receiver.recv_timeout(std::time::Duration::from_secs(10)) else {
            // A writer lets the blocked open return before the test fails.
            let _writer = std::fs::OpenOptions::new().write(true).open(&fifo);
            panic!("expanding the paths opened the FIFO");
        };
        assert_eq!(
            input_names(&expansion),
            vec![plain.display().to_string(), fifo.display().to_string()]
        );
        assert_eq!(expansion.twins, vec![]);
    }

    #[test]
    fn links_to_one_directory_walk_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(outside.join("sub")).unwrap();
        std::fs::write(outside.join("g.log"), "g\n").unwrap();
        std::fs::write(outside.join("sub/f.log"), "f\n").unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        // `a` leads into the tree `b` leads to, and is walked first.
        std::os::unix::fs::symlink(outside.join("sub"), root.join("a")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("b")).unwrap();
        let expansion = expand_inputs(std::slice::from_ref(&root));
        assert!(expansion.errors.is_empty(), "{:?}", expansion.errors);
        assert_eq!(
            input_names(&expansion),
            vec![
                root.join("a/f.log").display().to_string(),
                root.join("b/g.log").display().to_string(),
            ]
        );
        assert_eq!(
            expansion.repeated_directories,
            vec![(
                root.join("b/sub").display().to_string(),
                root.join("a").display().to_string()
            )]
        );
    }
}
