//! State of one message that has not finished yet.

use std::sync::Arc;

use super::connection::{bounded, TlsSnapshot};
use crate::event::Derivation;
use crate::header::LogTime;
use crate::record::{
    Evidence, InboundRecord, MessageRecord, RecipientRecord, RecipientStatus, TlsState,
};

/// Recipients a message holds before their RIDs are indexed by a map.
const LINEAR_SEARCH_RECIPIENTS: usize = 32;

/// Where a recipient's copy stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    NotAttempted,
    InFlight,
    Delivered,
    Bounced,
    Delayed,
    Dropped,
}

/// One delivery attempt: the connection it used and that connection's TLS
/// state when the attempt started.
#[derive(Clone, Debug)]
pub(crate) struct Attempt {
    pub dcid: u64,
    pub second: i64,
    pub tls: TlsSnapshot,
    pub remote_ip: Option<Arc<str>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Recipient {
    pub rid: u32,
    pub address: Option<Arc<str>>,
    pub progress: Progress,
    pub attempts: u32,
    pub attempt: Option<Attempt>,
    pub response: Option<Arc<str>>,
    pub reason: Option<Arc<str>>,
}

#[derive(Debug, Default)]
pub(crate) struct Inbound {
    pub tls: TlsSnapshot,
    pub remote_ip: Option<Arc<str>>,
    pub remote_host: Option<Arc<str>>,
    /// Whether the state was copied from the message this one was split or
    /// rewritten from; a later `Start MID ... ICID 0` then keeps it.
    pub inherited: bool,
}

#[derive(Debug)]
pub(crate) struct Message {
    pub mid: u64,
    pub icid: Option<u64>,
    pub started: Option<LogTime>,
    pub start_seen: bool,
    pub start_second: i64,
    pub finished: Option<LogTime>,
    /// Whether `Message finished` was seen; the record waits a second of
    /// log time for lines of the same second logged after it.
    pub finish_seen: bool,
    pub last_seen: i64,
    pub sender: Option<Arc<str>>,
    pub message_id: Option<Arc<str>>,
    pub subject: Option<Arc<str>>,
    pub size: Option<u64>,
    pub inbound: Inbound,
    /// Recipients in the order they were first named; `into_record` sorts
    /// them by RID.
    pub recipients: Vec<Recipient>,
    /// Position of each RID in `recipients`, once there are enough of them
    /// for a linear search to cost more than the map.
    pub rid_index: Option<rustc_hash::FxHashMap<u32, u32>>,
    pub recipients_dropped: u64,
    pub origin: Option<(u64, Derivation)>,
    /// Addresses of recipients that split copies of this message took over;
    /// the copy reports them, so this record leaves them out unless it has
    /// a result of its own for them.
    pub moved: Vec<Arc<str>>,
    /// Whether the message was rewritten into another MID, which takes all
    /// of its recipients over.
    pub rewritten: bool,
    /// Messages split or rewritten from this one, which took its inbound
    /// verdict and must follow a late revision of it.
    pub heirs: Vec<u64>,
    /// What consolidated events said of the message while it was open.
    /// Boxed, because most messages never get one and the facts are
    /// larger than the rest of the message.
    pub facts: Option<Box<super::consolidated::Facts>>,
    /// Delivery connections whose own lines were already copied into
    /// `evidence`.
    pub evidence_dcids: Vec<u64>,
    pub evidence: Vec<Evidence>,
}

impl Message {
    pub(crate) fn new(mid: u64, now: i64) -> Self {
        Message {
            mid,
            icid: None,
            started: None,
            start_seen: false,
            start_second: i64::MIN,
            finished: None,
            finish_seen: false,
            last_seen: now,
            sender: None,
            message_id: None,
            subject: None,
            size: None,
            inbound: Inbound::default(),
            recipients: Vec::new(),
            rid_index: None,
            recipients_dropped: 0,
            origin: None,
            moved: Vec::new(),
            rewritten: false,
            heirs: Vec::new(),
            facts: None,
            evidence_dcids: Vec::new(),
            evidence: Vec::new(),
        }
    }

    /// Returns the recipient with id `rid`, adding it if the message has
    /// fewer than `limit` recipients. Returns `None` past the limit; the
    /// caller counts the recipient once, where it is defined.
    pub(crate) fn recipient(&mut self, rid: u32, limit: usize) -> Option<&mut Recipient> {
        let found = match &self.rid_index {
            Some(index) => index.get(&rid).map(|&at| at as usize),
            None => self.recipients.iter().position(|r| r.rid == rid),
        };
        let at = match found {
            Some(at) => at,
            None => {
                if self.recipients.len() >= limit {
                    return None;
                }
                self.recipients.push(Recipient {
                    rid,
                    address: None,
                    progress: Progress::NotAttempted,
                    attempts: 0,
                    attempt: None,
                    response: None,
                    reason: None,
                });
                let at = self.recipients.len() - 1;
                match &mut self.rid_index {
                    Some(index) => {
                        index.insert(rid, at as u32);
                    }
                    None if self.recipients.len() > LINEAR_SEARCH_RECIPIENTS => {
                        let index = self
                            .recipients
                            .iter()
                            .enumerate()
                            .map(|(at, r)| (r.rid, at as u32))
                            .collect();
                        self.rid_index = Some(index);
                    }
                    None => {}
                }
                at
            }
        };
        Some(&mut self.recipients[at])
    }

