//! The facts of every line written so far, and the verdicts they imply.
//!
//! The line writer reports each line's meaning here (a connection opened, a
//! TLS negotiation succeeded, a recipient was delivered). The book applies
//! the rules of `docs/verdicts.md` to those facts and sends each record to
//! the [`TruthSink`] once nothing written later can change it.
//!
//! A message or a delivery attempt takes the state of its connection at the
//! end of the second in which it started, because a TLS or opening line
//! logged later in the same second still counts. The book therefore keeps
//! the evaluations of the current second pending and resolves them when the
//! first line of a later second is written. Lines are written in
//! chronological order, so at that point every fact it has is from that
//! second or before.

use std::collections::BTreeMap;

use super::{ConnectionTruth, InboundTruth, MessageTruth, RecipientTruth, TruthRecord, TruthSink};
use crate::time::Civil;

/// Direction of a connection as seen from the appliance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tls {
    Success,
    Failed,
    None,
    Unknown,
    Internal,
}

impl Tls {
    fn as_str(self) -> &'static str {
        match self {
            Tls::Success => "success",
            Tls::Failed => "failed",
            Tls::None => "none",
            Tls::Unknown => "unknown",
            Tls::Internal => "internal",
        }
    }
}

/// A connection's TLS state at one moment.
#[derive(Clone, Debug)]
struct Snapshot {
    tls: Tls,
    protocol: Option<String>,
    cipher: Option<String>,
    cn: Option<String>,
    reason: Option<String>,
}

impl Snapshot {
    fn of(tls: Tls) -> Snapshot {
        Snapshot {
            tls,
            protocol: None,
            cipher: None,
            cn: None,
            reason: None,
        }
    }
}

/// The text of a TLS failure line.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FailureText<'a> {
    /// `TLS failed` with no reason.
    Bare,
    /// `TLS failed: <reason>`.
    Reason(&'a str),
    /// `TLS was required but ...`: the text after `TLS `.
    Required(&'a str),
}

/// Failure reason of a bare `TLS failed` line.
const BARE_FAILURE: &str = "TLS failed";

#[derive(Debug, Default)]
struct Connection {
    opened: Option<i64>,
    open_seen: bool,
    closed: Option<i64>,
    remote_ip: Option<String>,
    remote_host: Option<String>,
    interface: Option<String>,
    success: bool,
    protocol: Option<String>,
    cipher: Option<String>,
    cn: Option<String>,
    failed: bool,
    reason: Option<String>,
    /// Last `Connection Error` text.
    error: Option<String>,
    messages: u64,
    last_mid: Option<u64>,
}

impl Connection {
    /// Returns the state as of every fact recorded so far.
    fn snapshot(&self) -> Snapshot {
        if self.success {
            return Snapshot {
                tls: Tls::Success,
                protocol: self.protocol.clone(),
                cipher: self.cipher.clone(),
                cn: self.cn.clone(),
                reason: None,
            };
        }
        if self.failed {
            return Snapshot {
                reason: self.reason.clone(),
                ..Snapshot::of(Tls::Failed)
            };
        }
        Snapshot::of(if self.open_seen {
            Tls::None
        } else {
            Tls::Unknown
        })
    }

    /// Counts message `mid` unless it is the one counted last.
    fn count_message(&mut self, mid: u64) {
        if self.last_mid != Some(mid) {
            self.messages += 1;
            self.last_mid = Some(mid);
        }
    }
}

/// The progress of a recipient's copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    NotAttempted,
    InFlight,
    Delivered,
    Bounced,
    Delayed,
    Dropped,
}

#[derive(Debug)]
struct Attempt {
    dcid: u64,
    /// The connection's state; `None` until the attempt's second ends.
    snapshot: Option<Snapshot>,
    remote_ip: Option<String>,
}

#[derive(Debug)]
struct Recipient {
    address: Option<String>,
    progress: Progress,
    attempts: u32,
    attempt: Option<Attempt>,
    response: Option<String>,
    reason: Option<String>,
}

