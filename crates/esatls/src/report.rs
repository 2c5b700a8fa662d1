//! The summary of a run: how connections, messages and deliveries split by
//! TLS state, which protocols and ciphers were used, and why TLS failed.
//!
//! The serde field names are the JSON contract of `esatls report --format
//! json`, documented in `docs/output.md`.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::event::Derivation;
use crate::pipeline::{RunSummary, TemplateCount};
use crate::record::{
    ConnectionRecord, Direction, MessageRecord, RecipientStatus, RecordSink, TlsState,
};

/// Most distinct recipient domains counted; further domains are counted
/// under `(other)`.
pub const MAX_DOMAINS: usize = 100_000;

/// Most distinct protocol, cipher or reason values counted per direction.
pub const MAX_VALUES: usize = 10_000;

/// Name under which values past a table's limit are counted.
pub const OTHER: &str = "(other)";

/// Domain under which recipients without an address, or with one that has
/// no `@`, are counted.
pub const NO_DOMAIN: &str = "(no domain)";

/// Counts by TLS state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TlsCounts {
    pub total: u64,
    pub success: u64,
    pub failed: u64,
    pub none: u64,
    pub unknown: u64,
}

impl TlsCounts {
    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &TlsCounts) {
        let TlsCounts {
            total,
            success,
            failed,
            none,
            unknown,
        } = *other;
        self.total += total;
        self.success += success;
        self.failed += failed;
        self.none += none;
        self.unknown += unknown;
    }

    pub fn add(&mut self, state: TlsState) {
        self.total += 1;
        match state {
            TlsState::Success => self.success += 1,
            TlsState::Failed => self.failed += 1,
            TlsState::None => self.none += 1,
            TlsState::Unknown | TlsState::Internal => self.unknown += 1,
        }
    }

    pub fn get(&self, state: TlsState) -> u64 {
        match state {
            TlsState::Success => self.success,
            TlsState::Failed => self.failed,
            TlsState::None => self.none,
            TlsState::Unknown => self.unknown,
            TlsState::Internal => 0,
        }
    }
}

/// Counts of inbound messages by TLS state, with `internal` for messages the
/// appliance generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MessageTlsCounts {
    pub total: u64,
    pub success: u64,
    pub failed: u64,
    pub none: u64,
    pub unknown: u64,
    pub internal: u64,
}

impl MessageTlsCounts {
    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &MessageTlsCounts) {
        let MessageTlsCounts {
            total,
            success,
            failed,
            none,
            unknown,
            internal,
        } = *other;
        self.total += total;
        self.success += success;
        self.failed += failed;
        self.none += none;
        self.unknown += unknown;
        self.internal += internal;
    }

    pub fn add(&mut self, state: TlsState) {
        self.total += 1;
        match state {
            TlsState::Success => self.success += 1,
            TlsState::Failed => self.failed += 1,
            TlsState::None => self.none += 1,
            TlsState::Unknown => self.unknown += 1,
            TlsState::Internal => self.internal += 1,
        }
    }

    pub fn get(&self, state: TlsState) -> u64 {
        match state {
            TlsState::Success => self.success,
            TlsState::Failed => self.failed,
            TlsState::None => self.none,
            TlsState::Unknown => self.unknown,
            TlsState::Internal => self.internal,
        }
    }
}

/// Counts of recipients by final status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub total: u64,
    pub delivered: u64,
    pub bounced: u64,
    pub pending: u64,
    pub dropped: u64,
    pub unknown: u64,
}

impl StatusCounts {
    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &StatusCounts) {
        let StatusCounts {
            total,
            delivered,
            bounced,
            pending,
            dropped,
            unknown,
        } = *other;
        self.total += total;
        self.delivered += delivered;
        self.bounced += bounced;
        self.pending += pending;
        self.dropped += dropped;
        self.unknown += unknown;
    }

    pub fn add(&mut self, status: RecipientStatus) {
        self.total += 1;
        match status {
            RecipientStatus::Delivered => self.delivered += 1,
            RecipientStatus::Bounced => self.bounced += 1,
            RecipientStatus::Pending => self.pending += 1,
            RecipientStatus::Dropped => self.dropped += 1,
            RecipientStatus::Unknown => self.unknown += 1,
        }
    }
}

