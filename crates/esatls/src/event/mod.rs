//! Typed events: what one text mail log entry means.
//!
//! [`parse_event`] turns the text after `Level: ` into an [`Event`]. It does
//! no I/O and never fails: text it does not know becomes [`Event::Unknown`],
//! and [`template`] turns such text into the template the run summary counts.

mod cursor;
mod parse;
pub mod template;
mod text;

pub use parse::parse_event;
pub use text::{Quoted, RidList};

/// Result of a TLS negotiation as one log line reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsOutcome<'a> {
    /// `TLS success [protocol P cipher C] [CN: <name> | CN=name] [for domain]`.
    Success {
        protocol: Option<&'a str>,
        cipher: Option<&'a str>,
        /// Certificate name from `CN: <name>` or `CN=name`.
        cn: Option<&'a str>,
        /// Destination domain from `for <domain>`.
        domain: Option<&'a str>,
    },
    /// `TLS failed[: reason]`.
    Failed { reason: Option<&'a str> },
    /// `TLS was required but ...`: the text after `TLS `.
    Required { text: &'a str },
}

/// HAT verdict on an inbound connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HatAction {
    Accept,
    Relay,
    Reject,
    TcpRefuse,
}

/// How a message was derived from another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Derivation {
    /// `MID a was split creating MID b`: a copy for some recipients.
    Split,
    /// `MID a rewritten to MID b`: the message replaced by a new one.
    Rewritten,
    /// `MID b was generated based on MID a`: a copy made by a filter.
    Generated,
    /// `MID b was generated for bounce of MID a`: a bounce notice.
    Bounce,
    /// `EUQ: Reinjected MID a as MID b`: released from the quarantine.
    Reinjected,
}

impl Derivation {
    pub fn as_str(self) -> &'static str {
        match self {
            Derivation::Split => "split",
            Derivation::Rewritten => "rewritten",
            Derivation::Generated => "generated",
            Derivation::Bounce => "bounce",
            Derivation::Reinjected => "reinjected",
        }
    }
}

/// Family of an entry that is recognised but carries nothing the TLS
/// verdicts need (scanning verdicts, policy matches, system messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteKind {
    /// Anti-spam and graymail engine verdicts.
    Antispam,
    /// Anti-virus verdicts.
    Antivirus,
    /// Outbreak filters, AMP, URL and SDS scanning.
    Scanning,
    /// SPF, DKIM, DomainKeys and DMARC.
    Authentication,
    /// Sender domain reputation (SDR).
    SenderReputation,
    /// Mail policy, content filter, DLP and attachment lines.
    Policy,
    /// Quarantine and spam quarantine (ISQ, EUQ, RPC) traffic.
    Quarantine,
    /// HAT and SMTP session details other than the verdict and TLS.
    Session,
    /// LDAP queries.
    Ldap,
    /// Bounce and queue lines that do not change a recipient's result.
    Queue,
    /// Appliance status, alerts and service messages.
    System,
}

/// Names of the event kinds, indexed by [`Event::kind_index`].
pub const EVENT_KIND_NAMES: [&str; 30] = [
    "begin_logfile",
    "end_logfile",
    "version",
    "time_offset",
    "icid_open",
    "icid_policy",
    "icid_tls",
    "icid_close",
    "message_start",
    "message_from",
    "message_to",
    "message_id",
    "message_subject",
    "message_ready",
    "message_derived",
    "message_queued",
    "message_response",
    "message_pending",
    "message_aborted",
    "message_finished",
    "dcid_open",
    "dcid_tls",
    "delivery_start",
    "delivery_done",
    "bounced",
    "delayed",
    "dcid_close",
    "connection_error",
    "note",
    "unknown",
];

