//! Ground truth: the verdict of every message and connection the generator
//! wrote, as `docs/verdicts.md` defines it.
//!
//! The records hold a subset of the fields of esatls's message and
//! connection records (`docs/output.md`), with the same names and the same
//! value forms, so that the product's JSON output projected to these fields
//! can be compared with them directly. Times are RFC 3339 in the
//! appliance's local time with the offset of its file headers.

mod book;

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

pub(crate) use book::{Book, Direction, FailureText, Progress};

/// The receipt of one message.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InboundTruth {
    /// `success`, `failed`, `none`, `unknown` or `internal`.
    pub tls: String,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub remote_ip: Option<String>,
    pub remote_host: Option<String>,
    pub reason: Option<String>,
}

/// One recipient of a message and the result of its last attempt.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecipientTruth {
    pub rid: u32,
    pub address: Option<String>,
    /// `delivered`, `bounced`, `pending`, `dropped` or `unknown`.
    pub status: String,
    /// TLS state of the connection of the last attempt; `None` when no
    /// attempt used a connection.
    pub tls: Option<String>,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub cn: Option<String>,
    pub dcid: Option<u64>,
    pub remote_ip: Option<String>,
    pub attempts: u32,
    pub response: Option<String>,
    pub reason: Option<String>,
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MessageTruth {
    /// Serial number of the appliance.
    pub host: Option<String>,
    pub mid: u64,
    pub icid: Option<u64>,
    pub started: Option<String>,
    pub finished: Option<String>,
    pub sender: Option<String>,
    pub message_id: Option<String>,
    pub subject: Option<String>,
    pub size: Option<u64>,
    pub inbound: InboundTruth,
    pub recipients: Vec<RecipientTruth>,
    pub origin_mid: Option<u64>,
    /// `split`, `generated` or `bounce`.
    pub origin: Option<String>,
    pub complete: bool,
}

/// One SMTP connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConnectionTruth {
    /// Serial number of the appliance.
    pub host: Option<String>,
    /// `inbound` (ICID) or `outbound` (DCID).
    pub direction: String,
    pub id: u64,
    pub opened: Option<String>,
    pub closed: Option<String>,
    pub remote_ip: Option<String>,
    pub remote_host: Option<String>,
    pub interface: Option<String>,
    /// `success`, `failed`, `none` or `unknown`.
    pub tls: String,
    pub protocol: Option<String>,
    pub cipher: Option<String>,
    pub cn: Option<String>,
    pub reason: Option<String>,
    pub messages: u64,
}

/// One line of the ground-truth file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TruthRecord {
    Message(MessageTruth),
    Connection(ConnectionTruth),
}

/// Receives ground-truth records as the generator completes them.
pub trait TruthSink {
    fn record(&mut self, record: TruthRecord);
}

/// Keeps every record in memory.
#[derive(Debug, Default)]
pub struct CollectTruth {
    pub messages: Vec<MessageTruth>,
    pub connections: Vec<ConnectionTruth>,
}

impl TruthSink for CollectTruth {
    fn record(&mut self, record: TruthRecord) {
        match record {
            TruthRecord::Message(message) => self.messages.push(message),
            TruthRecord::Connection(connection) => self.connections.push(connection),
        }
    }
}

/// Writes records as JSON Lines, one object per line.
pub struct JsonLinesTruth<W: Write> {
    writer: W,
    error: Option<io::Error>,
}

impl<W: Write> JsonLinesTruth<W> {
    pub fn new(writer: W) -> Self {
        JsonLinesTruth {
            writer,
            error: None,
        }
    }

    /// Flushes and returns the writer, or the first error met.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.writer.flush()?;
        Ok(self.writer)
    }
}

impl<W: Write> TruthSink for JsonLinesTruth<W> {
    fn record(&mut self, record: TruthRecord) {
        if self.error.is_some() {
            return;
        }
        let result = serde_json::to_writer(&mut self.writer, &record)
            .map_err(io::Error::from)
            .and_then(|()| self.writer.write_all(b"\n"));
        if let Err(error) = result {
            self.error = Some(error);
        }
    }
}

/// Discards every record, for runs that write no ground truth.
#[derive(Debug, Default)]
pub struct NoTruth;

impl TruthSink for NoTruth {
    fn record(&mut self, _record: TruthRecord) {}
}