/// How often one protocol or cipher was negotiated: on how many
/// connections, and for how many messages (inbound) or delivered recipients
/// (outbound).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueCount {
    pub value: String,
    pub connections: u64,
    /// Inbound: messages received; outbound: recipients delivered.
    pub messages: u64,
}

/// A TLS failure reason and the number of connections that ended in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: String,
    pub connections: u64,
}

/// Delivered recipients of one recipient domain, by TLS state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DomainCount {
    pub domain: String,
    pub delivered: TlsCounts,
    /// Recipients of the domain with any other final status.
    pub not_delivered: u64,
}

/// The receiving side of the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InboundSummary {
    pub connections: TlsCounts,
    /// Messages received, and messages the appliance made itself
    /// (`internal`).
    pub messages: MessageTlsCounts,
    /// Copies of received messages (split, rewritten, released from the
    /// quarantine), counted apart so that one received message counts
    /// once in `messages`.
    pub copies: MessageTlsCounts,
    pub protocols: Vec<ValueCount>,
    pub ciphers: Vec<ValueCount>,
    pub failures: Vec<ReasonCount>,
}

/// The delivering side of the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutboundSummary {
    pub connections: TlsCounts,
    /// Delivered recipients, by the TLS state of the connection that
    /// delivered them.
    pub deliveries: TlsCounts,
    /// Every recipient, by final status.
    pub recipients: StatusCounts,
    pub protocols: Vec<ValueCount>,
    pub ciphers: Vec<ValueCount>,
    pub failures: Vec<ReasonCount>,
    /// Recipient domains, most delivered first.
    pub domains: Vec<DomainCount>,
}

/// Line counts as the report shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineSummary {
    /// Log entries read; `total == recognised + unrecognised`.
    pub total: u64,
    pub recognised: u64,
    /// Recognised entries that are consolidated events.
    pub consolidated: u64,
    pub unrecognised: u64,
    /// Lines read, counting continuation and blank lines.
    pub physical: u64,
    pub continuation: u64,
    pub blank: u64,
    pub truncated: u64,
    /// The most frequent templates of unrecognised entries.
    pub top_unrecognised: Vec<TemplateCount>,
}

/// The span of log time a run read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub first: Option<crate::header::LogTime>,
    pub last: Option<crate::header::LogTime>,
}

impl Period {
    /// Shows the period in UTC; times of unknown offset stay as logged.
    pub fn convert_to_utc(&mut self) {
        for time in [&mut self.first, &mut self.last] {
            if let Some(utc) = time.and_then(|time| time.to_utc()) {
                *time = Some(utc);
            }
        }
    }
}

/// The whole summary of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Appliances seen, by name; `null` is the one unnamed appliance.
    pub appliances: Vec<Option<String>>,
    /// The earliest and latest entry times read.
    pub period: Period,
    pub inbound: InboundSummary,
    pub outbound: OutboundSummary,
    pub lines: LineSummary,
}

/// Counts by value, in a vector indexed by a map, so that counting a
/// value seen before costs one lookup.
#[derive(Clone, Default)]
struct ValueTable {
    index: HashMap<String, usize>,
    counts: Vec<(String, u64, u64)>,
    /// Place of the value counted last, which the next value often is.
    last: Option<usize>,
}

impl ValueTable {
    /// Returns the connection and message counts of `value`, or of `(other)`
    /// once the table holds [`MAX_VALUES`] values.
    fn entry(&mut self, value: &str) -> (&mut u64, &mut u64) {
        let last = self.last.filter(|&at| self.counts[at].0 == value);
        let at = match last.or_else(|| self.index.get(value).copied()) {
            Some(at) => at,
            None => {
                let key = if self.index.len() >= MAX_VALUES {
                    OTHER
                } else {
                    value
                };
                match self.index.get(key) {
                    Some(&at) => at,
                    None => {
                        self.counts.push((key.to_string(), 0, 0));
                        self.index.insert(key.to_string(), self.counts.len() - 1);
                        self.counts.len() - 1
                    }
                }
            }
        };
        self.last = Some(at);
        let (_, connections, messages) = &mut self.counts[at];
        (connections, messages)
    }

    fn connection(&mut self, value: &str) {
        *self.entry(value).0 += 1;
    }

