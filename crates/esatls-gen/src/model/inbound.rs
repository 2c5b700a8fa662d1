//! Inbound SMTP sessions: connection, HAT verdict, STARTTLS, the messages
//! received on the connection, and its close.

use super::process::{Message, Origin, Recipient};
use super::{Action, Construct, Simulation};
use crate::storage::Storage;
use crate::truth::TruthSink;
use crate::vocab::{COUNTRIES, INBOUND_TLS_FAILURES, LOCAL_DOMAIN, SUBJECTS};
use crate::world::{protocol_and_cipher, World};

/// The listener policy a session matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Mail from the internet for local users.
    Accept,
    /// Mail from internal hosts for anywhere.
    Relay,
    /// A sender the HAT refuses.
    Reject,
}

/// The TLS lines a session writes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Tls {
    /// `TLS success`, with protocol and cipher unless `None`.
    Success(Option<(&'static str, &'static str)>),
    /// No TLS line: the session runs in cleartext.
    Plain,
    /// `TLS failed`; the client goes on in cleartext when `continues`.
    Failed {
        reason: Option<&'static str>,
        continues: bool,
    },
    /// `TLS was required but remote host did not initiate it`.
    Required,
    /// No TLS line until the session ends, then `TLS failed`: messages
    /// received before it went in cleartext.
    LateFailure(&'static str),
    /// `TLS success`, then `TLS failed` at teardown.
    SuccessThenFailure((&'static str, &'static str), &'static str),
    /// Negotiated before the logs begin: no TLS line at all.
    Unlogged,
}

impl Tls {
    fn is_secure(self) -> bool {
        matches!(self, Tls::Success(_) | Tls::SuccessThenFailure(..))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Policy,
    Tls,
    Envelope,
    Recipients,
    Data,
    Close,
}

/// One inbound SMTP session.
#[derive(Debug)]
pub(super) struct Session {
    pub icid: u64,
    pub kind: Kind,
    /// Index into the world's clients, or relays for [`Kind::Relay`].
    pub client: usize,
    pub step: Step,
    pub tls: Tls,
    /// Write the `TLS success` line right after the first `Start MID`, in
    /// the same second, instead of before it.
    pub tls_after_start: bool,
    pub messages_left: u32,
    /// The message being received.
    pub mid: Option<u64>,
}

impl Session {
    fn sender_domain<'w>(&self, world: &'w World) -> &'w str {
        match self.kind {
            Kind::Relay => LOCAL_DOMAIN,
            _ => &world.clients[self.client].domain,
        }
    }
}

fn inbound_tls<S: Storage, T: TruthSink>(sim: &mut Simulation<S, T>, kind: Kind) -> Tls {
    let rng = &mut sim.rng;
    if kind == Kind::Relay {
        return if rng.chance(0.5) {
            Tls::Success(Some(protocol_and_cipher(rng)))
        } else {
            Tls::Plain
        };
    }
    let weights = [58, 25, 4, 3, 2, 3, 2, 1, 2];
    match rng.weighted(&weights) {
        0 => Tls::Success(Some(protocol_and_cipher(rng))),
        1 => Tls::Plain,
        2 => Tls::Failed {
            reason: Some(*rng.pick(INBOUND_TLS_FAILURES)),
            continues: true,
        },
        3 => Tls::Failed {
            reason: Some(*rng.pick(INBOUND_TLS_FAILURES)),
            continues: false,
        },
        4 => Tls::Required,
        5 => Tls::LateFailure(rng.pick::<&str>(INBOUND_TLS_FAILURES)),
        6 => Tls::SuccessThenFailure(protocol_and_cipher(rng), INBOUND_TLS_FAILURES[0]),
        7 => Tls::Success(None),
        _ => Tls::Failed {
            reason: None,
            continues: rng.chance(0.5),
        },
    }
}

impl<S: Storage, T: TruthSink> Simulation<S, T> {
    /// Opens a new inbound connection.
    pub(super) fn open_session(&mut self) {
        let kind = match self.rng.weighted(&[65, 25, 10]) {
            0 => Kind::Accept,
            1 => Kind::Relay,
            _ => Kind::Reject,
        };
        let client = match kind {
            Kind::Relay => self.rng.index(self.world.relays.len()),
            _ => self.rng.index(self.world.clients.len()),
        };
        let tls = inbound_tls(self, kind);
        let messages_left = match kind {
            Kind::Reject => 0,
            Kind::Accept if self.rng.chance(0.7) => 1,
            Kind::Accept => self.rng.between(2, 5) as u32,
            Kind::Relay => self.rng.between(1, 30) as u32,
        };
        let tls_after_start = matches!(tls, Tls::Success(Some(_))) && self.rng.chance(0.02);
        let icid = self.next_icid();
        let session = Session {
            icid,
            kind,
            client,
            step: Step::Policy,
            tls,
            tls_after_start,
            messages_left,
            mid: None,
        };
        self.write_open(&session);
        self.sessions.insert(icid, session);
        let delay = self.delay(2, 60);
        self.schedule(delay, Action::Session(icid));
    }

