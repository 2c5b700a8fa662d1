//! Delivery: a queue per destination, delivery connections that carry one
//! or more messages each, results per recipient, retries and bounces.

use std::collections::VecDeque;

use super::{Action, Construct, Simulation};
use crate::emit::{Outcome, Trailer};
use crate::storage::Storage;
use crate::truth::TruthSink;
use crate::vocab::{BOUNCES, DELAYS, EXPIRED, OUTBOUND_TLS_FAILURES, TLS_REQUIRED_DELAY};
use crate::world::ServerTls;

/// Attempts a recipient gets before it bounces as expired.
const MAX_ATTEMPTS: u32 = 3;

/// Waiting jobs that justify one more connection to a destination beyond
/// its usual limit.
const JOBS_PER_CONNECTION: usize = 20;

/// Milliseconds before the first retry, at least; each later retry waits
/// twice as long.
const RETRY_BASE_MS: i64 = 10_000;

/// Some recipients of one message, for one destination.
#[derive(Clone, Debug)]
pub(super) struct Job {
    pub mid: u64,
    pub destination: usize,
    pub rids: Vec<u32>,
    /// Attempts made so far.
    pub attempt: u32,
}

/// The delivery queue of one destination.
#[derive(Debug, Default)]
pub(super) struct Queue {
    pub jobs: VecDeque<Job>,
    /// Connections open to the destination.
    pub active: u32,
    /// Open connections waiting for a job.
    pub idle: Vec<u64>,
}

