//! Message and connection records as JSON lines, written field by field.
//!
//! `messages` and `connections` write one record per line, and a run writes
//! millions of them: going through serde costs more than the rest of the
//! run. These writers put out exactly what [`super::json::write_line`]
//! puts out for the same record (the field names and order of the serde
//! derives, serde_json's escapes and the terminal-safe escapes of
//! [`super::json`]), which the tests check field by field.

use std::io::{self, Write};

use crate::header::LogTime;
use crate::record::{
    Conflict, ConnectionRecord, DaneRecord, InboundRecord, MessageRecord, RecipientRecord,
    RecordSource,
};

use super::sanitize::is_unsafe_char;

/// A JSON line being built, written out whole at the end.
struct Line<'a> {
    out: &'a mut Vec<u8>,
    /// Whether the object being written has no field yet.
    first: bool,
}

impl<'a> Line<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.clear();
        Line { out, first: true }
    }

    fn open(&mut self) {
        self.out.push(b'{');
        self.first = true;
    }

    fn close(&mut self) {
        self.out.push(b'}');
        self.first = false;
    }

    /// Writes `"name":`, after a comma unless it is the first field.
    fn key(&mut self, name: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    fn number(&mut self, name: &str, value: u64) {
        self.key(name);
        self.digits(value);
    }

    fn digits(&mut self, value: u64) {
        let mut buffer = [0_u8; 20];
        let mut at = buffer.len();
        let mut rest = value;
        loop {
            at -= 1;
            buffer[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&buffer[at..]);
    }

    fn optional_number(&mut self, name: &str, value: Option<u64>) {
        self.key(name);
        match value {
            Some(value) => self.digits(value),
            None => self.null(),
        }
    }

    fn boolean(&mut self, name: &str, value: bool) {
        self.key(name);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// Writes a name of a fixed set (an enum variant), which needs no
    /// escape.
    fn word(&mut self, name: &str, value: &str) {
        self.key(name);
        self.quoted_word(value);
    }

    fn quoted_word(&mut self, value: &str) {
        self.out.push(b'"');
        self.out.extend_from_slice(value.as_bytes());
        self.out.push(b'"');
    }

    fn optional_word(&mut self, name: &str, value: Option<&str>) {
        self.key(name);
        match value {
            Some(value) => self.quoted_word(value),
            None => self.null(),
        }
    }

    fn text(&mut self, name: &str, value: Option<&str>) {
        self.key(name);
        match value {
            Some(value) => self.string(value),
            None => self.null(),
        }
    }

    fn time(&mut self, name: &str, value: Option<&LogTime>) {
        self.key(name);
        match value {
            Some(time) => self.log_time(time),
            None => self.null(),
        }
    }

    /// Writes a time as its `Display` form, the RFC 3339 text.
    fn log_time(&mut self, time: &LogTime) {
        let offset_plain = time
            .offset
            .is_none_or(|offset| offset % 60 == 0 && offset.unsigned_abs() < 100 * 3_600);
        if !(0..=9_999).contains(&time.year) || !offset_plain {
            self.out.push(b'"');
            // `Write` for a vector never fails.
            let _ = write!(self.out, "{time}");
            self.out.push(b'"');
            return;
        }
        self.out.push(b'"');
        self.padded(time.year as u32, 4);
        self.out.push(b'-');
        self.padded(u32::from(time.month), 2);
        self.out.push(b'-');
        self.padded(u32::from(time.day), 2);
        self.out.push(b'T');
        self.padded(u32::from(time.hour), 2);
        self.out.push(b':');
        self.padded(u32::from(time.minute), 2);
        self.out.push(b':');
        self.padded(u32::from(time.second), 2);
        match time.offset {
            None => {}
            Some(0) => self.out.push(b'Z'),
            Some(offset) => {
                self.out.push(if offset < 0 { b'-' } else { b'+' });
                let minutes = offset.unsigned_abs() / 60;
                self.padded(minutes / 60, 2);
                self.out.push(b':');
                self.padded(minutes % 60, 2);
            }
        }
        self.out.push(b'"');
    }

    /// Writes `value` with leading zeros to `width` digits; `value` has at
    /// most that many.
    fn padded(&mut self, value: u32, width: u32) {
        let mut divisor = 10_u32.pow(width - 1);
        while divisor > 0 {
            self.out.push(b'0' + (value / divisor % 10) as u8);
            divisor /= 10;
        }
    }

    /// Writes a string with the escapes of serde_json and those of
    /// [`super::json`] for characters unsafe on a terminal.
    fn string(&mut self, value: &str) {
        self.out.push(b'"');
        let bytes = value.as_bytes();
        let mut start = 0;
        let mut at = 0;
        while at < bytes.len() {
            // Eight plain bytes at a time, as most text is.
            if let Some(word) = bytes.get(at..at + 8) {
                if plain_word(u64::from_le_bytes(word.try_into().unwrap_or([0; 8]))) {
                    at += 8;
                    continue;
                }
            }
            let byte = bytes[at];
            if (0x20..0x7f).contains(&byte) && byte != b'"' && byte != b'\\' {
                at += 1;
                continue;
            }
            if byte < 0x80 {
                self.out.extend_from_slice(&bytes[start..at]);
                match byte {
                    b'"' => self.out.extend_from_slice(b"\\\""),
                    b'\\' => self.out.extend_from_slice(b"\\\\"),
                    0x08 => self.out.extend_from_slice(b"\\b"),
                    0x0c => self.out.extend_from_slice(b"\\f"),
                    b'\n' => self.out.extend_from_slice(b"\\n"),
                    b'\r' => self.out.extend_from_slice(b"\\r"),
                    b'\t' => self.out.extend_from_slice(b"\\t"),
                    _ => self.unicode_escape(u32::from(byte)),
                }
                at += 1;
                start = at;
                continue;
            }
            // A character of more than one byte: `at` is on its boundary.
            let c = value[at..].chars().next().unwrap_or('\u{fffd}');
            if is_unsafe_char(c) {
                self.out.extend_from_slice(&bytes[start..at]);
                self.unicode_escape(u32::from(c));
                start = at + c.len_utf8();
            }
            at += c.len_utf8();
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }

    /// Writes `\u` and at least four lowercase hex digits.
    fn unicode_escape(&mut self, code: u32) {
        // `Write` for a vector never fails.
        let _ = write!(self.out, "\\u{code:04x}");
    }
}

/// Returns whether the eight bytes of `word` are all printable ASCII other
/// than `"` and `\\`, which JSON writes as they are.
fn plain_word(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |value: u64| value.wrapping_sub(ONES) & !value & HIGH;
    // A byte below 0x20, or above 0x7e (DEL and every byte of a longer
    // character): adding 1 to each byte sets its high bit from 0x7f up.
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let above_tilde = (word.wrapping_add(ONES) | word) & HIGH;
    let quote = has_zero(word ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
    below_space | above_tilde | quote | backslash == 0
}

fn inbound(line: &mut Line<'_>, inbound: &InboundRecord) {
    line.open();
    line.word("tls", inbound.tls.as_str());
    line.text("protocol", inbound.protocol.as_deref());
    line.text("cipher", inbound.cipher.as_deref());
    line.text("remote_ip", inbound.remote_ip.as_deref());
    line.text("remote_host", inbound.remote_host.as_deref());
    line.text("reason", inbound.reason.as_deref());
    line.close();
}

fn recipient(line: &mut Line<'_>, recipient: &RecipientRecord) {
    line.open();
    line.number("rid", u64::from(recipient.rid));
    line.text("address", recipient.address.as_deref());
    line.word("status", recipient.status.as_str());
    line.optional_word("tls", recipient.tls.map(|tls| tls.as_str()));
    line.text("protocol", recipient.protocol.as_deref());
    line.text("cipher", recipient.cipher.as_deref());
    line.text("cn", recipient.cn.as_deref());
    line.optional_number("dcid", recipient.dcid);
    line.text("remote_ip", recipient.remote_ip.as_deref());
    line.number("attempts", u64::from(recipient.attempts));
    line.text("response", recipient.response.as_deref());
    line.text("reason", recipient.reason.as_deref());
    line.close();
}

fn dane(line: &mut Line<'_>, dane: &DaneRecord) {
    line.open();
    line.text("status", Some(&dane.status));
    line.text("host", dane.host.as_deref());
    line.close();
}

fn conflict(line: &mut Line<'_>, conflict: &Conflict) {
    line.open();
    line.text("field", Some(&conflict.field));
    line.text("mail_logs", Some(&conflict.mail_logs));
    line.text("consolidated", Some(&conflict.consolidated));
    line.close();
}

/// Writes `items` as a JSON array of objects written by `each`.
fn array<T>(line: &mut Line<'_>, name: &str, items: &[T], each: fn(&mut Line<'_>, &T)) {
    line.key(name);
    line.out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            line.out.push(b',');
        }
        each(line, item);
    }
    line.out.push(b']');
    line.first = false;
}

fn source_name(source: RecordSource) -> &'static str {
    match source {
        RecordSource::MailLogs => "mail_logs",
        RecordSource::Consolidated => "consolidated",
    }
}

