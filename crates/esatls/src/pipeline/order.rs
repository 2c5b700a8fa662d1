//! The stage that takes the parsed chunks of one input in order: what an
//! entry means can depend on the lines before it.
//!
//! - Each entry gets its appliance and its time. A `Version` line names the
//!   appliance of the lines that follow it, a `Time offset from UTC` line
//!   gives their UTC offset, and a yearless timestamp takes its year from
//!   the lines before.
//! - Lines without a header are joined to the entry before them, which
//!   may lie in an earlier chunk, so the last entry of each chunk waits
//!   for the next chunk before it is parsed.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::chunk::{classify_with, count_event, ChunkEntry, Parsed};
use super::source::{PreparedSource, SourceSummary, YearTracker};
use super::stats::{LineStats, TemplateCounts};
use super::RunOptions;
use crate::correlate::{ApplianceId, Correlator};
use crate::event::{parse_event, template::template_of, Event};
use crate::header::{parse_header, Header, HeaderForm, HeaderSpans, LogTime, Payload, RawTime};

/// Returns whether a `Time offset from UTC` value can be shown in RFC 3339.
pub(crate) fn valid_offset(seconds: i32) -> bool {
    seconds % 60 == 0 && seconds.abs() <= 18 * 3_600
}

/// A fact that an entry gives about the lines after it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum FileFact<'a> {
    None,
    /// `Version: ... SN: serial`, from one line or a wrapped one.
    Serial(Cow<'a, str>),
    /// `Time offset from UTC: N seconds`, with a valid offset.
    Offset(i32),
}

/// The appliance and time of an entry, which the lines before it decide.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Start {
    pub appliance: ApplianceId,
    pub time: Option<LogTime>,
    /// UTC offset that applies to times inside the entry (consolidated
    /// events carry their own times).
    pub offset: Option<i32>,
    /// Whether the appliance name came from the line's own syslog header.
    pub host_given: bool,
}

/// An entry whose text is made of several lines, or that later lines may
/// still continue.
pub(crate) struct JoinedEntry {
    pub text: String,
    spans: HeaderSpans,
    /// Length of the entry's first line; continuation text follows it.
    first_len: usize,
    /// Continuation lines joined to the first line.
    joined_lines: u32,
    pub line: u64,
    pub start: Start,
}

impl JoinedEntry {
    /// Starts the text of `entry` with its first line, then the lines
    /// without a header that continue it in its chunk.
    fn new(
        entry: &ChunkEntry<'_>,
        continuations: &[&str],
        line: u64,
        start: Start,
        max_line: usize,
    ) -> Self {
        let mut joined = JoinedEntry {
            text: entry.text.to_string(),
            spans: HeaderSpans::of(&header_of(entry), entry.text),
            first_len: entry.text.len(),
            joined_lines: 0,
            line,
            start,
        };
        for line in continuations {
            joined.join(line, max_line);
        }
        joined
    }

    /// Appends a continuation line, joined with one space, as long as the
    /// text is shorter than `max_line` bytes; the text stops at that limit.
    fn join(&mut self, line: &str, max_line: usize) {
        self.joined_lines = self.joined_lines.saturating_add(1);
        if self.text.len() < max_line {
            self.text.push(' ');
            self.text.push_str(line.trim_start());
            if self.text.len() > max_line {
                let mut cut = max_line;
                while !self.text.is_char_boundary(cut) {
                    cut -= 1;
                }
                self.text.truncate(cut);
            }
        }
    }

    /// Parses the joined text into its event and counts the entry.
    pub(crate) fn parse<'a>(
        &'a self,
        lines: &mut LineStats,
        templates: &mut TemplateCounts,
    ) -> Parsed<'a> {
        let header = self.spans.resolve(&self.text);
        classify_with(&header, lines, templates, |text, lines, templates| {
            let mut event = parse_event(text);
            if !event.is_recognised() && self.joined_lines > 0 {
                // Lines without a header after a complete entry (text
                // appended to a log by hand, a stray write) do not spoil
                // the entry: it is read from its first line, and they
                // count as one unrecognised entry.
                let joined = self.text.len().saturating_sub(self.first_len);
                let split = text.len().saturating_sub(joined);
                let first = text.get(..split).unwrap_or(text);
                let rest = text.get(split..).unwrap_or_default();
                let alone = parse_event(first);
                if alone.is_recognised() && !rest.is_empty() {
                    // The first joined line starts an entry without a
                    // header, and the others continue it.
                    event = alone;
                    lines.entries += 1;
                    lines.unrecognised += 1;
                    lines.detached += 1;
                    templates.add(format!("(no header) {}", template_of(rest.trim())));
                }
            }
            count_event(&event, text, lines, templates);
            event
        })
    }
}

