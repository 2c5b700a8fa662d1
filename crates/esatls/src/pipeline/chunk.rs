//! The stage that runs on several threads at once: the lines of a chunk of
//! one input into entries, each with its header and its parsed event.
//!
//! A chunk contains complete lines, and is parsed without knowing the chunks
//! around it. What depends on them is left to the stage that takes the
//! chunks of an input in order:
//!
//! - the last entry of a chunk, and an entry that lines without a header
//!   continue, are not parsed here ([`Parsed::Deferred`]): the next chunk
//!   may continue the last one, and the text of a continued entry is made
//!   by joining its lines;
//! - lines without a header before the chunk's first entry
//!   ([`ChunkEntries::leading`]) continue the entry before the chunk, or
//!   are entries of their own when there is none.

use std::cell::Cell;

use self_cell::self_cell;

use super::stats::{LineStats, TemplateCounts};
use crate::cef::{parse_cef, CefEvent, ConsolidatedEvent};
use crate::event::{parse_event, template::template_of, Event};
use crate::header::{Header, HeaderParser, Payload, RawTime};
use crate::input::split_lines;

/// The buffers of a chunk that the run is done with, for the next chunk:
/// allocating them anew for each chunk on one thread and freeing them on
/// another costs more than the chunk's parse.
#[derive(Default)]
pub(crate) struct Buffers {
    pub bytes: Vec<u8>,
    pub entries: Vec<ChunkEntry<'static>>,
    pub continuations: Vec<&'static str>,
}

/// Complete lines of one input, as the reading thread took them.
pub(crate) struct Chunk {
    /// A buffer that contains the lines, with their terminators, in
    /// `range`.
    pub bytes: Vec<u8>,
    pub range: std::ops::Range<usize>,
    /// Empty vectors for the chunk's entries and continuation lines.
    pub entries: Vec<ChunkEntry<'static>>,
    pub continuations: Vec<&'static str>,
    /// Whether the chunk starts at the input's first byte, whose byte
    /// order mark is not text.
    pub first: bool,
    /// Lines the reader cut to the length limit because they did not fit
    /// its buffer, and the bytes it skipped of them.
    pub truncated: u64,
    pub truncated_bytes: u64,
    /// Whether no line can continue the chunk's last entry: a followed
    /// input has no more data for now, and a live log writes whole lines.
    pub closes_entry: bool,
}

/// The text that a parsed chunk owns.
pub(crate) struct ChunkText {
    /// A buffer that contains the text in `range`. The text is checked to
    /// be UTF-8 when the chunk is parsed.
    bytes: Vec<u8>,
    range: std::ops::Range<usize>,
    pub first: bool,
    pub closes_entry: bool,
    /// Lines cut by the reader, then while the chunk was made valid text.
    truncated: u64,
    truncated_bytes: u64,
    /// Whether the text was rebuilt line by line (invalid UTF-8, or a line
    /// past the limit cut inside a character), so that its lines are cut
    /// already.
    rebuilt: bool,
    /// Empty vectors for the entries parsed from the text.
    spare_entries: Cell<Vec<ChunkEntry<'static>>>,
    spare_continuations: Cell<Vec<&'static str>>,
}

impl ChunkText {
    fn new(chunk: Chunk) -> ChunkText {
        let Chunk {
            bytes,
            range,
            entries,
            continuations,
            first,
            truncated,
            truncated_bytes,
            closes_entry,
        } = chunk;
        ChunkText {
            bytes,
            range,
            first,
            closes_entry,
            truncated,
            truncated_bytes,
            rebuilt: false,
            spare_entries: Cell::new(entries),
            spare_continuations: Cell::new(continuations),
        }
    }

    /// Makes the text line by line, as a line by line reader would: each
    /// line is cut to `max_line` bytes, then its invalid UTF-8 becomes
    /// replacement characters.
    fn rebuild(&mut self, max_line: usize) {
        let bytes = &self.bytes[self.range.clone()];
        let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
        for line in split_lines(bytes) {
            let kept = line.len().min(max_line);
            if kept < line.len() {
                self.truncated += 1;
                self.truncated_bytes += (line.len() - kept) as u64;
            }
            text.push_str(&String::from_utf8_lossy(&line[..kept]));
            text.push('\n');
        }
        self.range = 0..text.len();
        self.bytes = text.into_bytes();
        self.rebuilt = true;
    }

