//! Properties of the verdicts that must hold for every log, checked on
//! generated conversations.
//!
//! A conversation is a small, realistic run of an appliance: inbound
//! connections that carry messages, and delivery connections that carry
//! the messages' recipients on. It is written out as log lines in the
//! order the appliance would log them, with a clock that often stays on
//! the same second for several lines.

use std::collections::HashMap;

use esatls::event::{parse_event, Event, TlsOutcome};
use esatls::header::{parse_header, Payload};
use esatls::pipeline::{run_bytes, RunOptions};
use esatls::record::{Collect, ConnectionRecord, MessageRecord};
use proptest::prelude::*;

/// TLS lines a connection gets.
#[derive(Clone, Debug)]
enum TlsPlan {
    None,
    Success,
    Failed,
}

/// The result a delivery attempt logs for one recipient.
#[derive(Clone, Copy, Debug)]
enum ResultPlan {
    Delivered,
    Bounced,
    Delayed,
    /// No result line: the logs end while the attempt is in flight.
    Silent,
}

#[derive(Clone, Debug)]
struct AttemptPlan {
    /// Use the delivery connection opened for an earlier attempt, if it is
    /// still open and this message has not used it yet, instead of a new
    /// one.
    reuse_connection: bool,
    open_logged: bool,
    tls: TlsPlan,
    results: Vec<ResultPlan>,
    close_after: bool,
}

#[derive(Clone, Debug)]
struct MessagePlan {
    recipients: usize,
    attempts: Vec<AttemptPlan>,
    aborted: bool,
    finished: bool,
}

#[derive(Clone, Debug)]
struct InboundPlan {
    open_logged: bool,
    tls: TlsPlan,
    messages: Vec<MessagePlan>,
}

/// What a line is, as far as the order rules within one second care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Open {
        outbound: bool,
        id: u64,
    },
    Close {
        outbound: bool,
        id: u64,
    },
    Tls {
        outbound: bool,
        id: u64,
    },
    /// Start, From, To, Subject, Message-ID, ready, queued, Response.
    MessageDetail {
        mid: u64,
    },
    To {
        mid: u64,
    },
    /// Delivery start, Message done, Bounced, Delayed, pending.
    Delivery {
        mid: u64,
    },
    Aborted {
        mid: u64,
    },
    Finished {
        mid: u64,
    },
}

impl Kind {
    fn mid(self) -> Option<u64> {
        match self {
            Kind::MessageDetail { mid }
            | Kind::To { mid }
            | Kind::Delivery { mid }
            | Kind::Aborted { mid }
            | Kind::Finished { mid } => Some(mid),
            Kind::Open { .. } | Kind::Close { .. } | Kind::Tls { .. } => None,
        }
    }
}

/// One log line before its header is written: the second it is logged
/// in, counted from the start of the conversation, and its text.
#[derive(Clone, Debug)]
struct Line {
    second: u32,
    text: String,
    kind: Kind,
    /// For `Message finished`: the connections (outbound, id) the message
    /// was received or delivered over.
    uses: Vec<(bool, u64)>,
}

