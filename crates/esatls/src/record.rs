//! Message and connection records: what the correlator produces and the
//! outputs write.
//!
//! The serde field names are the JSON contract documented in
//! `docs/output.md`; change them only together with that page and its tests.

use std::sync::Arc;

use serde::Serialize;

use crate::event::Derivation;
use crate::header::LogTime;

/// TLS verdict of a connection, of a message's receipt, or of a delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsState {
    /// A `TLS success` line was seen for the connection.
    Success,
    /// Only TLS failure lines were seen for the connection.
    Failed,
    /// The connection's opening line is in the logs and no TLS line is:
    /// the connection was in cleartext.
    None,
    /// Neither the opening line nor a TLS line is in the logs.
    #[default]
    Unknown,
    /// The message was made by the appliance itself (ICID 0): a bounce, a
    /// notification or a copy made by a filter.
    Internal,
}

impl TlsState {
    pub const ALL: [TlsState; 5] = [
        TlsState::Success,
        TlsState::Failed,
        TlsState::None,
        TlsState::Unknown,
        TlsState::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TlsState::Success => "success",
            TlsState::Failed => "failed",
            TlsState::None => "none",
            TlsState::Unknown => "unknown",
            TlsState::Internal => "internal",
        }
    }

    /// Parses the lowercase name used in the JSON output and on the command
    /// line.
    pub fn from_name(name: &str) -> Option<TlsState> {
        TlsState::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
    }
}

/// Outcome of one recipient's copy of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecipientStatus {
    /// `Message done` was logged for the recipient.
    Delivered,
    /// `Bounced:` was logged for the recipient.
    Bounced,
    /// The recipient was delayed, or not yet attempted, when the logs end.
    Pending,
    /// The message was aborted (for example dropped by anti-spam).
    Dropped,
    /// The message finished with no result logged for this recipient.
    Unknown,
}

impl RecipientStatus {
    pub const ALL: [RecipientStatus; 5] = [
        RecipientStatus::Delivered,
        RecipientStatus::Bounced,
        RecipientStatus::Pending,
        RecipientStatus::Dropped,
        RecipientStatus::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecipientStatus::Delivered => "delivered",
            RecipientStatus::Bounced => "bounced",
            RecipientStatus::Pending => "pending",
            RecipientStatus::Dropped => "dropped",
            RecipientStatus::Unknown => "unknown",
        }
    }
}

/// Direction of a connection as seen from the appliance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// An injection connection (ICID): a client sending mail to the appliance.
    Inbound,
    /// A delivery connection (DCID): the appliance sending mail on.
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// A log line kept as evidence for `trace`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Index of the input in the run's list of sources.
    pub source: u32,
    /// Line number in that input, starting at 1.
    pub line: u64,
    /// The entry as read, continuation lines joined.
    pub text: Arc<str>,
}

/// How a message was received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InboundRecord {
    pub tls: TlsState,
    pub protocol: Option<Arc<str>>,
    pub cipher: Option<Arc<str>>,
    pub remote_ip: Option<Arc<str>>,
    pub remote_host: Option<Arc<str>>,
    /// The TLS failure text when `tls` is `failed`.
    pub reason: Option<Arc<str>>,
}

/// One recipient of a message and the result of its last delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecipientRecord {
    pub rid: u32,
    pub address: Option<Arc<str>>,
    pub status: RecipientStatus,
    /// TLS state of the connection of the last attempt; `None` when no
    /// attempt used a connection.
    pub tls: Option<TlsState>,
    pub protocol: Option<Arc<str>>,
    pub cipher: Option<Arc<str>>,
    pub cn: Option<Arc<str>>,
    pub dcid: Option<u64>,
    pub remote_ip: Option<Arc<str>>,
    /// Number of delivery attempts (`Delivery start` lines) seen.
    pub attempts: u32,
    /// The remote server's reply from the `Response` line.
    pub response: Option<Arc<str>>,
    /// Why the recipient bounced, was delayed or dropped, or why TLS failed.
    pub reason: Option<Arc<str>>,
}

/// One message and every recipient's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageRecord {
    pub host: Option<Arc<str>>,
    pub mid: u64,
    pub icid: Option<u64>,
    pub started: Option<LogTime>,
    pub finished: Option<LogTime>,
    pub sender: Option<Arc<str>>,
    pub message_id: Option<Arc<str>>,
    pub subject: Option<Arc<str>>,
    /// Size in bytes from the `ready` line.
    pub size: Option<u64>,
    pub inbound: InboundRecord,
    pub recipients: Vec<RecipientRecord>,
    /// The message this one was made from (split, rewrite, filter copy,
    /// bounce, quarantine release).
    pub origin_mid: Option<u64>,
    pub origin: Option<Derivation>,
    /// Whether `Message finished` was seen; `false` for messages still open
    /// when the logs end or closed by an id reuse or the age limit.
    pub complete: bool,
    /// Recipients beyond the per-message limit that were counted but not
    /// kept.
    pub recipients_dropped: u64,
    /// Which kinds of log the record was built from.
    pub sources: Vec<RecordSource>,
    /// DANE result of the delivery, from a consolidated event.
    pub dane: Option<DaneRecord>,
    /// Fields on which the text mail log and the consolidated event
    /// disagree; the record keeps the text log's value.
    pub conflicts: Vec<Conflict>,
    #[serde(skip)]
    pub evidence: Vec<Evidence>,
}

