//! State of one open SMTP connection.

use std::sync::Arc;

use crate::event::TlsOutcome;
use crate::header::LogTime;
use crate::record::{ConnectionRecord, Direction, Evidence, TlsState};

/// Maximum length of a text field kept from a log line (a subject, a
/// reason, an address), in bytes; longer text is cut at a character
/// boundary.
pub const MAX_FIELD_BYTES: usize = 8_192;

/// Copies `text` into a shared string of at most [`MAX_FIELD_BYTES`]: a
/// text goes from a line to the state of its connection or message, then
/// to the records of each message or delivery, without another copy.
pub(crate) fn bounded(text: &str) -> Arc<str> {
    Arc::from(cut(text))
}

/// Returns `text` cut to at most [`MAX_FIELD_BYTES`], at a character
/// boundary.
fn cut(text: &str) -> &str {
    if text.len() <= MAX_FIELD_BYTES {
        return text;
    }
    let mut end = MAX_FIELD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Most texts a [`TextPool`] keeps.
const MAX_POOLED_TEXTS: usize = 4_096;

/// Shared copies of the TLS texts that many connections log alike
/// (protocols, ciphers, certificate names, failure reasons): each is
/// stored once, and every connection, message and delivery with it holds
/// a reference. Past [`MAX_POOLED_TEXTS`] different texts, a text not in
/// the pool gets a copy of its own.
#[derive(Debug, Default)]
pub(crate) struct TextPool {
    texts: rustc_hash::FxHashSet<Arc<str>>,
}

impl TextPool {
    /// Returns the shared copy of `text`, cut as [`bounded`] cuts it.
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        let text = cut(text);
        if let Some(shared) = self.texts.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        if self.texts.len() < MAX_POOLED_TEXTS {
            self.texts.insert(Arc::clone(&shared));
        }
        shared
    }
}

/// Failure reason of a bare `TLS failed` line, which gives none.
pub(crate) const BARE_FAILURE: &str = "TLS failed";

/// TLS facts of a connection, with the second each was logged.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionTls {
    /// Local second of the first `TLS success` line.
    pub success_at: Option<i64>,
    /// Local second of the first TLS failure line.
    pub failed_at: Option<i64>,
    pub protocol: Option<Arc<str>>,
    pub cipher: Option<Arc<str>>,
    pub cn: Option<Arc<str>>,
    pub reason: Option<Arc<str>>,
}

/// A connection's TLS state at one moment, as messages and attempts copy it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TlsSnapshot {
    pub state: TlsState,
    pub protocol: Option<Arc<str>>,
    pub cipher: Option<Arc<str>>,
    pub cn: Option<Arc<str>>,
    pub reason: Option<Arc<str>>,
}

#[derive(Debug)]
pub(crate) struct Connection {
    pub direction: Direction,
    pub id: u64,
    /// Time of the `New SMTP` line; `None` until it is seen.
    pub opened: Option<LogTime>,
    /// Whether the `New SMTP` line was seen (it may carry no time).
    pub open_seen: bool,
    /// Whether the connection was closed early to keep within the limit
    /// of open connections, so a TLS line may still have come.
    pub evicted: bool,
    pub closed: Option<LogTime>,
    pub close_seen: bool,
    /// The appliance clock when the close line was applied.
    pub close_clock: i64,
    /// Local second of the last line that named this connection.
    pub last_seen: i64,
    pub remote_ip: Option<Arc<str>>,
    pub remote_host: Option<Arc<str>>,
    pub interface: Option<Arc<str>>,
    pub tls: ConnectionTls,
    /// Last connection error of a delivery connection.
    pub error: Option<Arc<str>>,
    pub messages: u64,
    /// The MID of the last message counted in `messages`.
    pub last_mid: Option<u64>,
    /// Messages that took this connection's state in second
    /// `recent_second`, so that a TLS or open line logged later in the same
    /// second still applies to them.
    pub recent: Vec<u64>,
    pub recent_second: i64,
    /// The connection's own lines (open, policy, TLS, errors, close).
    pub evidence: Vec<Evidence>,
    /// Lines of the deliveries made over the connection.
    pub delivery_evidence: Vec<Evidence>,
}