/// The state of one input that decides what its entries mean.
pub(crate) struct InputState {
    max_line: usize,
    host: Option<String>,
    /// `--utc-offset`, which overrides the input's own offsets.
    forced_offset: Option<i32>,
    pub summary: SourceSummary,
    /// Counts since they were last taken.
    pub lines: LineStats,
    /// The earliest and latest time of the input so far: unlike the
    /// counts, they stay until the input ends, so that a `Time offset from
    /// UTC` line can give its offset to all the times before it.
    pub times: LineStats,
    pub templates: TemplateCounts,
    years: YearTracker,
    /// Appliance serial from the latest `Version:` line.
    serial: Option<String>,
    /// The first `Time offset from UTC` of the input, for lines without a
    /// syslog host whose appliance logged no offset of its own.
    utc_offset: Option<i32>,
    /// `Time offset from UTC` by appliance name: in a syslog stream of
    /// several appliances, each logs its own.
    offsets: FxHashMap<Option<String>, i32>,
    directory_appliance: Option<String>,
    /// The last appliance name used, its id, and its UTC offset (looked up
    /// once per change of name, not once per line).
    last_name: Option<(Option<String>, ApplianceId, Option<i32>)>,
    /// Whether `last_name` is the name of lines without a syslog host under
    /// the current serial, so that such lines need no compare.
    last_name_native: bool,
    /// The last timestamp, the offset it was read with, and its time:
    /// most entries share the second of the entry before.
    last_time: Option<(RawTime, Option<i32>, LogTime)>,
    /// The timestamp and start of the last entry without a syslog host
    /// that gives no fact about the lines after it: the next such entry
    /// with the same timestamp starts the same way. Any other entry
    /// clears it.
    plain_start: Option<(Option<RawTime>, Start)>,
    /// Lines of the input before the chunk being read.
    pub line_base: u64,
    /// The last entry so far, which the next chunk may continue.
    pub open: Option<JoinedEntry>,
}

impl InputState {
    pub(crate) fn new(source: &PreparedSource, options: &RunOptions) -> Self {
        InputState {
            max_line: options.max_line_bytes,
            host: options.host.clone(),
            forced_offset: options.utc_offset,
            summary: source.summary(),
            lines: LineStats::default(),
            times: LineStats::default(),
            templates: TemplateCounts::default(),
            years: source.year_tracker(),
            serial: source.serial.clone(),
            utc_offset: source.utc_offset,
            offsets: source.offsets.iter().cloned().collect(),
            directory_appliance: source.directory_appliance(),
            last_name: None,
            last_name_native: false,
            last_time: None,
            plain_start: None,
            line_base: 0,
            open: None,
        }
    }

    /// Returns the appliance and time of `entry`, and records the fact it
    /// gives about the lines after it. `continuations` are the lines
    /// without a header that continue it in its chunk.
    #[inline]
    pub(crate) fn start(
        &mut self,
        entry: &ChunkEntry<'_>,
        continuations: &[&str],
        correlator: &mut Correlator,
    ) -> Start {
        let plain = entry.host.is_none() && !may_give_fact(entry);
        if plain {
            if let Some((time, start)) = &self.plain_start {
                if *time == entry.time {
                    return *start;
                }
            }
        }
        let start = self.start_slowly(entry, continuations, correlator);
        self.plain_start = plain.then_some((entry.time, start));
        start
    }

    #[inline(never)]
    fn start_slowly(
        &mut self,
        entry: &ChunkEntry<'_>,
        continuations: &[&str],
        correlator: &mut Correlator,
    ) -> Start {
        let mut offset_line = None;
        match file_fact(entry, continuations) {
            FileFact::None => {}
            FileFact::Serial(serial) => {
                self.serial = Some(serial.to_string());
                self.last_name_native = false;
                if self.summary.serial.is_none() {
                    self.summary.serial = self.serial.clone();
                }
            }
            FileFact::Offset(seconds) => {
                offset_line = Some(seconds);
                if self.summary.utc_offset.is_none() {
                    self.summary.utc_offset = Some(seconds);
                    if self.forced_offset.is_none() && self.utc_offset.is_none() {
                        self.times.offset_earlier_times(seconds);
                    }
                }
            }
        }
        let appliance = self.appliance(entry.host, correlator);
        if let Some(seconds) = offset_line {
            if let Some((name, _, offset)) = &mut self.last_name {
                *offset = Some(seconds);
                self.offsets.insert(name.clone(), seconds);
            }
        }
        let own = self.last_name.as_ref().and_then(|(_, _, offset)| *offset);
        let offset = self.forced_offset.or(if entry.host.is_some() {
            own
        } else {
            own.or(self.utc_offset)
        });
        let time = entry.time.map(|raw| self.time(raw, offset));
        Start {
            appliance,
            time,
            offset,
            host_given: entry.host.is_some(),
        }
    }