    fn merge(&mut self, other: ValueTable) {
        for (value, connections, messages) in other.counts {
            let (total_connections, total_messages) = self.entry(&value);
            *total_connections += connections;
            *total_messages += messages;
        }
    }

    fn message(&mut self, value: &str) {
        *self.entry(value).1 += 1;
    }

    fn sorted(&self) -> Vec<ValueCount> {
        let mut list: Vec<ValueCount> = self
            .counts
            .iter()
            .map(|(value, connections, messages)| ValueCount {
                value: value.clone(),
                connections: *connections,
                messages: *messages,
            })
            .collect();
        list.sort_by(|a, b| {
            (b.messages, b.connections)
                .cmp(&(a.messages, a.connections))
                .then_with(|| a.value.cmp(&b.value))
        });
        list
    }
}

fn sorted_reasons(counts: &HashMap<String, u64>) -> Vec<ReasonCount> {
    let mut list: Vec<ReasonCount> = counts
        .iter()
        .map(|(reason, &connections)| ReasonCount {
            reason: reason.clone(),
            connections,
        })
        .collect();
    list.sort_by(|a, b| {
        b.connections
            .cmp(&a.connections)
            .then_with(|| a.reason.cmp(&b.reason))
    });
    list
}

fn add_reason(counts: &mut HashMap<String, u64>, reason: Option<&str>) {
    add_reasons(counts, reason.unwrap_or("(no reason logged)"), 1);
}

fn add_reasons(counts: &mut HashMap<String, u64>, reason: &str, count: u64) {
    if let Some(total) = counts.get_mut(reason) {
        *total += count;
    } else if counts.len() < MAX_VALUES {
        counts.insert(reason.to_string(), count);
    } else {
        *counts.entry(OTHER.to_string()).or_default() += count;
    }
}

/// Returns the lowercase domain of a mail address, or `None` if it has no
/// `@`.
pub fn domain_of(address: &str) -> Option<String> {
    domain_part(address).map(str::to_ascii_lowercase)
}

/// Returns the domain of a mail address as written.
fn domain_part(address: &str) -> Option<&str> {
    // Addresses are short, so a loop over the bytes finds the `@` sooner
    // than the vectorised search of `rsplit_once`, whose setup costs more.
    let at = address.bytes().rposition(|byte| byte == b'@')?;
    let domain = address[at + 1..].trim_end_matches('>').trim();
    if domain.is_empty() {
        None
    } else {
        Some(domain)
    }
}

/// A [`RecordSink`] that builds a [`Report`].
#[derive(Clone, Default)]
pub struct ReportBuilder {
    report: Report,
    appliances: BTreeSet<String>,
    /// The appliance of the record before, which most records share: it
    /// is in `appliances` already.
    last_appliance: Option<std::sync::Arc<str>>,
    /// Whether a record of the unnamed appliance was seen.
    unnamed_appliance: bool,
    inbound_protocols: ValueTable,
    inbound_ciphers: ValueTable,
    outbound_protocols: ValueTable,
    outbound_ciphers: ValueTable,
    inbound_failures: HashMap<String, u64>,
    outbound_failures: HashMap<String, u64>,
    /// Place of each domain in `domains`.
    domain_index: HashMap<String, usize>,
    domains: Vec<DomainCount>,
    /// Place of the domain counted last, which the next is often.
    last_domain: Option<usize>,
}

/// Number of unrecognised templates shown in the report.
pub const TOP_TEMPLATES: usize = 20;

impl ReportBuilder {
    pub fn new() -> Self {
        ReportBuilder::default()
    }

    /// Returns the counts of `domain` (compared without regard to case),
    /// allocating only for a domain not seen before.
    fn domain(&mut self, domain: &str) -> &mut DomainCount {
        let lowercase;
        let key: &str = if domain.bytes().any(|b| b.is_ascii_uppercase()) {
            lowercase = domain.to_ascii_lowercase();
            &lowercase
        } else {
            domain
        };
        let last = self
            .last_domain
            .filter(|&at| self.domains[at].domain == key);
        if let Some(at) = last.or_else(|| self.domain_index.get(key).copied()) {
            self.last_domain = Some(at);
            return &mut self.domains[at];
        }
        let key = if self.domain_index.len() < MAX_DOMAINS {
            key
        } else {
            OTHER
        };
        let at = match self.domain_index.get(key) {
            Some(&at) => at,
            None => {
                self.domains.push(DomainCount {
                    domain: key.to_string(),
                    delivered: TlsCounts::default(),
                    not_delivered: 0,
                });
                self.domain_index
                    .insert(key.to_string(), self.domains.len() - 1);
                self.domains.len() - 1
            }
        };
        &mut self.domains[at]
    }