/// Whether `earlier`, logged before `later` in the same second, must stay
/// before it for the verdicts to stay the same.
///
/// The rules let every other pair of one second change places. A TLS line
/// or an opening line logged in the same second as `Start MID` or
/// `Delivery start` still applies to it. Lines about one message may come
/// in any order until it finishes. These pairs depend on their order:
///
/// - `Message finished` writes the record, so every other line of its
///   message must come first (a line after it is a late line);
/// - a close line before the opening line of the same id means the id was
///   reused, so the opening line must come first;
/// - a recipient's result is that of its last attempt, and a result before
///   its `Delivery start` counts as another attempt, so the delivery lines
///   of one message keep their order;
/// - `Message aborted` drops the recipients known at that moment, so the
///   `To` lines of its message must come first;
/// - the opening and TLS lines of a connection that a message used must
///   come before its `Message finished`. The rules promise that such lines
///   apply when logged later in the second of `Start MID` or `Delivery
///   start`, but the record is written at `Message finished`, and a line
///   after that no longer reaches it (`regressions.rs` shows both cases).
///
/// The generator avoids the remaining order-dependent cases: it writes at
/// most one TLS failure text and no `Connection Error` per connection (the
/// first failure text and the last error are kept), and sends each message
/// over one delivery connection at most once (a connection counts a
/// message again when another message came between two of its lines).
fn must_stay_before(earlier: &Line, later: &Line) -> bool {
    match (earlier.kind, later.kind) {
        (Kind::Open { outbound, id } | Kind::Tls { outbound, id }, Kind::Finished { .. }) => {
            later.uses.contains(&(outbound, id))
        }
        (other, Kind::Finished { mid }) => other.mid() == Some(mid),
        (
            Kind::Open { outbound, id },
            Kind::Close {
                outbound: close_outbound,
                id: close_id,
            },
        ) => outbound == close_outbound && id == close_id,
        (Kind::Delivery { mid }, Kind::Delivery { mid: other })
        | (Kind::Delivery { mid }, Kind::Aborted { mid: other })
        | (Kind::Aborted { mid }, Kind::Delivery { mid: other })
        | (Kind::To { mid }, Kind::Aborted { mid: other }) => mid == other,
        _ => false,
    }
}

/// Writes conversations out as lines, advancing the clock by one second
/// whenever the next value of `ticks` is true.
struct Writer<'a> {
    lines: Vec<Line>,
    second: u32,
    ticks: &'a [bool],
    tick: usize,
    next_icid: u64,
    next_dcid: u64,
    next_mid: u64,
}