    fn write_open(&mut self, session: &Session) {
        let now = self.second();
        let double_space = self.rng.chance(0.02);
        let (interface, client) = match session.kind {
            Kind::Relay => (
                &self.world.relay_interface,
                &self.world.relays[session.client],
            ),
            _ => (
                &self.world.incoming_interface,
                &self.world.clients[session.client],
            ),
        };
        let verified = client.reverse_dns.is_some();
        self.emit.icid_open(
            now,
            session.icid,
            interface,
            &client.ip,
            client.reverse_dns.as_deref(),
            verified,
            double_space,
        );
    }

    pub(super) fn session_step(&mut self, icid: u64) {
        let Some(mut session) = self.sessions.remove(&icid) else {
            return;
        };
        let next = match session.step {
            Step::Policy => self.write_policy(&mut session),
            Step::Tls => self.write_tls(&mut session),
            Step::Envelope => self.write_envelope(&mut session),
            Step::Recipients => self.write_recipients(&mut session),
            Step::Data => self.write_data(&mut session),
            Step::Close => {
                self.write_close(&session);
                return;
            }
        };
        session.step = next;
        let delay = match next {
            Step::Tls => self.delay(20, 400),
            Step::Envelope => self.delay(50, 2_500),
            Step::Recipients => self.delay(20, 300),
            Step::Data => self.delay(100, 3_000),
            Step::Close | Step::Policy => self.delay(50, 2_000),
        };
        self.sessions.insert(icid, session);
        self.schedule(delay, Action::Session(icid));
    }

    fn write_policy(&mut self, session: &mut Session) -> Step {
        let now = self.second();
        let icid = session.icid;
        let score = self.rng.between(0, 99);
        let country = *self.rng.pick(COUNTRIES);
        match session.kind {
            Kind::Accept => {
                let group = if score > 60 {
                    "ACCEPTLIST"
                } else {
                    "UNKNOWNLIST"
                };
                self.emit.icid_policy(
                    now,
                    icid,
                    format_args!(
                        "ACCEPT SG {group} match sbrs[-1.0:10.0] SBRS {}.{} country {country}",
                        score / 10,
                        score % 10
                    ),
                );
            }
            Kind::Relay => self.emit.icid_policy(
                now,
                icid,
                format_args!(
                    "RELAY SG RELAYLIST match 192.0.2.0/24 SBRS not enabled country not enabled"
                ),
            ),
            Kind::Reject => {
                self.emit.icid_policy(
                    now,
                    icid,
                    format_args!(
                        "REJECT SG BLOCKLIST match sbrs[-10.0:-3.0] SBRS -{}.{} country {country}",
                        3 + score / 20,
                        score % 10
                    ),
                );
                return Step::Close;
            }
        }
        match session.tls {
            Tls::Plain | Tls::LateFailure(_) | Tls::Unlogged => Step::Envelope,
            _ => Step::Tls,
        }
    }

    fn write_tls(&mut self, session: &mut Session) -> Step {
        let now = self.second();
        let icid = session.icid;
        match session.tls {
            Tls::Success(detail) => {
                if !session.tls_after_start {
                    self.emit
                        .icid_tls_success(now, icid, detail.map(|d| d.0), detail.map(|d| d.1));
                }
            }
            Tls::SuccessThenFailure((protocol, cipher), _) => {
                self.emit
                    .icid_tls_success(now, icid, Some(protocol), Some(cipher));
            }
            Tls::Failed { reason, continues } => {
                self.emit.icid_tls_failed(now, icid, reason);
                if !continues {
                    session.messages_left = 0;
                    return Step::Close;
                }
                if session.messages_left > 0 {
                    self.coverage.add(Construct::IcidCleartextAfterFailure);
                }
            }
            Tls::Required => {
                self.coverage.add(Construct::IcidTlsRequired);
                self.emit.icid_tls_required(now, icid);
                session.messages_left = 0;
                return Step::Close;
            }
            Tls::Plain | Tls::LateFailure(_) | Tls::Unlogged => {}
        }
        if session.kind == Kind::Relay && self.rng.chance(0.3) {
            let user = format!("app{}", session.client);
            self.emit.smtp_auth(now, icid, &user);
        }
        Step::Envelope
    }

