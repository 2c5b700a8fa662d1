//! Following a log file, or the newest log file of a directory, while it
//! is written, as `tail -F` does.
//!
//! A [`Follower`] implements [`Read`] and blocks until more bytes are
//! written, so the [`LineReader`](super::LineReader) and the pipeline read
//! it as they read any stream. It polls file sizes and directory listings
//! and needs no file-change notification from the system.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::{rotation_time, Compression, StopHandle};

/// Default time between two checks for new bytes, a rotation or a newer
/// file, once the end of the followed file is reached.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Shortest poll interval used, so that a zero interval does not spin.
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(1);

/// Maximum length, in bytes, of an incomplete last line that
/// [`FollowOptions::from_end`] goes back to the start of.
const MAX_PARTIAL_LINE_BYTES: u64 = 64 * 1024;

/// File name endings of compressed files, which a directory follower
/// skips without opening them (compared without regard to case).
const COMPRESSED_SUFFIXES: [&str; 7] = [".gz", ".zst", ".zstd", ".bz2", ".xz", ".tgz", ".zip"];

/// Settings of a [`Follower`].
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Start at the end of the file that exists when the follower is
    /// created (at the start of its incomplete last line, if it has one),
    /// instead of at its start. Files opened later are always read from
    /// their start.
    pub from_end: bool,
    /// Time between two checks once the end of the file is reached. An
    /// interval under 1 ms counts as 1 ms.
    pub poll_interval: Duration,
    /// Handle that ends the follower's input.
    pub stop: StopHandle,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            from_end: false,
            poll_interval: DEFAULT_POLL_INTERVAL,
            stop: StopHandle::new(),
        }
    }
}

/// A change of the file being read, passed to the callback set by
/// [`Follower::on_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FollowEvent {
    /// The file, missing until now, was opened. It is read from its start.
    Appeared { path: PathBuf },
    /// The followed path now names a different file, because the old one
    /// was renamed or removed and a new one created in its place. The old
    /// file was read to its end, and the new one is read from its start.
    /// `renamed_to` is the old file's new name when it is still in the
    /// same directory.
    Rotated {
        path: PathBuf,
        renamed_to: Option<PathBuf>,
    },
    /// The file became shorter than the part already read, so it is read
    /// again from its start.
    Truncated { path: PathBuf },
    /// A newer log file appeared in the followed directory. The file
    /// `from` (by the name it was opened with) was read to its end, and
    /// `to` is read from its start.
    Switched { from: PathBuf, to: PathBuf },
}

impl fmt::Display for FollowEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FollowEvent::Appeared { path } => {
                write!(f, "{}: file appeared, reading it", path.display())
            }
            FollowEvent::Rotated {
                path,
                renamed_to: Some(renamed_to),
            } => write!(
                f,
                "{}: file rotated to {}, reading the new file from its start",
                path.display(),
                renamed_to.display()
            ),
            FollowEvent::Rotated {
                path,
                renamed_to: None,
            } => write!(
                f,
                "{}: file rotated, reading the new file from its start",
                path.display()
            ),
            FollowEvent::Truncated { path } => write!(
                f,
                "{}: file truncated, reading it again from its start",
                path.display()
            ),
            FollowEvent::Switched { from, to } if from == to => write!(
                f,
                "{}: a new file took this name, reading it after the old one",
                to.display()
            ),
            FollowEvent::Switched { from, to } => write!(
                f,
                "{}: newer log file found, reading it after {}",
                to.display(),
                from.display()
            ),
        }
    }
}

/// Function that [`Follower::on_event`] sets.
type EventCallback = Box<dyn FnMut(&FollowEvent) + Send>;

/// Entries of a directory looked at, at most, for the new name of a
/// rotated file.
const RENAME_SEARCH_ENTRIES: usize = 10_000;

/// Returns the path in `directory` of the regular file `id`, if there is
/// one among its first [`RENAME_SEARCH_ENTRIES`] entries.
fn file_named_by(directory: &Path, id: FileId) -> Option<PathBuf> {
    fs::read_dir(directory)
        .ok()?
        .take(RENAME_SEARCH_ENTRIES)
        .filter_map(Result::ok)
        .find_map(|entry| {
            let metadata = entry.metadata().ok()?;
            (metadata.is_file() && FileId::of(&metadata) == id).then(|| entry.path())
        })
}

/// Device and inode number, which tell whether two paths or handles refer
/// to the same file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    fn of(metadata: &Metadata) -> FileId {
        FileId {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    }
}

/// The file being read and the byte position reached in it.
struct OpenFile {
    file: File,
    path: PathBuf,
    id: FileId,
    position: u64,
}

