//! `esatls trace`.

use std::io::Write;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use esatls::event::Event;
use esatls::output::json;
use esatls::output::sanitize::for_terminal;
use esatls::pipeline::RunSummary;
use esatls::record::{ConnectionRecord, Direction, Evidence, MessageRecord, RecordSink, TlsState};

use super::{finish_run, flush, run_options, run_until_signal, stdout, INTERRUPTED};
use crate::cli::{TraceArgs, TraceFormat};
use crate::exit;

/// What `trace` looks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Mid(u64),
    Connection(Direction, u64),
    MessageId(String),
}

impl Target {
    pub fn parse(text: &str) -> Result<Target> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        for (prefix, direction) in [
            ("icid:", Direction::Inbound),
            ("dcid:", Direction::Outbound),
        ] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let Ok(id) = rest.trim().parse::<u64>() else {
                    bail!(
                        "invalid {} '{text}': expected {prefix}N with N a number",
                        &prefix[..4]
                    );
                };
                return Ok(Target::Connection(direction, id));
            }
        }
        if let Some(rest) = lower.strip_prefix("mid:") {
            let Ok(id) = rest.trim().parse::<u64>() else {
                bail!("invalid MID '{text}': expected a number");
            };
            return Ok(Target::Mid(id));
        }
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return match text.parse::<u64>() {
                Ok(id) => Ok(Target::Mid(id)),
                Err(_) => bail!("invalid MID '{text}': the number is too large"),
            };
        }
        if text.is_empty() {
            bail!("empty ID: give a MID, icid:N, dcid:N or a Message-ID");
        }
        Ok(Target::MessageId(bare_message_id(text).to_string()))
    }
}

/// Compares two Message-IDs: the part left of the last `@` exactly, the
/// domain after it without regard to case, as mail domains are.
fn same_message_id(a: &str, b: &str) -> bool {
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((left_a, domain_a)), Some((left_b, domain_b))) => {
            left_a == left_b && domain_a.eq_ignore_ascii_case(domain_b)
        }
        _ => a == b,
    }
}

