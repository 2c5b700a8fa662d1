//! Consolidated events (`ESA_CONSOLIDATED_LOG_EVENT`): one line that sums
//! up a message, joined with the text mail log's record of the same
//! message when both are read.

use std::sync::Arc;

use super::connection::bounded;
use crate::cef::{self, Action, ConsolidatedEvent, Outcome};
use crate::header::LogTime;
use crate::record::{
    Conflict, DaneRecord, Evidence, InboundRecord, MessageRecord, RecipientRecord, RecipientStatus,
    RecordSource, TlsState,
};

/// TLS facts of one side of a consolidated event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SideTls {
    /// `None` when the event has no status key for this side.
    pub state: Option<TlsState>,
    /// The status as logged, when it is neither success nor failure.
    pub status_text: Option<Arc<str>>,
    pub protocol: Option<Arc<str>>,
    pub cipher: Option<Arc<str>>,
}

impl SideTls {
    fn from_event(tls: &cef::TlsConnection<'_>) -> SideTls {
        let (state, status_text) = match tls.status {
            Some(Outcome::Success) => (Some(TlsState::Success), None),
            Some(Outcome::Failure) => (Some(TlsState::Failed), None),
            Some(Outcome::Other(text)) => (Some(TlsState::Unknown), Some(bounded(text))),
            None => (None, None),
        };
        SideTls {
            state,
            status_text,
            protocol: tls.protocol.map(bounded),
            cipher: tls.cipher.map(bounded),
        }
    }

    fn absorb(&mut self, other: SideTls) {
        if self.state.is_none() {
            self.state = other.state;
            self.status_text = other.status_text;
        }
        self.protocol = self.protocol.take().or(other.protocol);
        self.cipher = self.cipher.take().or(other.cipher);
    }

    fn state_name(&self) -> String {
        match (&self.status_text, self.state) {
            (Some(text), _) => text.to_string(),
            (None, Some(state)) => state.as_str().to_string(),
            (None, None) => "(not logged)".to_string(),
        }
    }
}

/// What the consolidated events of one message say, merged.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub icid: Option<u64>,
    pub dcid: Option<u64>,
    pub start: Option<LogTime>,
    pub end: Option<LogTime>,
    pub sender: Option<Arc<str>>,
    pub recipients: Vec<Arc<str>>,
    pub subject: Option<Arc<str>>,
    pub message_id: Option<Arc<str>>,
    pub size: Option<u64>,
    pub source_address: Option<Arc<str>>,
    pub source_host: Option<Arc<str>>,
    pub inbound: SideTls,
    pub outbound: SideTls,
    pub dane_status: Option<Arc<str>>,
    pub dane_host: Option<Arc<str>>,
    pub action: Option<Action<'static>>,
    pub action_details: Option<Arc<str>>,
    /// The event lines, kept for `trace`.
    pub evidence: Vec<Evidence>,
}

/// Most recipients kept from one consolidated event.
const MAX_EVENT_RECIPIENTS: usize = 10_000;

