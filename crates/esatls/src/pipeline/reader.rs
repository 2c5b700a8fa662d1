//! The first stage of a run: one input read into batches of parsed
//! entries, on a thread of its own, while the correlator works through the
//! batches before.
//!
//! A batch owns the text of its entries, one after the other in a single
//! string, and the events parsed from that text borrow it; `self_cell`
//! keeps the two together so that a batch can move to the correlating
//! thread.

use std::io::{Cursor as IoCursor, Read};
use std::sync::atomic::Ordering;

use self_cell::self_cell;

use super::source::{PreparedSource, SourceSummary, YearTracker};
use super::stats::{LineStats, TemplateCounts};
use super::RunOptions;
use crate::cef::{parse_cef, CefEvent, ConsolidatedEvent};
use crate::event::{parse_event, template::template_of, Event};
use crate::header::{HeaderParser, HeaderSpans, LogTime, Payload};
use crate::input::{is_stopped_read, open, Compression, InputError, LineReader};

/// Returns whether a `Time offset from UTC` value can be shown in RFC 3339.
pub(crate) fn valid_offset(seconds: i32) -> bool {
    seconds % 60 == 0 && seconds.abs() <= 18 * 3_600
}

/// Entries per batch at most.
const BATCH_ENTRIES: usize = 8_192;

/// Bytes of entry text per batch at most, beyond the entry being read.
const BATCH_BYTES: usize = 1 << 20;

/// Bytes of buffered text checked for UTF-8 at once.
const FAST_WINDOW: usize = 64 * 1024;

/// Lines read one by one after the buffered text stopped at a line it
/// cannot take (invalid UTF-8, a line past the limit), so that a run of
/// such lines does not check the same window again for each of them.
const SLOW_LINES: u32 = 16;

/// One entry before its event is parsed.
struct RawEntry {
    start: usize,
    end: usize,
    /// Length of the entry's first line; continuation text follows it.
    first_len: usize,
    /// Continuation lines joined to the first line.
    joined_lines: u32,
    spans: HeaderSpans,
    line: u64,
    time: Option<LogTime>,
    /// UTC offset that applies to times inside the entry (consolidated
    /// events carry their own times).
    offset: Option<i32>,
    /// Index into the batch's appliance names.
    name: u16,
    /// Whether the name came from the line's own syslog header.
    host_given: bool,
}

/// What a batch owns: the entries' text and the appliance names they use.
pub(crate) struct BatchText {
    text: String,
    raws: Vec<RawEntry>,
    pub(crate) names: Vec<Option<String>>,
}

/// What an entry turned out to be.
pub(crate) enum Parsed<'a> {
    /// A text mail log entry, recognised or not.
    Event(Event<'a>),
    /// A consolidated event.
    Consolidated(Box<ConsolidatedEvent<'a>>),
    /// An entry with nothing for the correlator (another kind of CEF event,
    /// or one that could not be parsed); it has been counted.
    Nothing,
}

/// An entry ready for the correlator.
pub(crate) struct ParsedEntry<'a> {
    pub parsed: Parsed<'a>,
    pub time: Option<LogTime>,
    pub offset: Option<i32>,
    /// Index into [`BatchText::names`].
    pub name: u16,
    pub host_given: bool,
    pub line: u64,
    pub text: &'a str,
}

pub(crate) type Entries<'a> = Vec<ParsedEntry<'a>>;

self_cell!(
    /// Entries of one input, with the text they borrow.
    pub(crate) struct Batch {
        owner: BatchText,

        #[covariant]
        dependent: Entries,
    }
);

/// What the reading thread sends to the correlating one. Each message
/// carries the counts of the lines read since the message before, so that
/// the totals are current while a followed input goes on.
pub(crate) enum Message {
    /// Entries whose events are not parsed yet: the receiving thread parses
    /// them.
    Batch(BatchText, Counts),
    /// Entries parsed by the reading thread, which does so while the
    /// receiving thread is behind, so that the two share the work.
    Parsed(Batch, Counts),
    /// The input ended, or failed: its summary and error.
    Done(Box<Finished>, Counts),
}

