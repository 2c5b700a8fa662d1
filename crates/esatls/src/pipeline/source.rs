//! Reading one input: its file header, its years and offsets, and the
//! joining of continuation lines.

use std::io::{self, Cursor as IoCursor, Read};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use serde::Serialize;

use super::stats::{LineStats, TemplateCounts};
use super::RunOptions;
use crate::correlate::{Correlator, Entry};
use crate::event::{parse_event, template::template_of, Event};
use crate::header::{parse_header, HeaderSpans, LogTime, Payload, RawTime};
use crate::input::{
    open, rotation_time, Compression, DiscoveredInput, InputError, LineReader, Origin,
};
use crate::record::RecordSink;

/// Bytes of an input read ahead to find its file header and first time.
const PEEK_BYTES: usize = 256 * 1024;

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
}

/// An input whose file header has been read ahead, ready to be read in
/// chronological order.
pub struct PreparedSource {
    origin: Origin,
    walked_from: Option<PathBuf>,
    compression: Compression,
    serial: Option<String>,
    utc_offset: Option<i32>,
    first_year: i16,
    /// Start time for ordering: from the rotation name, else the first
    /// timestamp.
    order_key: Option<i64>,
    /// Standard input and named streams cannot be opened twice: what was
    /// read ahead is kept here and read again before the rest.
    stdin_head: Option<(Vec<u8>, Box<dyn Read + Send>)>,
    /// What the first lines hold.
    pub(crate) kind: SourceKind,
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
fn year_month_of(seconds: i64) -> Option<(i16, i8)> {
    let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
    let zoned = timestamp.to_zoned(jiff::tz::TimeZone::system());
    Some((zoned.year(), zoned.month()))
}

/// Returns the year to give a yearless timestamp of `month`, knowing the
/// year and month of a reference time after it (the file's modification
/// time, or now).
fn year_before(reference: (i16, i8), month: u8) -> i16 {
    let (year, reference_month) = reference;
    if i16::from(month) > i16::from(reference_month) {
        year - 1
    } else {
        year
    }
}

#[derive(Default)]
struct PeekFacts {
    serial: Option<String>,
    utc_offset: Option<i32>,
    first_time: Option<RawTime>,
    text_entries: usize,
    consolidated_entries: usize,
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
                Event::TimeOffset { seconds } if facts.utc_offset.is_none() => {
                    facts.utc_offset = Some(seconds)
                }
                _ => {}
            }
        }
    }
    facts
}

