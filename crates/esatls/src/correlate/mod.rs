//! Joins events into connection and message records.
//!
//! State is kept per appliance, because ids are unique per appliance only,
//! and per id: one [`Connection`](connection::Connection) per open ICID or
//! DCID and one message per open MID. A record leaves the state, and goes to
//! the [`RecordSink`], when its connection closes or its message finishes,
//! so memory grows with what is open at once and not with the input.
//!
//! The verdict rules are written out in `docs/verdicts.md`. Two points of
//! method matter for reading this module:
//!
//! - Lines logged within one second may appear in any order. A message or a
//!   delivery attempt takes its connection's state "at that moment", which
//!   here means at the end of its second: a TLS or opening line logged later
//!   in the same second still applies to it.
//! - A closed connection stays in the state for [`CLOSE_GRACE_SECONDS`] of
//!   log time before it is emitted, so that lines of the same second that
//!   come after the close still find it.

mod connection;
mod consolidated;
mod message;

use std::collections::hash_map::Entry as MapEntry;
use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use connection::{bounded, Connection, TextPool};
use consolidated::Facts;
use message::{Attempt, Message, Progress};

use crate::cef::ConsolidatedEvent;
use crate::event::{Derivation, Event, RidList, TlsOutcome};
use crate::header::LogTime;
use crate::record::{Direction, Evidence, MessageRecord, RecordSink, TlsState};

/// Seconds of log time a closed connection waits before it is emitted.
pub const CLOSE_GRACE_SECONDS: i64 = 2;

/// Seconds of log time a finished message waits before it is emitted, so
/// that lines of its last second logged after `Message finished` (a TLS
/// line of the connection that delivered it) still apply.
pub const FINISH_GRACE_SECONDS: i64 = 1;

/// Seconds of log time a finished message waits for its consolidated event
/// when the run reads both kinds of log, before it is written alone.
pub const CONSOLIDATED_WAIT_SECONDS: i64 = 600;

/// Maximum finished messages, and maximum closed connections of each
/// direction, that wait per appliance. The waits are counted in log time,
/// which stops in logs without timestamps. It also stays behind while the
/// clock runs back (after a daylight saving change). Past the maximum the
/// oldest record is written before its time is up.
const MAX_WAITING: usize = 4_096;

/// Most log lines kept as evidence for one record in trace mode.
pub const MAX_EVIDENCE_LINES: usize = 2_000;

/// Limits and modes of a correlation run.
#[derive(Clone, Debug)]
pub struct CorrelateOptions {
    /// Keep the log lines of each record for `trace`.
    pub keep_evidence: bool,
    /// Most recipients kept per message; more are counted and dropped.
    pub max_recipients: usize,
    /// Seconds of log time after which a connection or message that saw no
    /// line is closed as incomplete.
    pub max_idle_seconds: i64,
    /// Most open connections (per direction) and open messages kept per
    /// appliance; past it the least recently seen are closed as incomplete.
    pub max_open: usize,
    /// Keep the text fields a summary does not use (sender, subject,
    /// Message-ID, replies, bounce reasons, remote names and addresses).
    /// Turning this off saves memory and time for `report`.
    pub keep_details: bool,
    /// The run reads consolidated events as well as text mail logs, so a
    /// finished message waits for its consolidated event, to join the two
    /// into one record.
    pub expect_consolidated: bool,
}

impl Default for CorrelateOptions {
    fn default() -> Self {
        CorrelateOptions {
            keep_evidence: false,
            max_recipients: 100_000,
            max_idle_seconds: 7 * 86_400,
            max_open: 200_000,
            keep_details: true,
            expect_consolidated: false,
        }
    }
}

/// Counts of what the correlator had to close or ignore.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CorrelateStats {
    /// Opening lines for an id that was still open (the appliance's counter
    /// restarted, for example after a reboot): the old record was closed.
    pub id_reuses: u64,
    /// Connections and messages closed because they saw no line for
    /// `max_idle_seconds`.
    pub expired: u64,
    /// Connections and messages closed because more than `max_open` were
    /// open.
    pub evicted: u64,
    /// Lines about a message whose record was already written (it had
    /// finished, or was closed as incomplete).
    pub late_lines: u64,
    /// Recipients past the per-message limit.
    pub recipients_dropped: u64,
    /// Messages still open when the input ended.
    pub open_messages_at_end: u64,
    /// Connections still open when the input ended.
    pub open_connections_at_end: u64,
    /// Consolidated events read.
    pub consolidated_events: u64,
    /// Consolidated events without an `ESAMID`, which cannot be joined.
    pub consolidated_without_mid: u64,
    /// Consolidated events that came after their message's record was
    /// written (the run did not expect them): they are not joined and not
    /// counted again.
    pub consolidated_too_late: u64,
    /// Messages known from both kinds of log, joined into one record.
    pub merged: u64,
    /// Messages known only from consolidated events.
    pub consolidated_only: u64,
    /// Joined messages on which the two kinds of log disagree.
    pub conflicting: u64,
    /// Entries of appliances past the [`MAX_APPLIANCES`] limit, read as
    /// entries of one shared appliance.
    pub appliance_overflow: u64,
}

impl CorrelateStats {
    /// Adds the counts of another correlator's run.
    pub fn add(&mut self, other: &CorrelateStats) {
        // Taken apart, so that a new field cannot be left out.
        let CorrelateStats {
            id_reuses,
            expired,
            evicted,
            late_lines,
            recipients_dropped,
            open_messages_at_end,
            open_connections_at_end,
            consolidated_events,
            consolidated_without_mid,
            consolidated_too_late,
            merged,
            consolidated_only,
            conflicting,
            appliance_overflow,
        } = *other;
        self.id_reuses += id_reuses;
        self.expired += expired;
        self.evicted += evicted;
        self.late_lines += late_lines;
        self.recipients_dropped += recipients_dropped;
        self.open_messages_at_end += open_messages_at_end;
        self.open_connections_at_end += open_connections_at_end;
        self.consolidated_events += consolidated_events;
        self.consolidated_without_mid += consolidated_without_mid;
        self.consolidated_too_late += consolidated_too_late;
        self.merged += merged;
        self.consolidated_only += consolidated_only;
        self.conflicting += conflicting;
        self.appliance_overflow += appliance_overflow;
    }
}

/// Most appliances one run keeps apart. Input that names more (a syslog
/// stream with a new host name on every line) puts the rest under one
/// appliance named [`OVERFLOW_APPLIANCE`], so that memory stays bounded.
pub const MAX_APPLIANCES: usize = 10_000;

/// Name of the appliance that entries past [`MAX_APPLIANCES`] go to.
pub const OVERFLOW_APPLIANCE: &str = "(too many appliances)";

/// Index of an appliance in a [`Correlator`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApplianceId(u32);

/// One entry to correlate.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub appliance: ApplianceId,
    /// The entry's time, with its UTC offset when known.
    pub time: Option<LogTime>,
    /// Index of the input in the run's list of sources.
    pub source: u32,
    /// Line number of the entry's first line, starting at 1.
    pub line: u64,
    /// The entry as read; kept only in trace mode.
    pub text: &'a str,
    pub event: &'a Event<'a>,
}

/// Position and text of a consolidated event, kept as its evidence in
/// trace mode.
#[derive(Clone, Copy, Debug)]
pub struct EventLine<'a> {
    /// Index of the input in the run's list of sources.
    pub source: u32,
    /// Line number of the event, starting at 1.
    pub line: u64,
    pub text: &'a str,
}

/// A bounded set of ids that were recently emitted, so that stray lines
/// about them (a second close line, say) do not start new records. It
/// keeps at least the last [`RecentLimits::closed_ids`] ids inserted, and
/// at most twice as many.
#[derive(Debug, Default)]
struct RecentIds {
    /// Each id with the sequence number of its insertion.
    members: HashMap<u64, u64>,
    inserted: u64,
}

/// Recently emitted ids an appliance keeps, while a run has few
/// appliances.
const RECENT_IDS: u64 = 8_192;

/// Appliances that keep the whole of [`RECENT_IDS`] and
/// [`FINISHED_INHERITANCE`] each. With more, the appliances of one
/// correlator share that many times each limit, so that a log naming
/// thousands of appliances keeps its memory within bounds.
const FULL_LIMIT_APPLIANCES: usize = 16;

/// How much recent state each appliance keeps, by the number of
/// appliances.
#[derive(Clone, Copy, Debug)]
struct RecentLimits {
    /// Recently emitted ids, of each kind.
    closed_ids: u64,
    /// Written messages remembered for copies made after them.
    inherited: usize,
}

impl Default for RecentLimits {
    fn default() -> RecentLimits {
        RecentLimits::for_appliances(0)
    }
}

impl RecentLimits {
    fn for_appliances(appliances: usize) -> RecentLimits {
        let share = |whole: usize, least: usize| {
            (whole * FULL_LIMIT_APPLIANCES / appliances.max(1)).clamp(least, whole)
        };
        RecentLimits {
            closed_ids: share(RECENT_IDS as usize, 64) as u64,
            inherited: share(FINISHED_INHERITANCE, 64),
        }
    }
}

impl RecentIds {
    fn insert(&mut self, id: u64, limit: u64) {
        let len = self.members.len();
        if len >= self.members.capacity() {
            let most = usize::try_from(2 * limit + 1).unwrap_or(usize::MAX);
            self.members.reserve(room_to_grow(len, most) - len);
        }
        self.inserted += 1;
        self.members.insert(id, self.inserted);
        self.trim(limit);
    }

    /// Keeps the last `limit` ids once more than twice as many are kept,
    /// and gives back the room of a set made under a far higher limit.
    fn trim(&mut self, limit: u64) {
        if self.members.len() as u64 > 2 * limit {
            let keep_after = self.inserted.saturating_sub(limit);
            self.members.retain(|_, sequence| *sequence > keep_after);
            if self.members.capacity() as u64 > 8 * limit {
                self.members.shrink_to_fit();
            }
        }
    }

    fn contains(&self, id: u64) -> bool {
        self.members.contains_key(&id)
    }

    fn remove(&mut self, id: u64) {
        self.members.remove(&id);
    }
}

