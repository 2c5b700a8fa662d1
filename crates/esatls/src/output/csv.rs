//! CSV output: one row per recipient for messages, one row per connection.
//!
//! The columns are part of the output contract (`docs/output.md`). Log text
//! is written as it is, in quotes: every field that is not a number is
//! quoted. For a terminal, control characters are written as visible
//! escapes instead.

use std::borrow::Cow;
use std::io::Write;

use crate::output::sanitize::for_terminal;
use crate::record::{ConnectionRecord, MessageRecord, RecipientRecord};

/// Columns of `esatls messages --format csv`.
pub const MESSAGE_COLUMNS: &[&str] = &[
    "host",
    "mid",
    "icid",
    "started",
    "finished",
    "sender",
    "message_id",
    "subject",
    "size",
    "inbound_tls",
    "inbound_protocol",
    "inbound_cipher",
    "inbound_remote_ip",
    "inbound_remote_host",
    "inbound_reason",
    "rid",
    "recipient",
    "status",
    "outbound_tls",
    "outbound_protocol",
    "outbound_cipher",
    "cn",
    "dcid",
    "outbound_remote_ip",
    "attempts",
    "response",
    "reason",
    "origin_mid",
    "origin",
    "complete",
];

/// Columns of `esatls connections --format csv`.
pub const CONNECTION_COLUMNS: &[&str] = &[
    "host",
    "direction",
    "id",
    "opened",
    "closed",
    "remote_ip",
    "remote_host",
    "interface",
    "tls",
    "protocol",
    "cipher",
    "cn",
    "reason",
    "messages",
];

/// Turns a CSV error into the I/O error inside it, so that callers can see
/// a closed pipe for what it is.
fn io_error(error: csv::Error) -> std::io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        kind => std::io::Error::other(format!("cannot write CSV: {kind:?}")),
    }
}

fn text<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Writes CSV rows, starting with the header row.
pub struct CsvWriter<W: Write> {
    writer: csv::Writer<W>,
    /// Whether control, bidirectional and zero-width characters of log
    /// text are written as visible escapes (`\x1b`), for a terminal.
    visible_escapes: bool,
}

impl<W: Write> CsvWriter<W> {
    /// Creates a writer and writes the header row of `columns`.
    pub fn new(inner: W, columns: &[&str]) -> std::io::Result<Self> {
        // Every field that is not a number is quoted, so that text with
        // control or bidirectional characters from the logs is always
        // quoted too.
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::NonNumeric)
            .from_writer(inner);
        writer.write_record(columns).map_err(io_error)?;
        Ok(CsvWriter {
            writer,
            visible_escapes: false,
        })
    }

    /// Sets whether log text is written with visible escapes in place of
    /// control, bidirectional and zero-width characters, as the tables
    /// show it. Off by default, when the text is written as it is.
    pub fn visible_escapes(mut self, visible: bool) -> Self {
        self.visible_escapes = visible;
        self
    }

    fn write_row(&mut self, row: &mut [String]) -> std::io::Result<()> {
        if self.visible_escapes {
            for field in row.iter_mut() {
                if let Cow::Owned(escaped) = for_terminal(field) {
                    *field = escaped;
                }
            }
        }
        self.writer.write_record(&*row).map_err(io_error)
    }

    /// Writes one row per recipient of `record`, or one row with empty
    /// recipient columns if it has none.
    pub fn message(&mut self, record: &MessageRecord) -> std::io::Result<()> {
        if record.recipients.is_empty() {
            return self.message_row(record, None);
        }
        for recipient in &record.recipients {
            self.message_row(record, Some(recipient))?;
        }
        Ok(())
    }

    fn message_row(
        &mut self,
        record: &MessageRecord,
        recipient: Option<&RecipientRecord>,
    ) -> std::io::Result<()> {
        let inbound = &record.inbound;
        let mut row = vec![
            text(&record.host),
            record.mid.to_string(),
            text(&record.icid),
            text(&record.started),
            text(&record.finished),
            text(&record.sender),
            text(&record.message_id),
            text(&record.subject),
            text(&record.size),
            inbound.tls.as_str().to_string(),
            text(&inbound.protocol),
            text(&inbound.cipher),
            text(&inbound.remote_ip),
            text(&inbound.remote_host),
            text(&inbound.reason),
        ];
        match recipient {
            Some(recipient) => row.extend([
                recipient.rid.to_string(),
                text(&recipient.address),
                recipient.status.as_str().to_string(),
                text(&recipient.tls.map(|tls| tls.as_str())),
                text(&recipient.protocol),
                text(&recipient.cipher),
                text(&recipient.cn),
                text(&recipient.dcid),
                text(&recipient.remote_ip),
                recipient.attempts.to_string(),
                text(&recipient.response),
                text(&recipient.reason),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 12)),
        }
        row.extend([
            text(&record.origin_mid),
            text(&record.origin.map(|origin| origin.as_str())),
            record.complete.to_string(),
        ]);
        self.write_row(&mut row)
    }

    /// Writes one row for a connection.
    pub fn connection(&mut self, record: &ConnectionRecord) -> std::io::Result<()> {
        let mut row = [
            text(&record.host),
            record.direction.as_str().to_string(),
            record.id.to_string(),
            text(&record.opened),
            text(&record.closed),
            text(&record.remote_ip),
            text(&record.remote_host),
            text(&record.interface),
            record.tls.as_str().to_string(),
            text(&record.protocol),
            text(&record.cipher),
            text(&record.cn),
            text(&record.reason),
            record.messages.to_string(),
        ];
        self.write_row(&mut row)
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }

    /// Flushes the rows and returns the inner writer.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(|error| {
            let kind = error.error().kind();
            std::io::Error::new(kind, error.error().to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Direction, TlsState};

    fn connection(reason: &str) -> ConnectionRecord {
        ConnectionRecord {
            host: None,
            direction: Direction::Outbound,
            id: 7,
            opened: None,
            closed: None,
            remote_ip: Some("192.0.2.9".into()),
            remote_host: None,
            interface: None,
            tls: TlsState::Failed,
            protocol: None,
            cipher: None,
            cn: None,
            reason: Some(reason.into()),
            messages: 1,
            evidence: Vec::new(),
        }
    }

    fn written(visible: bool, reason: &str) -> String {
        let mut writer = CsvWriter::new(Vec::new(), CONNECTION_COLUMNS)
            .unwrap()
            .visible_escapes(visible);
        writer.connection(&connection(reason)).unwrap();
        let bytes = writer.into_inner().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        // The row after the header row.
        text.lines().nth(1).unwrap().to_string()
    }

    #[test]
    fn controls_kept_by_default() {
        let out = written(false, "bad\u{1b}[2Jreply\u{202e}");
        assert_eq!(
            out,
            "\"\",\"outbound\",7,\"\",\"\",\"192.0.2.9\",\"\",\"\",\"failed\",\"\",\"\",\"\",\"bad\u{1b}[2Jreply\u{202e}\",1"
        );
    }

    #[test]
    fn controls_escaped_for_terminal() {
        let out = written(true, "bad\u{1b}[2Jreply\u{202e}");
        assert_eq!(
            out,
            "\"\",\"outbound\",7,\"\",\"\",\"192.0.2.9\",\"\",\"\",\"failed\",\"\",\"\",\"\",\"bad\\x1b[2Jreply\\u{202e}\",1"
        );
        assert!(!out.contains('\u{1b}'));
    }
}