    /// Adds an appliance name, allocating only for a name not seen before.
    fn see_appliance(&mut self, host: Option<&std::sync::Arc<str>>) {
        match host {
            Some(host)
                if self
                    .last_appliance
                    .as_ref()
                    .is_some_and(|last| std::sync::Arc::ptr_eq(last, host)) => {}
            Some(host) => {
                if !self.appliances.contains(&**host) {
                    self.appliances.insert(host.to_string());
                }
                self.last_appliance = Some(host.clone());
            }
            None => self.unnamed_appliance = true,
        }
    }

    /// Adds the counts of a builder that saw other records (those of other
    /// appliances, read on another thread). The result is that of one
    /// builder that saw all the records, `self`'s first, except in a table
    /// past its limit, where `self`'s values come first.
    pub fn merge(&mut self, other: ReportBuilder) {
        let ReportBuilder {
            report,
            appliances,
            last_appliance: _,
            unnamed_appliance,
            inbound_protocols,
            inbound_ciphers,
            outbound_protocols,
            outbound_ciphers,
            inbound_failures,
            outbound_failures,
            domain_index: _,
            domains,
            last_domain: _,
        } = other;
        let (inbound, outbound) = (&mut self.report.inbound, &mut self.report.outbound);
        inbound.connections.merge(&report.inbound.connections);
        inbound.messages.merge(&report.inbound.messages);
        inbound.copies.merge(&report.inbound.copies);
        outbound.connections.merge(&report.outbound.connections);
        outbound.deliveries.merge(&report.outbound.deliveries);
        outbound.recipients.merge(&report.outbound.recipients);
        self.appliances.extend(appliances);
        self.unnamed_appliance |= unnamed_appliance;
        self.inbound_protocols.merge(inbound_protocols);
        self.inbound_ciphers.merge(inbound_ciphers);
        self.outbound_protocols.merge(outbound_protocols);
        self.outbound_ciphers.merge(outbound_ciphers);
        for (reason, count) in inbound_failures {
            add_reasons(&mut self.inbound_failures, &reason, count);
        }
        for (reason, count) in outbound_failures {
            add_reasons(&mut self.outbound_failures, &reason, count);
        }
        for part in domains {
            let entry = self.domain(&part.domain);
            entry.delivered.merge(&part.delivered);
            entry.not_delivered += part.not_delivered;
        }
    }

    /// Returns the report of the records so far, leaving the builder as it
    /// is, for a run that goes on.
    pub fn snapshot(&self, summary: &RunSummary) -> Report {
        self.clone().finish(summary)
    }

    /// Completes the report with the run's line counts.
    pub fn finish(mut self, summary: &RunSummary) -> Report {
        // The unnamed appliance (`null`) sorts first, as `None` does.
        self.report.appliances = self
            .unnamed_appliance
            .then_some(None)
            .into_iter()
            .chain(self.appliances.into_iter().map(Some))
            .collect();
        self.report.inbound.protocols = self.inbound_protocols.sorted();
        self.report.inbound.ciphers = self.inbound_ciphers.sorted();
        self.report.outbound.protocols = self.outbound_protocols.sorted();
        self.report.outbound.ciphers = self.outbound_ciphers.sorted();
        self.report.inbound.failures = sorted_reasons(&self.inbound_failures);
        self.report.outbound.failures = sorted_reasons(&self.outbound_failures);
        let mut domains = self.domains;
        domains.sort_by(|a, b| {
            (b.delivered.total, b.not_delivered)
                .cmp(&(a.delivered.total, a.not_delivered))
                .then_with(|| a.domain.cmp(&b.domain))
        });
        self.report.outbound.domains = domains;
        let lines = &summary.lines;
        self.report.period = Period {
            first: lines.first_time,
            last: lines.last_time,
        };
        self.report.lines = LineSummary {
            total: lines.entries,
            recognised: lines.recognised,
            consolidated: lines.consolidated,
            unrecognised: lines.unrecognised,
            physical: lines.physical,
            continuation: lines.continuation.saturating_sub(lines.detached),
            blank: lines.blank,
            truncated: lines.truncated,
            top_unrecognised: summary
                .templates
                .iter()
                .take(TOP_TEMPLATES)
                .cloned()
                .collect(),
        };
        self.report
    }
}