#[derive(Debug, Default)]
struct Appliance {
    name: Option<Arc<str>>,
    // Boxed, so that the tables stay small and an entry moves as a
    // pointer when the table grows or an entry is removed.
    icids: HashMap<u64, Box<Connection>>,
    dcids: HashMap<u64, Box<Connection>>,
    messages: HashMap<u64, Box<Message>>,
    /// Closed connections waiting for their grace period, by the clock
    /// value at which they may be emitted.
    closing: VecDeque<(i64, Direction, u64)>,
    closed_icids: RecentIds,
    closed_dcids: RecentIds,
    finished_mids: RecentIds,
    /// What copies of recently written messages inherit from them, for a
    /// release from the quarantine or a split logged after its original
    /// finished.
    finished_inbound: FinishedInbound,
    /// Consolidated facts of messages not (yet) seen in the text log.
    consolidated: HashMap<u64, Facts>,
    /// Finished messages waiting out [`FINISH_GRACE_SECONDS`], by the
    /// clock value at which each may be emitted.
    finishing: VecDeque<(i64, u64)>,
    /// Finished messages waiting for their consolidated event.
    held: HashMap<u64, MessageRecord>,
    /// `held` by the clock value at which each may be written alone.
    held_order: VecDeque<(i64, u64)>,
    /// Latest local second seen on this appliance.
    clock: i64,
    /// Time of the last entry, and its local second.
    last_time: Option<(LogTime, i64)>,
    /// The clock value at which the records that came due were last
    /// written.
    checked_clock: Option<i64>,
    clock_set: bool,
    next_sweep: i64,
}

impl Appliance {
    /// Open messages, inbound and outbound connections.
    fn open_counts(&self) -> [usize; 3] {
        [self.messages.len(), self.icids.len(), self.dcids.len()]
    }

    /// Writes the finished messages waiting for their consolidated event
    /// without it, in MID order.
    fn write_held(&mut self, sink: &mut dyn RecordSink) {
        let mut held: Vec<(u64, MessageRecord)> = self.held.drain().collect();
        held.sort_by_key(|(mid, _)| *mid);
        self.held_order.clear();
        for (_, record) in held {
            sink.message(record);
        }
    }
}

/// Joins events of many appliances into records.
#[derive(Debug, Default)]
pub struct Correlator {
    options: CorrelateOptions,
    /// Whether finished messages wait for consolidated events: set by the
    /// options, or by the first consolidated event read.
    expect_consolidated: bool,
    appliances: Vec<Appliance>,
    names: HashMap<Option<Arc<str>>, ApplianceId>,
    /// The shared appliance of names past [`MAX_APPLIANCES`], once made.
    overflow: Option<ApplianceId>,
    stats: CorrelateStats,
    texts: TextPool,
    /// How much recent state each appliance keeps, for the number of
    /// appliances so far.
    limits: RecentLimits,
    /// The limits that every appliance was last cut down to. An appliance
    /// applies the current limits when it adds state, and the others are
    /// cut when the limits fall an eighth below these.
    trimmed_to: RecentLimits,
    /// Entries to push before the open state of all appliances together
    /// is counted again.
    until_open_count: u32,
}

/// Most entries between two counts of the open state of all appliances
/// together, and the share of `max_open` they take at the most. The count
/// costs a look at each appliance, which the entries in between share;
/// the state can pass the limit by as many entries.
const OPEN_COUNT_INTERVAL: usize = 1_024;
const OPEN_COUNT_SHARE: usize = 16;

/// The kinds of open state, in the order of [`Appliance::open_counts`].
const OPEN_KINDS: [OpenKind; 3] = [
    OpenKind::Message,
    OpenKind::Connection(Direction::Inbound),
    OpenKind::Connection(Direction::Outbound),
];

#[derive(Clone, Copy, Debug)]
enum OpenKind {
    Message,
    Connection(Direction),
}

/// What a split, rewritten or released copy takes from its original.
#[derive(Clone, Debug)]
struct Inheritance {
    /// Shared by the written messages of the same TLS state, which are
    /// many: the queue of written messages keeps one pointer each.
    tls: Arc<connection::TlsSnapshot>,
    icid: Option<u64>,
    /// The texts, kept only when the run keeps details: a box, so that
    /// the queue of written messages stays small without them.
    texts: Option<Box<InheritedTexts>>,
}

/// The texts of an original that its copies take.
#[derive(Clone, Debug, Default)]
struct InheritedTexts {
    remote_ip: Option<Arc<str>>,
    remote_host: Option<Arc<str>>,
    sender: Option<Arc<str>>,
    message_id: Option<Arc<str>>,
    subject: Option<Arc<str>>,
}

impl InheritedTexts {
    fn fields(&self) -> [&Option<Arc<str>>; 5] {
        [
            &self.remote_ip,
            &self.remote_host,
            &self.sender,
            &self.message_id,
            &self.subject,
        ]
    }
}

impl Inheritance {
    fn of(message: &Message) -> Inheritance {
        Inheritance::with_tls(message, Arc::new(message.inbound.tls.clone()))
    }

    fn with_tls(message: &Message, tls: Arc<connection::TlsSnapshot>) -> Inheritance {
        let texts = InheritedTexts {
            remote_ip: message.inbound.remote_ip.clone(),
            remote_host: message.inbound.remote_host.clone(),
            sender: message.sender.clone(),
            message_id: message.message_id.clone(),
            subject: message.subject.clone(),
        };
        let any = texts.fields().iter().any(|text| text.is_some());
        Inheritance {
            tls,
            icid: message.icid,
            texts: any.then(|| Box::new(texts)),
        }
    }

    /// Bytes of the texts the copy would take, which the queue of written
    /// messages keeps alive.
    fn text_bytes(&self) -> usize {
        let tls = &self.tls;
        let texts = self.texts.as_deref().map(InheritedTexts::fields);
        [&tls.protocol, &tls.cipher, &tls.cn, &tls.reason]
            .into_iter()
            .chain(texts.into_iter().flatten())
            .map(|text| text.as_ref().map_or(0, |text| text.len()))
            .sum()
    }
}

/// Written messages remembered for copies made after them.
const FINISHED_INHERITANCE: usize = 65_536;

/// Returns the room for a full queue or set of `len` entries to grow to,
/// for a `limit` it does not pass. Grown by doubling to the limit, it
/// would touch twice its final size of new memory, which the kernel zeroes
/// page by page. Profiles of `report` showed that zeroing to cost more
/// than the copies. So it doubles while it contains less than an eighth of
/// the limit, and then takes the whole limit.
fn room_to_grow(len: usize, limit: usize) -> usize {
    if len >= limit / 8 {
        limit.max(len + 1)
    } else {
        (2 * len).max(64).min(limit)
    }
}

/// Bytes of text that each remembered message may keep alive on average.
/// Typical names, subjects and Message-IDs take less; with long ones
/// (each text is cut at 8,192 bytes) the queue keeps fewer messages.
const INHERITED_TEXT_PER_MESSAGE: usize = 384;

/// The inbound state that the last [`FINISHED_INHERITANCE`] messages
/// written leave to copies made from them later.
///
/// Every written message is remembered, but few are ever looked up, so
/// they are kept in the order written and indexed by MID only when a
/// lookup comes: a run without copies of written messages hashes nothing.
#[derive(Debug, Default)]
struct FinishedInbound {
    /// Oldest first.
    written: VecDeque<(u64, Inheritance)>,
    /// Position of a MID in the order of all messages written. Entries
    /// written since the last lookup are not in it yet, and entries of
    /// messages dropped from `written` may still be.
    index: HashMap<u64, u64>,
    /// Bytes of the texts in `written`.
    text_bytes: usize,
    /// The TLS states of written messages, each shared by all entries
    /// with the same state and the same texts.
    tls_states: HashMap<TlsKey, Arc<connection::TlsSnapshot>>,
    /// Messages dropped from the front of `written`.
    dropped: u64,
    /// Position up to which `index` contains the messages written.
    indexed: u64,
}

/// A TLS state and the addresses of its texts. The texts come from the
/// text pool, so equal texts mostly share an address. A text with an
/// address of its own only makes one more shared state.
type TlsKey = (TlsState, [usize; 4]);

/// Maximum TLS states that [`FinishedInbound`] shares before it clears
/// its table.
const MAX_SHARED_TLS_STATES: usize = 1_024;

impl FinishedInbound {
    /// Returns the shared copy of `tls`.
    fn share_tls(&mut self, tls: &connection::TlsSnapshot) -> Arc<connection::TlsSnapshot> {
        let address = |text: &Option<Arc<str>>| {
            text.as_ref()
                .map_or(0, |text| Arc::as_ptr(text).cast::<u8>() as usize)
        };
        let key = (
            tls.state,
            [
                address(&tls.protocol),
                address(&tls.cipher),
                address(&tls.cn),
                address(&tls.reason),
            ],
        );
        if let Some(shared) = self.tls_states.get(&key) {
            return Arc::clone(shared);
        }
        if self.tls_states.len() >= MAX_SHARED_TLS_STATES {
            self.tls_states.clear();
        }
        let shared = Arc::new(tls.clone());
        self.tls_states.insert(key, Arc::clone(&shared));
        shared
    }

    /// Remembers what `mid` leaves, keeping at most `limit` messages and
    /// `limit` times [`INHERITED_TEXT_PER_MESSAGE`] bytes of their texts
    /// (or the one message, if its texts alone are longer).
    fn push(&mut self, mid: u64, inheritance: Inheritance, limit: usize) {
        let limit = limit.max(1);
        let text_bytes = inheritance.text_bytes();
        self.make_room(limit - 1, text_bytes, limit);
        if self.written.len() == self.written.capacity() {
            let len = self.written.len();
            self.written.reserve_exact(room_to_grow(len, limit) - len);
        }
        self.text_bytes += text_bytes;
        self.written.push_back((mid, inheritance));
    }

    /// Remembers what the written `message` leaves to its copies.
    fn remember(&mut self, mid: u64, message: &Message, limit: usize) {
        let tls = self.share_tls(&message.inbound.tls);
        self.push(mid, Inheritance::with_tls(message, tls), limit);
    }

