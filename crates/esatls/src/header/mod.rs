//! Recognition of the header in front of each log entry.
//!
//! One function, [`parse_header`], looks at the start of a line and finds
//! which of the forms below it has. A line without any of them is not a new
//! entry: it continues the previous one (a copy from a browser, a PDF or a
//! terminal wrapped it).
//!
//! | form | example |
//! |---|---|
//! | appliance file | `Wed Jul 20 19:47:40 2005 Info: text` |
//! | RFC 3164 syslog | `<22>Jul 20 19:47:40 host mail_logs: Info: text` (PRI, host and year optional) |
//! | syslog then appliance time | `<22>Jul 20 19:47:40 host mail_logs: Wed Jul 20 19:47:40 2005 Info: text` |
//! | RFC 5424 syslog | `<22>1 2026-03-02T09:00:01.123+01:00 host mail_logs - - - Info: text` |
//! | ISO 8601 collector | `2026-03-02T09:00:01+01:00 host mail_logs: Info: text` |
//! | host and tag only | `host mail_logs: Info: text` |
//! | level only | `Info: text` |
//! | consolidated event | any of the syslog forms above, or nothing, then `CEF:0|...` |

mod time;

pub use time::{LogTime, RawTime};

/// Severity level of an appliance log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Critical,
    Warning,
    Info,
    Debug,
    Trace,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "Critical",
            Level::Warning => "Warning",
            Level::Info => "Info",
            Level::Debug => "Debug",
            Level::Trace => "Trace",
        }
    }
}

/// Header form a line was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum HeaderForm {
    /// `Www Mmm dd HH:MM:SS YYYY Level:` as in files pulled from the appliance.
    Native,
    /// RFC 3164 syslog (`<PRI>Mmm dd HH:MM:SS [YYYY] [host] tag:`).
    Rfc3164,
    /// RFC 5424 syslog (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD`).
    Rfc5424,
    /// An ISO 8601 timestamp written by a collector, then `[host] tag:`.
    Iso8601,
    /// `[host] tag:` with no timestamp.
    TagOnly,
    /// `Level:` with no timestamp and no tag.
    LevelOnly,
    /// A consolidated event with no header at all.
    Bare,
}

impl HeaderForm {
    /// Number of header forms.
    pub const COUNT: usize = 7;

    /// Returns a stable name of the form, used in summaries.
    pub fn name(self) -> &'static str {
        match self {
            HeaderForm::Native => "native",
            HeaderForm::Rfc3164 => "rfc3164",
            HeaderForm::Rfc5424 => "rfc5424",
            HeaderForm::Iso8601 => "iso8601",
            HeaderForm::TagOnly => "tag_only",
            HeaderForm::LevelOnly => "level_only",
            HeaderForm::Bare => "bare",
        }
    }

    /// Every form, in the order of their `u8` values.
    pub const ALL: [HeaderForm; HeaderForm::COUNT] = [
        HeaderForm::Native,
        HeaderForm::Rfc3164,
        HeaderForm::Rfc5424,
        HeaderForm::Iso8601,
        HeaderForm::TagOnly,
        HeaderForm::LevelOnly,
        HeaderForm::Bare,
    ];
}