/// Reads a log file or the newest log file of a directory while it is
/// written, as `tail -F` does, blocking in `read` until bytes arrive.
///
/// With a file path, the follower reads the file, then waits for it to
/// grow. When the path names a different file (the old one was renamed,
/// as the appliance renames `mail_logs.current` to
/// `mail_logs.@20260302T090000.s`, and a new file created), it reads the
/// old file to its end, then the new file from its start. When the file
/// becomes shorter than the part already read, it reads it again from its
/// start. A missing file is waited for.
///
/// With a directory path, the follower reads the newest log file in it and
/// switches to a newer one when one appears, after reading the current one
/// to its end. The newest file is the one with the latest ESA rotation
/// name: the latest current `name.@YYYYMMDDTHHMMSS.c` file, else
/// `name.current`, else the latest saved `.s` file. Files without such names rank below
/// those with them and among themselves by modification time. Hidden files
/// and compressed files (by name or by content) are skipped, because a
/// compressed log is complete. Only a file that was neither in the
/// directory when the follower started nor followed before, and that ranks
/// at least as high as the file being read, is switched to.
///
/// When the follower moves to another file and the last byte read does
/// not end a line, it inserts a `\n`, so that the last line of one file is
/// not joined to the first line of the next.
///
/// `read` returns `Ok(0)` only once a stop is requested through the
/// [`StopHandle`] (see [`Follower::stop_handle`]), never because no bytes
/// have come. Errors name the path they concern.
///
/// NOTE: Like `tail -F`, the follower detects only the changes that its
/// polls observe. A file rotated twice between two polls is missed, and so
/// is a truncation followed by more writes than had been read before it.
pub struct Follower {
    target: PathBuf,
    /// Present when the target is a directory.
    directory: Option<DirectoryState>,
    poll_interval: Duration,
    stop: StopHandle,
    current: Option<OpenFile>,
    /// File to switch to once `current` is read to its end, with the event
    /// that reports the switch.
    next: Option<(OpenFile, FollowEvent)>,
    /// Last byte returned by `read`, to tell whether a line is unfinished
    /// at a switch.
    last_byte: Option<u8>,
    /// A `\n` is to be returned before any byte of the next file.
    newline_pending: bool,
    on_event: Option<EventCallback>,
}