impl Writer<'_> {
    fn push(&mut self, kind: Kind, text: String) {
        if !self.ticks.is_empty() {
            if self.ticks[self.tick % self.ticks.len()] {
                self.second += 1;
            }
            self.tick += 1;
        }
        self.lines.push(Line {
            second: self.second,
            text,
            kind,
            uses: Vec::new(),
        });
    }

    fn tls(&mut self, outbound: bool, id: u64, tls: &TlsPlan) {
        let prefix = if outbound { "DCID" } else { "ICID" };
        let kind = Kind::Tls { outbound, id };
        match tls {
            TlsPlan::None => {}
            TlsPlan::Success => self.push(
                kind,
                format!(
                    "{prefix} {id} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256"
                ),
            ),
            TlsPlan::Failed => self.push(
                kind,
                format!("{prefix} {id} TLS failed: (336151568, 'sslv3 alert handshake failure')"),
            ),
        }
    }

    fn conversation(&mut self, plans: &[InboundPlan]) {
        let mut open_dcid: Option<u64> = None;
        for inbound in plans {
            let icid = self.next_icid;
            self.next_icid += 1;
            if inbound.open_logged {
                self.push(
                    Kind::Open {
                        outbound: false,
                        id: icid,
                    },
                    format!(
                        "New SMTP ICID {icid} interface Main (192.0.2.1) address 192.0.2.{} \
                         reverse dns host client{icid}.example.org verified yes",
                        10 + icid % 200
                    ),
                );
            }
            self.tls(false, icid, &inbound.tls);
            let mut mids = Vec::new();
            for message in &inbound.messages {
                let mid = self.next_mid;
                self.next_mid += 1;
                mids.push((mid, message));
                let detail = Kind::MessageDetail { mid };
                self.push(detail, format!("Start MID {mid} ICID {icid}"));
                self.push(
                    detail,
                    format!("MID {mid} ICID {icid} From: <sender{mid}@example.org>"),
                );
                for rid in 0..message.recipients {
                    self.push(
                        Kind::To { mid },
                        format!("MID {mid} ICID {icid} RID {rid} To: <user{rid}@example.com>"),
                    );
                }
                self.push(detail, format!("MID {mid} Subject 'Message {mid}'"));
                self.push(
                    detail,
                    format!("MID {mid} ready 1024 bytes from <x@example.org>"),
                );
                self.push(detail, format!("MID {mid} queued for delivery"));
            }
            self.push(
                Kind::Close {
                    outbound: false,
                    id: icid,
                },
                format!("ICID {icid} close"),
            );
            for (mid, message) in mids {
                self.deliveries(mid, icid, message, &mut open_dcid);
            }
        }
        if let Some(dcid) = open_dcid {
            self.push(
                Kind::Close {
                    outbound: true,
                    id: dcid,
                },
                format!("DCID {dcid} close"),
            );
        }
    }

    fn deliveries(
        &mut self,
        mid: u64,
        icid: u64,
        message: &MessagePlan,
        open_dcid: &mut Option<u64>,
    ) {
        let delivery = Kind::Delivery { mid };
        let mut waiting: Vec<usize> = (0..message.recipients).collect();
        let mut used: Vec<u64> = Vec::new();
        for attempt in &message.attempts {
            if waiting.is_empty() {
                break;
            }
            let dcid = match *open_dcid {
                Some(dcid) if attempt.reuse_connection && !used.contains(&dcid) => dcid,
                _ => {
                    if let Some(old) = open_dcid.take() {
                        self.push(
                            Kind::Close {
                                outbound: true,
                                id: old,
                            },
                            format!("DCID {old} close"),
                        );
                    }
                    let dcid = self.next_dcid;
                    self.next_dcid += 1;
                    if attempt.open_logged {
                        self.push(
                            Kind::Open {
                                outbound: true,
                                id: dcid,
                            },
                            format!(
                                "New SMTP DCID {dcid} interface 192.0.2.1 address 198.51.100.{} port 25",
                                1 + dcid % 200
                            ),
                        );
                    }
                    self.tls(true, dcid, &attempt.tls);
                    *open_dcid = Some(dcid);
                    dcid
                }
            };
            used.push(dcid);
            let list = waiting
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            self.push(
                delivery,
                format!("Delivery start DCID {dcid} MID {mid} to RID [{list}]"),
            );
            let mut still_waiting = Vec::new();
            for (index, &rid) in waiting.iter().enumerate() {
                let result = attempt.results[index % attempt.results.len()];
                match result {
                    ResultPlan::Delivered => {
                        self.push(
                            delivery,
                            format!("Message done DCID {dcid} MID {mid} to RID [{rid}]"),
                        );
                        self.push(
                            Kind::MessageDetail { mid },
                            format!("MID {mid} RID [{rid}] Response '2.0.0 Ok: queued'"),
                        );
                    }
                    ResultPlan::Bounced => self.push(
                        delivery,
                        format!(
                            "Bounced: DCID {dcid} MID {mid} to RID {rid} - 5.1.1 - \
                             Bad destination mailbox address ('550', ['No such user'])"
                        ),
                    ),
                    ResultPlan::Delayed => {
                        self.push(
                            delivery,
                            format!(
                                "Delayed: DCID {dcid} MID {mid} to RID {rid} - 4.4.1 - \
                                 Connection timed out"
                            ),
                        );
                        still_waiting.push(rid);
                    }
                    ResultPlan::Silent => still_waiting.push(rid),
                }
            }
            waiting = still_waiting;
            if attempt.close_after {
                if let Some(old) = open_dcid.take() {
                    self.push(
                        Kind::Close {
                            outbound: true,
                            id: old,
                        },
                        format!("DCID {old} close"),
                    );
                }
            }
        }
        if message.aborted {
            self.push(
                Kind::Aborted { mid },
                format!("Message aborted MID {mid} Dropped by CASE"),
            );
        }
        if message.finished {
            self.push(
                Kind::Finished { mid },
                format!("Message finished MID {mid} done"),
            );
            let finished = self.lines.last_mut().expect("just pushed");
            finished.uses.push((false, icid));
            finished.uses.extend(used.iter().map(|&dcid| (true, dcid)));
        }
    }
}