    /// Returns the buffer of the text, to read another chunk into.
    fn into_buffer(self) -> Vec<u8> {
        self.bytes
    }
}

/// The kind of an entry, with its parsed event.
pub(crate) enum Parsed<'a> {
    /// A text mail log entry, recognised or not.
    Event(Event<'a>),
    /// A consolidated event.
    Consolidated(Box<ConsolidatedEvent<'a>>),
    /// An entry with nothing for the correlator, already counted: another
    /// kind of CEF event, one that could not be parsed, or a syslog
    /// message of another program.
    Nothing,
    /// An entry left for the stage that takes the chunks in order: it is
    /// neither parsed nor counted yet.
    Deferred,
}

/// One entry of a chunk.
pub(crate) struct ChunkEntry<'a> {
    pub parsed: Parsed<'a>,
    /// The time and the syslog host in the header of the entry's first
    /// line.
    pub time: Option<RawTime>,
    pub host: Option<&'a str>,
    /// The entry's first line, from its header on, without trailing white
    /// space. An entry that was not parsed here gets its header parsed
    /// again from it.
    pub text: &'a str,
    /// Index of the entry's first line in the chunk, from 0.
    pub line: u32,
    /// The lines without a header that continue the entry in this chunk,
    /// as a range of [`ChunkEntries::continuations`].
    pub continuations: std::ops::Range<u32>,
}

/// The entries of a chunk, and the counts of what parsing them found.
pub(crate) struct ChunkEntries<'a> {
    pub entries: Vec<ChunkEntry<'a>>,
    /// Lines without a header before the chunk's first entry, each with
    /// its index in the chunk.
    pub leading: Vec<(u32, &'a str)>,
    /// Lines without a header that continue an entry of the chunk.
    pub continuations: Vec<&'a str>,
    /// Counts of the lines, and of the entries parsed here.
    pub lines: LineStats,
    pub templates: TemplateCounts,
}

self_cell!(
    /// A chunk's text and the entries parsed from it.
    pub(crate) struct ParsedChunk {
        owner: ChunkText,

        #[covariant]
        dependent: ChunkEntries,
    }
);

impl ParsedChunk {
    /// Returns the chunk's buffers, emptied, for the next chunk.
    pub(crate) fn into_buffers(mut self) -> Buffers {
        let (entries, continuations) = self.with_dependent_mut(|_, parsed| {
            (
                emptied(std::mem::take(&mut parsed.entries)),
                emptied(std::mem::take(&mut parsed.continuations)),
            )
        });
        Buffers {
            bytes: self.into_owner().into_buffer(),
            entries,
            continuations,
        }
    }
}

/// Returns `items` emptied, as a vector of another lifetime in the same
/// allocation: the standard library collects a vector of a type the same
/// size into the vector it iterates.
fn emptied<T, U>(mut items: Vec<T>) -> Vec<U> {
    items.clear();
    items.into_iter().filter_map(|_| None).collect()
}

/// Invalid UTF-8, or a line past the limit whose cut falls inside a
/// character: the chunk is made text line by line, as a line by line reader
/// would.
struct Rebuild;

/// Parses the lines of `chunk` into entries. `headers` keeps the last
/// timestamp between chunks of one thread, to compare each line with.
pub(crate) fn parse_chunk(
    chunk: Chunk,
    max_line: usize,
    headers: &mut HeaderParser,
) -> ParsedChunk {
    let owner = ChunkText::new(chunk);
    match ParsedChunk::try_new_or_recover(owner, |owner| parse_entries(owner, max_line, headers)) {
        Ok(parsed) => parsed,
        Err((mut owner, Rebuild)) => {
            owner.rebuild(max_line);
            ParsedChunk::new(owner, |owner| {
                parse_entries(owner, max_line, headers).unwrap_or_else(|_| empty_entries())
            })
        }
    }
}

