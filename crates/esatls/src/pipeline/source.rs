//! Reading one input: its file header, its years and offsets, and the
//! joining of continuation lines.

use std::io::{self, Read};
use std::path::PathBuf;

use serde::Serialize;

use super::RunOptions;
use crate::event::{parse_event, Event};
use crate::header::{parse_header, LogTime, Payload, RawTime};
use crate::input::{
    open, rotation_time, Compression, DiscoveredInput, InputError, LineReader, Origin,
    StoppableReader,
};

/// Bytes of an input read ahead to find its file header and first time.
const PEEK_BYTES: usize = 256 * 1024;

/// Bytes read ahead at a time, until the head contains [`PEEK_LINES`]
/// lines.
const PEEK_STEP: usize = 16 * 1024;

/// Lines of an input read ahead to find its file header and first time.
const PEEK_LINES: usize = 200;

/// What one input contributed to a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceSummary {
    pub name: String,
    pub compression: &'static str,
    /// Appliance serial number from the file's `Version:` header.
    pub serial: Option<String>,
    /// UTC offset in seconds from the file's `Time offset from UTC` header.
    pub utc_offset: Option<i32>,
    pub lines: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Whether the input was read to its end.
    pub complete: bool,
    /// Whether some of its lines belong to the unnamed appliance.
    #[serde(skip)]
    pub unnamed: bool,
}

/// An input whose file header has been read ahead, ready to be read in
/// chronological order.
pub struct PreparedSource {
    pub(crate) origin: Origin,
    walked_from: Option<PathBuf>,
    pub(crate) compression: Compression,
    pub(crate) serial: Option<String>,
    pub(crate) utc_offset: Option<i32>,
    /// `Time offset from UTC` of each appliance named in the first lines.
    pub(crate) offsets: Vec<(Option<String>, i32)>,
    first_year: i16,
    /// Date that the first yearless timestamp must not follow, when no
    /// timestamp was read ahead to choose `first_year` by.
    year_reference: Option<Date>,
    /// Start time for ordering: from the rotation name, else the first
    /// timestamp.
    order_key: Option<i64>,
    /// Standard input and named streams cannot be opened twice: what was
    /// read ahead is kept here and read again before the rest.
    pub(crate) stdin_head: Option<(Vec<u8>, Box<dyn Read + Send>)>,
    /// Compressed bytes read so far from such a stream, for the offset of
    /// a decompression error.
    pub(crate) compressed_read: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// What the first lines hold.
    pub(crate) kind: SourceKind,
    /// Whether a line read ahead names its host in a syslog header, or
    /// nothing was read ahead: the input may then hold lines of several
    /// appliances.
    pub(crate) host_lines: bool,
}

/// The kinds of log an input holds, judged from its first lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// Text mail log entries (or nothing recognisable).
    MailLogs,
    /// Only consolidated events.
    Consolidated,
    /// Both, as a syslog collector writes them into one file.
    Mixed,
}

/// Year and month of a Unix time in the system time zone.
fn date_of(seconds: i64) -> Option<Date> {
    let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
    let zoned = timestamp.to_zoned(jiff::tz::TimeZone::system());
    Some((zoned.year(), zoned.month(), zoned.day()))
}

/// Year, month and day of a reference time.
type Date = (i16, i8, i8);

/// Returns the year of a yearless timestamp of `month` and `day`: the
/// latest year that does not put it after `reference` (the file's
/// modification time, or today). A day is allowed for time zones.
fn year_before(reference: Date, month: u8, day: u8) -> i16 {
    let (year, reference_month, reference_day) = reference;
    let date = (i16::from(month), i16::from(day));
    if date > (i16::from(reference_month), i16::from(reference_day) + 1) {
        year - 1
    } else {
        year
    }
}

#[derive(Default)]
struct PeekFacts {
    serial: Option<String>,
    utc_offset: Option<i32>,
    /// `Time offset from UTC` by the appliance name of its line (the
    /// syslog host, else the serial so far).
    offsets: Vec<(Option<String>, i32)>,
    first_time: Option<RawTime>,
    text_entries: usize,
    consolidated_entries: usize,
    /// Whether a header names a syslog host.
    host_lines: bool,
}