/// Writes a conversation out as lines in the order the appliance logs it.
fn write_conversation(plans: &[InboundPlan], ticks: &[bool]) -> Vec<Line> {
    let mut writer = Writer {
        lines: Vec::new(),
        second: 0,
        ticks,
        tick: 0,
        next_icid: 101,
        next_dcid: 301,
        next_mid: 201,
    };
    writer.conversation(plans);
    writer.lines
}

/// Reorders the lines of each second at random, keeping every pair that
/// [`must_stay_before`] names in its order. Among the lines whose
/// predecessors are all written, the one with the lowest key comes next.
fn shuffle_within_seconds(lines: &[Line], keys: &[u32]) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    let mut start = 0;
    while start < lines.len() {
        let second = lines[start].second;
        let end = start
            + lines[start..]
                .iter()
                .take_while(|l| l.second == second)
                .count();
        let group = &lines[start..end];
        let mut written = vec![false; group.len()];
        for _ in 0..group.len() {
            let next = (0..group.len())
                .filter(|&i| !written[i])
                .filter(|&i| (0..i).all(|j| written[j] || !must_stay_before(&group[j], &group[i])))
                .min_by_key(|&i| (keys[(start + i) % keys.len()], i))
                .expect("the original order is always possible");
            written[next] = true;
            out.push(group[next].clone());
        }
        start = end;
    }
    out
}

/// Renders lines with the appliance's own header.
fn native_log(lines: &[Line]) -> Vec<u8> {
    let mut log = String::new();
    for line in lines {
        let (minute, second) = (line.second / 60, line.second % 60);
        log.push_str(&format!(
            "Mon Mar  2 10:{minute:02}:{second:02} 2026 Info: {}\n",
            line.text
        ));
    }
    log.into_bytes()
}

/// Renders lines of several appliances as RFC 3164 syslog lines with the
/// appliance's host name.
fn syslog_log(lines: &[(&str, Line)]) -> Vec<u8> {
    let mut log = String::new();
    for (host, line) in lines {
        let (minute, second) = (line.second / 60, line.second % 60);
        log.push_str(&format!(
            "<22>Mar  2 10:{minute:02}:{second:02} {host} mail_logs: Info: {}\n",
            line.text
        ));
    }
    log.into_bytes()
}

/// Runs the pipeline and returns the records sorted by appliance and id,
/// so that runs that emit the same records in another order compare equal.
fn records_of(log: &[u8]) -> (Vec<MessageRecord>, Vec<ConnectionRecord>) {
    let options = RunOptions {
        year: Some(2026),
        ..RunOptions::default()
    };
    let mut sink = Collect::default();
    let summary = run_bytes(&[("conversation.log", log)], &options, &mut sink);
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let mut messages = sink.messages;
    messages.sort_by(|a, b| (&a.host, a.mid).cmp(&(&b.host, b.mid)));
    let mut connections = sink.connections;
    connections.sort_by(|a, b| (&a.host, a.direction, a.id).cmp(&(&b.host, b.direction, b.id)));
    (messages, connections)
}

fn tls_plan() -> impl Strategy<Value = TlsPlan> {
    prop_oneof![
        Just(TlsPlan::None),
        Just(TlsPlan::Success),
        Just(TlsPlan::Failed)
    ]
}

fn result_plan() -> impl Strategy<Value = ResultPlan> {
    prop_oneof![
        3 => Just(ResultPlan::Delivered),
        1 => Just(ResultPlan::Bounced),
        1 => Just(ResultPlan::Delayed),
        1 => Just(ResultPlan::Silent),
    ]
}