/// One recognised text mail log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// `Begin Logfile`.
    BeginLogfile,
    /// `End Logfile`.
    EndLogfile,
    /// `Version: 7.6.3-019 SN: 420D4FEA...`.
    Version {
        version: &'a str,
        serial: Option<&'a str>,
    },
    /// `Time offset from UTC: -21600 seconds`.
    TimeOffset { seconds: i32 },

    /// `New SMTP ICID n interface I (ip) address A reverse dns host H verified V`.
    IcidOpen {
        icid: u64,
        interface: Option<&'a str>,
        remote_ip: Option<&'a str>,
        remote_host: Option<&'a str>,
    },
    /// `ICID n ACCEPT|RELAY|REJECT|TCPREFUSE SG group ...`.
    IcidPolicy {
        icid: u64,
        action: HatAction,
        sender_group: Option<&'a str>,
    },
    /// `ICID n TLS ...`.
    IcidTls { icid: u64, outcome: TlsOutcome<'a> },
    /// `ICID n close` (or `lost`, when the client went away without QUIT).
    IcidClose { icid: u64, lost: bool },

    /// `Start MID m ICID i`.
    MessageStart { mid: u64, icid: u64 },
    /// `MID m ICID i From: <addr>`.
    MessageFrom {
        mid: u64,
        icid: Option<u64>,
        sender: &'a str,
    },
    /// `MID m ICID i RID r To: <addr>`; `rid` is `None` for a recipient
    /// rejected at RCPT TO, and `rejected` then holds the reason.
    MessageTo {
        mid: u64,
        icid: Option<u64>,
        rid: Option<u32>,
        address: &'a str,
        rejected: Option<&'a str>,
    },
    /// `MID m Message-ID '<id>'`.
    MessageId { mid: u64, message_id: Quoted<'a> },
    /// `MID m Subject '...'`.
    MessageSubject { mid: u64, subject: Quoted<'a> },
    /// `MID m ready N bytes from <addr>`.
    MessageReady { mid: u64, bytes: u64 },
    /// A message derived from another one; `mid` is the new message.
    MessageDerived {
        mid: u64,
        origin: u64,
        derivation: Derivation,
    },
    /// `MID m queued for delivery`.
    MessageQueued { mid: u64 },
    /// `MID m RID [list] Response '...'`.
    MessageResponse {
        mid: u64,
        rids: RidList<'a>,
        response: Quoted<'a>,
    },
    /// `Message m to RID [list] pending till <time>`.
    MessagePending { mid: u64, rids: RidList<'a> },
    /// `Message aborted MID m reason`.
    MessageAborted { mid: u64, reason: &'a str },
    /// `Message finished MID m done`.
    MessageFinished { mid: u64 },

    /// `New SMTP DCID d interface I address A [port P]`.
    DcidOpen {
        dcid: u64,
        interface: Option<&'a str>,
        remote_ip: Option<&'a str>,
        port: Option<u16>,
    },
    /// `DCID d [IP a] TLS ...`.
    DcidTls {
        dcid: u64,
        remote_ip: Option<&'a str>,
        outcome: TlsOutcome<'a>,
    },
    /// `Delivery start DCID d MID m to RID [list]`.
    DeliveryStart {
        dcid: u64,
        mid: u64,
        rids: RidList<'a>,
    },
    /// `Message done DCID d MID m to RID [list]`.
    DeliveryDone {
        dcid: u64,
        mid: u64,
        rids: RidList<'a>,
    },
    /// `Bounced: DCID d MID m to RID r - code - reason`. `dcid` 0 means no
    /// connection was made.
    Bounced {
        dcid: u64,
        mid: u64,
        rids: RidList<'a>,
        reason: &'a str,
    },
    /// `Delayed: DCID d MID m to RID r - code - reason`.
    Delayed {
        dcid: u64,
        mid: u64,
        rids: RidList<'a>,
        reason: &'a str,
    },
    /// `DCID d close`.
    DcidClose { dcid: u64 },
    /// `Connection Error: DCID d domain: D IP: A port: P details: X interface: I reason: R`.
    ConnectionError {
        dcid: u64,
        remote_ip: Option<&'a str>,
        details: Option<&'a str>,
        reason: Option<&'a str>,
    },

    /// A recognised entry the verdicts do not use, with the ids it names.
    Note {
        kind: NoteKind,
        mid: Option<u64>,
        icid: Option<u64>,
        dcid: Option<u64>,
    },
    /// Text that matches no known template.
    Unknown,
}

impl Event<'_> {
    /// Returns whether the entry matched a known template.
    pub fn is_recognised(&self) -> bool {
        !matches!(self, Event::Unknown)
    }

    /// Returns a stable name of the event kind, used in summaries and tests.
    pub fn kind_name(&self) -> &'static str {
        EVENT_KIND_NAMES[self.kind_index()]
    }

    /// Returns the position of the event kind in [`EVENT_KIND_NAMES`].
    pub fn kind_index(&self) -> usize {
        match self {
            Event::BeginLogfile => 0,
            Event::EndLogfile => 1,
            Event::Version { .. } => 2,
            Event::TimeOffset { .. } => 3,
            Event::IcidOpen { .. } => 4,
            Event::IcidPolicy { .. } => 5,
            Event::IcidTls { .. } => 6,
            Event::IcidClose { .. } => 7,
            Event::MessageStart { .. } => 8,
            Event::MessageFrom { .. } => 9,
            Event::MessageTo { .. } => 10,
            Event::MessageId { .. } => 11,
            Event::MessageSubject { .. } => 12,
            Event::MessageReady { .. } => 13,
            Event::MessageDerived { .. } => 14,
            Event::MessageQueued { .. } => 15,
            Event::MessageResponse { .. } => 16,
            Event::MessagePending { .. } => 17,
            Event::MessageAborted { .. } => 18,
            Event::MessageFinished { .. } => 19,
            Event::DcidOpen { .. } => 20,
            Event::DcidTls { .. } => 21,
            Event::DeliveryStart { .. } => 22,
            Event::DeliveryDone { .. } => 23,
            Event::Bounced { .. } => 24,
            Event::Delayed { .. } => 25,
            Event::DcidClose { .. } => 26,
            Event::ConnectionError { .. } => 27,
            Event::Note { .. } => 28,
            Event::Unknown => 29,
        }
    }
}