fn static_action(action: Action<'_>) -> Action<'static> {
    match action {
        Action::Delivered => Action::Delivered,
        Action::Quarantined => Action::Quarantined,
        Action::DelayQuarantined => Action::DelayQuarantined,
        Action::Bounced => Action::Bounced,
        Action::Aborted => Action::Aborted,
        Action::Dropped => Action::Dropped,
        // The value is kept in `action_details`' place only as text.
        Action::Other(_) => Action::Other(""),
    }
}

fn non_empty(text: std::borrow::Cow<'_, str>) -> Option<Arc<str>> {
    let text = text.trim();
    if text.is_empty() {
        None
    } else {
        Some(bounded(text))
    }
}

impl Facts {
    /// Copies the facts of one event; times take the UTC offset `offset`.
    pub(crate) fn from_event(event: &ConsolidatedEvent<'_>, offset: Option<i32>) -> Facts {
        let time = |raw: Option<crate::header::RawTime>| {
            raw.map(|raw| raw.with_year(raw.year.unwrap_or(1970)).with_offset(offset))
        };
        let action_details = match event.action {
            Some(Action::Other(text)) => Some(bounded(text)),
            _ => event.action_details.map(bounded),
        };
        Facts {
            icid: event.icid,
            dcid: event.dcid,
            start: time(event.start),
            end: time(event.end),
            sender: event.sender.map(|text| bounded(&cef::unescape(text))),
            recipients: event
                .recipients
                .map(|list| {
                    list.iter()
                        .take(MAX_EVENT_RECIPIENTS)
                        .map(|text| bounded(&cef::unescape(text)))
                        .collect()
                })
                .unwrap_or_default(),
            subject: event.subject_text().and_then(non_empty),
            message_id: event.message_id_text().and_then(non_empty),
            size: event.message_size,
            source_address: event.source_address.map(bounded),
            source_host: event
                .source_host
                .filter(|host| !host.eq_ignore_ascii_case("unknown"))
                .map(bounded),
            inbound: SideTls::from_event(&event.tls_inbound),
            outbound: SideTls::from_event(&event.tls_outbound),
            dane_status: event.dane_status.map(|status| match status {
                Outcome::Success => "success".into(),
                Outcome::Failure => "failure".into(),
                Outcome::Other(text) => bounded(text),
            }),
            dane_host: event.dane_host.map(bounded),
            action: event.action.map(static_action),
            action_details,
            evidence: Vec::new(),
        }
    }

    /// Adds the facts of a later event of the same message; the first value
    /// of each field is kept.
    pub(crate) fn absorb(&mut self, mut other: Facts) {
        self.evidence.append(&mut other.evidence);
        self.icid = self.icid.or(other.icid);
        self.dcid = self.dcid.or(other.dcid);
        self.start = self.start.or(other.start);
        self.end = self.end.or(other.end);
        self.sender = self.sender.take().or(other.sender);
        if self.recipients.is_empty() {
            self.recipients = other.recipients;
        }
        self.subject = self.subject.take().or(other.subject);
        self.message_id = self.message_id.take().or(other.message_id);
        self.size = self.size.or(other.size);
        self.source_address = self.source_address.take().or(other.source_address);
        self.source_host = self.source_host.take().or(other.source_host);
        self.inbound.absorb(other.inbound);
        self.outbound.absorb(other.outbound);
        self.dane_status = self.dane_status.take().or(other.dane_status);
        self.dane_host = self.dane_host.take().or(other.dane_host);
        if self.action.is_none() {
            self.action = other.action;
            self.action_details = other.action_details;
        }
    }

    fn dane(&self) -> Option<DaneRecord> {
        self.dane_status.as_ref().map(|status| DaneRecord {
            status: status.to_string(),
            host: self.dane_host.as_deref().map(String::from),
        })
    }

    /// Returns the recipient status the final action means.
    fn status(&self) -> RecipientStatus {
        match self.action {
            Some(Action::Delivered) => RecipientStatus::Delivered,
            Some(Action::Bounced) => RecipientStatus::Bounced,
            Some(Action::Aborted | Action::Dropped) => RecipientStatus::Dropped,
            Some(Action::Quarantined | Action::DelayQuarantined) => RecipientStatus::Pending,
            Some(Action::Other(_)) | None => RecipientStatus::Unknown,
        }
    }

    /// Builds the record of a message known only from consolidated events.
    ///
    /// The events carry no RIDs: recipients are numbered in the order of
    /// `duser`. Each takes its status from the final action and its TLS
    /// state from the outbound TLS keys.
    pub(crate) fn into_record(self, host: Option<Arc<str>>, mid: u64) -> MessageRecord {
        let status = self.status();
        let reason = match status {
            RecipientStatus::Delivered => None,
            _ => self.action_details.clone(),
        };
        let outbound_state = self.outbound.state;
        let recipients = self
            .recipients
            .iter()
            .enumerate()
            .map(|(index, address)| RecipientRecord {
                rid: index as u32,
                address: Some(Arc::clone(address)),
                status,
                tls: outbound_state,
                protocol: self.outbound.protocol.as_deref().map(Arc::from),
                cipher: self.outbound.cipher.as_deref().map(Arc::from),
                cn: None,
                dcid: self.dcid,
                remote_ip: None,
                attempts: u32::from(self.dcid.is_some()),
                response: None,
                reason: reason.clone(),
            })
            .collect();
        let inbound_state = self.inbound.state.unwrap_or(TlsState::Unknown);
        let success = inbound_state == TlsState::Success;
        MessageRecord {
            host,
            mid,
            icid: self.icid,
            started: self.start,
            finished: self.end,
            sender: self.sender.clone(),
            message_id: self.message_id.clone(),
            subject: self.subject.clone(),
            size: self.size,
            inbound: InboundRecord {
                tls: inbound_state,
                protocol: self
                    .inbound
                    .protocol
                    .as_deref()
                    .filter(|_| success)
                    .map(Arc::from),
                cipher: self
                    .inbound
                    .cipher
                    .as_deref()
                    .filter(|_| success)
                    .map(Arc::from),
                remote_ip: self.source_address.clone(),
                remote_host: self.source_host.clone(),
                reason: None,
            },
            recipients,
            origin_mid: None,
            origin: None,
            complete: true,
            recipients_dropped: 0,
            sources: vec![RecordSource::Consolidated],
            dane: self.dane(),
            conflicts: Vec::new(),
            evidence: self.evidence,
        }
    }
}

fn bare_id(text: &str) -> &str {
    let text = text.trim().trim_matches(|c| c == '\'' || c == '"');
    text.strip_prefix('<')
        .and_then(|inner| inner.strip_suffix('>'))
        .unwrap_or(text)
}

fn conflict(record: &mut MessageRecord, field: String, mail_logs: &str, consolidated: &str) {
    record.conflicts.push(Conflict {
        field,
        mail_logs: mail_logs.to_string(),
        consolidated: consolidated.to_string(),
    });
}

/// Compares `ours` and `theirs` when both are known; fills `ours` from
/// `theirs` when only the consolidated event knows the value.
fn merge_text<T: AsRef<str> + for<'a> From<&'a str>>(
    record: &mut MessageRecord,
    field: &str,
    ours: Option<T>,
    theirs: Option<&str>,
    same: fn(&str, &str) -> bool,
) -> Option<T> {
    match (ours, theirs) {
        (Some(ours), Some(theirs)) => {
            if !same(ours.as_ref(), theirs) {
                conflict(record, field.to_string(), ours.as_ref(), theirs);
            }
            Some(ours)
        }
        (None, Some(theirs)) => Some(T::from(theirs)),
        (ours, None) => ours,
    }
}

/// Compares or fills a number as [`merge_text`] does text.
fn merge_number(
    record: &mut MessageRecord,
    field: &str,
    ours: Option<u64>,
    theirs: Option<u64>,
) -> Option<u64> {
    if let (Some(ours), Some(theirs)) = (ours, theirs) {
        if ours != theirs {
            conflict(
                record,
                field.to_string(),
                &ours.to_string(),
                &theirs.to_string(),
            );
        }
    }
    ours.or(theirs)
}

/// Joins the consolidated facts of a message into the record the text mail
/// log gave it. Where the text log has no value, the consolidated one is
/// used; where both have one and they differ, the text log's is kept and
/// the difference is listed in `conflicts`.
pub(crate) fn merge(record: &mut MessageRecord, mut facts: Facts) {
    record.sources.push(RecordSource::Consolidated);
    record.evidence.append(&mut facts.evidence);
    record.dane = facts.dane();
    record.icid = merge_number(record, "icid", record.icid, facts.icid);
    record.started = record.started.or(facts.start);
    record.finished = record.finished.or(facts.end);
    record.size = merge_number(record, "size", record.size, facts.size);
    let sender = record.sender.take();
    record.sender = merge_text(record, "sender", sender, facts.sender.as_deref(), |a, b| {
        a.eq_ignore_ascii_case(b)
    });
    let message_id = record.message_id.take();
    record.message_id = merge_text(
        record,
        "message_id",
        message_id,
        facts.message_id.as_deref(),
        |a, b| bare_id(a) == bare_id(b),
    );
    record.subject = record.subject.take().or(facts.subject.clone());

    merge_inbound(record, &facts);
    merge_outbound(record, &facts);
    merge_recipients(record, &facts);
}

fn merge_inbound(record: &mut MessageRecord, facts: &Facts) {
    let remote_ip = record.inbound.remote_ip.take();
    record.inbound.remote_ip = merge_text(
        record,
        "inbound.remote_ip",
        remote_ip,
        facts.source_address.as_deref(),
        |a, b| a.eq_ignore_ascii_case(b),
    );
    let Some(state) = facts.inbound.state else {
        return;
    };
    let ours = record.inbound.tls;
    match ours {
        TlsState::Internal => return,
        TlsState::Unknown => {
            record.inbound.tls = state;
            if state == TlsState::Success {
                record.inbound.protocol = facts.inbound.protocol.as_deref().map(Arc::from);
                record.inbound.cipher = facts.inbound.cipher.as_deref().map(Arc::from);
            }
            return;
        }
        _ => {}
    }
    if ours != state {
        let theirs = facts.inbound.state_name();
        conflict(record, "inbound.tls".into(), ours.as_str(), &theirs);
        return;
    }
    if ours == TlsState::Success {
        let protocol = record.inbound.protocol.take();
        record.inbound.protocol = merge_text(
            record,
            "inbound.protocol",
            protocol,
            facts.inbound.protocol.as_deref(),
            |a, b| a == b,
        );
        let cipher = record.inbound.cipher.take();
        record.inbound.cipher = merge_text(
            record,
            "inbound.cipher",
            cipher,
            facts.inbound.cipher.as_deref(),
            |a, b| a == b,
        );
    }
}

/// Gives recipients the text log has no result for the result the event
/// states, and adds the event's recipients the text log does not name.
fn merge_recipients(record: &mut MessageRecord, facts: &Facts) {
    let status = facts.status();
    if status == RecipientStatus::Unknown && facts.outbound.state.is_none() {
        return;
    }
    let success = facts.outbound.state == Some(TlsState::Success);
    let named_by_text = !record.recipients.is_empty();
    // The event states one result for the whole message, so it disagrees
    // with the text log only when no recipient it names has that result
    // and all of them have another final one.
    let final_status = |status: RecipientStatus| {
        matches!(
            status,
            RecipientStatus::Delivered | RecipientStatus::Bounced | RecipientStatus::Dropped
        )
    };
    let mut ours: Vec<RecipientStatus> = Vec::new();
    for status in record
        .recipients
        .iter()
        .filter(|recipient| {
            facts.recipients.is_empty()
                || recipient.address.as_deref().is_some_and(|address| {
                    facts
                        .recipients
                        .iter()
                        .any(|theirs| theirs.eq_ignore_ascii_case(address))
                })
        })
        .map(|recipient| recipient.status)
    {
        if !ours.contains(&status) {
            ours.push(status);
        }
    }
    if final_status(status)
        && !ours.is_empty()
        && ours.iter().all(|&s| final_status(s) && s != status)
    {
        let names: Vec<&str> = ours.iter().map(|status| status.as_str()).collect();
        conflict(
            record,
            "recipients.status".to_string(),
            &names.join(", "),
            status.as_str(),
        );
    }
    let fill = |recipient: &mut RecipientRecord| {
        recipient.status = status;
        recipient.tls = facts.outbound.state;
        if success {
            recipient.protocol = facts.outbound.protocol.as_deref().map(Arc::from);
            recipient.cipher = facts.outbound.cipher.as_deref().map(Arc::from);
        }
        recipient.dcid = recipient.dcid.or(facts.dcid);
    };
    for recipient in &mut record.recipients {
        let unresolved = matches!(
            recipient.status,
            RecipientStatus::Unknown | RecipientStatus::Pending
        ) && recipient.tls.is_none();
        let named = recipient.address.as_deref().is_some_and(|address| {
            facts
                .recipients
                .iter()
                .any(|theirs| theirs.eq_ignore_ascii_case(address))
        });
        if unresolved && (named || facts.recipients.is_empty()) {
            fill(recipient);
        }
    }
    let mut next_rid = record
        .recipients
        .iter()
        .map(|r| r.rid + 1)
        .max()
        .unwrap_or(0);
    for address in &facts.recipients {
        let known = record.recipients.iter().any(|recipient| {
            recipient
                .address
                .as_deref()
                .is_some_and(|ours| ours.eq_ignore_ascii_case(address))
        });
        if known {
            continue;
        }
        let mut recipient = RecipientRecord {
            rid: next_rid,
            address: Some(Arc::clone(address)),
            status,
            tls: None,
            protocol: None,
            cipher: None,
            cn: None,
            dcid: None,
            remote_ip: None,
            attempts: u32::from(facts.dcid.is_some()),
            response: None,
            reason: None,
        };
        fill(&mut recipient);
        if named_by_text {
            conflict(
                record,
                format!("recipients[rid={next_rid}]"),
                "(not named)",
                address,
            );
        }
        next_rid += 1;
        record.recipients.push(recipient);
    }
}

/// Compares the outbound TLS keys with every delivered recipient of the
/// event's delivery connection (or of any connection, when the event names
/// none).
fn merge_outbound(record: &mut MessageRecord, facts: &Facts) {
    let Some(state) = facts.outbound.state else {
        return;
    };
    let theirs = facts.outbound.state_name();
    let mut found = Vec::new();
    for (index, recipient) in record.recipients.iter_mut().enumerate() {
        if recipient.status != RecipientStatus::Delivered {
            continue;
        }
        if facts.dcid.is_some() && recipient.dcid.is_some() && recipient.dcid != facts.dcid {
            continue;
        }
        match recipient.tls {
            None | Some(TlsState::Unknown) => {
                recipient.tls = Some(state);
                if state == TlsState::Success {
                    recipient.protocol = facts.outbound.protocol.as_deref().map(Arc::from);
                    recipient.cipher = facts.outbound.cipher.as_deref().map(Arc::from);
                }
            }
            Some(ours) if ours != state => {
                found.push((index, "tls", ours.as_str().to_string(), theirs.clone()));
            }
            Some(TlsState::Success) => {
                for (field, ours, theirs) in [
                    ("protocol", &recipient.protocol, &facts.outbound.protocol),
                    ("cipher", &recipient.cipher, &facts.outbound.cipher),
                ] {
                    if let (Some(ours), Some(theirs)) = (ours, theirs) {
                        if **ours != **theirs {
                            found.push((index, field, ours.to_string(), theirs.to_string()));
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
    for (index, field, ours, theirs) in found {
        let rid = record.recipients[index].rid;
        conflict(
            record,
            format!("recipients[rid={rid}].{field}"),
            &ours,
            &theirs,
        );
    }
}
