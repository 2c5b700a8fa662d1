//! A discrete-event model of one appliance.
//!
//! Inbound SMTP sessions, message scanning and delivery connections are
//! processes whose next steps wait in one time-ordered queue. Each step
//! writes its log lines through the [`Emitter`] and schedules the steps
//! that follow, so the lines of hundreds of concurrent connections and
//! messages interleave as on a busy appliance. Time advances in
//! milliseconds; lines show the second.
//!
//! No choice depends on the iteration order of a hash map, so the output
//! for a seed is the same in every build.

mod backlog;
mod delivery;
mod inbound;
mod process;

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use crate::emit::Emitter;
use crate::rng::Rng;
use crate::storage::Storage;
use crate::truth::TruthSink;
use crate::vocab::{ALERT_FAILURE, COUNTRIES, OTHER_SYSTEM_LINES, SYSTEM_LINES};
use crate::world::World;
use crate::writer::Level;

use delivery::{Connection, Job, Queue};
use inbound::Session;
use process::Message;

/// A step of one of the model's processes.
#[derive(Debug)]
enum Action {
    /// A new inbound connection arrives.
    Arrival,
    /// The next step of the inbound session of an ICID.
    Session(u64),
    /// The next scanning step of a MID.
    Process(u64),
    /// The next step of a delivery connection; stale when `token` is not
    /// the connection's current one.
    Connection { dcid: u64, token: u32 },
    /// Open delivery connections for a destination's queue if it has room.
    Dispatch(usize),
    /// Delayed recipients are due for another attempt.
    Retry(Job),
    /// An appliance line that names no connection or message.
    System,
}

struct Scheduled {
    at: i64,
    seq: u64,
    action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// The next free id of each of the appliance's three counters.
struct Counters {
    icid: u64,
    mid: u64,
    dcid: u64,
}

/// Constructs of the logs the model writes, counted so that a test can
/// check that its runs covered each of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Construct {
    /// `ICID n TLS success` logged after `Start MID`, in the same second.
    IcidTlsAfterStart,
    /// `ICID n TLS failed` logged after the messages of the session.
    IcidLateFailure,
    /// `TLS success`, then `TLS failed` at teardown.
    IcidSuccessThenFailure,
    /// `ICID n TLS was required but remote host did not initiate it`.
    IcidTlsRequired,
    /// Messages received after `ICID n TLS failed`.
    IcidCleartextAfterFailure,
    /// `DCID n TLS success` logged before `New SMTP DCID n`.
    DcidTlsBeforeOpen,
    /// `DCID n TLS success` logged after `Delivery start`, in the same
    /// second.
    DcidTlsAfterDeliveryStart,
    /// Delivery after `DCID n TLS failed`.
    DcidCleartextAfterFailure,
    /// `DCID n IP a TLS was required but could not be successfully
    /// negotiated`.
    DcidTlsRequired,
    /// `Connection Error: DCID n ...`.
    ConnectionError,
    /// A delivery connection's second or later message.
    ConnectionReuse,
    /// Another attempt for delayed recipients.
    Retry,
    /// Recipients bounced after their last attempt.
    Expired,
    /// `Bounced: DCID 0` for a domain without DNS records.
    DnsBounce,
    /// `MID a was split creating MID b`.
    Split,
    /// `MID b was generated based on MID a by bcc filter`.
    FilterCopy,
    /// `MID b was generated for bounce of MID a`.
    Bounce,
    /// `Message aborted MID m Dropped by CASE`.
    Drop,
    /// A session opened before the logs begin.
    BacklogSession,
    /// A message received before the logs begin.
    BacklogMessage,
    /// A delivery connection opened before the logs begin.
    BacklogConnection,
}

impl Construct {
    pub const ALL: [Construct; 21] = [
        Construct::IcidTlsAfterStart,
        Construct::IcidLateFailure,
        Construct::IcidSuccessThenFailure,
        Construct::IcidTlsRequired,
        Construct::IcidCleartextAfterFailure,
        Construct::DcidTlsBeforeOpen,
        Construct::DcidTlsAfterDeliveryStart,
        Construct::DcidCleartextAfterFailure,
        Construct::DcidTlsRequired,
        Construct::ConnectionError,
        Construct::ConnectionReuse,
        Construct::Retry,
        Construct::Expired,
        Construct::DnsBounce,
        Construct::Split,
        Construct::FilterCopy,
        Construct::Bounce,
        Construct::Drop,
        Construct::BacklogSession,
        Construct::BacklogMessage,
        Construct::BacklogConnection,
    ];
}

/// How often each [`Construct`] was written, indexed like
/// [`Construct::ALL`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    counts: [u64; Construct::ALL.len()],
}

impl Coverage {
    fn add(&mut self, construct: Construct) {
        self.counts[construct as usize] += 1;
    }

    /// Returns how often `construct` was written.
    pub fn count(&self, construct: Construct) -> u64 {
        self.counts[construct as usize]
    }

    /// Adds the counts of another run.
    pub fn merge(&mut self, other: &Coverage) {
        for (count, more) in self.counts.iter_mut().zip(other.counts) {
            *count += more;
        }
    }
}