impl fmt::Debug for Follower {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Follower")
            .field("target", &self.target)
            .field("directory", &self.directory.is_some())
            .field("current", &self.current_path())
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl Follower {
    /// Creates a follower of `target`, a file or a directory, and opens the
    /// file to read first. A target that does not exist is followed as a
    /// file that is waited for.
    ///
    /// # Errors
    ///
    /// Fails, naming the path, if the target or its first file cannot be
    /// opened or read, or if a file target is compressed.
    pub fn new(target: impl Into<PathBuf>, options: FollowOptions) -> io::Result<Follower> {
        let target = target.into();
        let mut follower = Follower {
            target,
            directory: None,
            poll_interval: options.poll_interval.max(MIN_POLL_INTERVAL),
            stop: options.stop,
            current: None,
            next: None,
            last_byte: None,
            newline_pending: false,
            on_event: None,
        };
        let is_directory = match fs::metadata(&follower.target) {
            Ok(metadata) => metadata.is_dir(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => false,
            Err(error) => return Err(path_error(&follower.target, "cannot read metadata", error)),
        };
        let first = if is_directory {
            follower.directory = Some(DirectoryState::default());
            follower.find_newer_file(true)?
        } else {
            follower.find_replaced_file()?
        };
        if let Some((mut open, _appeared)) = first {
            if options.from_end {
                seek_to_last_line(&mut open)?;
            }
            follower.current = Some(open);
        }
        Ok(follower)
    }

    /// Returns a handle that ends this follower's input.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Sets the function called on each rotation, truncation, appearance
    /// or switch, for example to log it. It runs inside `read`.
    pub fn on_event(&mut self, callback: impl FnMut(&FollowEvent) + Send + 'static) {
        self.on_event = Some(Box::new(callback));
    }

    /// Returns the path of the file being read, by the name it was opened
    /// with, or `None` while waiting for one to appear.
    pub fn current_path(&self) -> Option<&Path> {
        self.current.as_ref().map(|open| open.path.as_path())
    }

    /// Reads from the current file, returning 0 at its end or when there
    /// is none.
    fn read_current(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(open) = self.current.as_mut() else {
            return Ok(0);
        };
        loop {
            match open.file.read(buf) {
                Ok(count) => {
                    open.position += count as u64;
                    if count > 0 {
                        self.last_byte = Some(buf[count - 1]);
                    }
                    return Ok(count);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    let action = format!("read failed at byte {}", open.position);
                    return Err(path_error(&open.path, &action, error));
                }
            }
        }
    }

    /// Makes `open` the current file and reports `event`.
    fn switch_to(&mut self, open: OpenFile, event: FollowEvent) {
        self.end_unfinished_line();
        self.current = Some(open);
        self.report(&event);
    }

    /// Schedules a `\n` if the last byte returned does not end a line.
    fn end_unfinished_line(&mut self) {
        if self.last_byte.is_some_and(|byte| byte != b'\n') {
            self.newline_pending = true;
        }
    }

    fn report(&mut self, event: &FollowEvent) {
        if let Some(callback) = self.on_event.as_mut() {
            callback(event);
        }
    }

    /// Looks for the file to read after the current one.
    fn find_next(&mut self) -> io::Result<Option<(OpenFile, FollowEvent)>> {
        if self.directory.is_some() {
            self.find_newer_file(false)
        } else {
            self.find_replaced_file()
        }
    }

    /// Opens the file the target path names, if it is not the current
    /// file.
    fn find_replaced_file(&mut self) -> io::Result<Option<(OpenFile, FollowEvent)>> {
        let current_id = self.current.as_ref().map(|open| open.id);
        match fs::metadata(&self.target) {
            Ok(metadata) if Some(FileId::of(&metadata)) == current_id => return Ok(None),
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(path_error(&self.target, "cannot read metadata", error)),
        }
        // The path may be replaced between the check above and the open,
        // so the open handle's identity is what counts.
        let Some(open) = open_file(&self.target)? else {
            return Ok(None);
        };
        if Some(open.id) == current_id {
            return Ok(None);
        }
        if let Some(compression) = detect_compression(&open)? {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: file is {}-compressed, so it is complete: read it without following",
                    self.target.display(),
                    compression.name()
                ),
            ));
        }
        let path = self.target.clone();
        let event = if let Some(old) = current_id {
            let renamed_to = self.target.parent().and_then(|directory| {
                let directory = if directory.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    directory
                };
                file_named_by(directory, old)
            });
            FollowEvent::Rotated { path, renamed_to }
        } else {
            FollowEvent::Appeared { path }
        };
        Ok(Some((open, event)))
    }

    /// Lists the target directory and opens the file to switch to, if a
    /// newer one than the current file is there. When `starting`, every
    /// file listed counts as present at the start.
    fn find_newer_file(&mut self, starting: bool) -> io::Result<Option<(OpenFile, FollowEvent)>> {
        let mut candidates = list_candidates(&self.target)?;
        let Some(state) = self.directory.as_mut() else {
            return Ok(None);
        };
        let present: HashSet<&SeenKey> = candidates.iter().map(|c| &c.key).collect();
        state.seen.retain(|key| present.contains(key));
        state.compressed.retain(|key| present.contains(key));
        if starting {
            state.seen.extend(candidates.iter().map(|c| c.key.clone()));
        }
        candidates.retain(|c| !state.compressed.contains(&c.key));

        let current_id = self.current.as_ref().map(|open| open.id);
        if let Some(id) = current_id {
            // The current file may have been renamed: it keeps its place
            // under its new name, and that name is not a new file.
            for candidate in candidates.iter().filter(|c| c.id == id) {
                state.seen.insert(candidate.key.clone());
            }
            let rank = candidates
                .iter()
                .filter(|c| c.id == id)
                .map(|c| &c.rank)
                .max();
            if let Some(rank) = rank {
                state.current_rank = Some(rank.clone());
            }
        }

        loop {
            let current = current_id.zip(state.current_rank.as_ref());
            let Some(index) = choose_next(&candidates, current, &state.seen) else {
                return Ok(None);
            };
            let candidate = candidates.swap_remove(index);
            // A file removed or replaced since the listing is looked at
            // again at the next poll.
            let Some(open) = open_file(&candidate.path)? else {
                return Ok(None);
            };
            if open.id != candidate.id {
                return Ok(None);
            }
            if detect_compression(&open)?.is_some() {
                state.compressed.insert(candidate.key);
                continue;
            }
            state.seen.insert(candidate.key);
            state.current_rank = Some(candidate.rank);
            let event = match &self.current {
                Some(current) => FollowEvent::Switched {
                    from: current.path.clone(),
                    to: candidate.path,
                },
                None => FollowEvent::Appeared {
                    path: candidate.path,
                },
            };
            return Ok(Some((open, event)));
        }
    }

    /// Goes back to the start of the current file if it became shorter
    /// than the part already read. Returns whether it did.
    fn restart_if_truncated(&mut self) -> io::Result<bool> {
        let Some(open) = self.current.as_mut() else {
            return Ok(false);
        };
        let metadata = open
            .file
            .metadata()
            .map_err(|error| path_error(&open.path, "cannot read metadata", error))?;
        if metadata.len() >= open.position {
            return Ok(false);
        }
        open.file
            .seek(SeekFrom::Start(0))
            .map_err(|error| path_error(&open.path, "seek failed", error))?;
        open.position = 0;
        let event = FollowEvent::Truncated {
            path: open.path.clone(),
        };
        self.end_unfinished_line();
        self.report(&event);
        Ok(true)
    }
}