/// What follows the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload<'a> {
    /// A text mail log entry: the text after `Level: `.
    Text { level: Level, text: &'a str },
    /// A consolidated event: the whole `CEF:...` string.
    Cef(&'a str),
    /// A syslog message that is neither of the above (another log type, or
    /// a truncated line).
    Other(&'a str),
}

/// The parsed header of one log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    pub form: HeaderForm,
    /// The time of the entry. When a syslog header is followed by the
    /// appliance's own timestamp, this is the appliance's time.
    pub time: Option<RawTime>,
    /// The syslog host name, when the header has one.
    pub host: Option<&'a str>,
    /// The syslog tag, which ESA sets to the log subscription name.
    pub tag: Option<&'a str>,
    pub payload: Payload<'a>,
}

/// A [`Header`] stored as byte offsets into its line, so that it stays
/// valid when continuation lines are appended to the line: the payload
/// always runs to the end of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderSpans {
    form: HeaderForm,
    time: Option<RawTime>,
    host: Option<(u32, u32)>,
    tag: Option<(u32, u32)>,
    payload: PayloadSpan,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PayloadSpan {
    Text { level: Level, start: u32 },
    Cef { start: u32 },
    Other { start: u32 },
}

/// Returns the byte range of `part` in `line`. Every part the parser
/// returns is a slice of the line; an empty part that is not (a literal
/// `""`) is placed at the end of the line.
fn span_in(line: &str, part: &str) -> (u32, u32) {
    let start = (part.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
    if start > line.len() || start + part.len() > line.len() {
        return (line.len() as u32, line.len() as u32);
    }
    (start as u32, (start + part.len()) as u32)
}

impl HeaderSpans {
    /// Records `header`, which must have been parsed from `line`.
    pub fn of(header: &Header<'_>, line: &str) -> HeaderSpans {
        let payload = match header.payload {
            Payload::Text { level, text } => PayloadSpan::Text {
                level,
                start: span_in(line, text).0,
            },
            Payload::Cef(text) => PayloadSpan::Cef {
                start: span_in(line, text).0,
            },
            Payload::Other(text) => PayloadSpan::Other {
                start: span_in(line, text).0,
            },
        };
        HeaderSpans {
            form: header.form,
            time: header.time,
            host: header.host.map(|host| span_in(line, host)),
            tag: header.tag.map(|tag| span_in(line, tag)),
            payload,
        }
    }

    /// Rebuilds the header over `line`, the line it was parsed from with
    /// any continuation appended.
    pub fn resolve<'a>(&self, line: &'a str) -> Header<'a> {
        let slice = |(start, end): (u32, u32)| &line[start as usize..end as usize];
        let rest = |start: u32| &line[start as usize..];
        let payload = match self.payload {
            PayloadSpan::Text { level, start } => Payload::Text {
                level,
                text: rest(start),
            },
            PayloadSpan::Cef { start } => Payload::Cef(rest(start)),
            PayloadSpan::Other { start } => Payload::Other(rest(start)),
        };
        Header {
            form: self.form,
            time: self.time,
            host: self.host.map(slice),
            tag: self.tag.map(slice),
            payload,
        }
    }
}

/// Parses the header of `line`, which must not end with a line terminator.
///
/// Returns `None` when the line has no header, which makes it a continuation
/// of the previous entry.
pub fn parse_header(line: &str) -> Option<Header<'_>> {
    let bytes = line.as_bytes();
    let first = *bytes.first()?;
    if first == b'<' {
        return parse_with_pri(line);
    }
    if first.is_ascii_digit() {
        if let Some((time, used)) = time::parse_iso(bytes) {
            if let Some(header) = parse_after_syslog_time(line, used, time, HeaderForm::Iso8601) {
                return Some(header);
            }
        }
    }
    if let Some((time, used)) = time::parse_native(bytes) {
        if let Some(payload) = native_payload(&line[used..]) {
            return Some(Header {
                form: HeaderForm::Native,
                time: Some(time),
                host: None,
                tag: None,
                payload,
            });
        }
        return None;
    }
    if let Some((time, used)) = time::parse_bsd(bytes) {
        return parse_after_syslog_time(line, used, time, HeaderForm::Rfc3164);
    }
    if line.starts_with("CEF:") {
        return Some(Header {
            form: HeaderForm::Bare,
            time: None,
            host: None,
            tag: None,
            payload: Payload::Cef(line),
        });
    }
    if let Some(payload) = parse_level_text(line) {
        if let Payload::Text { .. } = payload {
            return Some(Header {
                form: HeaderForm::LevelOnly,
                time: None,
                host: None,
                tag: None,
                payload,
            });
        }
    }
    parse_tag_only(line)
}