    /// Cuts the queue to what `limit` messages may keep.
    fn trim(&mut self, limit: usize) {
        let limit = limit.max(1);
        self.make_room(limit, 0, limit);
    }

    /// Drops the oldest messages until at most `keep` are left and
    /// `text_bytes` more bytes of text fit in what `limit` messages may
    /// keep (or the queue is empty), and gives back room the queue no
    /// longer needs.
    fn make_room(&mut self, keep: usize, text_bytes: usize, limit: usize) {
        let text_limit = limit.saturating_mul(INHERITED_TEXT_PER_MESSAGE);
        while self.written.len() > keep
            || (!self.written.is_empty() && self.text_bytes + text_bytes > text_limit)
        {
            let Some((_, oldest)) = self.written.pop_front() else {
                break;
            };
            self.text_bytes -= oldest.text_bytes();
            self.dropped += 1;
        }
        if self.written.capacity() > 2 * limit {
            self.written.shrink_to(limit);
        }
    }

    /// Returns what the last written message `mid` left, if it is still
    /// remembered.
    fn get(&mut self, mid: u64) -> Option<&Inheritance> {
        let end = self.dropped + self.written.len() as u64;
        for position in self.indexed.max(self.dropped)..end {
            let (written, _) = self.written[(position - self.dropped) as usize];
            self.index.insert(written, position);
        }
        self.indexed = end;
        if self.index.len() > 2 * self.written.len().max(64) {
            let dropped = self.dropped;
            self.index.retain(|_, position| *position >= dropped);
        }
        let position = *self.index.get(&mid)?;
        let at = usize::try_from(position.checked_sub(self.dropped)?).ok()?;
        self.written
            .get(at)
            .filter(|(written, _)| *written == mid)
            .map(|(_, inheritance)| inheritance)
    }
}

/// Seconds of log time between two sweeps for idle state.
const SWEEP_INTERVAL_SECONDS: i64 = 3_600;

impl Correlator {
    pub fn new(options: CorrelateOptions) -> Self {
        Correlator {
            expect_consolidated: options.expect_consolidated,
            options,
            ..Correlator::default()
        }
    }

    /// Returns the id of the appliance called `name` (`None` for the one
    /// unnamed appliance), adding it on first use.
    pub fn appliance(&mut self, name: Option<&str>) -> ApplianceId {
        let key: Option<Arc<str>> = name.map(Arc::from);
        if let Some(&id) = self.names.get(&key) {
            return id;
        }
        if self.appliances.len() >= MAX_APPLIANCES {
            if let Some(id) = self.overflow {
                return id;
            }
            let id = ApplianceId(self.appliances.len() as u32);
            self.appliances.push(Appliance {
                name: Some(Arc::from(OVERFLOW_APPLIANCE)),
                ..Appliance::default()
            });
            self.overflow = Some(id);
            self.set_limits();
            return id;
        }
        let id = ApplianceId(self.appliances.len() as u32);
        self.appliances.push(Appliance {
            name: key.clone(),
            ..Appliance::default()
        });
        self.names.insert(key, id);
        self.set_limits();
        id
    }

    /// Sets the limits of recent state for the number of appliances. Once
    /// they are an eighth below the limits last applied to every
    /// appliance, cuts the state of all of them. Otherwise an appliance
    /// that adds no more state (its files were read before the others)
    /// would keep what it had under the higher limits to the end.
    fn set_limits(&mut self) {
        let limits = RecentLimits::for_appliances(self.appliances.len());
        self.limits = limits;
        if limits.inherited * 8 > self.trimmed_to.inherited * 7 {
            return;
        }
        self.trimmed_to = limits;
        for appliance in &mut self.appliances {
            appliance.closed_icids.trim(limits.closed_ids);
            appliance.closed_dcids.trim(limits.closed_ids);
            appliance.finished_mids.trim(limits.closed_ids);
            appliance.finished_inbound.trim(limits.inherited);
        }
    }

    /// Returns the names of the appliances read so far.
    pub fn appliance_names(&self) -> Vec<Option<String>> {
        self.appliances
            .iter()
            .map(|appliance| appliance.name.as_deref().map(String::from))
            .collect()
    }

    /// Returns the name of an appliance.
    pub fn appliance_name(&self, id: ApplianceId) -> Option<&Arc<str>> {
        self.appliances.get(id.0 as usize)?.name.as_ref()
    }

    pub fn stats(&self) -> &CorrelateStats {
        &self.stats
    }

    /// Applies one entry, sending any record it completes to `sink`.
    pub fn push(&mut self, entry: &Entry<'_>, sink: &mut dyn RecordSink) {
        if Some(entry.appliance) == self.overflow {
            self.stats.appliance_overflow += 1;
        }
        let limits = self.limits;
        let Some(appliance) = self.appliances.get_mut(entry.appliance.0 as usize) else {
            return;
        };
        let now = match entry.time {
            // Most entries share the second of the entry before.
            Some(time) => match appliance.last_time {
                Some((last, seconds)) if last == time => seconds,
                _ => {
                    let seconds = time.local_seconds();
                    appliance.last_time = Some((time, seconds));
                    seconds
                }
            },
            None => appliance.clock,
        };
        if !appliance.clock_set || now > appliance.clock {
            appliance.clock = now;
            if !appliance.clock_set {
                appliance.next_sweep = now + SWEEP_INTERVAL_SECONDS;
            }
            appliance.clock_set = true;
        }
        let mut state = State {
            appliance,
            limits,
            options: &self.options,
            expect_consolidated: self.expect_consolidated,
            stats: &mut self.stats,
            texts: &mut self.texts,
            sink,
        };
        // Every wait ends a second or more after it starts, so nothing new
        // comes due until the clock moves on.
        if state.appliance.checked_clock != Some(state.appliance.clock) {
            state.emit_due_connections();
            state.emit_due_messages();
            state.release_held();
            if state.appliance.clock >= state.appliance.next_sweep {
                state.sweep();
            }
            state.appliance.checked_clock = Some(state.appliance.clock);
        }
        let evidence = if self.options.keep_evidence {
            Some(Evidence {
                source: entry.source,
                line: entry.line,
                text: Arc::from(entry.text),
            })
        } else {
            None
        };
        state.apply(entry, now, evidence);
        state.enforce_open_limit();
        self.until_open_count = self.until_open_count.saturating_sub(1);
        if self.until_open_count == 0 {
            self.until_open_count =
                (self.options.max_open / OPEN_COUNT_SHARE).clamp(1, OPEN_COUNT_INTERVAL) as u32;
            self.limit_open_across(sink);
        }
    }

    /// Closes the least recently seen tenth of a kind of open state in
    /// all appliances together once they hold more than `max_open` of it.
    /// Each appliance keeps within the limit by itself, so that only a run
    /// of many appliances reaches it.
    fn limit_open_across(&mut self, sink: &mut dyn RecordSink) {
        if self.appliances.len() < 2 {
            return;
        }
        let mut open = [0usize; 3];
        for appliance in &self.appliances {
            for (total, count) in open.iter_mut().zip(appliance.open_counts()) {
                *total += count;
            }
        }
        let limit = self.options.max_open.max(10);
        for (kind, total) in OPEN_KINDS.into_iter().zip(open) {
            if total > limit {
                self.evict_across(kind, sink);
            }
        }
    }

    /// Closes the least recently seen tenth of the open state of `kind`
    /// in all appliances together, by their local clocks.
    fn evict_across(&mut self, kind: OpenKind, sink: &mut dyn RecordSink) {
        let mut seen: Vec<(i64, usize, u64)> = Vec::new();
        for (index, appliance) in self.appliances.iter().enumerate() {
            match kind {
                OpenKind::Message => seen.extend(
                    appliance
                        .messages
                        .values()
                        .map(|message| (message.last_seen, index, message.mid)),
                ),
                OpenKind::Connection(direction) => {
                    let connections = match direction {
                        Direction::Inbound => &appliance.icids,
                        Direction::Outbound => &appliance.dcids,
                    };
                    seen.extend(
                        connections
                            .values()
                            .map(|connection| (connection.last_seen, index, connection.id)),
                    );
                }
            }
        }
        let count = seen.len() / 10;
        if count == 0 {
            return;
        }
        seen.select_nth_unstable(count);
        seen.truncate(count);
        seen.sort_unstable();
        let limits = self.limits;
        for &(_, index, id) in &seen {
            let Some(appliance) = self.appliances.get_mut(index) else {
                continue;
            };
            let mut state = State {
                appliance,
                limits,
                options: &self.options,
                expect_consolidated: self.expect_consolidated,
                stats: &mut self.stats,
                texts: &mut self.texts,
                sink,
            };
            state.stats.evicted += 1;
            match kind {
                OpenKind::Message => state.emit_message(id, false),
                OpenKind::Connection(direction) => {
                    // A connection whose close line was read is complete:
                    // it keeps its verdict.
                    if let Some(connection) = state.connections(direction).get_mut(&id) {
                        connection.evicted = !connection.close_seen;
                    }
                    state.emit_connection(direction, id);
                }
            }
        }
    }

    /// Emits the finished messages and closed connections that wait for
    /// lines of their last second, without waiting: for a followed log that
    /// has gone quiet.
    pub fn emit_waiting(&mut self, sink: &mut dyn RecordSink) {
        let limits = self.limits;
        for appliance in &mut self.appliances {
            let mut state = State {
                appliance,
                limits,
                options: &self.options,
                expect_consolidated: self.expect_consolidated,
                stats: &mut self.stats,
                texts: &mut self.texts,
                sink,
            };
            let clock = state.appliance.clock;
            state.appliance.clock = i64::MAX;
            state.emit_due_connections();
            state.emit_due_messages();
            state.appliance.clock = clock;
        }
    }

    /// Emits every finished record that still waits, as
    /// [`Self::emit_waiting`] does, and the finished messages waiting for
    /// their consolidated event without it: for a run that ends before its
    /// input does, whose open records are left out.
    pub fn emit_finished(&mut self, sink: &mut dyn RecordSink) {
        self.emit_waiting(sink);
        for appliance in &mut self.appliances {
            appliance.write_held(sink);
        }
    }