fn empty_entries<'a>() -> ChunkEntries<'a> {
    ChunkEntries {
        entries: Vec::new(),
        leading: Vec::new(),
        continuations: Vec::new(),
        lines: LineStats::default(),
        templates: TemplateCounts::default(),
    }
}

fn parse_entries<'a>(
    owner: &'a ChunkText,
    max_line: usize,
    headers: &mut HeaderParser,
) -> Result<ChunkEntries<'a>, Rebuild> {
    let mut out = empty_entries();
    // Lifetimes only shorten: the vectors are empty.
    out.entries = owner.spare_entries.take();
    out.continuations = owner.spare_continuations.take();
    let text =
        simdutf8::basic::from_utf8(&owner.bytes[owner.range.clone()]).map_err(|_| Rebuild)?;
    out.entries.reserve(text.len() / 64);
    out.lines.truncated = owner.truncated;
    out.lines.truncated_bytes = owner.truncated_bytes;
    let mut rest = text;
    let mut index: u32 = 0;
    // The header of the entry pushed last, which lines without a header
    // continue; the entry is parsed once the next entry starts.
    let mut open: Option<Header<'a>> = None;
    // Nearly every log ends its lines with `\n` alone, and a search for
    // one byte is faster than for two.
    let carriage_returns = memchr::memchr(b'\r', text.as_bytes()).is_some();
    let newline = NewlineFinder::new();
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        let end = if carriage_returns {
            memchr::memchr2(b'\n', b'\r', bytes)
        } else {
            newline.find(bytes)
        };
        let (mut line, next) = match end {
            Some(at) => {
                let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                    at + 2
                } else {
                    at + 1
                };
                (&rest[..at], next)
            }
            None => (rest, rest.len()),
        };
        rest = &rest[next..];
        let line_index = index;
        index += 1;
        if line.len() > max_line && !owner.rebuilt {
            if !line.is_char_boundary(max_line) {
                return Err(Rebuild);
            }
            out.lines.truncated += 1;
            out.lines.truncated_bytes += (line.len() - max_line) as u64;
            line = &line[..max_line];
        }
        if owner.first && line_index == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let line = trim_end(line);
        if is_blank(line) {
            out.lines.blank += 1;
            continue;
        }
        // The header stays where the parse wrote it: moving it into a
        // tuple cost more than the parse.
        let mut text = line;
        let mut header = headers.parse(line);
        if header.is_none() {
            // A header behind junk (an indent, NUL padding left by a
            // crash, a byte order mark where files were joined, a terminal
            // escape) starts an entry too.
            let stripped = strip_leading_junk(line);
            if stripped.len() < line.len() {
                header = headers.parse(stripped);
                text = stripped;
            }
        }
        match header {
            Some(header) => {
                if let Some(done) = open.take() {
                    finish_entry(&mut out, &done);
                }
                out.entries.push(ChunkEntry {
                    parsed: Parsed::Deferred,
                    time: header.time,
                    host: header.host,
                    text,
                    line: line_index,
                    continuations: 0..0,
                });
                open = Some(header);
            }
            None => match out.entries.last_mut() {
                Some(entry) => {
                    out.lines.continuation += 1;
                    let at = out.continuations.len() as u32;
                    if entry.continuations.is_empty() {
                        entry.continuations = at..at;
                    }
                    out.continuations.push(line);
                    entry.continuations.end = at + 1;
                }
                None => out.leading.push((line_index, line)),
            },
        }
    }
    out.lines.physical = u64::from(index);
    Ok(out)
}

/// A search for line ends, set up once per chunk because lines are short.
/// Where the processor has AVX2, the searcher of that instruction set is
/// made once and called directly, without the dispatch of each call.
struct NewlineFinder {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl NewlineFinder {
    fn new() -> NewlineFinder {
        NewlineFinder {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'\n'),
        }
    }