/// Parses a line that begins with `<PRI>`.
fn parse_with_pri(line: &str) -> Option<Header<'_>> {
    let bytes = line.as_bytes();
    let close = bytes.iter().take(5).position(|&b| b == b'>')?;
    if close < 2 || !bytes[1..close].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let rest = &line[close + 1..];
    let offset = close + 1;
    if let Some(after_version) = rest.strip_prefix("1 ") {
        return parse_rfc5424(line, offset + 2, after_version);
    }
    let rest_bytes = rest.as_bytes();
    if let Some((time, used)) = time::parse_bsd(rest_bytes) {
        return parse_after_syslog_time(line, offset + used, time, HeaderForm::Rfc3164);
    }
    if let Some((time, used)) = time::parse_iso(rest_bytes) {
        return parse_after_syslog_time(line, offset + used, time, HeaderForm::Iso8601);
    }
    // A PRI with a header this parser does not know is still a new entry.
    Some(Header {
        form: HeaderForm::Rfc3164,
        time: None,
        host: None,
        tag: None,
        payload: Payload::Other(rest),
    })
}

/// Parses headers like [`parse_header`], remembering the last appliance
/// timestamp: log lines come many to a second, so most lines start with the
/// same 24 bytes as the line before, and comparing them is cheaper than
/// parsing them again.
#[derive(Clone, Debug, Default)]
pub struct HeaderParser {
    /// The timestamp text of the last appliance-format line, and its time.
    last: Option<(NativeStamp, RawTime)>,
}

/// The text of an appliance timestamp (`Wed Jul 20 19:47:40 2005`), which
/// is 24 bytes long unless the day is padded with more spaces.
#[derive(Clone, Debug)]
enum NativeStamp {
    /// The usual 24 bytes, as three words to compare at once.
    Words([u64; 3]),
    Other(Vec<u8>),
}

impl NativeStamp {
    fn new(text: &[u8]) -> NativeStamp {
        match words(text) {
            Some(words) if text.len() == 24 => NativeStamp::Words(words),
            _ => NativeStamp::Other(text.to_vec()),
        }
    }

    /// Returns the length of the stamp if `line` starts with it.
    fn prefix_of(&self, line: &[u8]) -> Option<usize> {
        match self {
            NativeStamp::Words(stamp) => (words(line)? == *stamp).then_some(24),
            NativeStamp::Other(stamp) => line.starts_with(stamp).then_some(stamp.len()),
        }
    }
}

/// Returns the first 24 bytes of `bytes` as three words.
fn words(bytes: &[u8]) -> Option<[u64; 3]> {
    let word = |at: usize| {
        let chunk: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
        Some(u64::from_ne_bytes(chunk))
    };
    Some([word(0)?, word(8)?, word(16)?])
}

impl HeaderParser {
    pub fn new() -> Self {
        HeaderParser::default()
    }

    /// Parses the header of `line`; the result is the same as
    /// [`parse_header`]'s.
    pub fn parse<'a>(&mut self, line: &'a str) -> Option<Header<'a>> {
        if let Some((stamp, time)) = &self.last {
            if let Some(used) = stamp.prefix_of(line.as_bytes()) {
                let rest = &line[used..];
                // Nearly every line is at level Info.
                let payload = match rest.strip_prefix(" Info: ") {
                    Some(text) if cef_behind_tag(text).is_none() => Some(Payload::Text {
                        level: Level::Info,
                        text,
                    }),
                    _ => native_payload(rest),
                };
                if let Some(payload @ Payload::Text { .. }) = payload {
                    return Some(Header {
                        form: HeaderForm::Native,
                        time: Some(*time),
                        host: None,
                        tag: None,
                        payload,
                    });
                }
            }
        }
        self.parse_new_stamp(line)
    }

    /// Parses a header whose stamp differs from the one before, and keeps
    /// its stamp for the lines after it.
    #[inline(never)]
    fn parse_new_stamp<'a>(&mut self, line: &'a str) -> Option<Header<'a>> {
        let header = parse_header(line)?;
        if header.form == HeaderForm::Native {
            if let Some((time, used)) = time::parse_native(line.as_bytes()) {
                self.last = Some((NativeStamp::new(&line.as_bytes()[..used]), time));
            }
        }
        Some(header)
    }
}