    /// `Start MID` and `From:`.
    fn write_envelope(&mut self, session: &mut Session) -> Step {
        if session.messages_left == 0 {
            return Step::Close;
        }
        session.messages_left -= 1;
        let now = self.second();
        let icid = session.icid;
        let mid = self.next_mid();
        self.emit.message_start(now, mid, icid);
        if session.tls_after_start {
            session.tls_after_start = false;
            self.coverage.add(Construct::IcidTlsAfterStart);
            if let Tls::Success(detail) = session.tls {
                self.emit
                    .icid_tls_success(now, icid, detail.map(|d| d.0), detail.map(|d| d.1));
            }
        }
        let sender = World::address(&mut self.rng, session.sender_domain(&self.world));
        let brackets = !self.rng.chance(0.03);
        self.emit.message_from(now, mid, icid, &sender, brackets);
        let origin = match session.kind {
            Kind::Relay => Origin::Relayed,
            _ => Origin::Received,
        };
        self.messages.insert(mid, Message::new(sender, origin));
        session.mid = Some(mid);
        Step::Recipients
    }

    /// Writes one `RID n To:` line per accepted recipient, and now and then
    /// a rejected one.
    fn write_recipients(&mut self, session: &mut Session) -> Step {
        let Some(mid) = session.mid else {
            return Step::Close;
        };
        let now = self.second();
        let icid = session.icid;
        let count = match self.rng.below(10) {
            0..=6 => 1,
            7 | 8 => self.rng.between(2, 3),
            _ => self.rng.between(4, 6),
        };
        let mut recipients = Vec::new();
        for _ in 0..count {
            let destination = match session.kind {
                Kind::Relay if self.rng.chance(0.85) => {
                    self.world.remote_destination(&mut self.rng)
                }
                _ => self.world.local,
            };
            let domain = self.world.destinations[destination].domain.clone();
            let address = World::address(&mut self.rng, &domain);
            recipients.push(Recipient::new(address, destination));
        }
        if self.rng.chance(0.05) {
            let address = World::address(&mut self.rng, LOCAL_DOMAIN);
            self.emit.message_to_rejected(now, mid, icid, &address);
        }
        for (rid, recipient) in recipients.iter().enumerate() {
            self.emit
                .message_to(now, mid, icid, rid as u32, &recipient.address);
        }
        if let Some(message) = self.messages.get_mut(&mid) {
            message.set_recipients(recipients);
        }
        Step::Data
    }

    /// `Message-ID`, `Subject` and `ready`; hands the message to scanning.
    fn write_data(&mut self, session: &mut Session) -> Step {
        let Some(mid) = session.mid.take() else {
            return Step::Close;
        };
        let now = self.second();
        if session.tls.is_secure() && self.rng.chance(0.3) {
            let bytes = self.rng.between(100, 4_000);
            self.emit.tls_read(now, mid, session.icid, bytes);
        }
        self.write_headers(mid, session.sender_domain(&self.world).to_string());
        let delay = self.delay(10, 800);
        self.schedule(delay, Action::Process(mid));
        if session.messages_left > 0 {
            Step::Envelope
        } else {
            Step::Close
        }
    }

    /// Writes the `Message-ID`, `Subject` and `ready` lines of `mid`.
    pub(super) fn write_headers(&mut self, mid: u64, host_domain: String) {
        let now = self.second();
        let stamp = self.now.rem_euclid(100_000_000);
        let message_id = format!("{stamp}.{mid}@mail.{host_domain}");
        let brackets = !self.rng.chance(0.1);
        self.emit.message_id(now, mid, &message_id, brackets);
        let subject = *self.rng.pick(SUBJECTS);
        self.emit.subject(now, mid, subject);
        let size = 400 + self.rng.exponential(30_000.0) as u64;
        let sender = self
            .messages
            .get(&mid)
            .map(|message| message.sender.clone())
            .unwrap_or_default();
        self.emit.ready(now, mid, size, &sender);
    }

    fn write_close(&mut self, session: &Session) {
        let now = self.second();
        let icid = session.icid;
        match session.tls {
            Tls::LateFailure(reason) => {
                self.coverage.add(Construct::IcidLateFailure);
                self.emit.icid_tls_failed(now, icid, Some(reason));
            }
            Tls::SuccessThenFailure(_, reason) => {
                self.coverage.add(Construct::IcidSuccessThenFailure);
                self.emit.icid_tls_failed(now, icid, Some(reason));
            }
            _ => {}
        }
        let lost = self.rng.chance(0.05);
        self.emit.icid_close(now, icid, lost);
    }
}