/// Line and template counts of part of an input.
#[derive(Default)]
pub(crate) struct Counts {
    pub lines: LineStats,
    pub templates: TemplateCounts,
}

pub(crate) struct Finished {
    pub summary: SourceSummary,
    pub error: Option<InputError>,
    /// Whether a stop request ended the reading before the input's end.
    pub stopped: bool,
}

/// Parses the text of every entry of a batch, counting what it finds.
pub(crate) fn parse_batch(
    owner: BatchText,
    lines: &mut LineStats,
    templates: &mut TemplateCounts,
) -> Batch {
    Batch::new(owner, |owner| {
        let mut entries = Vec::with_capacity(owner.raws.len());
        for raw in &owner.raws {
            let text = &owner.text[raw.start..raw.end];
            let header = raw.spans.resolve(text);
            lines.entries += 1;
            lines.form_counts[header.form as usize] += 1;
            let parsed = match header.payload {
                Payload::Text { text, .. } => {
                    let mut event = parse_event(text);
                    if !event.is_recognised() && raw.joined_lines > 0 {
                        // Lines without a header after a complete entry
                        // (text appended to a log by hand, a stray write)
                        // do not spoil the entry: it is read from its
                        // first line, and they count as one unrecognised
                        // entry.
                        let joined = (raw.end - raw.start).saturating_sub(raw.first_len);
                        let split = text.len().saturating_sub(joined);
                        let first = text.get(..split).unwrap_or(text);
                        let rest = text.get(split..).unwrap_or_default();
                        let alone = parse_event(first);
                        if alone.is_recognised() && !rest.is_empty() {
                            // The first joined line starts an entry without
                            // a header, and the others continue it.
                            event = alone;
                            lines.entries += 1;
                            lines.unrecognised += 1;
                            lines.detached += 1;
                            templates.add(format!("(no header) {}", template_of(rest.trim())));
                        }
                    }
                    if event.is_recognised() {
                        lines.recognised += 1;
                        lines.event_counts[event.kind_index()] += 1;
                    } else {
                        lines.unrecognised += 1;
                        templates.add(template_of(text));
                    }
                    Parsed::Event(event)
                }
                Payload::Cef(text) => match parse_cef(text) {
                    Ok(CefEvent::Consolidated(event)) => {
                        lines.recognised += 1;
                        lines.consolidated += 1;
                        Parsed::Consolidated(Box::new(event))
                    }
                    Ok(CefEvent::Other(other)) => {
                        lines.unrecognised += 1;
                        templates.add(format!(
                            "CEF event class {}",
                            template_of(other.header.event_class_id)
                        ));
                        Parsed::Nothing
                    }
                    Err(error) => {
                        lines.unrecognised += 1;
                        templates.add(format!("CEF: {error}"));
                        Parsed::Nothing
                    }
                },
                Payload::Other(text) => {
                    lines.unrecognised += 1;
                    let tag = header.tag.unwrap_or("syslog");
                    templates.add(format!("{tag}: {}", template_of(text)));
                    Parsed::Event(Event::Unknown)
                }
            };
            entries.push(ParsedEntry {
                parsed,
                time: raw.time,
                offset: raw.offset,
                name: raw.name,
                host_given: raw.host_given,
                line: raw.line,
                text,
            });
        }
        entries
    })
}