fn attempt_plan() -> impl Strategy<Value = AttemptPlan> {
    (
        any::<bool>(),
        prop::bool::weighted(0.8),
        tls_plan(),
        prop::collection::vec(result_plan(), 1..4),
        any::<bool>(),
    )
        .prop_map(
            |(reuse_connection, open_logged, tls, results, close_after)| AttemptPlan {
                reuse_connection,
                open_logged,
                tls,
                results,
                close_after,
            },
        )
}

fn message_plan() -> impl Strategy<Value = MessagePlan> {
    (
        1..4_usize,
        prop::collection::vec(attempt_plan(), 0..3),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.85),
    )
        .prop_map(|(recipients, attempts, aborted, finished)| MessagePlan {
            recipients,
            attempts,
            aborted,
            finished,
        })
}

fn inbound_plan() -> impl Strategy<Value = InboundPlan> {
    (
        prop::bool::weighted(0.8),
        tls_plan(),
        prop::collection::vec(message_plan(), 0..3),
    )
        .prop_map(|(open_logged, tls, messages)| InboundPlan {
            open_logged,
            tls,
            messages,
        })
}

fn conversation() -> impl Strategy<Value = (Vec<InboundPlan>, Vec<bool>)> {
    (
        prop::collection::vec(inbound_plan(), 1..4),
        // Mostly false, so that many lines share a second.
        prop::collection::vec(prop::bool::weighted(0.3), 1..64),
    )
}

proptest! {
    /// The lines of two appliances, each in its own order, interleaved in
    /// any way give the same records: ids are never merged across
    /// appliances and each appliance keeps its own clock.
    #[test]
    fn appliance_interleaving_keeps_records(
        (first, first_ticks) in conversation(),
        (second, second_ticks) in conversation(),
        picks in prop::collection::vec(any::<bool>(), 1..400),
    ) {
        let first_lines = write_conversation(&first, &first_ticks);
        let second_lines = write_conversation(&second, &second_ticks);
        let hosts = ["esa1.example.com", "esa2.example.com"];
        let concatenated: Vec<(&str, Line)> = first_lines
            .iter()
            .map(|line| (hosts[0], line.clone()))
            .chain(second_lines.iter().map(|line| (hosts[1], line.clone())))
            .collect();

        let mut interleaved = Vec::new();
        let (mut a, mut b) = (first_lines.iter(), second_lines.iter());
        let mut pick = picks.iter().cycle();
        loop {
            let line = if *pick.next().unwrap() {
                a.next().map(|line| (hosts[0], line.clone())).or_else(|| b.next().map(|line| (hosts[1], line.clone())))
            } else {
                b.next().map(|line| (hosts[1], line.clone())).or_else(|| a.next().map(|line| (hosts[0], line.clone())))
            };
            match line {
                Some(line) => interleaved.push(line),
                None => break,
            }
        }

        let expected = records_of(&syslog_log(&concatenated));
        let actual = records_of(&syslog_log(&interleaved));
        prop_assert_eq!(&actual.0, &expected.0, "messages differ");
        prop_assert_eq!(&actual.1, &expected.1, "connections differ");

        // Each appliance alone gives its share of the records.
        let alone: Vec<(&str, Line)> = first_lines.iter().map(|line| (hosts[0], line.clone())).collect();
        let (alone_messages, alone_connections) = records_of(&syslog_log(&alone));
        let first_messages: Vec<MessageRecord> = expected.0.iter().filter(|m| m.host.as_deref() == Some(hosts[0])).cloned().collect();
        let first_connections: Vec<ConnectionRecord> = expected.1.iter().filter(|c| c.host.as_deref() == Some(hosts[0])).cloned().collect();
        prop_assert_eq!(alone_messages, first_messages);
        prop_assert_eq!(alone_connections, first_connections);
    }

    /// Reordering the lines of one second, where the rules allow it, does
    /// not change any record.
    #[test]
    fn same_second_reordering_keeps_records(
        (plans, ticks) in conversation(),
        keys in prop::collection::vec(any::<u32>(), 1..256),
    ) {
        let lines = write_conversation(&plans, &ticks);
        let shuffled = shuffle_within_seconds(&lines, &keys);
        prop_assert_eq!(shuffled.len(), lines.len());
        let expected = records_of(&native_log(&lines));
        let actual = records_of(&native_log(&shuffled));
        prop_assert_eq!(&actual.0, &expected.0, "messages differ");
        prop_assert_eq!(&actual.1, &expected.1, "connections differ");
    }
}