impl Read for Follower {
    /// Returns the next bytes of the followed files, waiting for them as
    /// long as needed, or `Ok(0)` once a stop is requested.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.stop.is_stopped() {
                return Ok(0);
            }
            if self.newline_pending {
                self.newline_pending = false;
                self.last_byte = Some(b'\n');
                buf[0] = b'\n';
                return Ok(1);
            }
            let count = self.read_current(buf)?;
            if count > 0 {
                return Ok(count);
            }
            // The current file is read to its end: a file found at the
            // last poll may now be switched to.
            if let Some((open, event)) = self.next.take() {
                self.switch_to(open, event);
                continue;
            }
            // A file found now waits until the current one is read to its
            // end again, because bytes may have been written to it since
            // the read above.
            if let Some(next) = self.find_next()? {
                self.next = Some(next);
                continue;
            }
            if self.restart_if_truncated()? {
                continue;
            }
            self.stop.wait(self.poll_interval);
        }
    }
}

/// Opens `path` for reading; `None` if it does not exist.
fn open_file(path: &Path) -> io::Result<Option<OpenFile>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(path_error(path, "cannot open", error)),
    };
    let metadata = file
        .metadata()
        .map_err(|error| path_error(path, "cannot read metadata", error))?;
    if metadata.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: is a directory, expected a file", path.display()),
        ));
    }
    Ok(Some(OpenFile {
        file,
        path: path.to_path_buf(),
        id: FileId::of(&metadata),
        position: 0,
    }))
}

/// Returns the compression that the first bytes of `open` show, if any.
/// An empty file shows none.
fn detect_compression(open: &OpenFile) -> io::Result<Option<Compression>> {
    let mut head = [0u8; 6];
    let count = loop {
        match open.file.read_at(&mut head, 0) {
            Ok(count) => break count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(path_error(&open.path, "read failed at byte 0", error)),
        }
    };
    match Compression::detect(&head[..count]) {
        Compression::None => Ok(None),
        compression => Ok(Some(compression)),
    }
}

/// Moves `open` to the end of its file, or to the start of its incomplete
/// last line if that line has at most [`MAX_PARTIAL_LINE_BYTES`] bytes, so
/// that the line is delivered whole once it is finished.
fn seek_to_last_line(open: &mut OpenFile) -> io::Result<()> {
    let length = open
        .file
        .metadata()
        .map_err(|error| path_error(&open.path, "cannot read metadata", error))?
        .len();
    let tail_start = length.saturating_sub(MAX_PARTIAL_LINE_BYTES);
    let mut tail = vec![0u8; (length - tail_start) as usize];
    let start = match open.file.read_exact_at(&mut tail, tail_start) {
        Ok(()) => match memchr::memrchr2(b'\n', b'\r', &tail) {
            Some(at) => tail_start + at as u64 + 1,
            None if tail_start == 0 => 0,
            None => length,
        },
        // The file was truncated meanwhile, so all of it is new.
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => 0,
        Err(error) => {
            let action = format!("read failed at byte {tail_start}");
            return Err(path_error(&open.path, &action, error));
        }
    };
    open.file
        .seek(SeekFrom::Start(start))
        .map_err(|error| path_error(&open.path, "seek failed", error))?;
    open.position = start;
    Ok(())
}

fn path_error(path: &Path, action: &str, error: io::Error) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("{}: {action}: {error}", path.display()),
    )
}

/// A file, by identity and by name. A renamed file is another key.
type SeenKey = (FileId, OsString);

/// State that a directory follower keeps between polls.
#[derive(Default)]
struct DirectoryState {
    /// Files that were in the directory at the start, or have been
    /// followed, and so are never switched to. Keys of files that are no
    /// longer listed are dropped, so that a new file that reuses a deleted
    /// file's inode under another name counts as new.
    seen: HashSet<SeenKey>,
    /// Files whose content is compressed.
    compressed: HashSet<SeenKey>,
    /// Rank of the current file when last listed.
    current_rank: Option<Rank>,
}

/// Stage of a file in ESA's rotation, in the order the stages are written
/// in, the latest last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// A name that is not an ESA rotation name.
    Unnamed,
    /// `name.@YYYYMMDDTHHMMSS.s`: a file the appliance has finished.
    Saved,
    /// `name.current`.
    CurrentAlias,
    /// `name.@YYYYMMDDTHHMMSS.c`: the file the appliance is writing.
    Current,
}

/// Position of a file in the order of writing: a greater rank was written
/// later. Ranks of files with different names differ.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    stage: Stage,
    /// Rotation time in local seconds for `Saved` and `Current` files, 0
    /// for `CurrentAlias`, and the modification time in nanoseconds since
    /// the Unix epoch for `Unnamed` ones.
    time: i128,
    name: OsString,
}