/// Most messages remembered per connection and second for late same-second
/// lines; beyond it, later lines of that second no longer revise them.
pub(crate) const MAX_RECENT: usize = 4_096;

impl Connection {
    pub(crate) fn new(direction: Direction, id: u64, now: i64) -> Self {
        Connection {
            direction,
            id,
            opened: None,
            open_seen: false,
            evicted: false,
            closed: None,
            close_seen: false,
            close_clock: i64::MIN,
            last_seen: now,
            remote_ip: None,
            remote_host: None,
            interface: None,
            tls: ConnectionTls::default(),
            error: None,
            messages: 0,
            last_mid: None,
            recent: Vec::new(),
            recent_second: i64::MIN,
            evidence: Vec::new(),
            delivery_evidence: Vec::new(),
        }
    }

    /// Records a TLS line logged at local second `at`.
    pub(crate) fn apply_tls(&mut self, outcome: &TlsOutcome<'_>, at: i64, texts: &mut TextPool) {
        match *outcome {
            TlsOutcome::Success {
                protocol,
                cipher,
                cn,
                domain: _,
            } => {
                if self.tls.success_at.is_none_or(|first| at < first) {
                    self.tls.success_at = Some(at);
                }
                if let Some(protocol) = protocol {
                    self.tls.protocol = Some(texts.get(protocol));
                }
                if let Some(cipher) = cipher {
                    self.tls.cipher = Some(texts.get(cipher));
                }
                if let Some(cn) = cn {
                    self.tls.cn = Some(texts.get(cn));
                }
            }
            TlsOutcome::Failed { reason } => {
                if self.tls.failed_at.is_none_or(|first| at < first) {
                    self.tls.failed_at = Some(at);
                }
                match reason {
                    Some(reason) => self.set_reason(texts.get(reason)),
                    None if self.tls.reason.is_none() => {
                        self.tls.reason = Some(BARE_FAILURE.into());
                    }
                    None => {}
                }
            }
            TlsOutcome::Required { text } => {
                if self.tls.failed_at.is_none_or(|first| at < first) {
                    self.tls.failed_at = Some(at);
                }
                self.set_reason(texts.get(&format!("TLS {text}")));
            }
        }
    }

    /// Keeps the first failure text that says more than [`BARE_FAILURE`].
    fn set_reason(&mut self, reason: Arc<str>) {
        if self
            .tls
            .reason
            .as_deref()
            .is_none_or(|old| old == BARE_FAILURE)
        {
            self.tls.reason = Some(reason);
        }
    }

    /// Returns the connection's TLS state counting only lines logged up to
    /// local second `at`.
    pub(crate) fn snapshot_at(&self, at: i64) -> TlsSnapshot {
        if self.tls.success_at.is_some_and(|second| second <= at) {
            return TlsSnapshot {
                state: TlsState::Success,
                protocol: self.tls.protocol.clone(),
                cipher: self.tls.cipher.clone(),
                cn: self.tls.cn.clone(),
                reason: None,
            };
        }
        if self.tls.failed_at.is_some_and(|second| second <= at) {
            return TlsSnapshot {
                state: TlsState::Failed,
                protocol: None,
                cipher: None,
                cn: None,
                reason: self.tls.reason.clone(),
            };
        }
        let state = if self.open_seen && !self.evicted {
            TlsState::None
        } else {
            TlsState::Unknown
        };
        TlsSnapshot {
            state,
            ..TlsSnapshot::default()
        }
    }

    /// Returns the connection's final TLS state.
    pub(crate) fn final_state(&self) -> TlsState {
        if self.tls.success_at.is_some() {
            TlsState::Success
        } else if self.tls.failed_at.is_some() {
            TlsState::Failed
        } else if self.open_seen && !self.evicted {
            TlsState::None
        } else {
            TlsState::Unknown
        }
    }