fn peek_facts(head: &[u8]) -> PeekFacts {
    let mut facts = PeekFacts::default();
    let mut lines = LineReader::new(head, head.len().max(1));
    let mut seen = 0;
    while let Ok(Some(line)) = lines.next_line() {
        seen += 1;
        if seen > PEEK_LINES {
            break;
        }
        let text = String::from_utf8_lossy(line.bytes);
        let Some(header) = parse_header(text.trim_end()) else {
            continue;
        };
        if facts.first_time.is_none() {
            facts.first_time = header.time;
        }
        facts.host_lines |= header.host.is_some();
        match header.payload {
            Payload::Text { .. } => facts.text_entries += 1,
            Payload::Cef(_) => facts.consolidated_entries += 1,
            Payload::Other(_) => {}
        }
        if let Payload::Text { text, .. } = header.payload {
            match parse_event(text) {
                Event::Version {
                    serial: Some(serial),
                    ..
                } if facts.serial.is_none() => facts.serial = Some(serial.to_string()),
                Event::TimeOffset { seconds } if super::order::valid_offset(seconds) => {
                    if facts.utc_offset.is_none() {
                        facts.utc_offset = Some(seconds);
                    }
                    let name = header
                        .host
                        .map(String::from)
                        .or_else(|| facts.serial.clone());
                    if !facts.offsets.iter().any(|(known, _)| *known == name) {
                        facts.offsets.push((name, seconds));
                    }
                }
                _ => {}
            }
        }
    }
    facts
}

/// Reads up to [`PEEK_BYTES`] from the start of an input, or less once
/// `enough` returns true for the bytes read so far. A read error keeps the
/// bytes read before it and is returned beside them, so that it can be
/// raised again after those bytes are read.
fn read_head(
    reader: &mut dyn Read,
    enough: impl Fn(&[u8]) -> bool,
) -> (Vec<u8>, Option<io::Error>) {
    let mut head = Vec::new();
    while head.len() < PEEK_BYTES && !enough(&head) {
        // A step at a time: the first lines take far less than the limit,
        // and a run over many files reads each head before it starts.
        let filled = head.len();
        head.resize((filled + PEEK_STEP).min(PEEK_BYTES), 0);
        let result = reader.read(&mut head[filled..]);
        head.truncate(filled + *result.as_ref().unwrap_or(&0));
        match result {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (head, Some(error)),
        }
    }
    (head, None)
}

/// Returns whether `head` contains [`PEEK_LINES`] whole lines.
fn has_peek_lines(head: &[u8]) -> bool {
    memchr::memchr_iter(b'\n', head)
        .nth(PEEK_LINES - 1)
        .is_some()
}

/// Returns `reader`, read on a thread of its own when the run can be
/// stopped, so that a read waiting for data (from a pipe) ends at the stop
/// too.
fn stoppable(reader: Box<dyn Read + Send>, options: &RunOptions) -> Box<dyn Read + Send> {
    match &options.stop {
        Some(stop) => Box::new(StoppableReader::new(reader, stop.clone())),
        None => reader,
    }
}

/// A reader that fails once with a saved error, then reads on from
/// `rest`.
struct FailOnce {
    error: Option<io::Error>,
    rest: Box<dyn Read + Send>,
}

impl FailOnce {
    /// Returns `rest`, made to fail first with `error` if there is one.
    fn wrap(rest: Box<dyn Read + Send>, error: Option<io::Error>) -> Box<dyn Read + Send> {
        match error {
            Some(error) => Box::new(FailOnce {
                error: Some(error),
                rest,
            }),
            None => rest,
        }
    }
}

impl Read for FailOnce {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.error.take() {
            Some(error) => Err(error),
            None => self.rest.read(buf),
        }
    }
}

impl PreparedSource {
    /// Opens `input`, reads its first lines for the file header and first
    /// time, and (for files) closes it again.
    pub fn prepare(input: DiscoveredInput, options: &RunOptions) -> Result<Self, InputError> {
        let opened = open(&input.origin)?;
        Self::prepare_opened(input, opened, options)
    }

    /// Prepares a stream that is already open, such as data in memory.
    /// `name` names it in the summary and in trace output.
    pub fn from_reader(
        name: &str,
        reader: Box<dyn Read + Send>,
        options: &RunOptions,
    ) -> Result<Self, InputError> {
        let origin = Origin::Named(name.to_string());
        let opened = crate::input::open_reader(&origin, reader, None)?;
        let input = DiscoveredInput {
            origin,
            walked_from: None,
        };
        Self::prepare_opened(input, opened, options)
    }