    #[inline]
    fn find(&self, bytes: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = &self.avx2 {
            return avx2.find(bytes);
        }
        memchr::memchr(b'\n', bytes)
    }
}

/// Parses the entry pushed last, whose header is `header`, unless lines
/// without a header continue it.
fn finish_entry<'a>(out: &mut ChunkEntries<'a>, header: &Header<'a>) {
    let Some(entry) = out.entries.last_mut() else {
        return;
    };
    if entry.continuations.is_empty() {
        entry.parsed = classify(header, &mut out.lines, &mut out.templates);
    }
}

/// Parses the payload of an entry of one line and counts the entry.
pub(crate) fn classify<'a>(
    header: &Header<'a>,
    lines: &mut LineStats,
    templates: &mut TemplateCounts,
) -> Parsed<'a> {
    classify_with(header, lines, templates, |text, lines, templates| {
        let event = parse_event(text);
        count_event(&event, text, lines, templates);
        event
    })
}

/// Counts an entry and parses its payload, a text entry's with
/// `parse_text`, which counts the event it returns.
pub(crate) fn classify_with<'a>(
    header: &Header<'a>,
    lines: &mut LineStats,
    templates: &mut TemplateCounts,
    parse_text: impl FnOnce(&'a str, &mut LineStats, &mut TemplateCounts) -> Event<'a>,
) -> Parsed<'a> {
    lines.entries += 1;
    lines.form_counts[header.form as usize] += 1;
    match header.payload {
        Payload::Text { text, .. } => Parsed::Event(parse_text(text, lines, templates)),
        Payload::Cef(text) => classify_cef(text, lines, templates),
        Payload::Other(text) => {
            lines.unrecognised += 1;
            let tag = header.tag.unwrap_or("syslog");
            templates.add(format!("{tag}: {}", template_of(text)));
            Parsed::Event(Event::Unknown)
        }
    }
}

/// Counts a text entry's event, and the template of an unrecognised one.
pub(crate) fn count_event(
    event: &Event<'_>,
    text: &str,
    lines: &mut LineStats,
    templates: &mut TemplateCounts,
) {
    if event.is_recognised() {
        lines.recognised += 1;
        lines.event_counts[event.kind_index()] += 1;
    } else {
        lines.unrecognised += 1;
        templates.add(template_of(text));
    }
}

/// Parses and counts a consolidated event.
fn classify_cef<'a>(
    text: &'a str,
    lines: &mut LineStats,
    templates: &mut TemplateCounts,
) -> Parsed<'a> {
    match parse_cef(text) {
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
    }
}

/// Returns `line` without trailing white space, looking at its last byte
/// first: nearly every line ends in a printable ASCII character.
fn trim_end(line: &str) -> &str {
    match line.as_bytes().last() {
        Some(&last) if last.is_ascii_graphic() => line,
        _ => line.trim_end(),
    }
}

/// Returns whether a line holds only white space.
fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(&first) if first.is_ascii_graphic() => false,
        _ => line.trim_start().is_empty(),
    }
}