impl Rank {
    fn of(name: &OsString, metadata: &Metadata) -> Rank {
        let text = name.to_string_lossy();
        let stage_and_time = match rotation_time(Path::new(text.as_ref())) {
            Some(time) => {
                let at = text.rfind(".@").unwrap_or(0);
                match text.get(at + 17..) {
                    Some(".c") => Some((Stage::Current, i128::from(time))),
                    Some(".s") | Some("") => Some((Stage::Saved, i128::from(time))),
                    _ => None,
                }
            }
            None if text.ends_with(".current") => Some((Stage::CurrentAlias, 0)),
            None => None,
        };
        let (stage, time) =
            stage_and_time.unwrap_or_else(|| (Stage::Unnamed, modified_nanos(metadata)));
        Rank {
            stage,
            time,
            name: name.clone(),
        }
    }
}

fn modified_nanos(metadata: &Metadata) -> i128 {
    let Some(since) = metadata
        .modified()
        .ok()
        .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
    else {
        return 0;
    };
    i128::try_from(since.as_nanos()).unwrap_or(i128::MAX)
}

/// A file in the followed directory that may be followed.
#[derive(Debug)]
struct Candidate {
    path: PathBuf,
    id: FileId,
    key: SeenKey,
    rank: Rank,
}

/// Returns the number of files in `directory` whose names end as a
/// compressed file's do, which a follower of the directory skips; 0 when
/// the directory cannot be read.
pub fn compressed_files_in(directory: &Path) -> usize {
    let Ok(entries) = fs::read_dir(directory) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().to_lowercase();
            !name.starts_with('.')
                && COMPRESSED_SUFFIXES
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        })
        .count()
}

/// Lists the regular files of `directory` (symbolic links followed),
/// leaving out hidden files and files named as compressed. A missing
/// directory has none.
fn list_candidates(directory: &Path) -> io::Result<Vec<Candidate>> {
    let entries = match fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(path_error(directory, "cannot read directory", error)),
    };
    let mut candidates = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| path_error(directory, "cannot read directory", error))?;
        let name = entry.file_name();
        let lowercase = name.to_string_lossy().to_lowercase();
        if lowercase.starts_with('.') {
            continue;
        }
        if COMPRESSED_SUFFIXES
            .iter()
            .any(|suffix| lowercase.ends_with(suffix))
        {
            continue;
        }
        let path = entry.path();
        // A file removed since the listing, or a dangling link, is left
        // out.
        let metadata = match fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(error) => return Err(path_error(&path, "cannot read metadata", error)),
        };
        if !metadata.is_file() {
            continue;
        }
        let id = FileId::of(&metadata);
        candidates.push(Candidate {
            rank: Rank::of(&name, &metadata),
            key: (id, name),
            path,
            id,
        });
    }
    Ok(candidates)
}