impl Recipient {
    fn new() -> Recipient {
        Recipient {
            address: None,
            progress: Progress::NotAttempted,
            attempts: 0,
            attempt: None,
            response: None,
            reason: None,
        }
    }
}

#[derive(Debug)]
struct Message {
    icid: Option<u64>,
    started: Option<i64>,
    finished: Option<i64>,
    sender: Option<String>,
    message_id: Option<String>,
    subject: Option<String>,
    size: Option<u64>,
    inbound: Snapshot,
    remote_ip: Option<String>,
    remote_host: Option<String>,
    /// Whether the message is a split copy, which is the same received
    /// message as its origin and takes its inbound verdict and ICID.
    split_copy: bool,
    recipients: BTreeMap<u32, Recipient>,
    origin: Option<(u64, &'static str)>,
}

impl Message {
    fn new() -> Message {
        Message {
            icid: None,
            started: None,
            finished: None,
            sender: None,
            message_id: None,
            subject: None,
            size: None,
            inbound: Snapshot::of(Tls::Unknown),
            remote_ip: None,
            remote_host: None,
            split_copy: false,
            recipients: BTreeMap::new(),
            origin: None,
        }
    }

    fn recipient(&mut self, rid: u32) -> &mut Recipient {
        self.recipients.entry(rid).or_insert_with(Recipient::new)
    }
}

/// An evaluation that waits for the end of the current second.
#[derive(Clone, Copy, Debug)]
enum Pending {
    /// A message takes its ICID's state.
    Inbound { mid: u64, icid: u64 },
    /// A split copy takes the inbound verdict of its origin.
    Inherit { mid: u64, origin: u64 },
    /// A recipient's attempt takes its DCID's state.
    Attempt { mid: u64, rid: u32 },
}

/// The facts of one appliance's lines and the records they imply.
pub(crate) struct Book<T: TruthSink> {
    host: String,
    utc_offset: i32,
    /// Local second of the latest line.
    second: i64,
    icids: BTreeMap<u64, Connection>,
    dcids: BTreeMap<u64, Connection>,
    messages: BTreeMap<u64, Message>,
    pending: Vec<Pending>,
    /// Messages that finished in the current second.
    finished: Vec<u64>,
    /// Connections that closed in the current second.
    closed: Vec<(Direction, u64)>,
    sink: T,
}

impl<T: TruthSink> Book<T> {
    pub(crate) fn new(host: String, utc_offset: i32, sink: T) -> Self {
        Book {
            host,
            utc_offset,
            second: i64::MIN,
            icids: BTreeMap::new(),
            dcids: BTreeMap::new(),
            messages: BTreeMap::new(),
            pending: Vec::new(),
            finished: Vec::new(),
            closed: Vec::new(),
            sink,
        }
    }

    /// Moves to the second of the next line, resolving what waited for the
    /// end of the previous one.
    pub(crate) fn advance(&mut self, now: i64) {
        if now != self.second {
            self.end_second();
            self.second = now;
        }
    }

    fn time(&self, seconds: Option<i64>) -> Option<String> {
        seconds.map(|seconds| Civil::from_seconds(seconds).rfc3339(self.utc_offset))
    }

    fn connections(&mut self, direction: Direction) -> &mut BTreeMap<u64, Connection> {
        match direction {
            Direction::Inbound => &mut self.icids,
            Direction::Outbound => &mut self.dcids,
        }
    }

    /// Returns connection `id`, adding it on first mention. Id 0 is never a
    /// connection.
    fn connection(&mut self, direction: Direction, id: u64) -> Option<&mut Connection> {
        if id == 0 {
            return None;
        }
        Some(self.connections(direction).entry(id).or_default())
    }

    fn message(&mut self, mid: u64) -> &mut Message {
        self.messages.entry(mid).or_insert_with(Message::new)
    }

    // Connection facts.

