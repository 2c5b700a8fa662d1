//! The backlog at the start of the logs: sessions, messages and delivery
//! connections whose first lines are in earlier logs.
//!
//! Their ids are below the counters' starting values. Their verdicts are
//! `unknown` where the lines that would decide them are missing: a session
//! opened before the logs begin has no `New SMTP ICID` line, and a message
//! received before them has no `Start MID` line.

use super::delivery::{Connection, Plan, Step as DeliveryStep};
use super::inbound::{Kind, Session, Step as SessionStep, Tls};
use super::process::{Message, Origin, Recipient, Step as ProcessStep};
use super::{Action, Construct, Simulation};
use crate::storage::Storage;
use crate::truth::TruthSink;
use crate::vocab::LOCAL_DOMAIN;
use crate::world::{protocol_and_cipher, World};

impl<S: Storage, T: TruthSink> Simulation<S, T> {
    pub(super) fn seed_backlog(&mut self) {
        let mut old_mid = self.ids.mid - 1;
        let mut take_mid = move || {
            old_mid -= 1;
            old_mid + 1
        };
        for number in 0..self.rng.below(5) {
            let icid = self.ids.icid - 1 - number;
            self.seed_session(icid, &mut take_mid);
        }
        for _ in 0..self.rng.below(7) {
            let mid = take_mid();
            self.seed_queued_message(mid);
        }
        for number in 0..self.rng.below(3) {
            let dcid = self.ids.dcid - 1 - number;
            self.seed_connection(dcid);
        }
    }

    fn old_recipients(&mut self, relayed: bool) -> Vec<Recipient> {
        let count = self.rng.between(1, 3);
        (0..count)
            .map(|_| {
                let destination = if relayed {
                    self.world.remote_destination(&mut self.rng)
                } else {
                    self.world.local
                };
                let domain = self.world.destinations[destination].domain.clone();
                Recipient::new(World::address(&mut self.rng, &domain), destination)
            })
            .collect()
    }

    fn seed_session(&mut self, icid: u64, take_mid: &mut impl FnMut() -> u64) {
        let relay = self.rng.chance(0.4);
        let (kind, client) = if relay {
            (Kind::Relay, self.rng.index(self.world.relays.len()))
        } else {
            (Kind::Accept, self.rng.index(self.world.clients.len()))
        };
        let mut session = Session {
            icid,
            kind,
            client,
            step: SessionStep::Envelope,
            tls: Tls::Unlogged,
            tls_after_start: false,
            messages_left: self.rng.between(0, 3) as u32,
            mid: None,
        };
        match self.rng.below(5) {
            // The TLS negotiation is logged, its connection's opening
            // line is not.
            0 => {
                session.step = SessionStep::Tls;
                session.tls = Tls::Success(Some(protocol_and_cipher(&mut self.rng)));
            }
            // The logs begin in the middle of a message's envelope.
            1 | 2 => {
                let mid = take_mid();
                let domain = if relay {
                    LOCAL_DOMAIN.to_string()
                } else {
                    self.world.clients[client].domain.clone()
                };
                let sender = World::address(&mut self.rng, &domain);
                let origin = if relay {
                    Origin::Relayed
                } else {
                    Origin::Received
                };
                let mut message = Message::new(sender, origin);
                message.set_recipients(self.old_recipients(relay));
                self.coverage.add(Construct::BacklogMessage);
                self.messages.insert(mid, message);
                session.step = SessionStep::Data;
                session.mid = Some(mid);
            }
            _ => {}
        }
        self.coverage.add(Construct::BacklogSession);
        self.sessions.insert(icid, session);
        let delay = self.delay(0, 3_000);
        self.schedule(delay, Action::Session(icid));
    }

    fn seed_queued_message(&mut self, mid: u64) {
        let relayed = self.rng.chance(0.5);
        let domain = if relayed {
            LOCAL_DOMAIN.to_string()
        } else {
            let client = self.rng.index(self.world.clients.len());
            self.world.clients[client].domain.clone()
        };
        let sender = World::address(&mut self.rng, &domain);
        let mut message = Message::new(sender, Origin::Backlog);
        message.set_recipients(self.old_recipients(relayed));
        if self.rng.chance(0.3) {
            // Still being scanned when the logs begin.
            message.origin = if relayed {
                Origin::Relayed
            } else {
                Origin::Received
            };
            message.step = ProcessStep::Scan;
        }
        self.coverage.add(Construct::BacklogMessage);
        self.messages.insert(mid, message);
        let delay = self.delay(0, 5_000);
        self.schedule(delay, Action::Process(mid));
    }

    fn seed_connection(&mut self, dcid: u64) {
        let destination = if self.rng.chance(0.5) {
            self.world.local
        } else {
            self.world.remote_destination(&mut self.rng)
        };
        if self.world.destinations[destination].unresolvable {
            return;
        }
        let tls_line = self.rng.chance(0.3);
        let step = if tls_line {
            DeliveryStep::Tls
        } else {
            DeliveryStep::Next
        };
        let max_deliveries = self.rng.between(1, 8) as u32;
        self.coverage.add(Construct::BacklogConnection);
        self.queues[destination].active += 1;
        self.insert_connection(Connection {
            dcid,
            destination,
            plan: Plan::Unlogged { tls_line },
            step,
            token: 0,
            delivered: 0,
            max_deliveries,
            job: None,
            tls_after_start: false,
            idle: false,
            back_off: false,
        });
    }
}