    /// Wraps a stream read as it is written, which must be plain text. Only
    /// the bytes that tell a magic number from text are read ahead, since
    /// waiting for more could wait for lines not written yet.
    pub(crate) fn plain_stream(
        origin: Origin,
        reader: Box<dyn Read + Send>,
        options: &RunOptions,
    ) -> Result<Self, InputError> {
        let mut reader = stoppable(reader, options);
        let (head, head_error) =
            read_head(&mut reader, |head| !Compression::is_partial_magic(head));
        let compression = Compression::detect(&head);
        if compression != Compression::None {
            return Err(InputError::Compressed {
                origin,
                compression: compression.name(),
            });
        }
        let rest = FailOnce::wrap(reader, head_error);
        Ok(Self::unpeeked(origin, head, rest, options))
    }

    /// Wraps a stream that must not be read ahead, such as a followed file
    /// that would block: nothing is known of it until its lines are read.
    /// `head` contains the bytes already read from it, if any.
    pub(crate) fn unpeeked(
        origin: Origin,
        head: Vec<u8>,
        reader: Box<dyn Read + Send>,
        options: &RunOptions,
    ) -> Self {
        let now = date_of(jiff::Timestamp::now().as_second()).unwrap_or((1970, 1, 1));
        PreparedSource {
            kind: SourceKind::MailLogs,
            origin,
            walked_from: None,
            compression: Compression::None,
            serial: None,
            utc_offset: None,
            offsets: Vec::new(),
            first_year: options.year.unwrap_or(now.0),
            // Nothing is read ahead, so the first timestamp takes its year
            // from today's date when it comes.
            year_reference: options.year.is_none().then_some(now),
            order_key: None,
            stdin_head: Some((head, reader)),
            compressed_read: None,
            host_lines: true,
        }
    }

    fn prepare_opened(
        input: DiscoveredInput,
        mut opened: crate::input::OpenedInput,
        options: &RunOptions,
    ) -> Result<Self, InputError> {
        if !opened.regular {
            let reader = std::mem::replace(&mut opened.reader, Box::new(io::empty()));
            opened.reader = stoppable(reader, options);
        }
        // A read error in the first bytes (a corrupt compressed file) is
        // raised again when the input is read, after the bytes before it.
        let (head, head_error) = read_head(&mut opened.reader, has_peek_lines);
        if head.get(257..262) == Some(b"ustar".as_slice()) {
            return Err(InputError::Unsupported {
                origin: input.origin,
                what: "a tar archive; extract its files and name them or their directory",
            });
        }
        if opened.compression != Compression::None
            && Compression::detect(&head) != Compression::None
        {
            return Err(InputError::Unsupported {
                origin: input.origin,
                what: "compressed twice; decompress it once and read the result",
            });
        }
        let facts = peek_facts(&head);
        let reference = opened
            .modified
            .and_then(date_of)
            .or_else(|| date_of(jiff::Timestamp::now().as_second()))
            .unwrap_or((1970, 1, 1));
        let first_year = match (options.year, facts.first_time) {
            (Some(year), _) => year,
            (None, Some(time)) => time
                .year
                .unwrap_or_else(|| year_before(reference, time.month, time.day)),
            (None, None) => reference.0,
        };
        let order_key = match &input.origin {
            Origin::Path(path) => rotation_time(path),
            Origin::Stdin | Origin::Named(_) => None,
        }
        .or_else(|| {
            facts
                .first_time
                .map(|time| time.with_year(first_year).local_seconds())
        });
        // A stream that cannot be opened twice keeps what was read ahead.
        let compressed_read = (!opened.regular).then(|| opened.compressed_read.clone());
        let stdin_head = if opened.regular {
            None
        } else {
            Some((head, FailOnce::wrap(opened.reader, head_error)))
        };
        let kind = match (facts.text_entries, facts.consolidated_entries) {
            (_, 0) => SourceKind::MailLogs,
            (0, _) => SourceKind::Consolidated,
            _ => SourceKind::Mixed,
        };
        Ok(PreparedSource {
            kind,
            origin: input.origin,
            walked_from: input.walked_from,
            compression: opened.compression,
            serial: facts.serial,
            utc_offset: facts.utc_offset,
            offsets: facts.offsets,
            first_year,
            year_reference: None,
            order_key,
            stdin_head,
            compressed_read,
            host_lines: facts.host_lines,
        })
    }