/// Writes a message record as one line of JSON, using `buffer` for the
/// line.
pub fn write_message<W: Write>(
    writer: &mut W,
    record: &MessageRecord,
    buffer: &mut Vec<u8>,
) -> io::Result<()> {
    let mut line = Line::new(buffer);
    line.open();
    line.text("host", record.host.as_deref());
    line.number("mid", record.mid);
    line.optional_number("icid", record.icid);
    line.time("started", record.started.as_ref());
    line.time("finished", record.finished.as_ref());
    line.text("sender", record.sender.as_deref());
    line.text("message_id", record.message_id.as_deref());
    line.text("subject", record.subject.as_deref());
    line.optional_number("size", record.size);
    line.key("inbound");
    inbound(&mut line, &record.inbound);
    array(&mut line, "recipients", &record.recipients, recipient);
    line.optional_number("origin_mid", record.origin_mid);
    line.optional_word("origin", record.origin.map(|origin| origin.as_str()));
    line.boolean("complete", record.complete);
    line.number("recipients_dropped", record.recipients_dropped);
    line.key("sources");
    line.out.push(b'[');
    for (index, source) in record.sources.iter().enumerate() {
        if index > 0 {
            line.out.push(b',');
        }
        line.quoted_word(source_name(*source));
    }
    line.out.push(b']');
    line.key("dane");
    match &record.dane {
        Some(record) => dane(&mut line, record),
        None => line.null(),
    }
    array(&mut line, "conflicts", &record.conflicts, conflict);
    line.close();
    line.out.push(b'\n');
    writer.write_all(line.out)
}