    /// Records a line that names connection `id` and changes nothing else.
    pub(crate) fn touch_connection(&mut self, direction: Direction, id: u64) {
        self.connection(direction, id);
    }

    pub(crate) fn open(
        &mut self,
        direction: Direction,
        id: u64,
        remote_ip: Option<&str>,
        remote_host: Option<&str>,
        interface: &str,
    ) {
        let now = self.second;
        let Some(connection) = self.connection(direction, id) else {
            return;
        };
        connection.open_seen = true;
        connection.opened = Some(now);
        connection.interface = Some(interface.to_string());
        match direction {
            Direction::Inbound => {
                connection.remote_ip = remote_ip.map(String::from);
                connection.remote_host = remote_host.map(String::from);
            }
            Direction::Outbound => {
                if remote_ip.is_some() {
                    connection.remote_ip = remote_ip.map(String::from);
                }
            }
        }
    }

    pub(crate) fn tls_success(
        &mut self,
        direction: Direction,
        id: u64,
        protocol: Option<&str>,
        cipher: Option<&str>,
        cn: Option<&str>,
    ) {
        let Some(connection) = self.connection(direction, id) else {
            return;
        };
        connection.success = true;
        if protocol.is_some() {
            connection.protocol = protocol.map(String::from);
        }
        if cipher.is_some() {
            connection.cipher = cipher.map(String::from);
        }
        if cn.is_some() {
            connection.cn = cn.map(String::from);
        }
    }

    /// Records a TLS failure line, where `remote_ip` is the `IP a` of a
    /// DCID line.
    pub(crate) fn tls_failure(
        &mut self,
        direction: Direction,
        id: u64,
        text: FailureText<'_>,
        remote_ip: Option<&str>,
    ) {
        let Some(connection) = self.connection(direction, id) else {
            return;
        };
        connection.failed = true;
        let reason = match text {
            FailureText::Bare => None,
            FailureText::Reason(reason) => Some(reason.to_string()),
            FailureText::Required(text) => Some(format!("TLS {text}")),
        };
        // The reason is the first text that gives more than a bare failure.
        let keep_old = connection
            .reason
            .as_deref()
            .is_some_and(|old| old != BARE_FAILURE);
        match reason {
            Some(reason) if !keep_old => connection.reason = Some(reason),
            Some(_) => {}
            None if connection.reason.is_none() => {
                connection.reason = Some(BARE_FAILURE.to_string());
            }
            None => {}
        }
        if connection.remote_ip.is_none() {
            connection.remote_ip = remote_ip.map(String::from);
        }
    }

    pub(crate) fn connection_error(&mut self, dcid: u64, text: &str, remote_ip: &str) {
        let Some(connection) = self.connection(Direction::Outbound, dcid) else {
            return;
        };
        connection.error = Some(text.to_string());
        if connection.remote_ip.is_none() {
            connection.remote_ip = Some(remote_ip.to_string());
        }
    }

    pub(crate) fn close(&mut self, direction: Direction, id: u64) {
        let now = self.second;
        if let Some(connection) = self.connection(direction, id) {
            connection.closed = Some(now);
            self.closed.push((direction, id));
        }
    }

    // Message facts.

    /// Records a line that names message `mid` and changes nothing else.
    pub(crate) fn touch_message(&mut self, mid: u64) {
        self.message(mid);
    }

    pub(crate) fn start(&mut self, mid: u64, icid: u64) {
        let now = self.second;
        if let Some(connection) = self.connection(Direction::Inbound, icid) {
            connection.count_message(mid);
        }
        let message = self.message(mid);
        message.started = Some(now);
        if message.split_copy && icid == 0 {
            // A split copy logged with ICID 0 keeps its origin's ICID and
            // verdict.
            return;
        }
        message.icid = Some(icid);
        if icid == 0 {
            message.inbound = Snapshot::of(Tls::Internal);
            message.remote_ip = None;
            message.remote_host = None;
        } else {
            self.pending.push(Pending::Inbound { mid, icid });
        }
    }