/// Parses `TIMESTAMP HOST APP PROCID MSGID SD MSG` of RFC 5424.
fn parse_rfc5424<'a>(line: &'a str, start: usize, rest: &'a str) -> Option<Header<'a>> {
    let mut fields = rest.splitn(6, ' ');
    let timestamp = fields.next()?;
    let host = fields.next()?;
    let app = fields.next()?;
    let _procid = fields.next()?;
    let _msgid = fields.next()?;
    let remainder = fields.next().unwrap_or(&rest[rest.len()..]);
    let time = if timestamp == "-" {
        None
    } else {
        let (time, used) = time::parse_iso(timestamp.as_bytes())?;
        if used != timestamp.len() {
            return None;
        }
        Some(time)
    };
    let message = skip_structured_data(remainder);
    let _ = (line, start);
    let nil = |value: &'a str| if value == "-" { None } else { Some(value) };
    let (inner_time, payload) = parse_message(message);
    Some(Header {
        form: HeaderForm::Rfc5424,
        time: inner_time.or(time),
        host: nil(host),
        tag: nil(app),
        payload,
    })
}

/// Skips the STRUCTURED-DATA field of RFC 5424 (`-` or one or more
/// `[id param="value"]` elements) and the space after it.
fn skip_structured_data(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix('-') {
        return rest.strip_prefix(' ').unwrap_or(rest);
    }
    let bytes = text.as_bytes();
    let mut at = 0;
    while bytes.get(at) == Some(&b'[') {
        let mut in_quotes = false;
        at += 1;
        while at < bytes.len() {
            match bytes[at] {
                b'\\' if in_quotes => at += 1,
                b'"' => in_quotes = !in_quotes,
                b']' if !in_quotes => break,
                _ => {}
            }
            at += 1;
        }
        at += 1;
    }
    let rest = text.get(at.min(text.len())..).unwrap_or("");
    rest.strip_prefix(' ').unwrap_or(rest)
}

/// Parses `[YYYY ][host ]tag: message` after a syslog timestamp that ends at
/// byte `at` of `line`.
fn parse_after_syslog_time(
    line: &str,
    at: usize,
    outer: RawTime,
    form: HeaderForm,
) -> Option<Header<'_>> {
    let mut rest = line.get(at..)?;
    let mut time = outer;
    if rest.is_empty() {
        return Some(Header {
            form,
            time: Some(time),
            host: None,
            tag: None,
            payload: Payload::Other(rest),
        });
    }
    rest = rest.strip_prefix(' ')?;
    // RFC 3164 as some collectors store it: `Jul 16 10:46:46 2013 host tag:`.
    if time.year.is_none() {
        let bytes = rest.as_bytes();
        if bytes.len() > 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b' ' {
            time.year = rest[..4].parse().ok();
            rest = &rest[5..];
        }
    }
    let (host, tag, message) = split_host_tag(rest);
    let (inner_time, payload) = parse_message(message);
    Some(Header {
        form,
        time: Some(inner_time.unwrap_or(time)),
        host,
        tag,
        payload,
    })
}

/// Splits `text` at its first space, which is not kept.
fn split_space(text: &str) -> (&str, &str) {
    match memchr::memchr(b' ', text.as_bytes()) {
        // The space is ASCII, so both sides are on character boundaries.
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, &text[text.len()..]),
    }
}

/// Splits `[host ]tag: message`. A message that starts with `CEF:` right
/// after the host has no tag.
fn split_host_tag(rest: &str) -> (Option<&str>, Option<&str>, &str) {
    let (first, after_first) = split_space(rest);
    if first.starts_with("CEF:") {
        return (None, None, rest);
    }
    if let Some(tag) = first.strip_suffix(':') {
        return (None, Some(tag), after_first);
    }
    if after_first.starts_with("CEF:") {
        return (Some(first), None, after_first);
    }
    let (second, after_second) = split_space(after_first);
    if let Some(tag) = second.strip_suffix(':') {
        if !tag.is_empty() {
            return (Some(first), Some(tag), after_second);
        }
    }
    // A syslog line without a colon-terminated tag: keep it whole.
    (None, None, rest)
}