fn bare_message_id(text: &str) -> &str {
    let text = text.trim().trim_matches(|c| c == '\'' || c == '"');
    text.strip_prefix('<')
        .and_then(|inner| inner.strip_suffix('>'))
        .unwrap_or(text)
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Found {
    Message {
        #[serde(flatten)]
        record: Box<MessageRecord>,
        lines: Vec<TraceLine>,
    },
    Connection {
        #[serde(flatten)]
        record: Box<ConnectionRecord>,
        /// MIDs of the messages received on the connection, or delivered
        /// over it in their last attempt.
        mids: Vec<u64>,
        lines: Vec<TraceLine>,
    },
}

#[derive(Serialize)]
struct TraceLine {
    source: String,
    line: u64,
    text: String,
}

struct TraceSink {
    target: Target,
    messages: Vec<MessageRecord>,
    connections: Vec<ConnectionRecord>,
    /// For a connection target: the appliance and MID of each message
    /// received on or delivered over a connection of that id, up to
    /// [`MAX_TRACED_MIDS`].
    mids: Vec<(Option<std::sync::Arc<str>>, u64)>,
}

/// Most MIDs a traced connection lists.
const MAX_TRACED_MIDS: usize = 10_000;

impl RecordSink for TraceSink {
    fn message(&mut self, record: MessageRecord) {
        let matched = match &self.target {
            Target::Mid(mid) => record.mid == *mid,
            Target::MessageId(id) => record
                .message_id
                .as_deref()
                .is_some_and(|logged| same_message_id(bare_message_id(logged), id)),
            Target::Connection(direction, id) => {
                let on_it = match direction {
                    Direction::Inbound => record.icid == Some(*id),
                    Direction::Outbound => record
                        .recipients
                        .iter()
                        .any(|recipient| recipient.dcid == Some(*id)),
                };
                if on_it && self.mids.len() < MAX_TRACED_MIDS {
                    self.mids.push((record.host.clone(), record.mid));
                }
                false
            }
        };
        if matched {
            self.messages.push(record);
        }
    }

    fn connection(&mut self, record: ConnectionRecord) {
        if let Target::Connection(direction, id) = self.target {
            if record.direction == direction && record.id == id {
                self.connections.push(record);
            }
        }
    }
}

fn lines_of(evidence: &[Evidence], summary: &RunSummary) -> Vec<TraceLine> {
    let mut lines: Vec<&Evidence> = evidence.iter().collect();
    lines.sort_by_key(|line| (line.source, line.line));
    lines.dedup_by_key(|line| (line.source, line.line));
    lines
        .into_iter()
        .map(|line| TraceLine {
            source: summary
                .sources
                .get(line.source as usize)
                .map(|source| source.name.clone())
                .unwrap_or_default(),
            line: line.line,
            text: line.text.to_string(),
        })
        .collect()
}

fn describe_tls(state: TlsState, protocol: Option<&str>, cipher: Option<&str>) -> String {
    let mut text = match state {
        TlsState::Success => "over TLS".to_string(),
        TlsState::Failed => "after a TLS failure".to_string(),
        TlsState::None => "in cleartext".to_string(),
        TlsState::Unknown => "with unknown TLS (the connection began before the logs)".to_string(),
        TlsState::Internal => "internally (made by the appliance)".to_string(),
    };
    if let Some(protocol) = protocol {
        text.push_str(&format!(", {protocol}"));
    }
    if let Some(cipher) = cipher {
        text.push_str(&format!(", {cipher}"));
    }
    text
}

fn write_message(
    out: &mut dyn Write,
    record: &MessageRecord,
    lines: &[TraceLine],
) -> std::io::Result<()> {
    let host = record.host.as_deref().unwrap_or("unnamed appliance");
    writeln!(out, "Message MID {} on {}", record.mid, for_terminal(host))?;
    if let Some(started) = record.started {
        writeln!(out, "  started:     {started}")?;
    }
    if let Some(sender) = &record.sender {
        writeln!(out, "  sender:      {}", for_terminal(sender))?;
    }
    if let Some(id) = &record.message_id {
        writeln!(out, "  Message-ID:  {}", for_terminal(id))?;
    }
    if let Some(subject) = &record.subject {
        writeln!(out, "  subject:     {}", for_terminal(subject))?;
    }
    let inbound = &record.inbound;
    let mut received = format!(
        "  received:    {} ({})",
        describe_tls(
            inbound.tls,
            inbound.protocol.as_deref(),
            inbound.cipher.as_deref()
        ),
        inbound.tls.as_str()
    );
    if let Some(icid) = record.icid.filter(|&icid| icid != 0) {
        received.push_str(&format!(" on ICID {icid}"));
    }
    if let Some(ip) = &inbound.remote_ip {
        received.push_str(&format!(" from {ip}"));
        if let Some(host) = &inbound.remote_host {
            received.push_str(&format!(" ({host})"));
        }
    }
    if let Some(reason) = &inbound.reason {
        received.push_str(&format!("; reason: {reason}"));
    }
    writeln!(out, "{}", for_terminal(&received))?;
    if let (Some(origin), Some(kind)) = (record.origin_mid, record.origin) {
        writeln!(out, "  origin:      {} of MID {origin}", kind.as_str())?;
    }
    for recipient in &record.recipients {
        let address = recipient
            .address
            .as_deref()
            .unwrap_or("(address not logged)");
        let mut text = format!(
            "  recipient {}: {} {}",
            recipient.rid,
            address,
            recipient.status.as_str()
        );
        if let Some(tls) = recipient.tls {
            text.push_str(&format!(
                " {} ({})",
                describe_tls(
                    tls,
                    recipient.protocol.as_deref(),
                    recipient.cipher.as_deref()
                ),
                tls.as_str()
            ));
        }
        if let Some(cn) = &recipient.cn {
            text.push_str(&format!(", CN {cn}"));
        }
        if let Some(dcid) = recipient.dcid {
            text.push_str(&format!(", DCID {dcid}"));
        }
        if let Some(ip) = &recipient.remote_ip {
            text.push_str(&format!(" to {ip}"));
        }
        let attempts = recipient.attempts;
        let noun = if attempts == 1 { "attempt" } else { "attempts" };
        text.push_str(&format!(", {attempts} {noun}"));
        if let Some(reason) = &recipient.reason {
            text.push_str(&format!("; reason: {reason}"));
        }
        writeln!(out, "{}", for_terminal(&text))?;
    }
    for conflict in &record.conflicts {
        let text = format!(
            "  disagrees:   {}: text log {}, consolidated event {}",
            conflict.field, conflict.mail_logs, conflict.consolidated
        );
        writeln!(out, "{}", for_terminal(&text))?;
    }
    write_lines(out, lines)
}

fn write_connection(
    out: &mut dyn Write,
    record: &ConnectionRecord,
    mids: &[u64],
    lines: &[TraceLine],
) -> std::io::Result<()> {
    let host = record.host.as_deref().unwrap_or("unnamed appliance");
    let kind = match record.direction {
        Direction::Inbound => "ICID",
        Direction::Outbound => "DCID",
    };
    writeln!(
        out,
        "Connection {kind} {} on {}",
        record.id,
        for_terminal(host)
    )?;
    if let Some(opened) = record.opened {
        writeln!(out, "  opened:      {opened}")?;
    }
    if let Some(closed) = record.closed {
        writeln!(out, "  closed:      {closed}")?;
    }
    if let Some(ip) = &record.remote_ip {
        writeln!(out, "  remote:      {}", for_terminal(ip))?;
    }
    let mut tls = format!(
        "  TLS:         {} ({})",
        describe_tls(
            record.tls,
            record.protocol.as_deref(),
            record.cipher.as_deref()
        ),
        record.tls.as_str()
    );
    if let Some(cn) = &record.cn {
        tls.push_str(&format!(", CN {cn}"));
    }
    if let Some(reason) = &record.reason {
        tls.push_str(&format!("; reason: {reason}"));
    }
    writeln!(out, "{}", for_terminal(&tls))?;
    writeln!(out, "  messages:    {}", record.messages)?;
    if !mids.is_empty() {
        let list: Vec<String> = mids.iter().map(u64::to_string).collect();
        writeln!(out, "  MIDs:        {}", list.join(", "))?;
    }
    write_lines(out, lines)
}

fn write_lines(out: &mut dyn Write, lines: &[TraceLine]) -> std::io::Result<()> {
    writeln!(out, "  lines:")?;
    for line in lines {
        writeln!(
            out,
            "    {}:{}: {}",
            for_terminal(&line.source),
            line.line,
            for_terminal(&line.text)
        )?;
    }
    writeln!(out)
}

pub fn run(args: TraceArgs) -> Result<u8> {
    let target = Target::parse(&args.id)?;
    let (paths, options) = run_options(&args.input, true)?;
    let mut sink = TraceSink {
        target,
        messages: Vec::new(),
        connections: Vec::new(),
        mids: Vec::new(),
    };
    let (summary, interrupted) = run_until_signal(&paths, &options, &mut sink)?;
    let mut found = Vec::new();
    for mut record in sink.messages {
        let lines = lines_of(&record.evidence, &summary);
        if args.input.utc {
            record.convert_to_utc();
        }
        found.push(Found::Message {
            record: Box::new(record),
            lines,
        });
    }
    for mut record in sink.connections {
        let lines = lines_of(&record.evidence, &summary);
        if args.input.utc {
            record.convert_to_utc();
        }
        let mut mids: Vec<u64> = sink
            .mids
            .iter()
            .filter(|(host, _)| *host == record.host)
            .map(|(_, mid)| *mid)
            .collect();
        if record.direction == Direction::Outbound {
            mids.extend(attempted_mids(&record));
        }
        mids.sort_unstable();
        mids.dedup();
        found.push(Found::Connection {
            record: Box::new(record),
            mids,
            lines,
        });
    }
    let mut out = stdout();
    write_found(&mut out, &found, args.format).context("cannot write to standard output")?;
    flush(&mut out)?;
    let status = if interrupted {
        INTERRUPTED
    } else if found.is_empty() {
        eprintln!(
            "esatls: no message or connection matches '{}'",
            for_terminal(&args.id)
        );
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    };
    Ok(finish_run(&summary, status))
}

/// Returns the MIDs whose delivery lines are among an outbound
/// connection's lines: the messages attempted over it, including those
/// whose last attempt went over another connection.
fn attempted_mids(record: &ConnectionRecord) -> Vec<u64> {
    record
        .evidence
        .iter()
        .filter_map(|line| {
            let header = esatls::header::parse_header(&line.text)?;
            let esatls::header::Payload::Text { text, .. } = header.payload else {
                return None;
            };
            match esatls::event::parse_event(text) {
                Event::DeliveryStart { dcid, mid, .. }
                | Event::DeliveryDone { dcid, mid, .. }
                | Event::Bounced { dcid, mid, .. }
                | Event::Delayed { dcid, mid, .. }
                    if dcid == record.id =>
                {
                    Some(mid)
                }
                _ => None,
            }
        })
        .collect()
}

/// Writes what the trace found in `format`.
fn write_found<W: Write>(out: &mut W, found: &[Found], format: TraceFormat) -> std::io::Result<()> {
    for item in found {
        match (format, item) {
            (TraceFormat::Json, item) => json::write_line(out, item)?,
            (TraceFormat::Text, Found::Message { record, lines }) => {
                write_message(out, record, lines)?
            }
            (
                TraceFormat::Text,
                Found::Connection {
                    record,
                    mids,
                    lines,
                },
            ) => write_connection(out, record, mids, lines)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(Target::parse("12345").unwrap(), Target::Mid(12345));
        assert_eq!(
            Target::parse("icid:7").unwrap(),
            Target::Connection(Direction::Inbound, 7)
        );
        assert_eq!(
            Target::parse("DCID:8").unwrap(),
            Target::Connection(Direction::Outbound, 8)
        );
        assert_eq!(
            Target::parse("<abc@example.com>").unwrap(),
            Target::MessageId("abc@example.com".into())
        );
        assert!(Target::parse("icid:x").is_err());
        assert!(Target::parse("99999999999999999999999").is_err());
        assert!(Target::parse("").is_err());
    }

    #[test]
    fn message_id_domains_match_in_any_case() {
        assert!(same_message_id(
            "m103@OLD.example.net",
            "m103@old.EXAMPLE.net"
        ));
        assert!(!same_message_id(
            "M103@old.example.net",
            "m103@old.example.net"
        ));
        assert!(same_message_id("no-domain", "no-domain"));
        assert!(!same_message_id("no-domain", "NO-DOMAIN"));
    }
}