    pub(crate) fn sender(&mut self, mid: u64, icid: Option<u64>, sender: &str) {
        if let Some(icid) = icid {
            self.touch_connection(Direction::Inbound, icid);
        }
        // The null sender of bounces, logged as `From: <>`, is shown as
        // `<>` so that it cannot be taken for a missing value.
        let sender = if sender.is_empty() { "<>" } else { sender };
        self.message(mid).sender = Some(sender.to_string());
    }

    pub(crate) fn recipient_address(
        &mut self,
        mid: u64,
        icid: Option<u64>,
        rid: Option<u32>,
        address: &str,
    ) {
        if let Some(icid) = icid {
            self.touch_connection(Direction::Inbound, icid);
        }
        let message = self.message(mid);
        if let Some(rid) = rid {
            message.recipient(rid).address = Some(address.to_string());
        }
    }

    pub(crate) fn message_id(&mut self, mid: u64, message_id: &str) {
        self.message(mid).message_id = Some(message_id.to_string());
    }

    pub(crate) fn subject(&mut self, mid: u64, subject: &str) {
        self.message(mid).subject = Some(subject.to_string());
    }

    pub(crate) fn size(&mut self, mid: u64, bytes: u64) {
        self.message(mid).size = Some(bytes);
    }

    /// `MID mid was split creating MID copy`.
    pub(crate) fn split(&mut self, origin: u64, copy: u64) {
        let message = self.message(copy);
        message.origin = Some((origin, "split"));
        message.split_copy = true;
        self.pending.push(Pending::Inherit { mid: copy, origin });
    }

    /// Records a message the appliance made from `origin`, where `kind` is
    /// `generated` (a filter's copy) or `bounce`.
    pub(crate) fn generated(&mut self, mid: u64, origin: u64, kind: &'static str) {
        let message = self.message(mid);
        message.origin = Some((origin, kind));
        message.inbound = Snapshot::of(Tls::Internal);
        message.remote_ip = None;
        message.remote_host = None;
    }

    pub(crate) fn abort(&mut self, mid: u64, reason: &str) {
        for recipient in self.message(mid).recipients.values_mut() {
            if !matches!(recipient.progress, Progress::Delivered | Progress::Bounced) {
                recipient.progress = Progress::Dropped;
                recipient.reason = Some(reason.to_string());
            }
        }
    }

    pub(crate) fn finish(&mut self, mid: u64) {
        let now = self.second;
        self.message(mid).finished = Some(now);
        self.finished.push(mid);
    }

    /// `Delivery start` (with `result` `None`), `Message done`, `Bounced:`
    /// and `Delayed:` for the recipients `rids` of `mid` on `dcid`.
    pub(crate) fn delivery(
        &mut self,
        dcid: u64,
        mid: u64,
        rids: &[u32],
        result: Option<(Progress, &str)>,
    ) {
        if let Some(connection) = self.connection(Direction::Outbound, dcid) {
            if result.is_none() {
                connection.count_message(mid);
            }
        }
        let message = self.message(mid);
        let mut new_attempts = Vec::new();
        for &rid in rids {
            let recipient = message.recipient(rid);
            // Every `Delivery start` is an attempt, and so is a result on a
            // connection the recipient's last attempt did not use. DCID 0
            // means no connection was made: no attempt.
            let new_attempt = match (&recipient.attempt, result) {
                (_, None) => true,
                (_, Some(_)) if dcid == 0 => false,
                (Some(attempt), Some(_)) => attempt.dcid != dcid,
                (None, Some(_)) => true,
            };
            if new_attempt {
                recipient.attempts += 1;
                recipient.attempt = Some(Attempt {
                    dcid,
                    snapshot: None,
                    remote_ip: None,
                });
                new_attempts.push(rid);
            }
            match result {
                None => recipient.progress = Progress::InFlight,
                Some((progress, reason)) => {
                    recipient.progress = progress;
                    recipient.reason = match progress {
                        Progress::Delivered => None,
                        _ => Some(reason.to_string()),
                    };
                }
            }
        }
        // A result with no `Delivery start` before it (a connection that
        // failed before the start) is still an attempt on the connection.
        if result.is_some() && dcid != 0 && !new_attempts.is_empty() {
            if let Some(connection) = self.connection(Direction::Outbound, dcid) {
                connection.count_message(mid);
            }
        }
        for rid in new_attempts {
            self.pending.push(Pending::Attempt { mid, rid });
        }
    }