/// Parses the message part of a syslog line: `Level: text`, the appliance's
/// timestamp then `Level: text`, or `CEF:...` with or without a timestamp.
fn parse_message(message: &str) -> (Option<RawTime>, Payload<'_>) {
    if let Some(payload) = native_payload(message) {
        return (None, payload);
    }
    if let Some((time, used)) = time::parse_native(message.as_bytes()) {
        if let Some(payload) = native_payload(&message[used..]) {
            return (Some(time), payload);
        }
    }
    (None, Payload::Other(message))
}

/// Parses what follows the appliance's timestamp, or a syslog tag:
/// ` Level: text`, or a consolidated event (`CEF:...`) behind an optional
/// colon, level and subscription tag (`: CEF:...`, ` Info: CEF:...`,
/// ` Info: consolidated_event: CEF:...`).
fn native_payload(text: &str) -> Option<Payload<'_>> {
    let payload = parse_level_text(text);
    let rest = match payload {
        Some(Payload::Text { text, .. }) => text,
        _ => text.strip_prefix(':').unwrap_or(text).trim_start(),
    };
    if let Some(cef) = cef_behind_tag(rest) {
        return Some(Payload::Cef(cef));
    }
    payload
}

/// Returns the `CEF:...` that `text` starts with, or that follows its first
/// word when that word is a tag (`consolidated_event: CEF:...`). The test
/// costs one compare for the text of ordinary entries.
#[inline]
fn cef_behind_tag(text: &str) -> Option<&str> {
    if text.starts_with("CEF:") {
        return Some(text);
    }
    // Most entries start with `MID `, which is no tag.
    if text.starts_with("MID ") {
        return None;
    }
    // A byte search: `split_once(' ')` costs more than the rest of the
    // header, and the first word of most entries is three bytes long. A
    // tag ends with a colon, and most first words do not.
    let bytes = text.as_bytes();
    let space = first_space(bytes)?;
    if space < 2 || bytes[space - 1] != b':' {
        return None;
    }
    let after = text[space + 1..].trim_start();
    after.starts_with("CEF:").then_some(after)
}

/// Returns the position of the first space in `bytes`, looking at eight
/// bytes at once while there are eight.
#[inline]
pub(crate) fn first_space(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ (ONES * u64::from(b' '));
        // The lowest byte that was a space is the lowest zero byte, and the
        // lowest bit this sets is in it (borrows only affect higher bytes).
        let zero = word.wrapping_sub(ONES) & !word & HIGH;
        if zero != 0 {
            return Some(at + zero.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&byte| byte == b' ')
        .map(|found| at + found)
}

/// Parses ` Level: text` or `Level: text` (the leading space is optional).
fn parse_level_text(text: &str) -> Option<Payload<'_>> {
    let text = text.strip_prefix(' ').unwrap_or(text);
    let (level, rest) = if let Some(rest) = text.strip_prefix("Info:") {
        (Level::Info, rest)
    } else if let Some(rest) = text.strip_prefix("Warning:") {
        (Level::Warning, rest)
    } else if let Some(rest) = text.strip_prefix("Debug:") {
        (Level::Debug, rest)
    } else if let Some(rest) = text.strip_prefix("Trace:") {
        (Level::Trace, rest)
    } else if let Some(rest) = text.strip_prefix("Critical:") {
        (Level::Critical, rest)
    } else {
        return None;
    };
    let text = rest.strip_prefix(' ').unwrap_or(rest);
    Some(Payload::Text { level, text })
}