    /// Returns the input as it was found, to prepare it again.
    pub(crate) fn discovered(&self) -> DiscoveredInput {
        DiscoveredInput {
            origin: self.origin.clone(),
            walked_from: self.walked_from.clone(),
        }
    }

    /// Returns the name of the directory below the walked root that holds
    /// this file (`esa1` for `logs/esa1/mail.current` found by walking
    /// `logs`): the layout of a directory per appliance.
    pub(crate) fn directory_appliance(&self) -> Option<String> {
        let (Origin::Path(path), Some(root)) = (&self.origin, &self.walked_from) else {
            return None;
        };
        crate::input::appliance_subdirectory(path, root)?
            .to_str()
            .map(String::from)
    }

    /// Returns the name of the one appliance whose lines a file holds, as
    /// far as its first lines tell: those of a file pulled from an
    /// appliance, which carry no syslog host. Returns `None` when the input
    /// may hold lines of several appliances (a syslog file, consolidated
    /// events, a stream); `Some(None)` is the unnamed appliance.
    pub(crate) fn single_appliance(&self, options: &RunOptions) -> Option<Option<String>> {
        if self.host_lines
            || self.kind != SourceKind::MailLogs
            || self.stdin_head.is_some()
            || !matches!(self.origin, Origin::Path(_))
        {
            return None;
        }
        Some(
            self.serial
                .clone()
                .or_else(|| self.directory_appliance())
                .or_else(|| options.host.clone()),
        )
    }

    /// Returns the size of the file, or 0 if it is not a file.
    pub(crate) fn file_bytes(&self) -> u64 {
        match &self.origin {
            Origin::Path(path) => std::fs::metadata(path).map_or(0, |meta| meta.len()),
            Origin::Stdin | Origin::Named(_) => 0,
        }
    }

    /// Returns the directory that holds this file.
    pub(crate) fn directory(&self) -> Option<PathBuf> {
        let Origin::Path(path) = &self.origin else {
            return None;
        };
        let absolute = std::path::absolute(path).ok()?;
        absolute.parent().map(PathBuf::from)
    }
}

impl PreparedSource {
    /// Returns the summary of the input before it is read.
    pub(crate) fn summary(&self) -> SourceSummary {
        SourceSummary {
            name: self.origin.to_string(),
            compression: self.compression.name(),
            serial: self.serial.clone(),
            utc_offset: self.utc_offset,
            ..SourceSummary::default()
        }
    }

    /// Returns the year tracker that starts at the input's first year.
    /// Returns whether bytes of the input were read ahead from a stream
    /// that cannot be opened again (a pipe, standard input).
    pub(crate) fn holds_read_ahead(&self) -> bool {
        self.stdin_head
            .as_ref()
            .is_some_and(|(head, _)| !head.is_empty())
    }

    pub(crate) fn year_tracker(&self) -> YearTracker {
        YearTracker {
            year: self.first_year,
            last_month: None,
            reference: self.year_reference,
        }
    }
}

/// Sorts inputs by start time; inputs without one keep their order after
/// the others. Inputs of consolidated events alone come first, so that
/// their facts are at hand when the text log's messages finish.
pub(crate) fn sort_chronologically(sources: &mut [PreparedSource]) {
    sources.sort_by_key(|source| {
        let consolidated_first = u8::from(source.kind != SourceKind::Consolidated);
        match source.order_key {
            Some(key) => (consolidated_first, 0, key),
            None => (consolidated_first, 1, 0),
        }
    });
}

/// Tracks the year of yearless timestamps through one input, stepping it
/// when the month runs backwards (December to January).
pub(crate) struct YearTracker {
    year: i16,
    last_month: Option<u8>,
    /// Date the first yearless timestamp takes its year from.
    reference: Option<Date>,
}