    pub(crate) fn response(&mut self, mid: u64, rids: &[u32], response: &str) {
        let message = self.message(mid);
        for &rid in rids {
            message.recipient(rid).response = Some(response.to_string());
        }
    }

    /// Records `Message m to RID [..] pending till ...`.
    pub(crate) fn pending_till(&mut self, mid: u64, rids: &[u32]) {
        let message = self.message(mid);
        for &rid in rids {
            let recipient = message.recipient(rid);
            if !matches!(
                recipient.progress,
                Progress::Delivered | Progress::Bounced | Progress::Dropped
            ) {
                recipient.progress = Progress::Delayed;
            }
        }
    }

    // Resolution and records.

    /// Resolves the evaluations of the second that ended, then emits the
    /// messages and connections that finished or closed in it.
    fn end_second(&mut self) {
        for pending in std::mem::take(&mut self.pending) {
            self.resolve(pending);
        }
        for mid in std::mem::take(&mut self.finished) {
            if let Some(message) = self.messages.remove(&mid) {
                let record = self.message_record(mid, message, true);
                self.sink.record(TruthRecord::Message(record));
            }
        }
        for (direction, id) in std::mem::take(&mut self.closed) {
            if let Some(connection) = self.connections(direction).remove(&id) {
                let record = self.connection_record(direction, id, connection);
                self.sink.record(TruthRecord::Connection(record));
            }
        }
    }

    fn resolve(&mut self, pending: Pending) {
        match pending {
            Pending::Inbound { mid, icid } => {
                let Some(connection) = self.icids.get(&icid) else {
                    return;
                };
                let Some(message) = self.messages.get_mut(&mid) else {
                    return;
                };
                if message.split_copy || message.icid != Some(icid) {
                    return;
                }
                message.inbound = connection.snapshot();
                message.remote_ip = connection.remote_ip.clone();
                message.remote_host = connection.remote_host.clone();
            }
            Pending::Inherit { mid, origin } => {
                let Some(parent) = self.messages.get(&origin) else {
                    return;
                };
                let inherited = (
                    parent.inbound.clone(),
                    parent.remote_ip.clone(),
                    parent.remote_host.clone(),
                    parent.icid,
                );
                let texts = (
                    parent.sender.clone(),
                    parent.message_id.clone(),
                    parent.subject.clone(),
                );
                let Some(message) = self.messages.get_mut(&mid) else {
                    return;
                };
                (
                    message.inbound,
                    message.remote_ip,
                    message.remote_host,
                    message.icid,
                ) = inherited;
                // A copy is the same message: it shows its original's
                // sender, Message-ID and subject where it logs none.
                let (sender, message_id, subject) = texts;
                message.sender = message.sender.take().or(sender);
                message.message_id = message.message_id.take().or(message_id);
                message.subject = message.subject.take().or(subject);
            }
            Pending::Attempt { mid, rid } => {
                let Some(message) = self.messages.get_mut(&mid) else {
                    return;
                };
                let Some(attempt) = message
                    .recipients
                    .get_mut(&rid)
                    .and_then(|recipient| recipient.attempt.as_mut())
                else {
                    return;
                };
                if attempt.snapshot.is_some() {
                    return;
                }
                if let Some(connection) = self.dcids.get(&attempt.dcid) {
                    attempt.snapshot = Some(connection.snapshot());
                    attempt.remote_ip = connection.remote_ip.clone();
                }
            }
        }
    }