/// Parses `[host ]tag: Level: text` with no timestamp. The level is required,
/// so that wrapped text that happens to contain a colon stays a continuation.
fn parse_tag_only(line: &str) -> Option<Header<'_>> {
    let (host, tag, message) = split_host_tag(line);
    tag?;
    if host.is_some_and(|host| host.contains(':')) {
        return None;
    }
    let payload = native_payload(message)?;
    Some(Header {
        form: HeaderForm::TagOnly,
        time: None,
        host,
        tag,
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'a>(header: &Header<'a>) -> &'a str {
        match header.payload {
            Payload::Text { text, .. } => text,
            other => panic!("expected text payload, got {other:?}"),
        }
    }

    #[test]
    fn first_space_anywhere() {
        for text in [
            "",
            "x",
            "abcdefgh",
            "abcdefghijklmnop",
            "\u{e9}\u{e9}\u{e9}\u{e9}x",
        ] {
            assert_eq!(first_space(text.as_bytes()), None, "{text:?}");
        }
        for at in 0..20 {
            let mut text = "x".repeat(20);
            text.replace_range(at..=at, " ");
            text.push(' ');
            assert_eq!(first_space(text.as_bytes()), Some(at));
        }
        // Bytes just above and below a space.
        assert_eq!(first_space(b"\x1f!\x21\x20\xa0 "), Some(3));
        assert_eq!(first_space(b"\xa0\xa0\xa0\xa0\xa0\xa0\xa0\xa0 "), Some(8));
    }

    #[test]
    fn native_line() {
        let header =
            parse_header("Wed Jul 20 19:47:40 2005 Info: ICID 282204970 TLS success").unwrap();
        assert_eq!(header.form, HeaderForm::Native);
        assert_eq!(header.host, None);
        assert_eq!(text_of(&header), "ICID 282204970 TLS success");
        let time = header.time.unwrap();
        assert_eq!(time.year, Some(2005));
        assert_eq!((time.hour, time.minute, time.second), (19, 47, 40));
    }

    #[test]
    fn native_debug_level() {
        let header = parse_header(
            "Wed Sep  6 13:13:16 2023 Debug: MID 14 ICID 14 TLS read 126 bytes (0.0 seconds)",
        )
        .unwrap();
        assert_eq!(
            header.payload,
            Payload::Text {
                level: Level::Debug,
                text: "MID 14 ICID 14 TLS read 126 bytes (0.0 seconds)"
            }
        );
    }

    #[test]
    fn syslog_with_pri_no_host() {
        let header =
            parse_header("<166>Mar 17 18:24:37 mail_logs: Info: Start MID 6 ICID 5").unwrap();
        assert_eq!(header.form, HeaderForm::Rfc3164);
        assert_eq!(header.host, None);
        assert_eq!(header.tag, Some("mail_logs"));
        assert_eq!(header.time.unwrap().year, None);
        assert_eq!(text_of(&header), "Start MID 6 ICID 5");
    }

    #[test]
    fn syslog_with_pri_and_host() {
        let header = parse_header(
            "<94>Nov 24 14:22:57 esa1.example.net mail_logs: Info: MID 204841507 queued for delivery",
        )
        .unwrap();
        assert_eq!(header.host, Some("esa1.example.net"));
        assert_eq!(header.tag, Some("mail_logs"));
        assert_eq!(text_of(&header), "MID 204841507 queued for delivery");
    }

    #[test]
    fn syslog_without_pri() {
        let header =
            parse_header("Jun 26 10:42:23 ip1out.example.edu mail_logs: Info: ICID 5 close")
                .unwrap();
        assert_eq!(header.host, Some("ip1out.example.edu"));
        assert_eq!(text_of(&header), "ICID 5 close");
    }

    #[test]
    fn syslog_with_year_and_host() {
        let header = parse_header(
            "Jul 16 10:46:46 2013 esa2 mail_logs: Info: Version: 8.7.2-001 SN: 942B2B684C96-29WTPQ2",
        )
        .unwrap();
        assert_eq!(header.time.unwrap().year, Some(2013));
        assert_eq!(header.host, Some("esa2"));
        assert_eq!(
            text_of(&header),
            "Version: 8.7.2-001 SN: 942B2B684C96-29WTPQ2"
        );
    }

    #[test]
    fn syslog_then_native_time_uses_inner_time() {
        let header = parse_header(
            "<111>Aug 11 01:02:03 esa3 mail_logs: Mon Aug 10 09:58:54 2020 Info: DCID 112095 close",
        )
        .unwrap();
        let time = header.time.unwrap();
        assert_eq!(time.year, Some(2020));
        assert_eq!((time.day, time.hour), (10, 9));
        assert_eq!(header.host, Some("esa3"));
        assert_eq!(text_of(&header), "DCID 112095 close");
    }

    #[test]
    fn rfc5424_line() {
        let header = parse_header(
            "<22>1 2026-03-02T09:00:01.123+01:00 esa4.example.com mail_logs - - - Info: ICID 7 close",
        )
        .unwrap();
        assert_eq!(header.form, HeaderForm::Rfc5424);
        assert_eq!(header.host, Some("esa4.example.com"));
        assert_eq!(header.tag, Some("mail_logs"));
        assert_eq!(header.time.unwrap().offset, Some(3_600));
        assert_eq!(text_of(&header), "ICID 7 close");
    }

    #[test]
    fn rfc5424_structured_data() {
        let header = parse_header(
            "<22>1 2026-03-02T09:00:01Z esa4 mail_logs 12 ID1 [x@1 a=\"b]c\"][y@2] Info: ICID 7 close",
        )
        .unwrap();
        assert_eq!(text_of(&header), "ICID 7 close");
    }

    #[test]
    fn iso_collector_line() {
        let header =
            parse_header("2026-03-02T09:00:01+01:00 esa5 mail_logs: Info: ICID 8 close").unwrap();
        assert_eq!(header.form, HeaderForm::Iso8601);
        assert_eq!(header.host, Some("esa5"));
        assert_eq!(text_of(&header), "ICID 8 close");
    }

    #[test]
    fn host_and_tag_only() {
        let header =
            parse_header("esa02.example.edu ESA_mail_logs: Info: Start MID 1 ICID 2").unwrap();
        assert_eq!(header.form, HeaderForm::TagOnly);
        assert_eq!(header.host, Some("esa02.example.edu"));
        assert_eq!(header.tag, Some("ESA_mail_logs"));
        assert_eq!(text_of(&header), "Start MID 1 ICID 2");
    }

    #[test]
    fn level_only() {
        let header = parse_header("Info: ICID 52525189 ACCEPT SG None match  SBRS 3.7").unwrap();
        assert_eq!(header.form, HeaderForm::LevelOnly);
        assert_eq!(
            text_of(&header),
            "ICID 52525189 ACCEPT SG None match  SBRS 3.7"
        );
    }

    #[test]
    fn consolidated_events() {
        let header = parse_header("<14>Jun 12 14:01:33 consolidated_event: CEF:0|Cisco|x").unwrap();
        assert_eq!(header.payload, Payload::Cef("CEF:0|Cisco|x"));
        let header = parse_header("CEF:0|Cisco|x").unwrap();
        assert_eq!(header.form, HeaderForm::Bare);
        let header = parse_header("<14>Jun 12 14:01:33 esa6 CEF:0|Cisco|x").unwrap();
        assert_eq!(header.host, Some("esa6"));
        assert_eq!(header.payload, Payload::Cef("CEF:0|Cisco|x"));
        let header =
            parse_header("<14>Aug 10 10:10:07 esa7 ESA: Mon Aug 10 10:10:07 2020: CEF:0|Cisco|x")
                .unwrap();
        assert_eq!(header.payload, Payload::Cef("CEF:0|Cisco|x"));
        assert_eq!(header.time.unwrap().year, Some(2020));
    }

    #[test]
    fn consolidated_events_in_the_appliance_file_format() {
        // The consolidated event log as the appliance writes its own file,
        // and as collectors keep it.
        for (line, form, host) in [
            (
                "Tue Aug 13 15:15:49 2019: CEF:0|Cisco|x",
                HeaderForm::Native,
                None,
            ),
            (
                "Tue Aug 13 15:15:49 2019 Info: CEF:0|Cisco|x",
                HeaderForm::Native,
                None,
            ),
            (
                "Tue Aug 13 15:15:49 2019 Info: consolidated_event: CEF:0|Cisco|x",
                HeaderForm::Native,
                None,
            ),
            (
                "esa1 consolidated_event: CEF:0|Cisco|x",
                HeaderForm::TagOnly,
                Some("esa1"),
            ),
            (
                "<14>Aug 13 15:15:49 esa1 consolidated_event: Info: CEF:0|Cisco|x",
                HeaderForm::Rfc3164,
                Some("esa1"),
            ),
        ] {
            let header = parse_header(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(header.payload, Payload::Cef("CEF:0|Cisco|x"), "{line}");
            assert_eq!(header.form, form, "{line}");
            assert_eq!(header.host, host, "{line}");
            // The parser that remembers the last timestamp agrees.
            let mut parser = HeaderParser::new();
            parser.parse("Tue Aug 13 15:15:49 2019 Info: MID 1 done");
            assert_eq!(parser.parse(line), Some(header), "{line}");
        }
        // Entries whose first word ends in a colon stay text.
        let header = parse_header("Tue Aug 13 15:15:49 2019 Info: Bounced: DCID 0 MID 1").unwrap();
        assert_eq!(text_of(&header), "Bounced: DCID 0 MID 1");
    }

    #[test]
    fn continuation_lines_have_no_header() {
        for line in [
            "(10.10.10.1) address 192.168.1.1 reverse dns host unknown verified no",
            "did not initiate it",
            "i Sep  8 05:21:31 2023 Info: MID 4 ICID 4 From: x",
            "m.test, env-from: example.com, header-from: Not Present",
            "unexpected response",
            " retro service is enabled",
        ] {
            assert_eq!(parse_header(line), None, "{line}");
        }
    }

    #[test]
    fn native_time_without_level_is_continuation() {
        assert_eq!(parse_header("Wed Jul 20 19:47:40 2005 lorem"), None);
    }

    #[test]
    fn cached_parser_matches_plain_parser() {
        let mut parser = HeaderParser::new();
        for line in [
            "Wed Sep  6 13:13:16 2023 Info: MID 14 queued for delivery",
            "Wed Sep  6 13:13:16 2023 Debug: MID 14 ICID 14 TLS read 126 bytes",
            "Wed Sep  6 13:13:16 2023 lorem ipsum",
            "Wed Sep  6 13:13:16 20234 Info: x",
            "Wed Sep  6 13:13:17 2023 Info: ICID 5 close",
            "<22>Mar  2 09:00:00 esa1 mail_logs: Info: ICID 5 close",
            "Wed Sep  6 13:13:17 2023 Info: DCID 5 close",
            "continued text",
        ] {
            assert_eq!(parser.parse(line), parse_header(line), "{line}");
        }
    }

    #[test]
    fn spans_survive_appended_text() {
        let line = "<22>Mar  2 09:00:00 esa1 mail_logs: Info: ICID 5 TLS was required";
        let header = parse_header(line).unwrap();
        let spans = HeaderSpans::of(&header, line);
        let longer = format!("{line} but remote host did not initiate it");
        let resolved = spans.resolve(&longer);
        assert_eq!(resolved.host, Some("esa1"));
        assert_eq!(resolved.tag, Some("mail_logs"));
        assert_eq!(
            resolved.payload,
            Payload::Text {
                level: Level::Info,
                text: "ICID 5 TLS was required but remote host did not initiate it"
            }
        );
        assert_eq!(spans.resolve(line), header);
    }

    #[test]
    fn empty_payloads_do_not_panic() {
        for line in [
            "<1>1 - - - - -",
            "Jul 20 19:47:40 tag:",
            "<2>1 2026-03-02T10:00:04    ",
        ] {
            let header = parse_header(line);
            if let Some(header) = header {
                let spans = HeaderSpans::of(&header, line);
                assert_eq!(spans.resolve(line).payload, header.payload, "{line}");
            }
        }
    }

    #[test]
    fn other_syslog_payload() {
        let header = parse_header("<22>Jan 21 12:47:11 host01 status: CPULd 3").unwrap();
        assert_eq!(header.payload, Payload::Other("CPULd 3"));
    }
}
