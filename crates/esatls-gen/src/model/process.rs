//! The processing of a message between `ready` and `queued for delivery`:
//! policy, authentication and scanning lines, splits, filter copies and
//! drops. The messages the appliance makes itself start here too.

use super::{Action, Construct, Simulation};
use crate::storage::Storage;
use crate::truth::TruthSink;
use crate::vocab::{BCC_FILTERS, SPLIT_POLICIES};
use crate::writer::Level;

/// The source of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    /// Received from the internet for local users.
    Received,
    /// Relayed from an internal host.
    Relayed,
    /// A copy for some recipients of another message.
    Split,
    /// A bcc copy made by a content filter.
    Copy,
    /// A bounce notice for a message's sender.
    Bounce,
    /// Received before the logs begin.
    Backlog,
}

#[derive(Clone, Debug)]
pub(super) struct Recipient {
    pub address: String,
    /// Index of the destination in the world.
    pub destination: usize,
    /// Whether the recipient still waits for a result.
    pub open: bool,
}

impl Recipient {
    pub(super) fn new(address: String, destination: usize) -> Recipient {
        Recipient {
            address,
            destination,
            open: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Policy,
    Scan,
    Queue,
}

/// A message the model still has to finish.
#[derive(Debug)]
pub(super) struct Message {
    pub sender: String,
    pub origin: Origin,
    /// Recipients by RID.
    pub recipients: Vec<Recipient>,
    pub step: Step,
}

impl Message {
    pub(super) fn new(sender: String, origin: Origin) -> Message {
        let step = match origin {
            Origin::Copy | Origin::Bounce | Origin::Backlog => Step::Queue,
            _ => Step::Policy,
        };
        Message {
            sender,
            origin,
            recipients: Vec::new(),
            step,
        }
    }

    pub(super) fn set_recipients(&mut self, recipients: Vec<Recipient>) {
        self.recipients = recipients;
    }

    fn is_done(&self) -> bool {
        self.recipients.iter().all(|recipient| !recipient.open)
    }

    /// Returns whether a hard bounce of this message sends its sender a
    /// notice.
    pub(super) fn bounces_to_sender(&self) -> bool {
        !self.sender.is_empty() && self.origin != Origin::Bounce
    }
}

fn domain_of(address: &str) -> &str {
    address.rsplit('@').next().unwrap_or(address)
}

impl<S: Storage, T: TruthSink> Simulation<S, T> {
    pub(super) fn process_step(&mut self, mid: u64) {
        let Some(step) = self.messages.get(&mid).map(|message| message.step) else {
            return;
        };
        let next = match step {
            Step::Policy => self.write_policy_lines(mid),
            Step::Scan => self.write_scan_lines(mid),
            Step::Queue => {
                self.queue_message(mid);
                return;
            }
        };
        let Some(next) = next else {
            return;
        };
        if let Some(message) = self.messages.get_mut(&mid) {
            message.step = next;
        }
        let delay = self.delay(5, 600);
        self.schedule(delay, Action::Process(mid));
    }

    fn write_policy_lines(&mut self, mid: u64) -> Option<Step> {
        let now = self.second();
        let (origin, sender, recipients) = {
            let message = self.messages.get(&mid)?;
            (
                message.origin,
                message.sender.clone(),
                message.recipients.len(),
            )
        };
        let table = if origin == Origin::Relayed {
            "outbound"
        } else {
            "inbound"
        };
        self.emit.message_note(
            now,
            Level::Info,
            mid,
            format_args!(
                "matched all recipients for per-recipient policy DEFAULT in the {table} table"
            ),
        );
        let splittable = matches!(origin, Origin::Received | Origin::Relayed);
        if splittable && recipients >= 2 && self.rng.chance(0.1) {
            self.split_message(mid);
        }
        if origin == Origin::Received {
            let domain = domain_of(&sender).to_string();
            self.emit.message_note(
                now,
                Level::Info,
                mid,
                format_args!("SPF: mailfrom identity {sender} Pass (v=spf1)"),
            );
            if self.rng.chance(0.7) {
                self.emit.message_note(
                    now,
                    Level::Info,
                    mid,
                    format_args!("DKIM: pass signature verified (d={domain} s=sel1 i=@{domain})"),
                );
            }
            self.emit.message_note(
                now,
                Level::Info,
                mid,
                format_args!(
                    "DMARC: Message from domain {domain}, DMARC pass (SPF aligned True, \
                     DKIM aligned True)"
                ),
            );
        }
        Some(Step::Scan)
    }

    fn write_scan_lines(&mut self, mid: u64) -> Option<Step> {
        let now = self.second();
        let origin = self.messages.get(&mid)?.origin;
        if origin == Origin::Received && self.rng.chance(0.04) {
            self.emit.message_note(
                now,
                Level::Info,
                mid,
                format_args!("interim verdict using engine: CASE spam positive"),
            );
            self.coverage.add(Construct::Drop);
            self.emit.aborted(now, mid, "Dropped by CASE");
            self.emit.finished(now, mid);
            self.messages.remove(&mid);
            return None;
        }
        self.emit.message_note(
            now,
            Level::Info,
            mid,
            format_args!("interim verdict using engine: CASE spam negative"),
        );
        self.emit.message_note(
            now,
            Level::Info,
            mid,
            format_args!("using engine: CASE spam negative"),
        );
        self.emit.message_note(
            now,
            Level::Info,
            mid,
            format_args!("interim AV verdict using Sophos CLEAN"),
        );
        self.emit
            .message_note(now, Level::Info, mid, format_args!("antivirus negative"));
        if self.rng.chance(0.5) {
            self.emit.message_note(
                now,
                Level::Info,
                mid,
                format_args!("AMP file reputation verdict : SKIPPED (no attachment in message)"),
            );
        } else {
            self.emit.message_trace(now, mid, "Skip AMP Engine check");
        }
        self.emit.message_note(
            now,
            Level::Info,
            mid,
            format_args!("Outbreak Filters: verdict negative"),
        );
        if matches!(origin, Origin::Received | Origin::Relayed) && self.rng.chance(0.03) {
            self.copy_message(mid);
        }
        Some(Step::Queue)
    }

    /// Moves the last recipients of `mid` into a new message, as a
    /// per-recipient policy does. The original keeps their RIDs, which
    /// then get no result.
    fn split_message(&mut self, mid: u64) {
        let now = self.second();
        let copy = self.next_mid();
        let Some(message) = self.messages.get_mut(&mid) else {
            return;
        };
        let count = message.recipients.len();
        let moved = self.rng.between(1, count as u64 - 1) as usize;
        let mut recipients = Vec::new();
        for recipient in &mut message.recipients[count - moved..] {
            recipient.open = false;
            recipients.push(Recipient::new(
                recipient.address.clone(),
                recipient.destination,
            ));
        }
        let sender = message.sender.clone();
        let origin = message.origin;

        let policy = *self.rng.pick(SPLIT_POLICIES);
        self.coverage.add(Construct::Split);
        // The copy is logged with ICID 0, its `Start MID` before the split
        // line or not at all.
        // NOTE: a `Start MID n ICID 0` after the split line is never
        // written, because esatls then reports the copy's `icid` as 0
        // instead of the original's ICID that it reports for the other
        // order of the same two lines.
        if self.rng.chance(0.6) {
            self.emit.message_start(now, copy, 0);
        }
        self.emit.split(now, mid, copy, policy);
        // NOTE: the copy's `RID n To:` lines are never written, because
        // esatls then leaves the recipients with those addresses out of the
        // original's record, where docs/verdicts.md makes them `unknown`
        // once the original finishes without a result for them.

        let mut message = Message::new(sender, origin);
        message.origin = Origin::Split;
        message.set_recipients(recipients);
        self.messages.insert(copy, message);
        let delay = self.delay(5, 400);
        self.schedule(delay, Action::Process(copy));
    }

    /// Makes a bcc copy of `mid` for the archive.
    fn copy_message(&mut self, mid: u64) {
        let now = self.second();
        let Some(sender) = self.messages.get(&mid).map(|m| m.sender.clone()) else {
            return;
        };
        let copy = self.next_mid();
        let filter = *self.rng.pick(BCC_FILTERS);
        self.coverage.add(Construct::FilterCopy);
        let start_first = self.rng.chance(0.5);
        if start_first {
            self.emit.message_start(now, copy, 0);
        }
        self.emit.generated_by_filter(now, copy, mid, filter);
        if !start_first {
            self.emit.message_start(now, copy, 0);
        }
        self.emit.message_from(now, copy, 0, &sender, true);
        let archive = self.world.archive;
        let address = format!("journal@{}", self.world.destinations[archive].domain);
        self.emit.message_to(now, copy, 0, 0, &address);
        let mut message = Message::new(sender, Origin::Copy);
        message.set_recipients(vec![Recipient::new(address, archive)]);
        self.messages.insert(copy, message);
        let size = 400 + self.rng.exponential(30_000.0) as u64;
        let sender = self.messages[&copy].sender.clone();
        self.emit.ready(now, copy, size, &sender);
        let delay = self.delay(5, 300);
        self.schedule(delay, Action::Process(copy));
    }

    /// Makes the bounce notice of `origin` for its sender.
    pub(super) fn bounce_message(&mut self, origin: u64, sender: &str) {
        let now = self.second();
        let mid = self.next_mid();
        self.coverage.add(Construct::Bounce);
        let start_first = self.rng.chance(0.5);
        if start_first {
            self.emit.message_start(now, mid, 0);
        }
        self.emit.generated_bounce(now, mid, origin);
        if !start_first {
            self.emit.message_start(now, mid, 0);
        }
        self.emit.message_from(now, mid, 0, "", true);
        self.emit.message_to(now, mid, 0, 0, sender);
        let destination = self.world.destination_of(domain_of(sender));
        let mut message = Message::new(String::new(), Origin::Bounce);
        message.set_recipients(vec![Recipient::new(sender.to_string(), destination)]);
        self.messages.insert(mid, message);
        self.emit
            .subject(now, mid, "Delivery Status Notification (Failure)");
        let size = self.rng.between(1_500, 6_000);
        self.emit.ready(now, mid, size, "");
        let delay = self.delay(5, 500);
        self.schedule(delay, Action::Process(mid));
    }

    /// `queued for delivery`: one delivery job per destination.
    fn queue_message(&mut self, mid: u64) {
        let now = self.second();
        self.emit.queued(now, mid);
        let Some(message) = self.messages.get(&mid) else {
            return;
        };
        let mut jobs: Vec<(usize, Vec<u32>)> = Vec::new();
        for (rid, recipient) in message.recipients.iter().enumerate() {
            if !recipient.open {
                continue;
            }
            match jobs
                .iter_mut()
                .find(|(destination, _)| *destination == recipient.destination)
            {
                Some((_, rids)) => rids.push(rid as u32),
                None => jobs.push((recipient.destination, vec![rid as u32])),
            }
        }
        for (destination, rids) in jobs {
            self.enqueue(mid, destination, rids, 0);
        }
    }

    /// Writes `Message finished` and removes `mid` from the model once every
    /// recipient has a result.
    pub(super) fn finish_if_done(&mut self, mid: u64) {
        let done = self.messages.get(&mid).is_some_and(Message::is_done);
        if done {
            let now = self.second();
            self.emit.finished(now, mid);
            self.messages.remove(&mid);
        }
    }
}