    /// Remembers that message `mid` took this connection's state at second
    /// `at`.
    pub(crate) fn remember(&mut self, mid: u64, at: i64) {
        if self.recent_second != at {
            self.recent.clear();
            self.recent_second = at;
        }
        if self.recent.len() < MAX_RECENT && !self.recent.contains(&mid) {
            self.recent.push(mid);
        }
    }

    /// Returns the messages that took this connection's state in second `at`.
    pub(crate) fn recent_in(&self, at: i64) -> &[u64] {
        if self.recent_second == at {
            &self.recent
        } else {
            &[]
        }
    }

    /// Counts message `mid` as carried by this connection.
    pub(crate) fn count_message(&mut self, mid: u64) {
        if self.last_mid != Some(mid) {
            self.messages += 1;
            self.last_mid = Some(mid);
        }
    }

    pub(crate) fn into_record(self, host: Option<Arc<str>>) -> ConnectionRecord {
        let tls = self.final_state();
        let mut evidence = self.evidence;
        evidence.extend(self.delivery_evidence);
        evidence.sort_by_key(|line| (line.source, line.line));
        evidence.dedup();
        let success = tls == TlsState::Success;
        let reason = match tls {
            TlsState::Failed => self.tls.reason.clone(),
            _ => self.error,
        };
        ConnectionRecord {
            host,
            direction: self.direction,
            id: self.id,
            opened: self.opened,
            closed: self.closed,
            remote_ip: self.remote_ip,
            remote_host: self.remote_host,
            interface: self.interface,
            tls,
            protocol: self.tls.protocol.filter(|_| success),
            cipher: self.tls.cipher.filter(|_| success),
            cn: self.tls.cn.filter(|_| success),
            reason,
            messages: self.messages,
            evidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn success() -> TlsOutcome<'static> {
        TlsOutcome::Success {
            protocol: Some("TLSv1.2"),
            cipher: Some("AES128-SHA"),
            cn: None,
            domain: None,
        }
    }

    #[test]
    fn pool_shares_equal_texts() {
        let mut pool = TextPool::default();
        let first = pool.get("TLSv1.2");
        assert!(Arc::ptr_eq(&first, &pool.get("TLSv1.2")));
        assert!(!Arc::ptr_eq(&first, &pool.get("TLSv1.3")));
        let long = "x".repeat(MAX_FIELD_BYTES + 10);
        assert_eq!(pool.get(&long).len(), MAX_FIELD_BYTES);
    }

    #[test]
    fn success_survives_later_failure() {
        let mut connection = Connection::new(Direction::Inbound, 1, 0);
        connection.open_seen = true;
        connection.apply_tls(&success(), 10, &mut TextPool::default());
        connection.apply_tls(
            &TlsOutcome::Failed {
                reason: Some("reset"),
            },
            20,
            &mut TextPool::default(),
        );
        assert_eq!(connection.final_state(), TlsState::Success);
        assert_eq!(connection.snapshot_at(15).state, TlsState::Success);
        assert_eq!(connection.snapshot_at(5).state, TlsState::None);
    }

    #[test]
    fn states_without_tls_lines() {
        let mut connection = Connection::new(Direction::Outbound, 2, 0);
        assert_eq!(connection.final_state(), TlsState::Unknown);
        connection.open_seen = true;
        assert_eq!(connection.final_state(), TlsState::None);
    }

    #[test]
    fn failure_then_success_is_success() {
        let mut connection = Connection::new(Direction::Inbound, 3, 0);
        connection.apply_tls(
            &TlsOutcome::Failed { reason: None },
            10,
            &mut TextPool::default(),
        );
        assert_eq!(connection.snapshot_at(10).state, TlsState::Failed);
        assert_eq!(
            connection.snapshot_at(10).reason.as_deref(),
            Some("TLS failed")
        );
        connection.apply_tls(&success(), 11, &mut TextPool::default());
        assert_eq!(connection.final_state(), TlsState::Success);
    }

    #[test]
    fn field_is_bounded() {
        let long = "é".repeat(MAX_FIELD_BYTES);
        assert!(bounded(&long).len() <= MAX_FIELD_BYTES);
    }
}