    /// Returns the time of a timestamp read with the entry's `offset`.
    fn time(&mut self, raw: RawTime, offset: Option<i32>) -> LogTime {
        if let Some((last, last_offset, time)) = self.last_time {
            if last == raw && last_offset == offset {
                return time;
            }
        }
        let line_offset = raw.offset.or(offset);
        let time = self.years.resolve(raw).with_offset(line_offset);
        self.times.see_time(time);
        self.last_time = Some((raw, offset, time));
        time
    }

    /// Returns the appliance of an entry whose syslog header names `host`.
    fn appliance(&mut self, host: Option<&str>, correlator: &mut Correlator) -> ApplianceId {
        let name: Option<&str> = host
            .or(self.serial.as_deref())
            .or(self.directory_appliance.as_deref())
            .or(self.host.as_deref());
        if name.is_none() {
            self.summary.unnamed = true;
        }
        if host.is_none() && self.last_name_native {
            if let Some((_, id, _)) = &self.last_name {
                return *id;
            }
        }
        self.last_name_native = host.is_none();
        if let Some((last, id, _)) = &self.last_name {
            if last.as_deref() == name {
                return *id;
            }
        }
        let name = name.map(String::from);
        let id = correlator.appliance(name.as_deref());
        let offset = self.offsets.get(&name).copied();
        self.last_name = Some((name, id, offset));
        id
    }

    /// Takes an entry whose text is its first line and its continuations
    /// in the chunk, starting at line `line` of the input.
    pub(crate) fn joined(
        &self,
        entry: &ChunkEntry<'_>,
        continuations: &[&str],
        line: u64,
        start: Start,
    ) -> JoinedEntry {
        JoinedEntry::new(entry, continuations, line, start, self.max_line)
    }

    /// Takes a line without a header before the first entry of a chunk:
    /// it continues the entry before, or is an unrecognised entry of its
    /// own when there is none.
    pub(crate) fn leading_line(&mut self, line: &str) {
        match &mut self.open {
            Some(open) => {
                self.lines.continuation += 1;
                open.join(line, self.max_line);
            }
            None => {
                self.lines.entries += 1;
                self.lines.unrecognised += 1;
                self.templates
                    .add(format!("(no header) {}", template_of(line)));
            }
        }
    }
}

/// Returns the fact that the first line of `entry` gives about the lines
/// after it.
fn file_fact<'a>(entry: &ChunkEntry<'a>, continuations: &[&str]) -> FileFact<'a> {
    let deferred;
    let event = match &entry.parsed {
        Parsed::Event(event) => event,
        Parsed::Deferred => match header_of(entry).payload {
            Payload::Text { text: body, .. }
                if body.starts_with("Version: ") && !continuations.is_empty() =>
            {
                // A wrapped `Version` line can put the serial on a line of
                // its own, so the lines are joined as the entry's text is.
                let mut text = body.to_string();
                for line in continuations {
                    if text.len() >= MAX_VERSION_BYTES {
                        break;
                    }
                    text.push(' ');
                    text.push_str(line.trim_start());
                }
                return match parse_event(&text) {
                    Event::Version {
                        serial: Some(serial),
                        ..
                    } => FileFact::Serial(Cow::Owned(serial.to_string())),
                    _ => FileFact::None,
                };
            }
            Payload::Text { text: body, .. }
                if body.starts_with("Version: ") || body.starts_with("Time offset from UTC: ") =>
            {
                deferred = parse_event(body);
                &deferred
            }
            _ => return FileFact::None,
        },
        Parsed::Consolidated(_) | Parsed::Nothing => return FileFact::None,
    };
    match *event {
        Event::Version {
            serial: Some(serial),
            ..
        } => FileFact::Serial(Cow::Borrowed(serial)),
        // RFC 3339 offsets are whole minutes within 18 hours; a header
        // outside that is left unused.
        Event::TimeOffset { seconds } if valid_offset(seconds) => FileFact::Offset(seconds),
        _ => FileFact::None,
    }
}

/// Bytes of a wrapped `Version` entry that are joined to find its serial,
/// well over the longest such line.
const MAX_VERSION_BYTES: usize = 1_024;

/// Returns whether the first line of `entry` may give a fact about the
/// lines after it.
fn may_give_fact(entry: &ChunkEntry<'_>) -> bool {
    matches!(
        entry.parsed,
        Parsed::Deferred | Parsed::Event(Event::Version { .. } | Event::TimeOffset { .. })
    )
}

/// Parses again the header of an entry that the parsing thread left
/// unparsed.
fn header_of<'a>(entry: &ChunkEntry<'a>) -> Header<'a> {
    // The parsing thread found this header in this text, so the parse
    // does not fail; the fallback keeps the entry if it ever did.
    parse_header(entry.text).unwrap_or(Header {
        form: HeaderForm::TagOnly,
        time: entry.time,
        host: entry.host,
        tag: None,
        payload: Payload::Other(entry.text),
    })
}