    fn message_record(&self, mid: u64, message: Message, complete: bool) -> MessageTruth {
        let recipients = message
            .recipients
            .into_iter()
            .map(|(rid, recipient)| recipient_record(rid, recipient, complete))
            .collect();
        let inbound = message.inbound;
        MessageTruth {
            host: Some(self.host.clone()),
            mid,
            icid: message.icid,
            started: self.time(message.started),
            finished: self.time(message.finished),
            sender: message.sender,
            message_id: message.message_id,
            subject: message.subject,
            size: message.size,
            inbound: InboundTruth {
                tls: inbound.tls.as_str().to_string(),
                protocol: inbound.protocol,
                cipher: inbound.cipher,
                remote_ip: message.remote_ip,
                remote_host: message.remote_host,
                reason: inbound.reason,
            },
            recipients,
            origin_mid: message.origin.map(|(origin, _)| origin),
            origin: message.origin.map(|(_, kind)| kind.to_string()),
            complete,
        }
    }

    fn connection_record(
        &self,
        direction: Direction,
        id: u64,
        connection: Connection,
    ) -> ConnectionTruth {
        let snapshot = connection.snapshot();
        let reason = match snapshot.tls {
            Tls::Failed => snapshot.reason,
            _ => connection.error,
        };
        ConnectionTruth {
            host: Some(self.host.clone()),
            direction: direction.as_str().to_string(),
            id,
            opened: self.time(connection.opened),
            closed: self.time(connection.closed),
            remote_ip: connection.remote_ip,
            remote_host: connection.remote_host,
            interface: connection.interface,
            tls: snapshot.tls.as_str().to_string(),
            protocol: snapshot.protocol,
            cipher: snapshot.cipher,
            cn: snapshot.cn,
            reason,
            messages: connection.messages,
        }
    }

    /// Resolves what is pending and emits every record still open, as the
    /// logs end, then returns the sink.
    pub(crate) fn finish_all(mut self) -> T {
        self.end_second();
        for (mid, message) in std::mem::take(&mut self.messages) {
            let record = self.message_record(mid, message, false);
            self.sink.record(TruthRecord::Message(record));
        }
        for direction in [Direction::Inbound, Direction::Outbound] {
            for (id, connection) in std::mem::take(self.connections(direction)) {
                let record = self.connection_record(direction, id, connection);
                self.sink.record(TruthRecord::Connection(record));
            }
        }
        self.sink
    }
}

/// Builds a recipient's record. When its message finished (`complete`), a
/// recipient without a result is `unknown`. Otherwise the logs ended first
/// and it is `pending`.
fn recipient_record(rid: u32, recipient: Recipient, complete: bool) -> RecipientTruth {
    let status = match recipient.progress {
        Progress::Delivered => "delivered",
        Progress::Bounced => "bounced",
        Progress::Dropped => "dropped",
        Progress::Delayed => "pending",
        Progress::NotAttempted | Progress::InFlight if complete => "unknown",
        Progress::NotAttempted | Progress::InFlight => "pending",
    };
    let mut record = RecipientTruth {
        rid,
        address: recipient.address,
        status: status.to_string(),
        tls: None,
        protocol: None,
        cipher: None,
        cn: None,
        dcid: None,
        remote_ip: None,
        attempts: recipient.attempts,
        response: recipient.response,
        reason: recipient.reason,
    };
    if let Some(attempt) = recipient.attempt {
        record.dcid = Some(attempt.dcid);
        record.remote_ip = attempt.remote_ip;
        if let Some(snapshot) = attempt.snapshot {
            record.tls = Some(snapshot.tls.as_str().to_string());
            record.protocol = snapshot.protocol;
            record.cipher = snapshot.cipher;
            record.cn = snapshot.cn;
            if snapshot.tls == Tls::Failed && record.reason.is_none() {
                record.reason = snapshot.reason;
            }
        }
    }
    record
}