impl YearTracker {
    pub(crate) fn resolve(&mut self, raw: RawTime) -> LogTime {
        if let Some(year) = raw.year {
            self.year = year;
            self.last_month = Some(raw.month);
            self.reference = None;
            return raw.with_year(year);
        }
        if let Some(reference) = self.reference.take() {
            self.year = year_before(reference, raw.month, raw.day);
        }
        let mut year = self.year;
        if let Some(last) = self.last_month {
            if raw.month + 6 <= last {
                // Hostile input can step the year again and again: it stops
                // at the end of the range instead of wrapping.
                self.year = self.year.saturating_add(1);
                year = self.year;
            } else if raw.month >= last + 6 {
                // A line from before the new year, logged after it.
                return raw.with_year(year.saturating_sub(1));
            }
        }
        self.last_month = Some(raw.month);
        raw.with_year(year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_stops_after_the_peeked_lines() {
        let line = "Mon Mar  2 10:00:00 2026 Info: MID 1 queued for delivery\n";
        let text = line.repeat(20_000);
        let (head, error) = read_head(&mut io::Cursor::new(text.as_bytes()), has_peek_lines);
        assert!(error.is_none());
        // 200 lines of 57 bytes take one step of 16 KiB.
        assert_eq!(head.len(), PEEK_STEP);
        assert_eq!(&head[..], &text.as_bytes()[..PEEK_STEP]);
        // Without line ends the head stops at its limit.
        let text = vec![b'x'; 2 * PEEK_BYTES];
        let (head, _) = read_head(&mut io::Cursor::new(&text[..]), has_peek_lines);
        assert_eq!(head.len(), PEEK_BYTES);
        // A short input is read whole.
        let (head, _) = read_head(&mut io::Cursor::new(line.as_bytes()), has_peek_lines);
        assert_eq!(head, line.as_bytes());
    }

    fn raw(month: u8, year: Option<i16>) -> RawTime {
        RawTime {
            year,
            month,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            offset: None,
        }
    }

    #[test]
    fn year_steps_at_new_year() {
        let mut years = YearTracker {
            year: 2025,
            last_month: None,
            reference: None,
        };
        assert_eq!(years.resolve(raw(12, None)).year, 2025);
        assert_eq!(years.resolve(raw(1, None)).year, 2026);
        assert_eq!(years.resolve(raw(12, None)).year, 2025);
        assert_eq!(years.resolve(raw(2, None)).year, 2026);
        assert_eq!(years.resolve(raw(3, Some(2030))).year, 2030);
        assert_eq!(years.resolve(raw(4, None)).year, 2030);
    }

    /// Returns its bytes one per read, as a pipe may.
    struct OneByteAtATime(io::Cursor<Vec<u8>>);

    impl Read for OneByteAtATime {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let end = buf.len().min(1);
            self.0.read(&mut buf[..end])
        }
    }

    fn plain_stream(bytes: &[u8]) -> Result<PreparedSource, InputError> {
        let reader = OneByteAtATime(io::Cursor::new(bytes.to_vec()));
        PreparedSource::plain_stream(
            Origin::Named("stream".into()),
            Box::new(reader),
            &RunOptions::default(),
        )
    }

    #[test]
    fn plain_stream_keeps_bytes_read_ahead() {
        let mut source = plain_stream(b"BZ is not bzip2\n").unwrap();
        let (head, mut rest) = source.stdin_head.take().unwrap();
        assert_eq!(head, b"BZ ");
        let mut text = String::new();
        rest.read_to_string(&mut text).unwrap();
        assert_eq!(text, "is not bzip2\n");
    }

    #[test]
    fn plain_stream_rejects_magic_split_across_reads() {
        let error = plain_stream(&[0xfd, b'7', b'z', b'X', b'Z', 0x00, 1, 2]).err();
        assert!(
            matches!(
                error,
                Some(InputError::Compressed {
                    compression: "xz",
                    ..
                })
            ),
            "{error:?}"
        );
    }

    #[test]
    fn year_before_reference() {
        assert_eq!(year_before((2027, 1, 5), 12, 31), 2026);
        assert_eq!(year_before((2027, 3, 9), 3, 1), 2027);
        // Later in the reference's month is last year's, but the day after
        // the reference is today somewhere east.
        assert_eq!(year_before((2026, 12, 4), 12, 20), 2025);
        assert_eq!(year_before((2026, 12, 4), 12, 5), 2026);
        assert_eq!(year_before((2026, 12, 4), 12, 6), 2025);
    }

    #[test]
    fn first_yearless_time_takes_the_reference_year() {
        let mut years = YearTracker {
            year: 2027,
            last_month: None,
            reference: Some((2027, 1, 2)),
        };
        assert_eq!(years.resolve(raw(12, None)).year, 2026);
        assert_eq!(years.resolve(raw(1, None)).year, 2027);
    }
}