/// Writes a connection record as one line of JSON, using `buffer` for the
/// line.
pub fn write_connection<W: Write>(
    writer: &mut W,
    record: &ConnectionRecord,
    buffer: &mut Vec<u8>,
) -> io::Result<()> {
    let mut line = Line::new(buffer);
    line.open();
    line.text("host", record.host.as_deref());
    line.word("direction", record.direction.as_str());
    line.number("id", record.id);
    line.time("opened", record.opened.as_ref());
    line.time("closed", record.closed.as_ref());
    line.text("remote_ip", record.remote_ip.as_deref());
    line.text("remote_host", record.remote_host.as_deref());
    line.text("interface", record.interface.as_deref());
    line.word("tls", record.tls.as_str());
    line.text("protocol", record.protocol.as_deref());
    line.text("cipher", record.cipher.as_deref());
    line.text("cn", record.cn.as_deref());
    line.text("reason", record.reason.as_deref());
    line.number("messages", record.messages);
    line.close();
    line.out.push(b'\n');
    writer.write_all(line.out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::event::Derivation;
    use crate::output::json::write_line;
    use crate::record::{Direction, RecipientStatus, TlsState};

    fn time(year: i16, offset: Option<i32>) -> LogTime {
        LogTime {
            year,
            month: 3,
            day: 2,
            hour: 9,
            minute: 5,
            second: 7,
            offset,
        }
    }

    fn message(text: &str) -> MessageRecord {
        MessageRecord {
            host: Some(Arc::from("esa1.example.com")),
            mid: u64::MAX,
            icid: Some(0),
            started: Some(time(2026, Some(3_600))),
            finished: Some(time(2026, Some(-19_800))),
            sender: Some(text.into()),
            message_id: None,
            subject: Some(format!("{text}{text}").into()),
            size: Some(12),
            inbound: InboundRecord {
                tls: TlsState::Failed,
                protocol: Some(Arc::from("TLSv1.2")),
                cipher: None,
                remote_ip: Some("192.0.2.7".into()),
                remote_host: None,
                reason: Some(text.into()),
            },
            recipients: vec![
                RecipientRecord {
                    rid: 0,
                    address: Some(text.into()),
                    status: RecipientStatus::Delivered,
                    tls: Some(TlsState::Success),
                    protocol: Some(Arc::from("TLSv1.3")),
                    cipher: Some(Arc::from("TLS_AES_128_GCM_SHA256")),
                    cn: Some(Arc::from(text)),
                    dcid: Some(5),
                    remote_ip: None,
                    attempts: 2,
                    response: Some(text.into()),
                    reason: None,
                },
                RecipientRecord {
                    rid: 1,
                    address: None,
                    status: RecipientStatus::Pending,
                    tls: None,
                    protocol: None,
                    cipher: None,
                    cn: None,
                    dcid: None,
                    remote_ip: None,
                    attempts: 0,
                    response: None,
                    reason: Some("4.4.1 timed out".into()),
                },
            ],
            origin_mid: Some(3),
            origin: Some(Derivation::Reinjected),
            complete: false,
            recipients_dropped: 4,
            sources: vec![RecordSource::MailLogs, RecordSource::Consolidated],
            dane: Some(DaneRecord {
                status: "success".to_string(),
                host: Some(text.into()),
            }),
            conflicts: vec![Conflict {
                field: "inbound.tls".to_string(),
                mail_logs: "none".to_string(),
                consolidated: text.to_string(),
            }],
            evidence: Vec::new(),
        }
    }

    fn connection(text: &str, offset: Option<i32>) -> ConnectionRecord {
        ConnectionRecord {
            host: None,
            direction: Direction::Outbound,
            id: 7,
            opened: Some(time(2026, offset)),
            closed: None,
            remote_ip: Some(text.into()),
            remote_host: None,
            interface: Some(text.into()),
            tls: TlsState::Unknown,
            protocol: None,
            cipher: None,
            cn: None,
            reason: Some(text.into()),
            messages: 3,
            evidence: Vec::new(),
        }
    }

    fn through_serde<T: serde::Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write_line(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn written_message(record: &MessageRecord) -> String {
        let mut out = Vec::new();
        write_message(&mut out, record, &mut Vec::new()).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn written_connection(record: &ConnectionRecord) -> String {
        let mut out = Vec::new();
        write_connection(&mut out, record, &mut Vec::new()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn message_matches_serde() {
        for text in [
            "plain",
            "",
            "quote \" backslash \\ slash /",
            "\u{0}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1b}\u{1f}\u{7f}",
            "caf\u{e9} \u{9b} \u{202e}rtl \u{200b}\u{feff}\u{fffa} \u{1f600}",
        ] {
            let record = message(text);
            assert_eq!(written_message(&record), through_serde(&record), "{text:?}");
        }
        let mut record = message("x");
        record.host = None;
        record.icid = None;
        record.started = None;
        record.origin = None;
        record.dane = None;
        record.recipients.clear();
        record.conflicts.clear();
        record.sources.clear();
        assert_eq!(written_message(&record), through_serde(&record));
    }

    #[test]
    fn times_match_display() {
        for (year, offset) in [
            (2026, None),
            (2026, Some(0)),
            (2026, Some(-21_600)),
            (2026, Some(20_700)),
            (2026, Some(3_601)),
            (2026, Some(i32::MIN)),
            (10_000, Some(60)),
            (-5, None),
            (0, Some(-60)),
        ] {
            let record = connection("x", offset);
            let mut record = record;
            record.opened = Some(time(year, offset));
            assert_eq!(
                written_connection(&record),
                through_serde(&record),
                "{year} {offset:?}"
            );
        }
    }

    #[test]
    fn plain_words() {
        assert!(plain_word(u64::from_le_bytes(*b"abc XYZ~")));
        for special in [b'"', b'\\', 0x1f, 0x7f, 0x80, 0xff, 0, b'\n'] {
            for at in 0..8 {
                let mut bytes = *b"abcdefgh";
                bytes[at] = special;
                assert!(!plain_word(u64::from_le_bytes(bytes)), "{special} at {at}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_matches_serde(text in "\\PC*|[\\x00-\\x7f\\u{80}-\\u{9f}\\u{2000}-\\u{206f}\\u{fff0}-\\u{ffff}]{0,30}") {
            let record = connection(&text, Some(3_600));
            proptest::prop_assert_eq!(written_connection(&record), through_serde(&record));
            let record = message(&text);
            proptest::prop_assert_eq!(written_message(&record), through_serde(&record));
        }
    }
}