/// Generates a printable token without spaces, as protocols and ciphers
/// are logged.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,23}"
}

/// Generates a certificate name: printable, without `>`, and with no
/// space at either end.
fn common_name() -> impl Strategy<Value = String> {
    "[a-z0-9*][a-z0-9.-]{0,20}( [a-z0-9.,=-]{1,12}){0,2}"
}

fn rid_list() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 1..8)
}

fn render_rids(rids: &[u32]) -> String {
    let list: Vec<String> = rids.iter().map(u32::to_string).collect();
    format!("[{}]", list.join(", "))
}

/// Generates a header of one of the forms the appliance and collectors
/// write, with the host name it carries, if any.
fn header() -> impl Strategy<Value = (String, Option<String>)> {
    let host = "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,6}){0,2}";
    prop_oneof![
        Just(("Mon Mar  2 10:00:00 2026 Info: ".to_string(), None)),
        host.prop_map(|host| (
            format!("<22>Mar  2 10:00:00 {host} mail_logs: Info: "),
            Some(host)
        )),
        host.prop_map(|host| (
            format!("<22>1 2026-03-02T10:00:00+01:00 {host} mail_logs - - - Info: "),
            Some(host)
        )),
        Just(("Info: ".to_string(), None)),
    ]
}

/// Parses `line` through the header and returns its event text, checking
/// the host name the header carries.
fn event_text<'a>(line: &'a str, host: &Option<String>) -> Result<&'a str, TestCaseError> {
    let header = parse_header(line).ok_or_else(|| TestCaseError::fail("no header"))?;
    prop_assert_eq!(header.host, host.as_deref());
    match header.payload {
        Payload::Text { text, .. } => Ok(text),
        other => Err(TestCaseError::fail(format!("not a text entry: {other:?}"))),
    }
}