/// Returns `text` without what can stand before a line's header without
/// being part of it: white space, control and invisible characters, and
/// terminal escape sequences (`ESC [ ... letter`).
pub(crate) fn strip_leading_junk(text: &str) -> &str {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(bytes: &[u8], first: bool) -> Chunk {
        Chunk {
            bytes: bytes.to_vec(),
            range: 0..bytes.len(),
            entries: Vec::new(),
            continuations: Vec::new(),
            first,
            truncated: 0,
            truncated_bytes: 0,
            closes_entry: false,
        }
    }

    /// Returns each entry's first line, whether it was parsed here, and
    /// its continuation lines.
    fn entries_of(parsed: &ParsedChunk) -> Vec<(String, bool, Vec<String>)> {
        parsed.with_dependent(|_, entries| {
            entries
                .entries
                .iter()
                .map(|entry| {
                    let range =
                        entry.continuations.start as usize..entry.continuations.end as usize;
                    (
                        entry.text.to_string(),
                        !matches!(entry.parsed, Parsed::Deferred),
                        entries.continuations[range]
                            .iter()
                            .map(|line| line.to_string())
                            .collect(),
                    )
                })
                .collect()
        })
    }

    const A: &str = "Mon Mar  2 10:00:00 2026 Info: ICID 1 close";
    const B: &str = "Mon Mar  2 10:00:01 2026 Info: ICID 2 close";

    #[test]
    fn last_and_continued_entries_wait() {
        let text = format!("lead\n{A}\nwrapped\n\n{B}\r\n{A}\r");
        let parsed = parse_chunk(
            chunk(text.as_bytes(), false),
            1_000,
            &mut HeaderParser::new(),
        );
        assert_eq!(
            entries_of(&parsed),
            vec![
                (A.to_string(), false, vec!["wrapped".to_string()]),
                (B.to_string(), true, vec![]),
                (A.to_string(), false, vec![]),
            ]
        );
        parsed.with_dependent(|_, entries| {
            assert_eq!(entries.leading, vec![(0, "lead")]);
            assert_eq!(entries.lines.physical, 6);
            assert_eq!(entries.lines.blank, 1);
            assert_eq!(entries.lines.continuation, 1);
            assert_eq!(entries.lines.entries, 1);
            assert_eq!(entries.lines.recognised, 1);
            assert_eq!(entries.entries[1].line, 4);
        });
    }

    #[test]
    fn long_lines_cut_as_read() {
        // A 31-byte header, then two-byte characters.
        let head = "Mon Mar  2 10:00:00 2026 Info: ";
        let text = format!("{head}{}\n{B}\n", "\u{e9}".repeat(40));
        let parsed = parse_chunk(chunk(text.as_bytes(), false), 31, &mut HeaderParser::new());
        parsed.with_dependent(|_, entries| {
            assert_eq!(entries.lines.truncated, 2);
            assert_eq!(entries.lines.truncated_bytes, 80 + 12);
            assert_eq!(entries.entries[0].text, head.trim_end());
            assert_eq!(entries.entries[1].text, B[..31].trim_end());
        });
        // A cut inside a character leaves a replacement character, as the
        // lossy conversion of the cut bytes does.
        let parsed = parse_chunk(chunk(text.as_bytes(), false), 32, &mut HeaderParser::new());
        parsed.with_dependent(|_, entries| {
            assert_eq!(entries.lines.truncated, 2);
            assert_eq!(entries.lines.truncated_bytes, 79 + 11);
            assert_eq!(entries.entries[0].text, format!("{head}\u{fffd}"));
            assert_eq!(entries.entries[1].text, &B[..32]);
        });
    }

    #[test]
    fn invalid_text_and_byte_order_mark() {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend_from_slice(A.as_bytes());
        bytes.extend_from_slice(b"\n\xff\n");
        bytes.extend_from_slice(B.as_bytes());
        bytes.push(b'\n');
        let parsed = parse_chunk(chunk(&bytes, true), 1_000, &mut HeaderParser::new());
        let entries = entries_of(&parsed);
        assert_eq!(entries[0].0, A);
        assert_eq!(entries[0].2, vec!["\u{fffd}".to_string()]);
        // Only the input's first line loses its byte order mark.
        let parsed = parse_chunk(chunk(&bytes, false), 1_000, &mut HeaderParser::new());
        assert_eq!(entries_of(&parsed)[0].0, A);
        parsed.with_dependent(|_, entries| assert_eq!(entries.leading.len(), 0));
    }

    #[test]
    fn buffers_come_back_empty_with_their_memory() {
        let text = format!("{A}\nwrapped\n{B}\n");
        let parsed = parse_chunk(
            chunk(text.as_bytes(), false),
            1_000,
            &mut HeaderParser::new(),
        );
        let buffers = parsed.into_buffers();
        assert!(buffers.entries.is_empty());
        assert!(buffers.entries.capacity() >= 2);
        assert!(buffers.continuations.is_empty());
        assert!(buffers.continuations.capacity() >= 1);
        assert!(buffers.bytes.starts_with(A.as_bytes()));
    }

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