    /// Applies one consolidated event, read at `line`. `offset` is the UTC
    /// offset of the appliance's clock for the event's own times, when
    /// known.
    pub fn push_consolidated(
        &mut self,
        appliance: ApplianceId,
        time: Option<LogTime>,
        offset: Option<i32>,
        event: &ConsolidatedEvent<'_>,
        line: EventLine<'_>,
        sink: &mut dyn RecordSink,
    ) {
        self.stats.consolidated_events += 1;
        let Some(mid) = event.mid else {
            self.stats.consolidated_without_mid += 1;
            return;
        };
        let limits = self.limits;
        let Some(state_appliance) = self.appliances.get_mut(appliance.0 as usize) else {
            return;
        };
        if let Some(time) = time {
            let now = time.local_seconds();
            if !state_appliance.clock_set || now > state_appliance.clock {
                state_appliance.clock = now;
                state_appliance.clock_set = true;
            }
        }
        self.expect_consolidated = true;
        let mut facts = Facts::from_event(event, offset);
        if self.options.keep_evidence {
            facts.evidence.push(Evidence {
                source: line.source,
                line: line.line,
                text: Arc::from(line.text),
            });
        }
        let mut state = State {
            appliance: state_appliance,
            limits,
            options: &self.options,
            expect_consolidated: true,
            stats: &mut self.stats,
            texts: &mut self.texts,
            sink,
        };
        state.release_held();
        state.apply_consolidated(mid, facts);
    }

    /// Emits every record still open, in the order of appliance, then start
    /// time, then id, and returns the run's counts.
    pub fn finish(mut self, sink: &mut dyn RecordSink) -> CorrelateStats {
        for appliance in &mut self.appliances {
            let host = appliance.name.clone();
            let mut messages: Vec<Box<Message>> =
                appliance.messages.drain().map(|(_, m)| m).collect();
            messages.sort_by_cached_key(|m| {
                (!m.finish_seen, m.started.map(|t| t.local_seconds()), m.mid)
            });
            appliance.finishing.clear();
            for mut message in messages {
                let finished = message.finish_seen;
                if !finished {
                    self.stats.open_messages_at_end += 1;
                }
                let facts = message
                    .facts
                    .take()
                    .map(|facts| *facts)
                    .or_else(|| appliance.consolidated.remove(&message.mid));
                let mut record = message.into_record(host.clone(), finished);
                if let Some(facts) = facts {
                    merge_counted(&mut record, facts, &mut self.stats);
                }
                sink.message(record);
            }
            appliance.write_held(sink);
            let mut facts: Vec<(u64, Facts)> = appliance.consolidated.drain().collect();
            facts.sort_by_cached_key(|(mid, facts)| (facts.start.map(|t| t.local_seconds()), *mid));
            for (mid, facts) in facts {
                self.stats.consolidated_only += 1;
                sink.message(facts.into_record(host.clone(), mid));
            }
            let mut connections: Vec<Box<Connection>> = appliance
                .icids
                .drain()
                .chain(appliance.dcids.drain())
                .map(|(_, c)| c)
                .collect();
            connections
                .sort_by_cached_key(|c| (c.direction, c.opened.map(|t| t.local_seconds()), c.id));
            for connection in connections {
                if !connection.close_seen {
                    self.stats.open_connections_at_end += 1;
                }
                sink.connection(connection.into_record(host.clone()));
            }
            appliance.closing.clear();
        }
        self.stats
    }
}

/// The borrowed parts of a correlator that one entry works on.
struct State<'s> {
    appliance: &'s mut Appliance,
    limits: RecentLimits,
    options: &'s CorrelateOptions,
    expect_consolidated: bool,
    stats: &'s mut CorrelateStats,
    texts: &'s mut TextPool,
    sink: &'s mut dyn RecordSink,
}

/// Returns `<>` for the empty address of a bounce's sender, which the log
/// writes as `From: <>`, so that it cannot be taken for a missing value.
fn null_path(address: &str) -> &str {
    if address.is_empty() {
        "<>"
    } else {
        address
    }
}

/// Returns the ids of the tenth of `seen` (last-seen time, id) pairs seen
/// least recently, in that order.
fn least_recent_tenth(mut seen: Vec<(i64, u64)>) -> Vec<u64> {
    let count = seen.len() / 10;
    if count == 0 {
        return Vec::new();
    }
    seen.select_nth_unstable(count);
    seen.truncate(count);
    seen.sort_unstable();
    seen.into_iter().map(|(_, id)| id).collect()
}

/// Joins `facts` into `record` and counts the join.
fn merge_counted(record: &mut MessageRecord, facts: Facts, stats: &mut CorrelateStats) {
    consolidated::merge(record, facts);
    stats.merged += 1;
    if !record.conflicts.is_empty() {
        stats.conflicting += 1;
    }
}

/// Adds `evidence` to `list` when the run keeps evidence. The check is
/// inlined into every caller, since most runs keep none.
#[inline(always)]
fn push_evidence(list: &mut Vec<Evidence>, evidence: &Option<Evidence>) {
    if let Some(evidence) = evidence {
        push_evidence_line(list, evidence);
    }
}

#[inline(never)]
fn push_evidence_line(list: &mut Vec<Evidence>, evidence: &Evidence) {
    if list.len() < MAX_EVIDENCE_LINES && list.last() != Some(evidence) {
        list.push(evidence.clone());
    }
}