fn read_head(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(PEEK_BYTES);
    reader.take(PEEK_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
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

    fn prepare_opened(
        input: DiscoveredInput,
        mut opened: crate::input::OpenedInput,
        options: &RunOptions,
    ) -> Result<Self, InputError> {
        let head = read_head(&mut opened.reader).map_err(|source| InputError::Read {
            origin: input.origin.clone(),
            offset: 0,
            source,
        });
        // A corrupt compressed file is still read later, up to the fault.
        let head = head.unwrap_or_default();
        let facts = peek_facts(&head);
        let reference = opened
            .modified
            .and_then(year_month_of)
            .or_else(|| year_month_of(jiff::Timestamp::now().as_second()))
            .unwrap_or((1970, 1));
        let first_year = match (options.year, facts.first_time) {
            (Some(year), _) => year,
            (None, Some(time)) => time
                .year
                .unwrap_or_else(|| year_before(reference, time.month)),
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
        let stdin_head = match input.origin {
            Origin::Stdin | Origin::Named(_) => Some((head, opened.reader)),
            Origin::Path(_) => None,
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
            first_year,
            order_key,
            stdin_head,
        })
    }

    /// Returns the name of the directory below the walked root that holds
    /// this file (`esa1` for `logs/esa1/mail.current` found by walking
    /// `logs`).
    fn directory_appliance(&self) -> Option<String> {
        let (Origin::Path(path), Some(root)) = (&self.origin, &self.walked_from) else {
            return None;
        };
        let relative = path.strip_prefix(root).ok()?;
        let mut components = relative.components();
        let first = components.next()?;
        components.next()?;
        first.as_os_str().to_str().map(String::from)
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
struct YearTracker {
    year: i16,
    last_month: Option<u8>,
}

impl YearTracker {
    fn resolve(&mut self, raw: RawTime) -> LogTime {
        if let Some(year) = raw.year {
            self.year = year;
            self.last_month = Some(raw.month);
            return raw.with_year(year);
        }
        let mut year = self.year;
        if let Some(last) = self.last_month {
            if raw.month + 6 <= last {
                self.year += 1;
                year = self.year;
            } else if raw.month >= last + 6 {
                // A line from before the new year, logged after it.
                return raw.with_year(year - 1);
            }
        }
        self.last_month = Some(raw.month);
        raw.with_year(year)
    }
}

/// Reads one input into the correlator.
pub(crate) struct SourceReader<'r> {
    source: PreparedSource,
    index: u32,
    options: &'r RunOptions,
    correlator: &'r mut Correlator,
    lines: &'r mut LineStats,
    templates: &'r mut TemplateCounts,
    summary: SourceSummary,
    years: YearTracker,
    /// Appliance serial from the latest `Version:` line.
    serial: Option<String>,
    utc_offset: Option<i32>,
    directory_appliance: Option<String>,
    /// The entry being built, until the next line shows whether it
    /// continues, and its header.
    pending: String,
    pending_header: Option<HeaderSpans>,
    pending_line: u64,
    has_pending: bool,
    /// The appliance of the last entry, with what it was derived from, so
    /// that most entries find theirs without a lookup by name.
    last_appliance: Option<(Option<String>, crate::correlate::ApplianceId)>,
}

impl<'r> SourceReader<'r> {
    pub(crate) fn new(
        source: PreparedSource,
        index: u32,
        options: &'r RunOptions,
        correlator: &'r mut Correlator,
        lines: &'r mut LineStats,
        templates: &'r mut TemplateCounts,
    ) -> Self {
        let summary = SourceSummary {
            name: source.origin.to_string(),
            compression: source.compression.name(),
            serial: source.serial.clone(),
            utc_offset: source.utc_offset,
            ..SourceSummary::default()
        };
        let years = YearTracker {
            year: source.first_year,
            last_month: None,
        };
        SourceReader {
            serial: source.serial.clone(),
            utc_offset: source.utc_offset,
            directory_appliance: source.directory_appliance(),
            source,
            index,
            options,
            correlator,
            lines,
            templates,
            summary,
            years,
            pending: String::new(),
            pending_header: None,
            pending_line: 0,
            has_pending: false,
            last_appliance: None,
        }
    }

    pub(crate) fn into_summary(self) -> SourceSummary {
        self.summary
    }

    /// Reads the input to its end or to the first read error.
    pub(crate) fn read_all(&mut self, sink: &mut dyn RecordSink) -> Result<(), InputError> {
        let (reader, compressed_read): (Box<dyn Read + Send>, _) =
            match self.source.stdin_head.take() {
                Some((head, rest)) => (Box::new(IoCursor::new(head).chain(rest)), None),
                None => {
                    let opened = open(&self.source.origin)?;
                    (opened.reader, Some(opened.compressed_read))
                }
            };
        let mut lines = LineReader::new(reader, self.options.max_line_bytes);
        let result = loop {
            let line = match lines.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => break Ok(()),
                Err(source) => break Err(source),
            };
            self.summary.lines += 1;
            self.lines.physical += 1;
            if line.skipped_bytes > 0 {
                self.lines.truncated += 1;
                self.lines.truncated_bytes += line.skipped_bytes;
            }
            let number = line.number;
            // Checking UTF-8 first is faster than the lossy conversion for
            // the valid lines that nearly all lines are.
            match std::str::from_utf8(line.bytes) {
                Ok(text) => self.push_line(text.trim_end(), number, sink),
                Err(_) => {
                    let text = String::from_utf8_lossy(line.bytes).into_owned();
                    self.push_line(text.trim_end(), number, sink);
                }
            }
        };
        self.flush(sink);
        self.summary.bytes = lines.offset();
        match result {
            Ok(()) => {
                self.summary.complete = true;
                Ok(())
            }
            Err(source) => {
                let offset = lines.offset();
                let origin = self.source.origin.clone();
                Err(match (self.source.compression, compressed_read) {
                    (Compression::None, _) | (_, None) => InputError::Read {
                        origin,
                        offset,
                        source,
                    },
                    (compression, Some(count)) => InputError::Corrupt {
                        origin,
                        compression: compression.name(),
                        compressed_offset: count.load(Ordering::Relaxed),
                        offset,
                        source,
                    },
                })
            }
        }
    }

    fn push_line(&mut self, text: &str, number: u64, sink: &mut dyn RecordSink) {
        if text.trim_start().is_empty() {
            self.lines.blank += 1;
            return;
        }
        if let Some(header) = parse_header(text) {
            let spans = HeaderSpans::of(&header, text);
            self.flush(sink);
            self.pending.push_str(text);
            self.pending_header = Some(spans);
            self.pending_line = number;
            self.has_pending = true;
            return;
        }
        if self.has_pending {
            self.lines.continuation += 1;
            if self.pending.len() < self.options.max_line_bytes {
                self.pending.push(' ');
                self.pending.push_str(text.trim_start());
                if self.pending.len() > self.options.max_line_bytes {
                    let mut cut = self.options.max_line_bytes;
                    while !self.pending.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    self.pending.truncate(cut);
                }
            }
            return;
        }
        // A line without a header before any entry of the input.
        self.lines.entries += 1;
        self.lines.unrecognised += 1;
        self.templates
            .add(format!("(no header) {}", template_of(text)));
    }

    fn flush(&mut self, sink: &mut dyn RecordSink) {
        if !self.has_pending {
            return;
        }
        self.has_pending = false;
        let entry_text = std::mem::take(&mut self.pending);
        if let Some(spans) = self.pending_header.take() {
            let header = spans.resolve(&entry_text);
            self.process_entry(&entry_text, header, self.pending_line, sink);
        }
        self.pending = entry_text;
        self.pending.clear();
    }

    /// Handles a consolidated event. Its appliance is the syslog host, else
    /// the serial number the event carries, else the file's.
    fn consolidated_entry(
        &mut self,
        header: &crate::header::Header<'_>,
        text: &str,
        sink: &mut dyn RecordSink,
    ) {
        match crate::cef::parse_cef(text) {
            Ok(crate::cef::CefEvent::Consolidated(event)) => {
                self.lines.recognised += 1;
                self.lines.consolidated += 1;
                let offset = self.options.utc_offset.or(self.utc_offset);
                let time = header.time.map(|raw| {
                    let line_offset = raw.offset.or(offset);
                    self.years.resolve(raw).with_offset(line_offset)
                });
                let appliance = match (header.host, event.serial) {
                    (None, Some(serial)) => {
                        self.last_appliance = None;
                        self.correlator.appliance(Some(serial))
                    }
                    (host, _) => self.appliance_of(host),
                };
                self.correlator
                    .push_consolidated(appliance, time, offset, &event, sink);
            }
            Ok(crate::cef::CefEvent::Other(other)) => {
                self.lines.unrecognised += 1;
                self.templates.add(format!(
                    "CEF event class {}",
                    template_of(other.header.event_class_id)
                ));
            }
            Err(error) => {
                self.lines.unrecognised += 1;
                self.templates.add(format!("CEF: {error}"));
            }
        }
    }

    /// Returns the appliance of an entry whose syslog header names `host`.
    fn appliance_of(&mut self, host: Option<&str>) -> crate::correlate::ApplianceId {
        let name: Option<&str> = host
            .or(self.serial.as_deref())
            .or(self.options.host.as_deref())
            .or(self.directory_appliance.as_deref());
        if let Some((last_name, id)) = &self.last_appliance {
            if last_name.as_deref() == name {
                return *id;
            }
        }
        let id = self.correlator.appliance(name);
        self.last_appliance = Some((name.map(String::from), id));
        id
    }

    fn process_entry(
        &mut self,
        text: &str,
        header: crate::header::Header<'_>,
        number: u64,
        sink: &mut dyn RecordSink,
    ) {
        self.lines.entries += 1;
        self.lines.form_counts[header.form as usize] += 1;
        let event = match header.payload {
            Payload::Text { text, .. } => {
                let event = parse_event(text);
                if let Event::Unknown = event {
                    self.templates.add(template_of(text));
                }
                event
            }
            Payload::Cef(text) => {
                self.consolidated_entry(&header, text, sink);
                return;
            }
            Payload::Other(text) => {
                let tag = header.tag.unwrap_or("syslog");
                self.templates.add(format!("{tag}: {}", template_of(text)));
                Event::Unknown
            }
        };
        if event.is_recognised() {
            self.lines.recognised += 1;
            self.lines.event_counts[event.kind_index()] += 1;
        } else {
            self.lines.unrecognised += 1;
        }
        match event {
            Event::Version {
                serial: Some(serial),
                ..
            } => {
                self.serial = Some(serial.to_string());
                if self.summary.serial.is_none() {
                    self.summary.serial = self.serial.clone();
                }
            }
            Event::TimeOffset { seconds } => {
                self.utc_offset = Some(seconds);
                if self.summary.utc_offset.is_none() {
                    self.summary.utc_offset = Some(seconds);
                }
            }
            _ => {}
        }
        let time = header.time.map(|raw| {
            let offset = raw.offset.or(self.options.utc_offset).or(self.utc_offset);
            self.years.resolve(raw).with_offset(offset)
        });
        let appliance = self.appliance_of(header.host);
        let entry = Entry {
            appliance,
            time,
            source: self.index,
            line: number,
            text,
            event,
        };
        self.correlator.push(&entry, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        };
        assert_eq!(years.resolve(raw(12, None)).year, 2025);
        assert_eq!(years.resolve(raw(1, None)).year, 2026);
        assert_eq!(years.resolve(raw(12, None)).year, 2025);
        assert_eq!(years.resolve(raw(2, None)).year, 2026);
        assert_eq!(years.resolve(raw(3, Some(2030))).year, 2030);
        assert_eq!(years.resolve(raw(4, None)).year, 2030);
    }

    #[test]
    fn year_before_reference() {
        assert_eq!(year_before((2027, 1), 12), 2026);
        assert_eq!(year_before((2027, 3), 3), 2027);
    }
}