/// Reads one input into batches.
pub(crate) struct SourceParser {
    source: PreparedSource,
    options: RunOptions,
    summary: SourceSummary,
    lines: LineStats,
    templates: TemplateCounts,
    years: YearTracker,
    /// Appliance serial from the latest `Version:` line.
    serial: Option<String>,
    /// The first `Time offset from UTC` of the input, for lines without a
    /// syslog host whose appliance logged no offset of its own.
    utc_offset: Option<i32>,
    /// `Time offset from UTC` by appliance name: in a syslog stream of
    /// several appliances, each logs its own.
    offsets: rustc_hash::FxHashMap<Option<String>, i32>,
    directory_appliance: Option<String>,
    /// The batch being filled. Its last entry may still grow by
    /// continuation lines while `open_entry` is set.
    text: String,
    raws: Vec<RawEntry>,
    names: Vec<Option<String>>,
    name_index: rustc_hash::FxHashMap<Option<String>, u16>,
    open_entry: bool,
    /// Batches handed over and not yet correlated, when a correlating
    /// thread keeps count; the parser parses batches itself while it is
    /// ahead.
    in_flight: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
    live: bool,
    /// Batches the correlator is done with, whose buffers the next batches
    /// reuse: allocating a megabyte per batch on this thread and freeing it
    /// on the other costs more than the copy into it.
    recycled: Option<std::sync::mpsc::Receiver<BatchText>>,
    /// The last appliance name used, its index in `names`, and its UTC
    /// offset (looked up once per change of name, not once per line).
    last_name: Option<(Option<String>, u16, Option<i32>)>,
    /// Whether `last_name` is the name of lines without a syslog host under
    /// the current serial, so that such lines need no compare.
    last_name_native: bool,
    headers: HeaderParser,
    /// Whether a stop request ended the reading.
    stopped: bool,
}

impl SourceParser {
    pub(crate) fn new(source: PreparedSource, options: RunOptions) -> Self {
        let summary = source.summary();
        let years = source.year_tracker();
        SourceParser {
            serial: source.serial.clone(),
            utc_offset: source.utc_offset,
            offsets: source.offsets.iter().cloned().collect(),
            directory_appliance: source.directory_appliance(),
            source,
            options,
            summary,
            lines: LineStats::default(),
            templates: TemplateCounts::default(),
            years,
            text: String::new(),
            raws: Vec::new(),
            names: Vec::new(),
            name_index: Default::default(),
            open_entry: false,
            in_flight: None,
            live: false,
            recycled: None,
            last_name: None,
            last_name_native: false,
            headers: HeaderParser::new(),
            stopped: false,
        }
    }

    /// Marks the input as followed: a live log gets whole lines, never
    /// wrapped ones, so the entry read last is complete as soon as no more
    /// data is there, and goes out with the batch.
    pub(crate) fn set_live(&mut self) {
        self.live = true;
    }

    /// Makes the parser parse batches itself whenever `in_flight` batches
    /// are waiting for the correlator.
    pub(crate) fn share_work(&mut self, in_flight: std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        self.in_flight = Some(in_flight);
    }

    /// Makes the parser take the buffers of the batches that come back on
    /// `recycled` for its next batches.
    pub(crate) fn reuse_buffers(&mut self, recycled: std::sync::mpsc::Receiver<BatchText>) {
        self.recycled = Some(recycled);
    }

    /// Returns empty buffers for the next batch: those of a batch that came
    /// back when there is one, else new ones of `entries` and `bytes`.
    fn fresh_buffers(&mut self, entries: usize, bytes: usize) -> (Vec<RawEntry>, String) {
        if let Some(BatchText {
            mut text, mut raws, ..
        }) = self.recycled.as_ref().and_then(|back| back.try_recv().ok())
        {
            text.clear();
            raws.clear();
            return (raws, text);
        }
        (Vec::with_capacity(entries), String::with_capacity(bytes))
    }

    /// Reads the input to its end or its first read error, handing
    /// batches and then the summary to `deliver`, which returns `false` to
    /// stop early (its receiver is gone).
    pub(crate) fn run(mut self, deliver: &mut dyn FnMut(Message) -> bool) {
        let error = self.read_all(deliver).err();
        self.close_entry();
        self.send_batch(deliver, true);
        let counts = Counts {
            lines: std::mem::take(&mut self.lines),
            templates: std::mem::take(&mut self.templates),
        };
        let finished = Finished {
            summary: self.summary,
            error,
            stopped: self.stopped,
        };
        deliver(Message::Done(Box::new(finished), counts));
    }