/// Returns the index of the candidate to switch to: the highest ranked
/// one, if it is another file than the current one, was not seen before
/// and ranks at least as high as the current file. With no current file,
/// the highest ranked candidate is chosen whether seen or not.
fn choose_next(
    candidates: &[Candidate],
    current: Option<(FileId, &Rank)>,
    seen: &HashSet<SeenKey>,
) -> Option<usize> {
    let (index, best) = candidates
        .iter()
        .enumerate()
        .max_by(|(_, a), (_, b)| a.rank.cmp(&b.rank))?;
    let Some((current_id, current_rank)) = current else {
        return Some(index);
    };
    if best.id == current_id || seen.contains(&best.key) || best.rank < *current_rank {
        return None;
    }
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{LineReader, DEFAULT_MAX_LINE_BYTES};
    use std::fs::{FileTimes, OpenOptions};
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc, Mutex};
    use std::thread;
    use std::time::{Instant, SystemTime};

    /// Maximum wait for one expected line or for the reader to end.
    const WAIT: Duration = Duration::from_secs(10);
    /// Pause between a writer's steps, so that polls fall between them.
    const PAUSE: Duration = Duration::from_millis(30);

    fn fast_options() -> FollowOptions {
        FollowOptions {
            poll_interval: Duration::from_millis(20),
            ..FollowOptions::default()
        }
    }

    fn append(path: &Path, text: &str) {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    /// A follower read line by line on its own thread.
    struct Reading {
        lines: mpsc::Receiver<String>,
        done: mpsc::Receiver<io::Result<()>>,
        events: Arc<Mutex<Vec<FollowEvent>>>,
        stop: StopHandle,
    }

    impl Reading {
        fn start(target: &Path, options: FollowOptions) -> Reading {
            let mut follower = Follower::new(target, options).unwrap();
            let events = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&events);
            follower.on_event(move |event| sink.lock().unwrap().push(event.clone()));
            let stop = follower.stop_handle();
            let (line_sender, lines) = mpsc::channel();
            let (done_sender, done) = mpsc::channel();
            thread::spawn(move || {
                let mut reader = LineReader::new(follower, DEFAULT_MAX_LINE_BYTES);
                let result = loop {
                    match reader.next_line() {
                        Ok(Some(line)) => {
                            let text = String::from_utf8_lossy(line.bytes).into_owned();
                            if line_sender.send(text).is_err() {
                                break Ok(());
                            }
                        }
                        Ok(None) => break Ok(()),
                        Err(error) => break Err(error),
                    }
                };
                let _ = done_sender.send(result);
            });
            Reading {
                lines,
                done,
                events,
                stop,
            }
        }

        /// Waits for each of `expected`, in order.
        fn expect(&self, expected: &[&str]) {
            for (index, want) in expected.iter().enumerate() {
                match self.lines.recv_timeout(WAIT) {
                    Ok(line) => assert_eq!(line, *want, "line {index} of {expected:?}"),
                    Err(_) => panic!("no line {want:?} within {WAIT:?}; expected {expected:?}"),
                }
            }
        }

        /// Stops the follower, checks that the reader ended without error
        /// and without more lines, and returns the events reported.
        fn finish(self) -> Vec<FollowEvent> {
            self.stop.stop();
            match self.done.recv_timeout(WAIT) {
                Ok(result) => result.expect("reading failed"),
                Err(_) => panic!("reader did not end within {WAIT:?} of the stop"),
            }
            let extra: Vec<String> = self.lines.try_iter().collect();
            assert!(extra.is_empty(), "unexpected lines: {extra:?}");
            self.events.lock().unwrap().clone()
        }
    }

    impl Drop for Reading {
        fn drop(&mut self) {
            self.stop.stop();
        }
    }

    #[test]
    fn file_appends_and_split_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "one\ntwo\n").unwrap();
        let reading = Reading::start(&path, fast_options());
        reading.expect(&["one", "two"]);

        append(&path, "three\n");
        thread::sleep(PAUSE);
        append(&path, "fo");
        thread::sleep(PAUSE);
        append(&path, "ur\nfive\n");
        reading.expect(&["three", "four", "five"]);

        assert_eq!(reading.finish(), vec![]);
    }

    #[test]
    fn file_from_end_keeps_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "old one\nold two\npart").unwrap();
        let options = FollowOptions {
            from_end: true,
            ..fast_options()
        };
        let reading = Reading::start(&path, options);

        thread::sleep(PAUSE);
        append(&path, "ial\nnew\n");
        reading.expect(&["partial", "new"]);

        assert_eq!(reading.finish(), vec![]);
    }

    #[test]
    fn file_from_end_without_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "old one\nold two\n").unwrap();
        let options = FollowOptions {
            from_end: true,
            ..fast_options()
        };
        let reading = Reading::start(&path, options);

        append(&path, "new\n");
        reading.expect(&["new"]);

        assert_eq!(reading.finish(), vec![]);
    }

    #[test]
    fn rotation_drains_old_file_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        let saved = dir.path().join("mail_logs.@20260302T090000.s");
        fs::write(&path, "a1\na2\n").unwrap();
        let reading = Reading::start(&path, fast_options());
        reading.expect(&["a1", "a2"]);

        // The writer keeps writing to the renamed file until it creates
        // the new one, and its last line there is unfinished.
        let mut old = OpenOptions::new().append(true).open(&path).unwrap();
        fs::rename(&path, &saved).unwrap();
        old.write_all(b"a3\n").unwrap();
        thread::sleep(PAUSE);
        old.write_all(b"a4 unfinished").unwrap();
        drop(old);
        fs::write(&path, "b1\nb2\n").unwrap();
        reading.expect(&["a3", "a4 unfinished", "b1", "b2"]);

        thread::sleep(PAUSE);
        append(&path, "b3\n");
        reading.expect(&["b3"]);

        assert_eq!(
            reading.finish(),
            vec![FollowEvent::Rotated {
                path,
                renamed_to: Some(saved),
            }]
        );
    }

    #[test]
    fn rotation_after_missing_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        let saved = dir.path().join("mail_logs.@20260302T090000.s");
        fs::write(&path, "a1\n").unwrap();
        let reading = Reading::start(&path, fast_options());
        reading.expect(&["a1"]);

        // Polls see the path missing for a while before the new file.
        fs::rename(&path, &saved).unwrap();
        thread::sleep(PAUSE * 3);
        fs::write(&path, "b1\n").unwrap();
        reading.expect(&["b1"]);

        assert_eq!(
            reading.finish(),
            vec![FollowEvent::Rotated {
                path,
                renamed_to: Some(saved),
            }]
        );
    }

    #[test]
    fn truncation_reads_again_from_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "first line of the file\nsecond line of the file\n").unwrap();
        let reading = Reading::start(&path, fast_options());
        reading.expect(&["first line of the file", "second line of the file"]);

        let file = OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(0).unwrap();
        drop(file);
        append(&path, "short\n");
        reading.expect(&["short"]);
        append(&path, "after\n");
        reading.expect(&["after"]);

        assert_eq!(reading.finish(), vec![FollowEvent::Truncated { path }]);
    }

    #[test]
    fn missing_file_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        let reading = Reading::start(&path, fast_options());

        thread::sleep(PAUSE);
        append(&path, "hello\n");
        reading.expect(&["hello"]);

        assert_eq!(reading.finish(), vec![FollowEvent::Appeared { path }]);
    }

    #[test]
    fn directory_follows_newest_rotation_name() {
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("mail_logs.@20260301T090000.s");
        let compressed = dir.path().join("mail_logs.@20260228T090000.s.gz");
        let hidden = dir.path().join(".mail_logs.@20260309T090000.c");
        let unnamed = dir.path().join("notes.txt");
        let current = dir.path().join("mail_logs.@20260302T090000.c");
        fs::write(&saved, "saved\n").unwrap();
        fs::write(&compressed, gzip("compressed\n")).unwrap();
        fs::write(&hidden, "hidden\n").unwrap();
        fs::write(&unnamed, "notes\n").unwrap();
        fs::write(&current, "c1\n").unwrap();
        let reading = Reading::start(dir.path(), fast_options());
        reading.expect(&["c1"]);

        // The appliance's rotation: the current file is saved under its
        // `.s` name and a new current file is started.
        append(&current, "c2 unfinished");
        let renamed = dir.path().join("mail_logs.@20260302T090000.s");
        fs::rename(&current, &renamed).unwrap();
        thread::sleep(PAUSE);
        let newer = dir.path().join("mail_logs.@20260302T100000.c");
        fs::write(&newer, "d1\n").unwrap();
        reading.expect(&["c2 unfinished", "d1"]);

        thread::sleep(PAUSE);
        append(&newer, "d2\n");
        reading.expect(&["d2"]);

        let expected = vec![FollowEvent::Switched {
            from: current,
            to: newer,
        }];
        assert_eq!(reading.finish(), expected);
    }

    #[test]
    fn directory_from_end() {
        let dir = tempfile::tempdir().unwrap();
        let current = dir.path().join("mail_logs.@20260302T090000.c");
        fs::write(&current, "old\n").unwrap();
        let options = FollowOptions {
            from_end: true,
            ..fast_options()
        };
        let reading = Reading::start(dir.path(), options);

        append(&current, "new\n");
        reading.expect(&["new"]);

        assert_eq!(reading.finish(), vec![]);
    }

    #[test]
    fn directory_skips_compressed_content() {
        let dir = tempfile::tempdir().unwrap();
        let disguised = dir.path().join("mail_logs.@20260303T090000.c");
        let current = dir.path().join("mail_logs.@20260302T090000.c");
        fs::write(&disguised, gzip("compressed\n")).unwrap();
        fs::write(&current, "c1\n").unwrap();
        let reading = Reading::start(dir.path(), fast_options());
        reading.expect(&["c1"]);

        // Written under a hidden name first, so that no poll lists the new
        // file while it is empty.
        let hidden = dir.path().join(".incoming");
        fs::write(&hidden, gzip("also compressed\n")).unwrap();
        fs::rename(&hidden, dir.path().join("mail_logs.@20260304T090000.c")).unwrap();
        thread::sleep(PAUSE);
        append(&current, "c2\n");
        reading.expect(&["c2"]);

        assert_eq!(reading.finish(), vec![]);
    }

    #[test]
    fn directory_by_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let older = dir.path().join("a.log");
        let newest = dir.path().join("b.log");
        for (path, text, age) in [(&older, "a\n", 100), (&newest, "b\n", 50)] {
            fs::write(path, text).unwrap();
            let file = OpenOptions::new().write(true).open(path).unwrap();
            let modified = now - Duration::from_secs(age);
            file.set_times(FileTimes::new().set_modified(modified))
                .unwrap();
        }
        let reading = Reading::start(dir.path(), fast_options());
        reading.expect(&["b"]);

        let created = dir.path().join("c.log");
        fs::write(&created, "c\n").unwrap();
        reading.expect(&["c"]);

        let expected = vec![FollowEvent::Switched {
            from: newest,
            to: created,
        }];
        assert_eq!(reading.finish(), expected);
    }

    #[test]
    fn empty_directory_waits_for_file() {
        let dir = tempfile::tempdir().unwrap();
        let reading = Reading::start(dir.path(), fast_options());

        thread::sleep(PAUSE);
        let path = dir.path().join("mail_logs.@20260302T090000.c");
        append(&path, "first\n");
        reading.expect(&["first"]);

        assert_eq!(reading.finish(), vec![FollowEvent::Appeared { path }]);
    }

    #[test]
    fn stop_wakes_blocked_read_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "").unwrap();
        // A poll interval far longer than the wait below: only the wake-up
        // can end the read in time.
        let options = FollowOptions {
            poll_interval: Duration::from_secs(600),
            ..FollowOptions::default()
        };
        let mut follower = Follower::new(&path, options).unwrap();
        let stop = follower.stop_handle();
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = [0u8; 64];
            let _ = sender.send(follower.read(&mut buf).map_err(|error| error.to_string()));
        });

        thread::sleep(PAUSE);
        stop.stop();
        let result = receiver.recv_timeout(WAIT).expect("read did not return");
        assert_eq!(result, Ok(0));
    }

    #[test]
    fn stop_flag_ends_read_within_poll() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "").unwrap();
        let flag = Arc::new(AtomicBool::new(false));
        let options = FollowOptions {
            stop: StopHandle::from_flag(Arc::clone(&flag)),
            ..fast_options()
        };
        let mut follower = Follower::new(&path, options).unwrap();
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = [0u8; 64];
            let _ = sender.send(follower.read(&mut buf).map_err(|error| error.to_string()));
        });

        thread::sleep(PAUSE);
        let started = Instant::now();
        flag.store(true, Ordering::SeqCst);
        let result = receiver.recv_timeout(WAIT).expect("read did not return");
        assert_eq!(result, Ok(0));
        assert!(started.elapsed() < WAIT);
    }

    #[test]
    fn stop_ends_input_with_bytes_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        fs::write(&path, "unread\n").unwrap();
        let mut follower = Follower::new(&path, fast_options()).unwrap();
        follower.stop_handle().stop();
        let mut buf = [0u8; 64];
        assert_eq!(follower.read(&mut buf).unwrap(), 0);
        assert_eq!(follower.read(&mut buf).unwrap(), 0);
    }

    #[test]
    fn compressed_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.@20260302T090000.s");
        fs::write(&path, gzip("line\n")).unwrap();
        let error = Follower::new(&path, fast_options()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("gzip-compressed"), "{message}");
    }

    #[test]
    fn error_names_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        fs::write(&file, "").unwrap();
        // A path under a regular file fails with "not a directory", which
        // is not a missing file to wait for.
        let path = file.join("mail_logs.current");
        let error = Follower::new(&path, fast_options()).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(&path.display().to_string()),
            "{message}"
        );
    }

    fn candidate(name: &str, inode: u64, stage: Stage, time: i128) -> Candidate {
        let id = FileId { device: 1, inode };
        Candidate {
            path: PathBuf::from(name),
            id,
            key: (id, OsString::from(name)),
            rank: Rank {
                stage,
                time,
                name: OsString::from(name),
            },
        }
    }

    #[test]
    fn choose_next_cases() {
        let current = || candidate("m.@20260302T090000.c", 1, Stage::Current, 20);
        let renamed = || candidate("m.@20260302T090000.s", 1, Stage::Saved, 20);
        let newer = || candidate("m.@20260302T100000.c", 2, Stage::Current, 30);
        let older = || candidate("m.@20260301T090000.s", 3, Stage::Saved, 10);
        let current_rank = current().rank;
        let at_current = Some((current().id, &current_rank));
        let seen: HashSet<SeenKey> = [current().key, older().key].into_iter().collect();

        assert_eq!(choose_next(&[current()], at_current, &seen), None);

        // The appliance saved the current file and started a new one.
        let rotated = [renamed(), newer()];
        assert_eq!(choose_next(&rotated, at_current, &seen), Some(1));

        // Between the rename and the new file, the current file is best.
        let between = [renamed(), older()];
        assert_eq!(choose_next(&between, at_current, &seen), None);

        // An older file copied into the directory ranks below.
        let copied = candidate("m.@20260227T090000.s", 4, Stage::Saved, 5);
        assert_eq!(choose_next(&[current(), copied], at_current, &seen), None);

        // A newer file that was there at the start is never switched to.
        let mut seen_newer = seen.clone();
        seen_newer.insert(newer().key);
        assert_eq!(choose_next(&[newer()], at_current, &seen_newer), None);

        // A `.current` file created again under the same name.
        let alias = || candidate("m.current", 5, Stage::CurrentAlias, 0);
        let alias_rank = alias().rank;
        let old_alias = Some((
            FileId {
                device: 1,
                inode: 6,
            },
            &alias_rank,
        ));
        assert_eq!(choose_next(&[alias()], old_alias, &seen), Some(0));

        // With no current file, the best one is chosen even if seen.
        assert_eq!(choose_next(&[older(), current()], None, &seen), Some(1));
        assert_eq!(choose_next(&[], None, &seen), None);
    }

    #[test]
    fn rank_of_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("any");
        fs::write(&path, "").unwrap();
        let metadata = fs::metadata(&path).unwrap();
        let stage = |name: &str| Rank::of(&OsString::from(name), &metadata).stage;
        assert_eq!(stage("mail_logs.@20260302T090000.c"), Stage::Current);
        assert_eq!(stage("mail_logs.@20260302T090000.s"), Stage::Saved);
        assert_eq!(stage("mail_logs.current"), Stage::CurrentAlias);
        assert_eq!(stage("mail_logs.@20260302T090000.txt"), Stage::Unnamed);
        assert_eq!(stage("mail_logs"), Stage::Unnamed);
        let earlier = Rank::of(&OsString::from("m.@20260302T090000.s"), &metadata);
        let later = Rank::of(&OsString::from("m.@20260302T100000.s"), &metadata);
        assert!(earlier < later);
    }
}