impl RecordSink for ReportBuilder {
    fn message(&mut self, record: MessageRecord) {
        self.see_appliance(record.host.as_ref());
        let inbound = &record.inbound;
        let copy = matches!(
            record.origin,
            Some(Derivation::Split | Derivation::Rewritten | Derivation::Reinjected)
        );
        if copy {
            self.report.inbound.copies.add(inbound.tls);
        } else {
            self.report.inbound.messages.add(inbound.tls);
        }
        if inbound.tls == TlsState::Success && !copy {
            self.inbound_protocols
                .message(inbound.protocol.as_deref().unwrap_or("(not logged)"));
            self.inbound_ciphers
                .message(inbound.cipher.as_deref().unwrap_or("(not logged)"));
        }
        for recipient in &record.recipients {
            self.report.outbound.recipients.add(recipient.status);
            let delivered = recipient.status == RecipientStatus::Delivered;
            let tls = recipient.tls.unwrap_or(TlsState::Unknown);
            if delivered {
                self.report.outbound.deliveries.add(tls);
                if tls == TlsState::Success {
                    self.outbound_protocols
                        .message(recipient.protocol.as_deref().unwrap_or("(not logged)"));
                    self.outbound_ciphers
                        .message(recipient.cipher.as_deref().unwrap_or("(not logged)"));
                }
            }
            // Every recipient counts under a domain, so that the domain
            // rows add up to the recipients.
            let domain = recipient
                .address
                .as_deref()
                .and_then(domain_part)
                .unwrap_or(NO_DOMAIN);
            let entry = self.domain(domain);
            if delivered {
                entry.delivered.add(tls);
            } else {
                entry.not_delivered += 1;
            }
        }
    }

    fn split(&self) -> Option<Box<dyn crate::record::PartSink>> {
        Some(Box::new(ReportBuilder::new()))
    }

    fn join(&mut self, part: Box<dyn std::any::Any + Send>) {
        if let Ok(part) = part.downcast::<ReportBuilder>() {
            self.merge(*part);
        }
    }

    fn connection(&mut self, record: ConnectionRecord) {
        self.see_appliance(record.host.as_ref());
        let success = record.tls == TlsState::Success;
        let protocol = record.protocol.as_deref().unwrap_or("(not logged)");
        let cipher = record.cipher.as_deref().unwrap_or("(not logged)");
        match record.direction {
            Direction::Inbound => {
                self.report.inbound.connections.add(record.tls);
                if success {
                    self.inbound_protocols.connection(protocol);
                    self.inbound_ciphers.connection(cipher);
                }
                if record.tls == TlsState::Failed {
                    add_reason(&mut self.inbound_failures, record.reason.as_deref());
                }
            }
            Direction::Outbound => {
                self.report.outbound.connections.add(record.tls);
                if success {
                    self.outbound_protocols.connection(protocol);
                    self.outbound_ciphers.connection(cipher);
                }
                if record.tls == TlsState::Failed {
                    add_reason(&mut self.outbound_failures, record.reason.as_deref());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("Mary@Example.ORG").as_deref(),
            Some("example.org")
        );
        assert_eq!(domain_of("postmaster"), None);
        assert_eq!(domain_of("a@"), None);
    }

    #[test]
    fn counts_by_state() {
        let mut counts = TlsCounts::default();
        for state in [
            TlsState::Success,
            TlsState::Success,
            TlsState::None,
            TlsState::Unknown,
        ] {
            counts.add(state);
        }
        assert_eq!(counts.total, 4);
        assert_eq!(counts.success, 2);
        assert_eq!(counts.none, 1);
        assert_eq!(counts.unknown, 1);
        assert_eq!(counts.failed, 0);
    }
}