proptest! {
    /// `ICID n TLS success protocol P cipher C` and the delivery form with
    /// a certificate name, written with either CN syntax.
    #[test]
    fn tls_success_round_trips(
        (prefix, host) in header(),
        id in any::<u64>(),
        outbound in any::<bool>(),
        protocol in token(),
        cipher in token(),
        cn in prop::option::of(common_name()),
        angle_brackets in any::<bool>(),
    ) {
        let connection = if outbound { "DCID" } else { "ICID" };
        let mut line = format!("{prefix}{connection} {id} TLS success protocol {protocol} cipher {cipher}");
        match (&cn, angle_brackets) {
            (Some(name), true) => line.push_str(&format!(" CN: <{name}>")),
            (Some(name), false) => line.push_str(&format!(" CN={}", name.split(' ').next().unwrap())),
            (None, _) => {}
        }
        let expected_cn = match (&cn, angle_brackets) {
            (Some(name), true) => Some(name.as_str()),
            (Some(name), false) => name.split(' ').next(),
            (None, _) => None,
        };
        let expected_outcome = TlsOutcome::Success {
            protocol: Some(protocol.as_str()),
            cipher: Some(cipher.as_str()),
            cn: expected_cn,
            domain: None,
        };
        let event = parse_event(event_text(&line, &host)?);
        if outbound {
            prop_assert_eq!(event, Event::DcidTls { dcid: id, remote_ip: None, outcome: expected_outcome });
        } else {
            prop_assert_eq!(event, Event::IcidTls { icid: id, outcome: expected_outcome });
        }
    }

    /// `Delivery start DCID d MID m to RID [list]`, also in the form
    /// before AsyncOS 4.0 that omits `RID`.
    #[test]
    fn delivery_start_round_trips(
        (prefix, host) in header(),
        dcid in any::<u64>(),
        mid in any::<u64>(),
        rids in rid_list(),
        with_rid_word in any::<bool>(),
    ) {
        let rid_word = if with_rid_word { "RID " } else { "" };
        let line = format!("{prefix}Delivery start DCID {dcid} MID {mid} to {rid_word}{}", render_rids(&rids));
        match parse_event(event_text(&line, &host)?) {
            Event::DeliveryStart { dcid: parsed_dcid, mid: parsed_mid, rids: parsed } => {
                prop_assert_eq!(parsed_dcid, dcid);
                prop_assert_eq!(parsed_mid, mid);
                prop_assert_eq!(parsed.iter().collect::<Vec<u32>>(), rids);
            }
            other => prop_assert!(false, "parsed as {:?}", other),
        }
    }

    /// `Start MID m ICID i`.
    #[test]
    fn start_mid_round_trips(
        (prefix, host) in header(),
        mid in any::<u64>(),
        icid in any::<u64>(),
    ) {
        let line = format!("{prefix}Start MID {mid} ICID {icid}");
        prop_assert_eq!(parse_event(event_text(&line, &host)?), Event::MessageStart { mid, icid });
    }

    /// `Bounced: DCID d MID m to RID r - reason`, with the reason as the
    /// appliance writes it (`5.1.0 - Unknown address error ...`).
    #[test]
    fn bounced_round_trips(
        (prefix, host) in header(),
        dcid in any::<u64>(),
        mid in any::<u64>(),
        rid in any::<u32>(),
        reason in "[!-~]([ -~]{0,60}[!-~])?",
    ) {
        let line = format!("{prefix}Bounced: DCID {dcid} MID {mid} to RID {rid} - {reason}");
        match parse_event(event_text(&line, &host)?) {
            Event::Bounced { dcid: parsed_dcid, mid: parsed_mid, rids, reason: parsed_reason } => {
                prop_assert_eq!(parsed_dcid, dcid);
                prop_assert_eq!(parsed_mid, mid);
                prop_assert_eq!(rids.iter().collect::<Vec<u32>>(), vec![rid]);
                prop_assert_eq!(parsed_reason, reason.as_str());
            }
            other => prop_assert!(false, "parsed as {:?}", other),
        }
    }
}

/// A shuffle never breaks a pair that must keep its order, whatever the
/// keys.
#[test]
fn shuffle_keeps_required_pairs() {
    let plan = InboundPlan {
        open_logged: true,
        tls: TlsPlan::Success,
        messages: vec![MessagePlan {
            recipients: 3,
            attempts: vec![AttemptPlan {
                reuse_connection: false,
                open_logged: true,
                tls: TlsPlan::Success,
                results: vec![ResultPlan::Delivered, ResultPlan::Delayed],
                close_after: true,
            }],
            aborted: false,
            finished: true,
        }],
    };
    let lines = write_conversation(&[plan], &[false]);
    assert!(lines.iter().all(|line| line.second == 0));
    for keys in [vec![0], vec![u32::MAX, 0, 7, 3], (0..64).rev().collect()] {
        let shuffled = shuffle_within_seconds(&lines, &keys);
        let position: HashMap<&str, usize> = shuffled
            .iter()
            .enumerate()
            .map(|(index, line)| (line.text.as_str(), index))
            .collect();
        for (i, earlier) in lines.iter().enumerate() {
            for later in &lines[i + 1..] {
                if must_stay_before(earlier, later) {
                    assert!(
                        position[earlier.text.as_str()] < position[later.text.as_str()],
                        "{:?} moved after {:?}",
                        earlier.text,
                        later.text
                    );
                }
            }
        }
    }
}