/// A kind of log a record was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordSource {
    /// The text mail log (`mail_logs`).
    MailLogs,
    /// A consolidated event (`ESA_CONSOLIDATED_LOG_EVENT`).
    Consolidated,
}

/// DANE verification of a delivery, as a consolidated event reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DaneRecord {
    /// `success`, `failure`, or the value as logged.
    pub status: String,
    pub host: Option<String>,
}

/// One field on which the two kinds of log disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The record field, such as `inbound.tls` or `recipients.tls`.
    pub field: String,
    /// The value the text mail log gives.
    pub mail_logs: String,
    /// The value the consolidated event gives.
    pub consolidated: String,
}

fn to_utc(time: &mut Option<LogTime>) {
    if let Some(utc) = time.and_then(|time| time.to_utc()) {
        *time = Some(utc);
    }
}

impl MessageRecord {
    /// Shows the record's times in UTC; times of unknown offset stay as
    /// logged.
    pub fn convert_to_utc(&mut self) {
        to_utc(&mut self.started);
        to_utc(&mut self.finished);
    }
}

impl ConnectionRecord {
    /// Shows the record's times in UTC; times of unknown offset stay as
    /// logged.
    pub fn convert_to_utc(&mut self) {
        to_utc(&mut self.opened);
        to_utc(&mut self.closed);
    }
}

/// One SMTP connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectionRecord {
    pub host: Option<Arc<str>>,
    pub direction: Direction,
    pub id: u64,
    pub opened: Option<LogTime>,
    pub closed: Option<LogTime>,
    pub remote_ip: Option<Arc<str>>,
    pub remote_host: Option<Arc<str>>,
    pub interface: Option<Arc<str>>,
    pub tls: TlsState,
    pub protocol: Option<Arc<str>>,
    pub cipher: Option<Arc<str>>,
    pub cn: Option<Arc<str>>,
    /// The TLS failure text when `tls` is `failed`, or the last connection
    /// error of a delivery connection.
    pub reason: Option<Arc<str>>,
    /// Messages started on an inbound connection, or delivered (started)
    /// over an outbound one.
    pub messages: u64,
    #[serde(skip)]
    pub evidence: Vec<Evidence>,
}

/// Receives records as the correlator completes them.
pub trait RecordSink {
    fn message(&mut self, record: MessageRecord);
    fn connection(&mut self, record: ConnectionRecord);

    /// Sees the run's summary so far: after each batch of entries, and
    /// about once a second while an input waits for data. The default does
    /// nothing.
    fn progress(&mut self, summary: &crate::pipeline::RunSummary) {
        let _ = summary;
    }

    /// Returns an empty sink of the same kind for the records of some
    /// appliances, to be read on a thread of their own and handed back to
    /// [`Self::join`], or `None` (the default) if the sink cannot be split.
    /// A sink that can must make the same of its records in any order and
    /// split; a run that reads several appliances may then read each on
    /// its own threads, with no record crossing threads. The other sinks
    /// get their records in the order of a run that reads the inputs one
    /// after the other.
    fn split(&self) -> Option<Box<dyn PartSink>> {
        None
    }

    /// Takes in a part made by [`Self::split`], after all its records. The
    /// default drops it.
    fn join(&mut self, part: Box<dyn std::any::Any + Send>) {
        let _ = part;
    }
}

/// A sink for part of a run's records, on a thread of its own: see
/// [`RecordSink::split`].
pub trait PartSink: RecordSink + Send {
    /// Returns the sink, for [`RecordSink::join`] to take back.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any + Send>;
}

impl<T: RecordSink + Send + 'static> PartSink for T {
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any + Send> {
        self
    }
}

/// A sink that keeps every record, for tests and small inputs.
#[derive(Debug, Default)]
pub struct Collect {
    pub messages: Vec<MessageRecord>,
    pub connections: Vec<ConnectionRecord>,
}

impl RecordSink for Collect {
    fn message(&mut self, record: MessageRecord) {
        self.messages.push(record);
    }

    fn connection(&mut self, record: ConnectionRecord) {
        self.connections.push(record);
    }
}