/// Tunable rates of the model.
#[derive(Clone, Debug)]
pub struct Rates {
    /// Mean inbound connections per second.
    pub connections_per_second: f64,
}

/// One appliance being simulated.
pub struct Simulation<S: Storage, T: TruthSink> {
    rng: Rng,
    /// Local time in milliseconds.
    now: i64,
    seq: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    emit: Emitter<S, T>,
    world: World,
    rates: Rates,
    ids: Counters,
    sessions: HashMap<u64, Session>,
    messages: HashMap<u64, Message>,
    connections: HashMap<u64, Connection>,
    queues: Vec<Queue>,
    coverage: Coverage,
}

impl<S: Storage, T: TruthSink> Simulation<S, T> {
    /// Creates the simulation of appliance `index`, starting at local time
    /// `start` (seconds).
    pub fn new(mut rng: Rng, index: u32, start: i64, rates: Rates, emit: Emitter<S, T>) -> Self {
        let world = World::new(&mut rng, index);
        // Every appliance counts from nearly the same values, so that ids
        // of different appliances overlap.
        let ids = Counters {
            icid: 824_100 + rng.below(50),
            mid: 269_800 + rng.below(50),
            dcid: 112_000 + rng.below(50),
        };
        let queues = world
            .destinations
            .iter()
            .map(|_| Queue::default())
            .collect();
        Simulation {
            rng,
            now: start * 1_000,
            seq: 0,
            queue: BinaryHeap::new(),
            emit,
            world,
            rates,
            ids,
            sessions: HashMap::new(),
            messages: HashMap::new(),
            connections: HashMap::new(),
            queues,
            coverage: Coverage::default(),
        }
    }

    /// Local second of the current time.
    fn second(&self) -> i64 {
        self.now.div_euclid(1_000)
    }

    fn schedule(&mut self, delay_ms: i64, action: Action) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at: self.now + delay_ms.max(0),
            seq: self.seq,
            action,
        }));
    }

    /// Returns a delay in milliseconds between `low` and `high`.
    fn delay(&mut self, low: i64, high: i64) -> i64 {
        self.rng.between(low as u64, high as u64) as i64
    }

    fn next_icid(&mut self) -> u64 {
        self.ids.icid += 1;
        self.ids.icid - 1
    }

    fn next_mid(&mut self) -> u64 {
        self.ids.mid += 1;
        self.ids.mid - 1
    }

    fn next_dcid(&mut self) -> u64 {
        self.ids.dcid += 1;
        self.ids.dcid - 1
    }

    /// Runs until `target_bytes` of log lines are written, then ends the
    /// logs wherever the processes stand.
    pub fn run(mut self, target_bytes: u64) -> (Emitter<S, T>, Coverage) {
        self.seed_backlog();
        self.schedule(0, Action::Arrival);
        let first_system = self.delay(1_000, 60_000);
        self.schedule(first_system, Action::System);
        while self.emit.bytes() < target_bytes {
            let Some(Reverse(next)) = self.queue.pop() else {
                break;
            };
            self.now = next.at;
            self.perform(next.action);
        }
        (self.emit, self.coverage)
    }

    fn perform(&mut self, action: Action) {
        match action {
            Action::Arrival => {
                self.open_session();
                let mean_ms = 1_000.0 / self.rates.connections_per_second.max(0.001);
                let gap = self.rng.exponential(mean_ms) as i64;
                self.schedule(gap, Action::Arrival);
            }
            Action::Session(icid) => self.session_step(icid),
            Action::Process(mid) => self.process_step(mid),
            Action::Connection { dcid, token } => self.connection_step(dcid, token),
            Action::Dispatch(destination) => self.dispatch(destination),
            Action::Retry(job) => self.retry(job),
            Action::System => {
                self.system_line();
                let gap = self.rng.exponential(90_000.0) as i64;
                self.schedule(gap, Action::System);
            }
        }
    }

    fn system_line(&mut self) {
        let now = self.second();
        match self.rng.below(10) {
            0..=3 => {
                let score = self.rng.between(30, 99);
                let country = *self.rng.pick(COUNTRIES);
                self.emit.system(
                    now,
                    Level::Info,
                    format_args!(
                        "ICID 0 TCPREFUSE SG BLOCKLIST match sbrs[-10.0:-3.0] SBRS -{}.{} \
                         country {country}",
                        score / 10,
                        score % 10
                    ),
                    true,
                );
            }
            4 => {
                self.emit
                    .system(now, Level::Critical, format_args!("{ALERT_FAILURE}"), true);
            }
            5..=7 => {
                let text = *self.rng.pick(SYSTEM_LINES);
                self.emit
                    .system(now, Level::Info, format_args!("{text}"), true);
            }
            _ => {
                let text = *self.rng.pick(OTHER_SYSTEM_LINES);
                self.emit
                    .system(now, Level::Warning, format_args!("{text}"), false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construct_indexes_follow_all() {
        for (index, construct) in Construct::ALL.into_iter().enumerate() {
            assert_eq!(construct as usize, index);
        }
    }
}