    fn read_all(&mut self, sender: &mut dyn FnMut(Message) -> bool) -> Result<(), InputError> {
        // Bytes read ahead from a stream that cannot be opened again are
        // read even after a stop, because no other copy of them exists.
        let mut read_ahead = 0;
        let (reader, compressed_read): (Box<dyn Read + Send>, _) = match self.source.take_head() {
            Some((head, rest)) => {
                read_ahead = head.len() as u64;
                (
                    Box::new(IoCursor::new(head).chain(rest)),
                    self.source.compressed_read.clone(),
                )
            }
            None => {
                let opened = open(&self.source.origin)?;
                (opened.reader, Some(opened.compressed_read))
            }
        };
        let mut lines = LineReader::new(reader, self.options.max_line_bytes);
        // Lines still to read one by one before the buffered text is tried
        // again, after it stopped at a line it cannot take.
        let mut one_by_one = 0;
        let result = loop {
            // The first line may start with a byte order mark, which the
            // line by line path removes.
            if one_by_one == 0 && lines.lines_read() > 0 {
                let mut full = false;
                let (taken, blocked) = lines.take_buffered_text(FAST_WINDOW, |text, number| {
                    self.summary.lines += 1;
                    self.lines.physical += 1;
                    self.push_line(text.trim_end(), number);
                    full = self.raws.len() >= BATCH_ENTRIES || self.text.len() >= BATCH_BYTES;
                    !full
                });
                if full && !self.send_batch(sender, false) {
                    break Ok(());
                }
                if taken > 0 {
                    continue;
                }
                if blocked {
                    one_by_one = SLOW_LINES;
                }
            }
            one_by_one = one_by_one.saturating_sub(1);
            let line = match lines.next_buffered_line() {
                Some(line) => line,
                None => {
                    // Hand the batch over before a read that may wait for
                    // data, so that records of a followed file come out as
                    // lines arrive.
                    if self.live {
                        self.close_entry();
                    }
                    if !self.send_batch(sender, false) {
                        break Ok(());
                    }
                    // Checked before each refill of the read buffer (256
                    // KiB), so that a large input stops promptly.
                    if self.options.stop_requested() && lines.offset() >= read_ahead {
                        self.stopped = true;
                        break Ok(());
                    }
                    match lines.next_line() {
                        Ok(Some(line)) => line,
                        Ok(None) => break Ok(()),
                        Err(source) if is_stopped_read(&source) => {
                            self.stopped = true;
                            break Ok(());
                        }
                        Err(source) => break Err(source),
                    }
                }
            };
            self.summary.lines += 1;
            self.lines.physical += 1;
            if line.skipped_bytes > 0 {
                self.lines.truncated += 1;
                self.lines.truncated_bytes += line.skipped_bytes;
            }
            let number = line.number;
            // A byte order mark at the start of an input is not text.
            let bytes = if number == 1 {
                line.bytes
                    .strip_prefix(b"\xef\xbb\xbf")
                    .unwrap_or(line.bytes)
            } else {
                line.bytes
            };
            // Checking UTF-8 first is faster than the lossy conversion for
            // the valid lines that nearly all lines are.
            match std::str::from_utf8(bytes) {
                Ok(text) => self.push_line(text.trim_end(), number),
                Err(_) => {
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    self.push_line(text.trim_end(), number);
                }
            }
            let full = self.raws.len() >= BATCH_ENTRIES || self.text.len() >= BATCH_BYTES;
            if full && !self.send_batch(sender, false) {
                break Ok(());
            }
        };
        self.summary.bytes = lines.offset();
        match result {
            Ok(()) => {
                self.summary.complete = !self.stopped;
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

    /// Sends the complete entries of the batch, keeping an entry that may
    /// still grow for the next batch unless `all`. Returns `false` when the
    /// receiver is gone.
    fn send_batch(&mut self, sender: &mut dyn FnMut(Message) -> bool, all: bool) -> bool {
        let keep_last = self.open_entry && !all;
        let complete = self.raws.len() - usize::from(keep_last);
        if complete == 0 {
            return true;
        }
        // The next batch starts as large as this one, so that buffers do
        // not grow by doubling on large inputs nor take a megabyte for a
        // small one.
        let (fresh_raws, fresh_text) = self.fresh_buffers(self.raws.len(), self.text.len());
        let mut raws = std::mem::replace(&mut self.raws, fresh_raws);
        let mut text = std::mem::replace(&mut self.text, fresh_text);
        let names = std::mem::take(&mut self.names);
        self.name_index.clear();
        self.last_name = None;
        self.last_name_native = false;
        if keep_last {
            let last = raws.pop().expect("an open entry exists");
            self.text.push_str(&text[last.start..]);
            text.truncate(last.start);
            let name = names[usize::from(last.name)].clone();
            let index = self.intern(name);
            self.raws.push(RawEntry {
                start: 0,
                end: 0,
                name: index,
                ..last
            });
        }
        let owner = BatchText { text, raws, names };
        let behind = self.in_flight.as_ref().map(|count| {
            // Counted before the batch leaves, so the receiver never sees
            // it below zero.
            count.fetch_add(1, Ordering::AcqRel)
        });
        if behind.is_some_and(|waiting| waiting >= 1) {
            let batch = parse_batch(owner, &mut self.lines, &mut self.templates);
            let counts = self.take_counts();
            return sender(Message::Parsed(batch, counts));
        }
        let counts = self.take_counts();
        sender(Message::Batch(owner, counts))
    }

    fn take_counts(&mut self) -> Counts {
        Counts {
            lines: std::mem::take(&mut self.lines),
            templates: std::mem::take(&mut self.templates),
        }
    }

    /// Ends the entry being built: its text ends here.
    fn close_entry(&mut self) {
        if self.open_entry {
            if let Some(last) = self.raws.last_mut() {
                last.end = self.text.len();
            }
            self.open_entry = false;
        }
    }

    fn push_line(&mut self, text: &str, number: u64) {
        if text.trim_start().is_empty() {
            self.lines.blank += 1;
            return;
        }
        if let Some(header) = self.headers.parse(text) {
            self.close_entry();
            self.start_entry(text, &header, number);
            return;
        }
        // A header behind junk (an indent, NUL padding left by a crash, a
        // byte order mark where files were joined, a terminal escape) is an
        // entry of its own, not text wrapped from the entry before.
        let stripped = strip_leading_junk(text);
        if stripped.len() < text.len() {
            if let Some(header) = self.headers.parse(stripped) {
                self.close_entry();
                self.start_entry(stripped, &header, number);
                return;
            }
        }
        if self.open_entry {
            self.lines.continuation += 1;
            let entry_start = self.raws.last().map_or(0, |raw| raw.start);
            let limit = self.options.max_line_bytes;
            if let Some(last) = self.raws.last_mut() {
                last.joined_lines = last.joined_lines.saturating_add(1);
            }
            if self.text.len() - entry_start < limit {
                self.text.push(' ');
                self.text.push_str(text.trim_start());
                if self.text.len() - entry_start > limit {
                    let mut cut = entry_start + limit;
                    while !self.text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    self.text.truncate(cut);
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

    fn start_entry(&mut self, text: &str, header: &crate::header::Header<'_>, number: u64) {
        let spans = HeaderSpans::of(header, text);
        // The file header lines change how this entry and the next are read.
        let mut offset_line = None;
        if let Payload::Text { text: body, .. } = header.payload {
            if body.starts_with("Version: ") || body.starts_with("Time offset from UTC: ") {
                match parse_event(body) {
                    Event::Version {
                        serial: Some(serial),
                        ..
                    } => {
                        self.serial = Some(serial.to_string());
                        self.last_name_native = false;
                        if self.summary.serial.is_none() {
                            self.summary.serial = self.serial.clone();
                        }
                    }
                    // RFC 3339 offsets are whole minutes within 18 hours; a
                    // header outside that is left unused.
                    Event::TimeOffset { seconds } if valid_offset(seconds) => {
                        offset_line = Some(seconds);
                        if self.summary.utc_offset.is_none() {
                            self.summary.utc_offset = Some(seconds);
                            if self.options.utc_offset.is_none() && self.utc_offset.is_none() {
                                self.lines.offset_earlier_times(seconds);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let name = self.name_index(header.host);
        if let Some(seconds) = offset_line {
            if let Some((appliance, _, offset)) = &mut self.last_name {
                *offset = Some(seconds);
                self.offsets.insert(appliance.clone(), seconds);
            }
        }
        let own = self.last_name.as_ref().and_then(|(_, _, offset)| *offset);
        let offset = self.options.utc_offset.or(if header.host.is_some() {
            own
        } else {
            own.or(self.utc_offset)
        });
        let time = header.time.map(|raw| {
            let line_offset = raw.offset.or(offset);
            self.years.resolve(raw).with_offset(line_offset)
        });
        if let Some(time) = time {
            self.lines.see_time(time);
        }
        let start = self.text.len();
        self.text.push_str(text);
        self.raws.push(RawEntry {
            start,
            end: self.text.len(),
            first_len: text.len(),
            joined_lines: 0,
            spans,
            line: number,
            time,
            offset,
            name,
            host_given: header.host.is_some(),
        });
        self.open_entry = true;
    }

    /// Returns the index in `names` of the appliance of an entry whose
    /// syslog header names `host`.
    fn name_index(&mut self, host: Option<&str>) -> u16 {
        let name: Option<&str> = host
            .or(self.serial.as_deref())
            .or(self.directory_appliance.as_deref())
            .or(self.options.host.as_deref());
        if name.is_none() {
            self.summary.unnamed = true;
        }
        if host.is_none() && self.last_name_native {
            if let Some((_, index, _)) = &self.last_name {
                return *index;
            }
        }
        self.last_name_native = host.is_none();
        if let Some((last, index, _)) = &self.last_name {
            if last.as_deref() == name {
                return *index;
            }
        }
        let name = name.map(String::from);
        let index = self.intern(name.clone());
        let offset = self.offsets.get(&name).copied();
        self.last_name = Some((name, index, offset));
        index
    }

    /// Returns the index of `name` in the batch's names, adding it.
    fn intern(&mut self, name: Option<String>) -> u16 {
        if let Some(&index) = self.name_index.get(&name) {
            return index;
        }
        // A batch holds at most `BATCH_ENTRIES` entries, so it names fewer
        // appliances than `u16` counts.
        let index = self.names.len() as u16;
        self.names.push(name.clone());
        self.name_index.insert(name, index);
        index
    }
}

/// Returns `text` without what can stand before a line's header without
/// being part of it: white space, control and invisible characters, and
/// terminal escape sequences (`ESC [ ... letter`).
fn strip_leading_junk(text: &str) -> &str {
    let mut rest = text;
    loop {
        if let Some(after) = rest.strip_prefix("\x1b[") {
            let end = after.find(|c: char| !('\x20'..='\x3f').contains(&c));
            match end {
                Some(end)
                    if ('\x40'..='\x7e').contains(&after[end..].chars().next().unwrap_or('\0')) =>
                {
                    rest = &after[end + 1..];
                    continue;
                }
                _ => return rest,
            }
        }
        let trimmed = rest.trim_start_matches(|c: char| {
            c.is_whitespace()
                || (c.is_control() && c != '\x1b')
                || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
        });
        if trimmed.len() == rest.len() {
            return rest;
        }
        rest = trimmed;
    }
}

impl PreparedSource {
    fn take_head(&mut self) -> Option<(Vec<u8>, Box<dyn Read + Send>)> {
        self.stdin_head.take()
    }
}

#[cfg(test)]
mod tests {
    use super::strip_leading_junk;

    #[test]
    fn junk_before_a_header() {
        let header = "Tue Mar  3 10:00:01 2026 Info: ICID 1 close";
        for junk in [
            " ",
            "\t",
            "\0\0\0",
            "\u{feff}",
            "\x1b[0m",
            "\x1b[1;31m \u{200b}",
            "\r",
        ] {
            assert_eq!(
                strip_leading_junk(&format!("{junk}{header}")),
                header,
                "{junk:?}"
            );
        }
        assert_eq!(strip_leading_junk(header), header);
        // An escape that is not a complete sequence stays.
        assert_eq!(strip_leading_junk("\x1b[12"), "\x1b[12");
        assert_eq!(strip_leading_junk("\x1b[1\u{e9}x"), "\x1b[1\u{e9}x");
        assert_eq!(strip_leading_junk("\x1bx"), "\x1bx");
        assert_eq!(strip_leading_junk(" wrapped text"), "wrapped text");
    }
}