impl State<'_> {
    fn host(&self) -> Option<Arc<str>> {
        self.appliance.name.clone()
    }

    fn connections(&mut self, direction: Direction) -> &mut HashMap<u64, Box<Connection>> {
        match direction {
            Direction::Inbound => &mut self.appliance.icids,
            Direction::Outbound => &mut self.appliance.dcids,
        }
    }

    fn recently_closed(&mut self, direction: Direction) -> &mut RecentIds {
        match direction {
            Direction::Inbound => &mut self.appliance.closed_icids,
            Direction::Outbound => &mut self.appliance.closed_dcids,
        }
    }

    /// Emits connections whose grace period after closing has passed.
    fn emit_due_connections(&mut self) {
        while let Some(&(due, direction, id)) = self.appliance.closing.front() {
            if due > self.appliance.clock {
                break;
            }
            self.appliance.closing.pop_front();
            let clock = self.appliance.clock;
            let still_closed = self
                .connections(direction)
                .get(&id)
                .is_some_and(|c| c.close_seen && c.close_clock + CLOSE_GRACE_SECONDS <= clock);
            if still_closed {
                self.emit_connection(direction, id);
            }
        }
    }

    fn emit_connection(&mut self, direction: Direction, id: u64) {
        if let Some(connection) = self.connections(direction).remove(&id) {
            let limit = self.limits.closed_ids;
            self.recently_closed(direction).insert(id, limit);
            let host = self.host();
            self.sink.connection(connection.into_record(host));
        }
    }

    fn emit_message(&mut self, mid: u64, finished: bool) {
        let Some(mut message) = self.appliance.messages.remove(&mid) else {
            return;
        };
        let finished = finished || message.finish_seen;
        // Lines that come later for this MID (after an early close too)
        // count as late instead of starting a second record.
        self.appliance
            .finished_mids
            .insert(mid, self.limits.closed_ids);
        self.appliance
            .finished_inbound
            .remember(mid, &message, self.limits.inherited);
        let host = self.host();
        let facts = message
            .facts
            .take()
            .map(|facts| *facts)
            .or_else(|| self.appliance.consolidated.remove(&mid));
        let mut record = message.into_record(host, finished);
        match facts {
            Some(facts) => {
                merge_counted(&mut record, facts, self.stats);
                self.sink.message(record);
            }
            None if self.expect_consolidated && finished => {
                // `emit_waiting` runs this with the clock at its maximum.
                let due = self
                    .appliance
                    .clock
                    .saturating_add(CONSOLIDATED_WAIT_SECONDS);
                self.appliance.held_order.push_back((due, mid));
                if let Some(old) = self.appliance.held.insert(mid, record) {
                    self.sink.message(old);
                }
                // Records waiting for their consolidated event count as
                // open messages for the limit.
                let limit = self.options.max_open.max(1);
                while self.appliance.held.len() > limit {
                    let Some((_, mid)) = self.appliance.held_order.pop_front() else {
                        break;
                    };
                    if let Some(record) = self.appliance.held.remove(&mid) {
                        self.sink.message(record);
                    }
                }
            }
            None => self.sink.message(record),
        }
    }

    /// Emits finished messages whose grace second has passed.
    fn emit_due_messages(&mut self) {
        while let Some(&(due, mid)) = self.appliance.finishing.front() {
            if due > self.appliance.clock {
                break;
            }
            self.appliance.finishing.pop_front();
            if self
                .appliance
                .messages
                .get(&mid)
                .is_some_and(|message| message.finish_seen)
            {
                self.emit_message(mid, true);
            }
        }
    }

    /// Emits the oldest finished messages while more than
    /// [`MAX_WAITING`] wait out their grace second.
    fn limit_finishing(&mut self) {
        while self.appliance.finishing.len() > MAX_WAITING {
            self.emit_oldest_finished();
        }
    }

    /// Writes the message that finished first, if it is still waiting,
    /// before its grace second is over.
    fn emit_oldest_finished(&mut self) {
        let Some((_, mid)) = self.appliance.finishing.pop_front() else {
            return;
        };
        let finished = self
            .appliance
            .messages
            .get(&mid)
            .is_some_and(|message| message.finish_seen);
        if finished {
            self.emit_message(mid, true);
        }
    }

    /// Writes the finished messages whose wait for a consolidated event is
    /// over.
    fn release_held(&mut self) {
        while let Some(&(due, mid)) = self.appliance.held_order.front() {
            if due > self.appliance.clock {
                break;
            }
            self.appliance.held_order.pop_front();
            if let Some(record) = self.appliance.held.remove(&mid) {
                self.sink.message(record);
            }
        }
    }

    /// Joins a consolidated event to its message: the open one, a finished
    /// one still waiting, or none yet (the facts then wait for the text
    /// log's record, or are written alone at the end).
    fn apply_consolidated(&mut self, mid: u64, facts: Facts) {
        if let Some(message) = self.appliance.messages.get_mut(&mid) {
            match &mut message.facts {
                Some(known) => known.absorb(facts),
                None => message.facts = Some(Box::new(facts)),
            }
            return;
        }
        if let Some(mut record) = self.appliance.held.remove(&mid) {
            merge_counted(&mut record, facts, self.stats);
            self.sink.message(record);
            return;
        }
        if self.appliance.finished_mids.contains(mid) {
            self.stats.consolidated_too_late += 1;
            return;
        }
        match self.appliance.consolidated.entry(mid) {
            MapEntry::Occupied(mut entry) => entry.get_mut().absorb(facts),
            MapEntry::Vacant(entry) => {
                entry.insert(facts);
            }
        }
        let limit = self.options.max_open.max(10);
        if self.appliance.consolidated.len() > limit {
            let mut mids: Vec<u64> = self.appliance.consolidated.keys().copied().collect();
            let count = mids.len() / 10;
            mids.select_nth_unstable(count);
            mids.truncate(count);
            mids.sort_unstable();
            let host = self.host();
            for mid in mids {
                if let Some(facts) = self.appliance.consolidated.remove(&mid) {
                    self.stats.evicted += 1;
                    self.stats.consolidated_only += 1;
                    self.sink.message(facts.into_record(host.clone(), mid));
                }
            }
        }
    }

    /// Closes connections and messages that saw no line for the idle limit.
    fn sweep(&mut self) {
        let cutoff = self.appliance.clock - self.options.max_idle_seconds;
        self.appliance.next_sweep = self.appliance.clock + SWEEP_INTERVAL_SECONDS;
        let mut idle_mids: Vec<u64> = self
            .appliance
            .messages
            .values()
            .filter(|m| m.last_seen < cutoff)
            .map(|m| m.mid)
            .collect();
        idle_mids.sort_unstable();
        for mid in idle_mids {
            self.stats.expired += 1;
            self.emit_message(mid, false);
        }
        for direction in [Direction::Inbound, Direction::Outbound] {
            let mut idle: Vec<u64> = self
                .connections(direction)
                .values()
                .filter(|c| c.last_seen < cutoff)
                .map(|c| c.id)
                .collect();
            idle.sort_unstable();
            for id in idle {
                self.stats.expired += 1;
                self.emit_connection(direction, id);
            }
        }
    }

    /// Closes the least recently seen tenth of a kind of state once it holds
    /// more than `max_open` entries.
    fn enforce_open_limit(&mut self) {
        let limit = self.options.max_open.max(10);
        let appliance = &*self.appliance;
        if appliance.messages.len() <= limit
            && appliance.icids.len() <= limit
            && appliance.dcids.len() <= limit
        {
            return;
        }
        // Finished messages and closed connections that wait out their
        // grace period go first: they are complete, so writing them early
        // loses only a line that would come later in their last second.
        while self.appliance.messages.len() > limit && !self.appliance.finishing.is_empty() {
            self.emit_oldest_finished();
        }
        while (self.appliance.icids.len() > limit || self.appliance.dcids.len() > limit)
            && !self.appliance.closing.is_empty()
        {
            self.emit_oldest_closed();
        }
        if self.appliance.messages.len() > limit {
            let seen = self
                .appliance
                .messages
                .values()
                .map(|m| (m.last_seen, m.mid));
            for mid in least_recent_tenth(seen.collect()) {
                self.stats.evicted += 1;
                self.emit_message(mid, false);
            }
        }
        for direction in [Direction::Inbound, Direction::Outbound] {
            if self.connections(direction).len() <= limit {
                continue;
            }
            let seen = self
                .connections(direction)
                .values()
                .map(|c| (c.last_seen, c.id));
            for id in least_recent_tenth(seen.collect()) {
                self.stats.evicted += 1;
                if let Some(connection) = self.connections(direction).get_mut(&id) {
                    connection.evicted = true;
                }
                self.emit_connection(direction, id);
            }
        }
    }

    /// Returns the connection `id`, adding it if it is not known. Returns
    /// `None` for id 0 and for a connection emitted a moment ago, so that a
    /// stray line about it does not start a second record.
    fn touch_connection(&mut self, direction: Direction, id: u64) -> Option<&mut Connection> {
        if id == 0 {
            return None;
        }
        let appliance = &mut *self.appliance;
        let clock = appliance.clock;
        let (connections, closed) = match direction {
            Direction::Inbound => (&mut appliance.icids, &appliance.closed_icids),
            Direction::Outbound => (&mut appliance.dcids, &appliance.closed_dcids),
        };
        let connection = match connections.entry(id) {
            MapEntry::Occupied(entry) => entry.into_mut(),
            MapEntry::Vacant(entry) => {
                if closed.contains(id) {
                    return None;
                }
                entry.insert(Box::new(Connection::new(direction, id, clock)))
            }
        };
        connection.last_seen = clock;
        Some(connection)
    }

    /// Returns the message `mid`, adding it if it is not known. Returns
    /// `None` for a message that finished a moment ago.
    fn touch_message(&mut self, mid: u64) -> Option<&mut Message> {
        let appliance = &mut *self.appliance;
        let clock = appliance.clock;
        let message = match appliance.messages.entry(mid) {
            MapEntry::Occupied(entry) => entry.into_mut(),
            MapEntry::Vacant(entry) => {
                if appliance.finished_mids.contains(mid) {
                    self.stats.late_lines += 1;
                    return None;
                }
                entry.insert(Box::new(Message::new(mid, clock)))
            }
        };
        message.last_seen = clock;
        Some(message)
    }

    fn apply(&mut self, entry: &Entry<'_>, now: i64, evidence: Option<Evidence>) {
        match *entry.event {
            Event::IcidOpen {
                icid,
                interface,
                remote_ip,
                remote_host,
            } => {
                self.open_connection(Direction::Inbound, icid, entry.time, &evidence);
                if self.options.keep_details {
                    if let Some(connection) = self.appliance.icids.get_mut(&icid) {
                        connection.interface = interface.map(bounded);
                        connection.remote_ip = remote_ip.map(bounded);
                        connection.remote_host = remote_host.map(bounded);
                    }
                }
                self.revise_recent(Direction::Inbound, icid, now, &evidence);
            }
            Event::IcidPolicy { icid, .. } => {
                if let Some(connection) = self.touch_connection(Direction::Inbound, icid) {
                    push_evidence(&mut connection.evidence, &evidence);
                }
            }
            Event::IcidTls { icid, ref outcome } => {
                self.connection_tls(Direction::Inbound, icid, None, outcome, now, &evidence);
            }
            Event::IcidClose { icid, .. } => {
                self.close_connection(Direction::Inbound, icid, entry.time, &evidence);
            }
            Event::DcidOpen {
                dcid,
                interface,
                remote_ip,
                ..
            } => {
                self.open_connection(Direction::Outbound, dcid, entry.time, &evidence);
                let keep_details = self.options.keep_details;
                if let Some(connection) =
                    self.appliance.dcids.get_mut(&dcid).filter(|_| keep_details)
                {
                    connection.interface = interface.map(bounded);
                    if remote_ip.is_some() {
                        connection.remote_ip = remote_ip.map(bounded);
                    }
                }
                self.revise_recent(Direction::Outbound, dcid, now, &evidence);
            }
            Event::DcidTls {
                dcid,
                remote_ip,
                ref outcome,
            } => {
                self.connection_tls(
                    Direction::Outbound,
                    dcid,
                    remote_ip,
                    outcome,
                    now,
                    &evidence,
                );
            }
            Event::DcidClose { dcid } => {
                self.close_connection(Direction::Outbound, dcid, entry.time, &evidence);
            }
            Event::ConnectionError {
                dcid,
                remote_ip,
                details,
                reason,
            } => {
                if let Some(connection) = self.touch_connection(Direction::Outbound, dcid) {
                    let text = match (reason, details) {
                        (Some(reason), Some(details)) => format!("{reason} ({details})"),
                        (Some(text), None) | (None, Some(text)) => text.to_string(),
                        (None, None) => "connection error".to_string(),
                    };
                    connection.error = Some(bounded(&text));
                    if connection.remote_ip.is_none() {
                        connection.remote_ip = remote_ip.map(bounded);
                    }
                    push_evidence(&mut connection.evidence, &evidence);
                }
            }
            Event::MessageStart { mid, icid } => {
                self.start_message(mid, icid, entry.time, now, &evidence);
            }
            Event::MessageFrom { mid, icid, sender } => {
                self.touch_icid_of(icid);
                let keep_details = self.options.keep_details;
                if let Some(message) = self.touch_message(mid) {
                    if keep_details {
                        message.sender = Some(bounded(null_path(sender)));
                    }
                    push_evidence(&mut message.evidence, &evidence);
                }
            }
            Event::MessageTo {
                mid,
                icid,
                rid,
                address,
                ..
            } => {
                self.touch_icid_of(icid);
                let limit = self.options.max_recipients;
                let mut dropped = false;
                let mut split_from = None;
                if let Some(message) = self.touch_message(mid) {
                    push_evidence(&mut message.evidence, &evidence);
                    if let Some(rid) = rid {
                        match message.recipient(rid, limit) {
                            Some(recipient) => {
                                recipient.address = Some(bounded(null_path(address)));
                            }
                            None => {
                                message.recipients_dropped += 1;
                                dropped = true;
                            }
                        }
                        if let Some((origin, Derivation::Split)) = message.origin {
                            split_from = Some(origin);
                        }
                    }
                }
                if dropped {
                    self.stats.recipients_dropped += 1;
                }
                if let Some(origin) = split_from {
                    if let Some(parent) = self.appliance.messages.get_mut(&origin) {
                        parent.moved.push(bounded(address));
                    }
                }
            }
            Event::MessageId { mid, message_id } => {
                let keep_details = self.options.keep_details;
                if let Some(message) = self.touch_message(mid).filter(|_| keep_details) {
                    message.message_id = Some(bounded(&message_id.decode()));
                    push_evidence(&mut message.evidence, &evidence);
                }
            }
            Event::MessageSubject { mid, subject } => {
                let keep_details = self.options.keep_details;
                if let Some(message) = self.touch_message(mid).filter(|_| keep_details) {
                    message.subject = Some(bounded(&subject.decode()));
                    push_evidence(&mut message.evidence, &evidence);
                }
            }
            Event::MessageReady { mid, bytes } => {
                if let Some(message) = self.touch_message(mid) {
                    message.size = Some(bytes);
                    push_evidence(&mut message.evidence, &evidence);
                }
            }
            Event::MessageDerived {
                mid,
                origin,
                derivation,
            } => self.derive_message(mid, origin, derivation, &evidence),
            Event::MessageQueued { mid } => {
                if let Some(message) = self.touch_message(mid) {
                    push_evidence(&mut message.evidence, &evidence);
                }
            }
            Event::MessageResponse {
                mid,
                rids,
                response,
            } => {
                // The line names the message and its recipients whether or
                // not the text is kept, so that every output counts them
                // alike.
                let text = self
                    .options
                    .keep_details
                    .then(|| bounded(&response.decode()));
                self.for_recipients(mid, rids, &evidence, |recipient| {
                    if let Some(text) = &text {
                        recipient.response = Some(text.clone());
                    }
                });
            }
            Event::MessagePending { mid, rids } => {
                self.for_recipients(mid, rids, &evidence, |recipient| {
                    if !matches!(
                        recipient.progress,
                        Progress::Delivered | Progress::Bounced | Progress::Dropped
                    ) {
                        recipient.progress = Progress::Delayed;
                    }
                });
            }
            Event::MessageAborted { mid, reason } => {
                if let Some(message) = self.touch_message(mid) {
                    message.abort(reason);
                    push_evidence(&mut message.evidence, &evidence);
                }
            }
            Event::MessageFinished { mid } => {
                let due = self.appliance.clock + FINISH_GRACE_SECONDS;
                if let Some(message) = self.touch_message(mid) {
                    message.finished = entry.time;
                    push_evidence(&mut message.evidence, &evidence);
                    if !message.finish_seen {
                        message.finish_seen = true;
                        self.appliance.finishing.push_back((due, mid));
                        self.limit_finishing();
                    }
                }
            }
            Event::DeliveryStart { dcid, mid, rids } => {
                self.delivery(dcid, mid, rids, now, &evidence, None);
            }
            Event::DeliveryDone { dcid, mid, rids } => {
                self.delivery(
                    dcid,
                    mid,
                    rids,
                    now,
                    &evidence,
                    Some((Progress::Delivered, "")),
                );
            }
            Event::Bounced {
                dcid,
                mid,
                rids,
                reason,
            } => {
                self.delivery(
                    dcid,
                    mid,
                    rids,
                    now,
                    &evidence,
                    Some((Progress::Bounced, reason)),
                );
            }
            Event::Delayed {
                dcid,
                mid,
                rids,
                reason,
            } => {
                self.delivery(
                    dcid,
                    mid,
                    rids,
                    now,
                    &evidence,
                    Some((Progress::Delayed, reason)),
                );
            }
            Event::Note {
                mid, icid, dcid, ..
            } => {
                if let Some(icid) = icid {
                    if let Some(connection) = self.touch_connection(Direction::Inbound, icid) {
                        push_evidence(&mut connection.evidence, &evidence);
                    }
                }
                if let Some(dcid) = dcid {
                    if let Some(connection) = self.touch_connection(Direction::Outbound, dcid) {
                        push_evidence(&mut connection.evidence, &evidence);
                    }
                }
                if let Some(mid) = mid {
                    if let Some(message) = self.touch_message(mid) {
                        push_evidence(&mut message.evidence, &evidence);
                    }
                }
            }
            Event::BeginLogfile
            | Event::EndLogfile
            | Event::Version { .. }
            | Event::TimeOffset { .. }
            | Event::Unknown => {}
        }
    }

    fn touch_icid_of(&mut self, icid: Option<u64>) {
        if let Some(icid) = icid {
            self.touch_connection(Direction::Inbound, icid);
        }
    }

    /// Handles a `New SMTP ICID|DCID` line. An id that is already open with
    /// its own opening line belongs to an older connection: the appliance's
    /// counter restarted, so the old record is closed first.
    fn open_connection(
        &mut self,
        direction: Direction,
        id: u64,
        time: Option<LogTime>,
        evidence: &Option<Evidence>,
    ) {
        if id == 0 {
            return;
        }
        let reused = self
            .connections(direction)
            .get(&id)
            .is_some_and(|c| c.open_seen || c.close_seen);
        if reused {
            self.stats.id_reuses += 1;
            self.emit_connection(direction, id);
        }
        self.recently_closed(direction).remove(id);
        if let Some(connection) = self.touch_connection(direction, id) {
            connection.open_seen = true;
            connection.opened = time;
            push_evidence(&mut connection.evidence, evidence);
        }
    }

    fn connection_tls(
        &mut self,
        direction: Direction,
        id: u64,
        remote_ip: Option<&str>,
        outcome: &TlsOutcome<'_>,
        now: i64,
        evidence: &Option<Evidence>,
    ) {
        // Taken out for the call, as the connection borrows the state.
        let mut texts = std::mem::take(self.texts);
        let found = match self.touch_connection(direction, id) {
            Some(connection) => {
                connection.apply_tls(outcome, now, &mut texts);
                if connection.remote_ip.is_none() {
                    connection.remote_ip = remote_ip.map(bounded);
                }
                push_evidence(&mut connection.evidence, evidence);
                true
            }
            None => false,
        };
        *self.texts = texts;
        if found {
            self.revise_recent(direction, id, now, evidence);
        }
    }

    fn close_connection(
        &mut self,
        direction: Direction,
        id: u64,
        time: Option<LogTime>,
        evidence: &Option<Evidence>,
    ) {
        let clock = self.appliance.clock;
        let Some(connection) = self.touch_connection(direction, id) else {
            return;
        };
        connection.close_seen = true;
        connection.closed = time.or(connection.closed);
        connection.close_clock = clock;
        push_evidence(&mut connection.evidence, evidence);
        self.appliance
            .closing
            .push_back((clock + CLOSE_GRACE_SECONDS, direction, id));
        // The queue contains both directions, so it keeps twice the limit.
        while self.appliance.closing.len() > 2 * MAX_WAITING {
            self.emit_oldest_closed();
        }
    }

    /// Writes the connection that closed first, if it is still waiting,
    /// before its grace period is over.
    fn emit_oldest_closed(&mut self) {
        let Some((_, direction, id)) = self.appliance.closing.pop_front() else {
            return;
        };
        let closed = self
            .connections(direction)
            .get(&id)
            .is_some_and(|connection| connection.close_seen);
        if closed {
            self.emit_connection(direction, id);
        }
    }

    /// Gives the messages (inbound) or attempts (outbound) that took
    /// connection `id`'s state in second `now` the state as it is now, with
    /// the line that changed it as evidence. Copies that inherited a revised
    /// message's inbound verdict follow it.
    fn revise_recent(
        &mut self,
        direction: Direction,
        id: u64,
        now: i64,
        evidence: &Option<Evidence>,
    ) {
        let appliance = &mut *self.appliance;
        let connections = match direction {
            Direction::Inbound => &appliance.icids,
            Direction::Outbound => &appliance.dcids,
        };
        let Some(connection) = connections.get(&id) else {
            return;
        };
        let recent = connection.recent_in(now);
        if recent.is_empty() {
            return;
        }
        let snapshot = connection.snapshot_at(now);
        let mut heirs = Vec::new();
        for mid in recent {
            let Some(message) = appliance.messages.get_mut(mid) else {
                continue;
            };
            match direction {
                Direction::Inbound => {
                    if message.icid == Some(id)
                        && message.start_second == now
                        && !message.inbound.inherited
                    {
                        message.inbound.tls = snapshot.clone();
                        message.inbound.remote_ip = connection.remote_ip.clone();
                        message.inbound.remote_host = connection.remote_host.clone();
                        push_evidence(&mut message.evidence, evidence);
                        heirs.extend(message.heirs.iter().copied());
                    }
                }
                Direction::Outbound => {
                    let mut revised = false;
                    for recipient in &mut message.recipients {
                        if let Some(attempt) = &mut recipient.attempt {
                            if attempt.dcid == id && attempt.second == now {
                                attempt.tls = snapshot.clone();
                                if connection.remote_ip.is_some() {
                                    attempt.remote_ip = connection.remote_ip.clone();
                                }
                                revised = true;
                            }
                        }
                    }
                    if revised {
                        push_evidence(&mut message.evidence, evidence);
                    }
                }
            }
        }
        // Heirs of heirs follow too; the list only grows by copies made from
        // copies, which is bounded by the messages open.
        let mut index = 0;
        while index < heirs.len() {
            let heir = heirs[index];
            index += 1;
            if let Some(message) = appliance.messages.get_mut(&heir) {
                if message.inbound.inherited {
                    message.inbound.tls = snapshot.clone();
                    message.inbound.remote_ip = connection.remote_ip.clone();
                    message.inbound.remote_host = connection.remote_host.clone();
                    for next in &message.heirs {
                        if !heirs.contains(next) {
                            heirs.push(*next);
                        }
                    }
                }
            }
        }
    }

    fn start_message(
        &mut self,
        mid: u64,
        icid: u64,
        time: Option<LogTime>,
        now: i64,
        evidence: &Option<Evidence>,
    ) {
        if let Some(old) = self.appliance.messages.get(&mid) {
            if old.start_seen {
                // A second start for a MID: the counter restarted.
                if !old.finish_seen {
                    self.stats.id_reuses += 1;
                }
                self.emit_message(mid, false);
            }
        }
        self.appliance.finished_mids.remove(mid);
        let keep_evidence = self.options.keep_evidence;
        let mut inbound = None;
        let mut connection_evidence = Vec::new();
        if icid != 0 {
            if let Some(connection) = self.touch_connection(Direction::Inbound, icid) {
                inbound = Some((
                    connection.snapshot_at(now),
                    connection.remote_ip.clone(),
                    connection.remote_host.clone(),
                ));
                connection.count_message(mid);
                connection.remember(mid, now);
                if keep_evidence {
                    connection_evidence = connection.evidence.clone();
                }
            }
        }
        let Some(message) = self.touch_message(mid) else {
            return;
        };
        message.start_seen = true;
        message.started = time;
        message.start_second = now;
        // A split copy is logged with ICID 0 but came in on its original's
        // connection, whichever of the two lines came first.
        if !(message.inbound.inherited && icid == 0) {
            message.icid = Some(icid);
        }
        if !message.inbound.inherited {
            match inbound {
                Some((tls, remote_ip, remote_host)) => {
                    message.inbound.tls = tls;
                    message.inbound.remote_ip = remote_ip;
                    message.inbound.remote_host = remote_host;
                }
                None if icid == 0 => message.inbound.tls.state = TlsState::Internal,
                None => {}
            }
        }
        let mut merged = connection_evidence;
        merged.append(&mut message.evidence);
        message.evidence = merged;
        push_evidence(&mut message.evidence, evidence);
    }

    fn derive_message(
        &mut self,
        mid: u64,
        origin: u64,
        derivation: Derivation,
        evidence: &Option<Evidence>,
    ) {
        let inherits = matches!(
            derivation,
            Derivation::Split | Derivation::Rewritten | Derivation::Reinjected
        );
        let parent = match self.appliance.messages.get_mut(&origin) {
            Some(parent) => {
                push_evidence(&mut parent.evidence, evidence);
                if inherits && !parent.heirs.contains(&mid) {
                    parent.heirs.push(mid);
                }
                // A replacement and a release from the quarantine deliver
                // to every recipient of the original.
                if matches!(derivation, Derivation::Rewritten | Derivation::Reinjected) {
                    parent.rewritten = true;
                }
                Some(Inheritance::of(parent))
            }
            None => self.appliance.finished_inbound.get(origin).cloned(),
        };
        let Some(child) = self.touch_message(mid) else {
            return;
        };
        child.origin = Some((origin, derivation));
        push_evidence(&mut child.evidence, evidence);
        let taken_over: Vec<Arc<str>> = if derivation == Derivation::Split {
            child
                .recipients
                .iter()
                .filter_map(|recipient| recipient.address.clone())
                .collect()
        } else {
            Vec::new()
        };
        match derivation {
            Derivation::Split | Derivation::Rewritten | Derivation::Reinjected => {
                if let Some(parent) = parent {
                    let texts = parent.texts.map(|texts| *texts).unwrap_or_default();
                    child.inbound.tls = Arc::unwrap_or_clone(parent.tls);
                    child.inbound.remote_ip = texts.remote_ip;
                    child.inbound.remote_host = texts.remote_host;
                    child.inbound.inherited = true;
                    if child.icid.is_none_or(|value| value == 0) {
                        child.icid = parent.icid;
                    }
                    // The copy is the same message: it is found by the
                    // original's Message-ID too.
                    child.sender = child.sender.take().or(texts.sender);
                    child.message_id = child.message_id.take().or(texts.message_id);
                    child.subject = child.subject.take().or(texts.subject);
                }
            }
            Derivation::Generated | Derivation::Bounce => {
                child.inbound.tls = Default::default();
                child.inbound.tls.state = TlsState::Internal;
                child.inbound.remote_ip = None;
                child.inbound.remote_host = None;
            }
        }
        if !taken_over.is_empty() {
            if let Some(parent) = self.appliance.messages.get_mut(&origin) {
                parent.moved.extend(taken_over);
            }
        }
    }

    fn for_recipients(
        &mut self,
        mid: u64,
        rids: RidList<'_>,
        evidence: &Option<Evidence>,
        mut update: impl FnMut(&mut message::Recipient),
    ) {
        let limit = self.options.max_recipients;
        if let Some(message) = self.touch_message(mid) {
            push_evidence(&mut message.evidence, evidence);
            for rid in rids.iter() {
                // A recipient past the limit was counted where it was defined.
                if let Some(recipient) = message.recipient(rid, limit) {
                    update(recipient);
                }
            }
        }
    }

    /// Handles `Delivery start` (`result` is `None`), `Message done`,
    /// `Bounced:` and `Delayed:`.
    fn delivery(
        &mut self,
        dcid: u64,
        mid: u64,
        rids: RidList<'_>,
        now: i64,
        evidence: &Option<Evidence>,
        result: Option<(Progress, &str)>,
    ) {
        let keep_evidence = self.options.keep_evidence;
        let keep_details = self.options.keep_details;
        let mut snapshot = None;
        let mut connection_evidence = Vec::new();
        if let Some(connection) = self.touch_connection(Direction::Outbound, dcid) {
            snapshot = Some((connection.snapshot_at(now), connection.remote_ip.clone()));
            if result.is_none() {
                connection.count_message(mid);
            }
            connection.remember(mid, now);
            push_evidence(&mut connection.delivery_evidence, evidence);
            if keep_evidence {
                connection_evidence = connection.evidence.clone();
            }
        }
        let limit = self.options.max_recipients;
        let Some(message) = self.touch_message(mid) else {
            return;
        };
        if keep_evidence && dcid != 0 && !message.evidence_dcids.contains(&dcid) {
            message.evidence_dcids.push(dcid);
            for line in connection_evidence {
                push_evidence(&mut message.evidence, &Some(line));
            }
        }
        push_evidence(&mut message.evidence, evidence);
        let mut result_attempt = false;
        for rid in rids.iter() {
            // A recipient past the limit was counted where it was defined.
            let Some(recipient) = message.recipient(rid, limit) else {
                continue;
            };
            // Lines of one second can be logged in any order: a start on the
            // connection and in the second of a result already seen is the
            // start of that same attempt.
            let start_after_result = result.is_none()
                && !matches!(
                    recipient.progress,
                    Progress::NotAttempted | Progress::InFlight
                )
                && recipient
                    .attempt
                    .as_ref()
                    .is_some_and(|attempt| attempt.dcid == dcid && attempt.second == now);
            if start_after_result {
                continue;
            }
            let new_attempt = match (&recipient.attempt, result) {
                (_, None) => true,
                (_, Some(_)) if dcid == 0 => false,
                (Some(attempt), Some(_)) => attempt.dcid != dcid,
                (None, Some(_)) => true,
            };
            if new_attempt {
                // A result with no `Delivery start` before it is an attempt
                // on that connection all the same.
                result_attempt |= result.is_some() && dcid != 0;
                recipient.attempts += 1;
                recipient.attempt = snapshot.as_ref().map(|(tls, remote_ip)| Attempt {
                    dcid,
                    second: now,
                    tls: tls.clone(),
                    remote_ip: remote_ip.clone(),
                });
            }
            match result {
                None => recipient.progress = Progress::InFlight,
                Some((progress, reason)) => {
                    recipient.progress = progress;
                    recipient.reason = match progress {
                        _ if !keep_details => None,
                        Progress::Delivered => None,
                        _ => Some(bounded(reason)),
                    };
                }
            }
        }
        if result_attempt {
            if let Some(connection) = self.appliance.dcids.get_mut(&dcid) {
                connection.count_message(mid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{
        connection, room_to_grow, Correlator, FinishedInbound, Inheritance, InheritedTexts,
        RecentIds, RecentLimits, TlsState, FINISHED_INHERITANCE,
    };

    #[test]
    fn many_appliances_share_the_recent_state() {
        let limits = |appliances| {
            let limits = RecentLimits::for_appliances(appliances);
            (limits.closed_ids, limits.inherited)
        };
        assert_eq!(limits(0), (8_192, 65_536));
        assert_eq!(limits(16), (8_192, 65_536));
        assert_eq!(limits(17), (7_710, 61_680));
        assert_eq!(limits(64), (2_048, 16_384));
        assert_eq!(limits(10_001), (64, 104));
    }

    #[test]
    fn recent_ids_keep_the_last_ones() {
        let mut recent = RecentIds::default();
        for id in 1..=1_000 {
            recent.insert(id, 64);
        }
        assert!(recent.members.len() <= 128);
        assert!((937..=1_000).all(|id| recent.contains(id)));
        assert!(!recent.contains(1));
    }

    #[test]
    fn finished_inbound_shrinks_to_a_smaller_share() {
        let mut finished = FinishedInbound::default();
        for mid in 0..1_000 {
            finished.push(mid, inheritance(mid), 1_000);
        }
        finished.push(1_000, inheritance(1_000), 100);
        assert_eq!(finished.written.len(), 100);
        assert!(finished.get(900).is_none());
        assert_eq!(finished.get(901).and_then(|found| found.icid), Some(901));
    }

    fn inheritance(icid: u64) -> Inheritance {
        Inheritance {
            tls: Default::default(),
            icid: Some(icid),
            texts: None,
        }
    }

    #[test]
    fn finished_inbound_keeps_the_latest() {
        let mut finished = FinishedInbound::default();
        let total = FINISHED_INHERITANCE as u64 * 3 + 5;
        for mid in 0..total {
            finished.push(mid, inheritance(mid), FINISHED_INHERITANCE);
            // Lookups now and then index what was written since.
            if mid % 10_000 == 0 {
                assert_eq!(finished.get(mid).and_then(|found| found.icid), Some(mid));
            }
        }
        let oldest = total - FINISHED_INHERITANCE as u64;
        assert!(finished.get(oldest - 1).is_none());
        assert_eq!(
            finished.get(oldest).and_then(|found| found.icid),
            Some(oldest)
        );
        assert_eq!(
            finished.get(total - 1).and_then(|found| found.icid),
            Some(total - 1)
        );
        assert!(finished.index.len() <= 2 * FINISHED_INHERITANCE + 1);
        // A MID written again is found with what it left last.
        finished.push(7, inheritance(70), FINISHED_INHERITANCE);
        assert!(finished.get(7).is_some_and(|found| found.icid == Some(70)));
    }

    #[test]
    fn finished_entry_is_small_without_texts() {
        // 65,536 entries per appliance: the TLS state is shared and the
        // texts are boxed, so an entry contains the MID, the ICID and two
        // pointers.
        assert_eq!(std::mem::size_of::<(u64, Inheritance)>(), 40);
    }

    #[test]
    fn written_messages_share_their_tls_state() {
        let mut finished = FinishedInbound::default();
        let protocol: std::sync::Arc<str> = std::sync::Arc::from("TLSv1.3");
        let tls = |state| connection::TlsSnapshot {
            state,
            protocol: Some(protocol.clone()),
            ..Default::default()
        };
        let first = finished.share_tls(&tls(TlsState::Success));
        let second = finished.share_tls(&tls(TlsState::Success));
        let failed = finished.share_tls(&tls(TlsState::Failed));
        assert!(std::sync::Arc::ptr_eq(&first, &second));
        assert!(!std::sync::Arc::ptr_eq(&first, &failed));
        assert_eq!(failed.state, TlsState::Failed);
        assert_eq!(finished.tls_states.len(), 2);
    }

    #[test]
    fn room_doubles_then_takes_the_limit() {
        assert_eq!(room_to_grow(0, 65_536), 64);
        assert_eq!(room_to_grow(64, 65_536), 128);
        assert_eq!(room_to_grow(4_096, 65_536), 8_192);
        assert_eq!(room_to_grow(8_192, 65_536), 65_536);
        assert_eq!(room_to_grow(0, 10), 10);
        assert_eq!(room_to_grow(10, 10), 11);
    }

    #[test]
    fn finished_inbound_grows_in_two_steps() {
        let mut finished = FinishedInbound::default();
        finished.push(1, inheritance(1), 1_000);
        assert_eq!(finished.written.capacity(), 64);
        for mid in 2..=128 {
            finished.push(mid, inheritance(mid), 1_000);
        }
        // 128 is more than an eighth of 1,000.
        assert_eq!(finished.written.capacity(), 128);
        finished.push(129, inheritance(129), 1_000);
        assert_eq!(finished.written.capacity(), 1_000);
        for mid in 130..=2_500 {
            finished.push(mid, inheritance(mid), 1_000);
        }
        assert_eq!(finished.written.capacity(), 1_000);
        assert_eq!(finished.written.len(), 1_000);
        // With more appliances the limit falls, and the queue gives back
        // what it no longer needs.
        finished.push(2_501, inheritance(2_501), 100);
        assert_eq!(finished.written.capacity(), 100);
        assert_eq!(finished.written.len(), 100);
        assert_eq!(
            finished.get(2_402).and_then(|found| found.icid),
            Some(2_402)
        );
        assert!(finished.get(2_401).is_none());
    }

    #[test]
    fn finished_inbound_bounds_the_texts_it_keeps() {
        let mut finished = FinishedInbound::default();
        let long = |mid: u64| Inheritance {
            texts: Some(Box::new(InheritedTexts {
                subject: Some(std::sync::Arc::from("s".repeat(8_192))),
                message_id: Some(std::sync::Arc::from(format!("<{mid}@example.com>"))),
                ..InheritedTexts::default()
            })),
            ..inheritance(mid)
        };

        // 100 messages may keep 38,400 bytes: four of these at a time.
        for mid in 1..=10 {
            finished.push(mid, long(mid), 100);
        }
        assert_eq!(finished.written.len(), 4);
        assert_eq!(finished.text_bytes, 4 * 8_192 + 3 * 15 + 16);
        assert!(finished.get(6).is_none());
        assert_eq!(finished.get(7).and_then(|found| found.icid), Some(7));

        // Short texts take the room back.
        for mid in 11..=110 {
            finished.push(mid, inheritance(mid), 100);
        }
        assert_eq!(finished.written.len(), 100);
        assert_eq!(finished.text_bytes, 0);

        // One message longer than the whole budget is still kept.
        let mut longest = long(111);
        std::sync::Arc::make_mut(&mut longest.tls).cn =
            Some(std::sync::Arc::from("c".repeat(40_000)));
        finished.push(111, longest, 100);
        assert_eq!(finished.written.len(), 1);
        assert_eq!(finished.get(111).and_then(|found| found.icid), Some(111));
    }

    #[test]
    fn earlier_appliances_give_up_their_share() {
        let mut correlator = Correlator::default();
        let first = correlator.appliance(Some("esa0")).0 as usize;
        for id in 1..=20_000 {
            let appliance = &mut correlator.appliances[first];
            appliance.finished_inbound.push(id, inheritance(id), 65_536);
            appliance.finished_mids.insert(id, 8_192);
        }
        assert_eq!(
            correlator.appliances[first].finished_inbound.written.len(),
            20_000
        );
        // The first appliance adds nothing while 99 more are read.
        for number in 1..100 {
            correlator.appliance(Some(&format!("esa{number}")));
        }
        assert_eq!(correlator.limits.inherited, 10_485);
        let appliance = &mut correlator.appliances[first];
        let kept = appliance.finished_inbound.written.len();
        assert!(kept <= 10_485 * 8 / 7, "kept {kept}");
        assert!(kept >= 10_485, "kept {kept}");
        assert!(appliance.finished_mids.members.len() <= 2 * 1_310 * 8 / 7);
        assert!(appliance.finished_mids.contains(20_000));
        assert_eq!(
            appliance
                .finished_inbound
                .get(20_000)
                .and_then(|found| found.icid),
            Some(20_000)
        );
    }

    use crate::pipeline::{run_bytes, RunOptions};
    use crate::record::Collect;

    #[test]
    fn recipients_past_limit_count_once() {
        let mut log = String::from("Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 9\n");
        for rid in 0..5 {
            log.push_str(&format!(
                "Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 9 RID {rid} To: <r{rid}@example.com>\n"
            ));
        }
        log.push_str(
            "Mon Mar  2 10:00:01 2026 Info: Delivery start DCID 3 MID 1 to RID [0, 1, 2, 3, 4]\n\
             Mon Mar  2 10:00:01 2026 Info: Message done DCID 3 MID 1 to RID [0, 1, 2, 3, 4]\n\
             Mon Mar  2 10:00:01 2026 Info: Message finished MID 1 done\n",
        );
        let mut options = RunOptions::default();
        options.correlate.max_recipients = 2;
        let mut records = Collect::default();
        let summary = run_bytes(&[("limit", log.as_bytes())], &options, &mut records);
        assert_eq!(summary.correlation.recipients_dropped, 3);
        assert_eq!(records.messages[0].recipients_dropped, 3);
        assert_eq!(records.messages[0].recipients.len(), 2);
        assert_eq!(
            records.messages[0].recipients[1].status.as_str(),
            "delivered"
        );
    }

    /// Runs `log` and returns the status and attempts of each recipient of
    /// its one message.
    fn results_of(log: &str) -> Vec<(String, u32)> {
        let mut records = Collect::default();
        run_bytes(
            &[("order", log.as_bytes())],
            &RunOptions::default(),
            &mut records,
        );
        assert_eq!(records.messages.len(), 1);
        records.messages[0]
            .recipients
            .iter()
            .map(|r| (r.status.as_str().to_string(), r.attempts))
            .collect()
    }

    #[test]
    fn result_without_start_counts_on_its_connection() {
        let log = "Mon Mar  2 10:00:00 2026 Info: New SMTP DCID 6 interface x address 192.0.2.7 port 25\n\
                   Mon Mar  2 10:00:01 2026 Info: Start MID 2 ICID 0\n\
                   Mon Mar  2 10:00:01 2026 Info: MID 2 ICID 0 RID 0 To: <a@example.com>\n\
                   Mon Mar  2 10:00:31 2026 Info: Delayed: DCID 6 MID 2 to RID [0] - 4.4.1 timed out\n\
                   Mon Mar  2 10:00:32 2026 Info: DCID 6 close\n";
        let mut records = Collect::default();
        run_bytes(
            &[("timeout", log.as_bytes())],
            &RunOptions::default(),
            &mut records,
        );
        assert_eq!(records.connections.len(), 1);
        assert_eq!(records.connections[0].messages, 1);
        assert_eq!(records.messages[0].recipients[0].attempts, 1);
    }

    #[test]
    fn result_logged_before_its_start_in_one_second() {
        let head = "Mon Mar  2 10:00:00 2026 Info: New SMTP DCID 6 interface x address 192.0.2.7 port 25\n\
                    Mon Mar  2 10:00:00 2026 Info: DCID 6 TLS success protocol TLSv1.3 cipher TLS_AES_128_GCM_SHA256\n\
                    Mon Mar  2 10:00:01 2026 Info: Start MID 2 ICID 0\n\
                    Mon Mar  2 10:00:01 2026 Info: MID 2 ICID 0 RID 0 To: <a@example.com>\n\
                    Mon Mar  2 10:00:01 2026 Info: MID 2 ICID 0 RID 1 To: <b@example.com>\n";
        let tail = "Mon Mar  2 10:00:05 2026 Info: Message finished MID 2 done\n";
        // The result of RID 0 and the bounce of RID 1 come first within
        // their second, then the start of the same attempt.
        let log = format!(
            "{head}Mon Mar  2 10:00:04 2026 Info: Message done DCID 6 MID 2 to RID [0]\n\
             Mon Mar  2 10:00:04 2026 Info: Bounced: DCID 6 MID 2 to RID [1] - 5.1.1 unknown user\n\
             Mon Mar  2 10:00:04 2026 Info: Delivery start DCID 6 MID 2 to RID [0, 1]\n{tail}"
        );
        assert_eq!(
            results_of(&log),
            vec![("delivered".to_string(), 1), ("bounced".to_string(), 1)]
        );
        // A start in a later second is a new attempt, here one without a
        // result when the message finished.
        let log = format!(
            "{head}Mon Mar  2 10:00:03 2026 Info: Delayed: DCID 6 MID 2 to RID [0, 1] - 4.2.2 full\n\
             Mon Mar  2 10:00:04 2026 Info: Delivery start DCID 6 MID 2 to RID [0, 1]\n{tail}"
        );
        assert_eq!(
            results_of(&log),
            vec![("unknown".to_string(), 2), ("unknown".to_string(), 2)]
        );
    }
}