    /// Marks every recipient without a final result as dropped.
    pub(crate) fn abort(&mut self, reason: &str) {
        for recipient in &mut self.recipients {
            if !matches!(recipient.progress, Progress::Delivered | Progress::Bounced) {
                recipient.progress = Progress::Dropped;
                recipient.reason = Some(bounded(reason));
            }
        }
    }

    /// Builds the record. `finished` tells whether `Message finished` was
    /// seen: recipients without a result are then `unknown`, otherwise the
    /// logs ended (or the message was closed early) and they are `pending`.
    pub(crate) fn into_record(self, host: Option<Arc<str>>, finished: bool) -> MessageRecord {
        // Each address a split copy took over leaves out one recipient of
        // that address that has no result here.
        let mut moved = self.moved;
        let rewritten = self.rewritten;
        let mut kept = self.recipients;
        kept.sort_by_key(|recipient| recipient.rid);
        let mut recipients = Vec::with_capacity(kept.len());
        for recipient in kept {
            if recipient.progress == Progress::NotAttempted {
                // A rewrite hands every recipient without a result here to
                // the new message.
                if rewritten {
                    continue;
                }
                if let Some(address) = &recipient.address {
                    if let Some(index) = moved.iter().position(|taken| taken == address) {
                        moved.swap_remove(index);
                        continue;
                    }
                }
            }
            recipients.push(recipient_record(recipient, finished));
        }
        let tls = self.inbound.tls;
        MessageRecord {
            host,
            mid: self.mid,
            icid: self.icid,
            started: self.started,
            finished: self.finished,
            sender: self.sender,
            message_id: self.message_id,
            subject: self.subject,
            size: self.size,
            inbound: InboundRecord {
                tls: tls.state,
                protocol: tls.protocol,
                cipher: tls.cipher,
                remote_ip: self.inbound.remote_ip,
                remote_host: self.inbound.remote_host,
                reason: tls.reason,
            },
            recipients,
            origin_mid: self.origin.map(|(mid, _)| mid),
            origin: self.origin.map(|(_, derivation)| derivation),
            complete: finished,
            recipients_dropped: self.recipients_dropped,
            sources: vec![crate::record::RecordSource::MailLogs],
            dane: None,
            conflicts: Vec::new(),
            evidence: self.evidence,
        }
    }
}

fn recipient_record(recipient: Recipient, finished: bool) -> RecipientRecord {
    let status = match recipient.progress {
        Progress::Delivered => RecipientStatus::Delivered,
        Progress::Bounced => RecipientStatus::Bounced,
        Progress::Dropped => RecipientStatus::Dropped,
        Progress::Delayed => RecipientStatus::Pending,
        Progress::NotAttempted | Progress::InFlight => {
            if finished {
                RecipientStatus::Unknown
            } else {
                RecipientStatus::Pending
            }
        }
    };
    let (tls, protocol, cipher, cn, dcid, remote_ip, tls_reason) = match recipient.attempt {
        Some(attempt) => (
            Some(attempt.tls.state),
            attempt.tls.protocol,
            attempt.tls.cipher,
            attempt.tls.cn,
            Some(attempt.dcid),
            attempt.remote_ip,
            attempt.tls.reason,
        ),
        None => (None, None, None, None, None, None, None),
    };
    let reason = recipient.reason.or(match tls {
        Some(TlsState::Failed) => tls_reason,
        _ => None,
    });
    RecipientRecord {
        rid: recipient.rid,
        address: recipient.address,
        status,
        tls,
        protocol,
        cipher,
        cn,
        dcid,
        remote_ip,
        attempts: recipient.attempts,
        response: recipient.response,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_stay_ordered_and_bounded() {
        let mut message = Message::new(1, 0);
        for rid in [3, 1, 2, 1] {
            assert!(message.recipient(rid, 3).is_some());
        }
        assert!(message.recipient(7, 3).is_none());
        let record = message.into_record(None, false);
        let rids: Vec<u32> = record.recipients.iter().map(|r| r.rid).collect();
        assert_eq!(rids, vec![1, 2, 3]);
    }

    #[test]
    fn many_recipients_in_any_order() {
        let mut message = Message::new(1, 0);
        for rid in (0..1_000).rev() {
            message.recipient(rid, 2_000).unwrap().attempts = rid;
        }
        for rid in 0..1_000 {
            assert_eq!(message.recipient(rid, 2_000).unwrap().attempts, rid);
        }
        let record = message.into_record(None, false);
        assert_eq!(record.recipients.len(), 1_000);
        assert_eq!(record.recipients[0].rid, 0);
        assert_eq!(record.recipients[999].rid, 999);
    }

    #[test]
    fn open_recipients_depend_on_finish() {
        let mut message = Message::new(1, 0);
        message.recipient(0, 10);
        let record = Message {
            recipients: message.recipients.clone(),
            ..Message::new(1, 0)
        }
        .into_record(None, true);
        assert_eq!(record.recipients[0].status, RecipientStatus::Unknown);
        let record = message.into_record(None, false);
        assert_eq!(record.recipients[0].status, RecipientStatus::Pending);
        assert_eq!(record.recipients[0].tls, None);
    }

    #[test]
    fn abort_keeps_final_results() {
        let mut message = Message::new(1, 0);
        message.recipient(0, 10).unwrap().progress = Progress::Delivered;
        message.recipient(1, 10);
        message.abort("Dropped by CASE");
        assert_eq!(message.recipients[0].progress, Progress::Delivered);
        assert_eq!(message.recipients[1].progress, Progress::Dropped);
        assert_eq!(
            message.recipients[1].reason.as_deref(),
            Some("Dropped by CASE")
        );
    }
}