/// The TLS lines a delivery connection writes.
#[derive(Clone, Debug)]
pub(super) enum Plan {
    /// `TLS success`.
    Success,
    /// No TLS line: cleartext.
    Plain,
    /// `TLS failed: reason`, then delivery in cleartext.
    Failed(&'static str),
    /// `TLS was required but could not be successfully negotiated`: no
    /// delivery.
    Required,
    /// `Connection Error`: no delivery.
    Unreachable,
    /// Opened before the logs begin; `tls_line` writes a `TLS success` line
    /// without any opening line.
    Unlogged { tls_line: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Tls,
    Next,
    Result,
    Close,
}

/// One open delivery connection.
#[derive(Debug)]
pub(super) struct Connection {
    pub dcid: u64,
    pub destination: usize,
    pub plan: Plan,
    pub step: Step,
    pub token: u32,
    pub delivered: u32,
    pub max_deliveries: u32,
    pub job: Option<Job>,
    /// Write the `TLS success` line right after the first `Delivery
    /// start`, in the same second.
    pub tls_after_start: bool,
    /// Whether the connection is waiting in its queue's idle list.
    pub idle: bool,
    /// Retry the destination later instead of at once after closing.
    pub back_off: bool,
}

impl<S: Storage, T: TruthSink> Simulation<S, T> {
    /// Queues recipients `rids` of `mid` for `destination`.
    pub(super) fn enqueue(&mut self, mid: u64, destination: usize, rids: Vec<u32>, attempt: u32) {
        let job = Job {
            mid,
            destination,
            rids,
            attempt,
        };
        if self.world.destinations[destination].unresolvable {
            self.unresolvable(job);
            return;
        }
        self.queues[destination].jobs.push_back(job);
        self.dispatch(destination);
    }

    /// Handles a job for a destination without DNS records. A hard error
    /// bounces at once and a temporary one is retried, both with `DCID 0`
    /// because no connection is made.
    fn unresolvable(&mut self, job: Job) {
        let now = self.second();
        let domain = self.world.destinations[job.destination].domain.clone();
        if job.attempt == 0 && self.rng.chance(0.5) {
            let reason = format!(
                "5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up {domain} \
                 (MX):  NXDomain'])"
            );
            for &rid in &job.rids {
                self.emit
                    .outcome(now, 0, job.mid, rid, Outcome::Bounced(&reason));
            }
            self.coverage.add(Construct::DnsBounce);
            self.close_recipients(job.mid, &job.rids, true);
        } else {
            let reason = format!(
                "4.1.2 - Bad destination host ('000', ['DNS Temporary Failure looking up \
                 {domain} (MX)'])"
            );
            for &rid in &job.rids {
                self.emit
                    .outcome(now, 0, job.mid, rid, Outcome::Delayed(&reason));
            }
            self.delay_job(job);
        }
    }

    /// Gives a queued job to an idle connection, or opens a connection when
    /// the destination has room for one.
    pub(super) fn dispatch(&mut self, destination: usize) {
        let queue = &mut self.queues[destination];
        if queue.jobs.is_empty() {
            return;
        }
        if let Some(dcid) = queue.idle.pop() {
            let delay = self.delay(0, 50);
            if let Some(connection) = self.connections.get_mut(&dcid) {
                connection.idle = false;
                connection.step = Step::Next;
                connection.token += 1;
                let token = connection.token;
                self.schedule(delay, Action::Connection { dcid, token });
            }
            return;
        }
        // A destination's limit grows with its queue, one connection per
        // `JOBS_PER_CONNECTION` waiting jobs, as an appliance opens more
        // connections to a busy domain. A fixed limit below the arrival
        // rate would grow the queue, and the open messages, without end.
        let limit = self.world.destinations[destination]
            .max_connections
            .max((queue.jobs.len() / JOBS_PER_CONNECTION) as u32);
        if queue.active < limit {
            self.open_connection(destination);
        }
    }

    fn connection_plan(&mut self, destination: usize) -> Plan {
        let target = &self.world.destinations[destination];
        if destination != self.world.local && self.rng.chance(0.02) {
            return Plan::Unreachable;
        }
        match target.tls {
            ServerTls::Plain => Plan::Plain,
            ServerTls::Offers { .. } if target.tls_required => {
                if self.rng.chance(0.25) {
                    Plan::Required
                } else {
                    Plan::Success
                }
            }
            ServerTls::Offers { .. } => {
                if self.rng.chance(target.tls_failure_rate) {
                    Plan::Failed(self.rng.pick::<&str>(OUTBOUND_TLS_FAILURES))
                } else {
                    Plan::Success
                }
            }
        }
    }

    fn open_connection(&mut self, destination: usize) {
        let plan = self.connection_plan(destination);
        let dcid = self.next_dcid();
        let max_deliveries = if destination == self.world.local {
            self.rng.between(1, 50)
        } else {
            self.rng.between(1, 10)
        } as u32;

        let quirk = self.rng.below(100);
        let tls_before_open = matches!(plan, Plan::Success) && quirk < 5;
        let tls_after_start = matches!(plan, Plan::Success) && quirk == 5;
        let now = self.second();
        if tls_before_open {
            self.coverage.add(Construct::DcidTlsBeforeOpen);
            // Some appliances log the TLS line before `New SMTP DCID`, in
            // the same second, and the verdict must not depend on it.
            self.write_dcid_success(now, dcid, destination);
        }
        let server_ip = self.world.destinations[destination].server_ip.clone();
        self.emit
            .dcid_open(now, dcid, &self.world.delivery_ip, &server_ip);

        let step = if tls_before_open {
            Step::Next
        } else {
            Step::Tls
        };
        self.queues[destination].active += 1;
        self.insert_connection(Connection {
            dcid,
            destination,
            plan,
            step,
            token: 0,
            delivered: 0,
            max_deliveries,
            job: None,
            tls_after_start,
            idle: false,
            back_off: false,
        });
    }

    /// Adds a connection and schedules its first step.
    pub(super) fn insert_connection(&mut self, connection: Connection) {
        let dcid = connection.dcid;
        self.connections.insert(dcid, connection);
        let delay = self.delay(20, 400);
        self.schedule(delay, Action::Connection { dcid, token: 0 });
    }

    fn write_dcid_success(&mut self, now: i64, dcid: u64, destination: usize) {
        let ServerTls::Offers {
            protocol,
            cipher,
            ref trailer,
            detailed,
        } = self.world.destinations[destination].tls
        else {
            self.emit
                .dcid_tls_success(now, dcid, None, None, &Trailer::Nothing);
            return;
        };
        let (protocol, cipher) = if detailed {
            (Some(protocol), Some(cipher))
        } else {
            (None, None)
        };
        self.emit
            .dcid_tls_success(now, dcid, protocol, cipher, trailer);
    }

    pub(super) fn connection_step(&mut self, dcid: u64, token: u32) {
        let Some(mut connection) = self.connections.remove(&dcid) else {
            return;
        };
        if connection.token != token {
            self.connections.insert(dcid, connection);
            return;
        }
        let next = match connection.step {
            Step::Tls => self.write_connection_tls(&mut connection),
            Step::Next => self.start_delivery(&mut connection),
            Step::Result => self.write_result(&mut connection),
            Step::Close => {
                self.close_connection(connection);
                return;
            }
        };
        connection.step = next;
        connection.token += 1;
        let delay = match next {
            Step::Result => self.delay(50, 1_200),
            Step::Close if connection.idle => self.delay(1_000, 8_000),
            _ => self.delay(5, 300),
        };
        let token = connection.token;
        self.connections.insert(dcid, connection);
        self.schedule(delay, Action::Connection { dcid, token });
    }

    fn write_connection_tls(&mut self, connection: &mut Connection) -> Step {
        let now = self.second();
        let dcid = connection.dcid;
        let destination = connection.destination;
        match connection.plan {
            Plan::Success if connection.tls_after_start => {}
            Plan::Success | Plan::Unlogged { tls_line: true } => {
                self.write_dcid_success(now, dcid, destination);
            }
            Plan::Plain | Plan::Unlogged { tls_line: false } => {}
            Plan::Failed(reason) => {
                self.coverage.add(Construct::DcidCleartextAfterFailure);
                self.emit.dcid_tls_failed(now, dcid, reason);
            }
            Plan::Required => {
                self.coverage.add(Construct::DcidTlsRequired);
                let server_ip = self.world.destinations[destination].server_ip.clone();
                self.emit.dcid_tls_required(now, dcid, &server_ip);
                if let Some(job) = self.queues[destination].jobs.pop_front() {
                    for &rid in &job.rids {
                        self.emit.outcome(
                            now,
                            dcid,
                            job.mid,
                            rid,
                            Outcome::Delayed(TLS_REQUIRED_DELAY),
                        );
                    }
                    self.delay_job(job);
                }
                connection.back_off = true;
                return Step::Close;
            }
            Plan::Unreachable => {
                self.coverage.add(Construct::ConnectionError);
                let target = &self.world.destinations[destination];
                let details = *self.rng.pick(&["[Errno 0] Error", "timeout", "EOF"]);
                self.emit.connection_error(
                    now,
                    dcid,
                    &target.domain,
                    &target.server_ip,
                    details,
                    &self.world.delivery_ip,
                    "network error",
                );
                connection.back_off = true;
                return Step::Close;
            }
        }
        Step::Next
    }

    /// Takes the next job of the queue, or waits idle for one.
    fn start_delivery(&mut self, connection: &mut Connection) -> Step {
        let destination = connection.destination;
        let Some(job) = self.queues[destination].jobs.pop_front() else {
            if connection.idle {
                return Step::Close;
            }
            connection.idle = true;
            self.queues[destination].idle.push(connection.dcid);
            return Step::Close;
        };
        let now = self.second();
        if connection.delivered > 0 {
            self.coverage.add(Construct::ConnectionReuse);
        }
        self.emit
            .delivery_start(now, connection.dcid, job.mid, &job.rids);
        if connection.tls_after_start {
            connection.tls_after_start = false;
            self.coverage.add(Construct::DcidTlsAfterDeliveryStart);
            self.write_dcid_success(now, connection.dcid, destination);
        }
        connection.job = Some(job);
        Step::Result
    }

    /// Writes the results of the connection's job.
    fn write_result(&mut self, connection: &mut Connection) -> Step {
        let Some(job) = connection.job.take() else {
            return Step::Next;
        };
        let now = self.second();
        let dcid = connection.dcid;
        let target = &self.world.destinations[connection.destination];
        let (bounce_rate, delay_rate) = (target.bounce_rate, target.delay_rate);

        let mut delivered = Vec::new();
        let mut bounced = Vec::new();
        let mut delayed = Vec::new();
        for &rid in &job.rids {
            let roll = self.rng.unit();
            if roll < bounce_rate {
                bounced.push(rid);
            } else if roll < bounce_rate + delay_rate {
                delayed.push(rid);
            } else {
                delivered.push(rid);
            }
        }

        for &rid in &bounced {
            let reason = *self.rng.pick(BOUNCES);
            self.emit
                .outcome(now, dcid, job.mid, rid, Outcome::Bounced(reason));
        }
        for &rid in &delayed {
            let reason = *self.rng.pick(DELAYS);
            self.emit
                .outcome(now, dcid, job.mid, rid, Outcome::Delayed(reason));
        }
        if !delivered.is_empty() {
            let header = self.rng.chance(0.2).then_some("3.5");
            self.emit
                .delivery_done(now, dcid, job.mid, &delivered, header);
            let queue_id = self.rng.next_u64() & 0xff_ffff_ffff;
            if self.rng.chance(0.85) {
                let text = format!("2.0.0 Ok: queued as {queue_id:010X}");
                self.emit.response(now, job.mid, &delivered, &text, true);
            } else {
                let text =
                    format!("2.6.0 <{queue_id:x}@mail.example.com> Queued mail for delivery");
                self.emit.response(now, job.mid, &delivered, &text, false);
            }
            self.close_recipients(job.mid, &delivered, false);
        }

        connection.delivered += 1;
        if !bounced.is_empty() {
            self.close_recipients(job.mid, &bounced, true);
        }
        if !delayed.is_empty() {
            self.delay_job(Job {
                rids: delayed,
                ..job
            });
        }
        if connection.delivered >= connection.max_deliveries {
            Step::Close
        } else {
            Step::Next
        }
    }

    /// Writes `pending till` for the job's recipients and schedules the
    /// next attempt.
    fn delay_job(&mut self, mut job: Job) {
        job.attempt += 1;
        let now = self.second();
        let base = RETRY_BASE_MS << (job.attempt.min(6) - 1);
        let wait = self.delay(base, 3 * base);
        let short = self.rng.chance(0.2);
        self.emit
            .pending_till(now, job.mid, &job.rids, now + wait / 1_000, short);
        self.schedule(wait, Action::Retry(job));
    }

    /// Tries delayed recipients again, or bounces them once they have had
    /// their attempts.
    pub(super) fn retry(&mut self, job: Job) {
        if job.attempt < MAX_ATTEMPTS {
            self.coverage.add(Construct::Retry);
            self.enqueue(job.mid, job.destination, job.rids, job.attempt);
            return;
        }
        let now = self.second();
        self.coverage.add(Construct::Expired);
        for &rid in &job.rids {
            self.emit
                .outcome(now, 0, job.mid, rid, Outcome::Bounced(EXPIRED));
        }
        self.close_recipients(job.mid, &job.rids, true);
    }

    /// Marks recipients as done; a bounce also notifies the sender. Writes
    /// `Message finished` when no recipient is left.
    fn close_recipients(&mut self, mid: u64, rids: &[u32], bounced: bool) {
        let Some(message) = self.messages.get_mut(&mid) else {
            return;
        };
        for &rid in rids {
            if let Some(recipient) = message.recipients.get_mut(rid as usize) {
                recipient.open = false;
            }
        }
        let notify = bounced && message.bounces_to_sender();
        let sender = message.sender.clone();
        if notify {
            self.bounce_message(mid, &sender);
        }
        self.finish_if_done(mid);
    }

    fn close_connection(&mut self, connection: Connection) {
        let now = self.second();
        self.emit.dcid_close(now, connection.dcid);
        let queue = &mut self.queues[connection.destination];
        queue.active -= 1;
        queue.idle.retain(|&dcid| dcid != connection.dcid);
        if queue.jobs.is_empty() {
            return;
        }
        if connection.back_off {
            let wait = self.delay(20_000, 90_000);
            self.schedule(wait, Action::Dispatch(connection.destination));
        } else {
            self.dispatch(connection.destination);
        }
    }
}
