//! Tables for people reading a terminal.

use std::io::{self, Write};

use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};

use super::sanitize::for_terminal;
use crate::pipeline::RunSummary;
use crate::record::{ConnectionRecord, MessageRecord, TlsState};
use crate::report::{MessageTlsCounts, Report, TlsCounts, ValueCount};

/// How tables are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableStyle {
    /// Draw with ASCII characters only (for files, pipes and tests).
    pub ascii: bool,
    /// Terminal width to wrap to; `None` leaves rows unwrapped.
    pub width: Option<u16>,
}

impl TableStyle {
    fn table(&self) -> Table {
        let mut table = Table::new();
        table.load_preset(if self.ascii {
            presets::ASCII_BORDERS_ONLY_CONDENSED
        } else {
            presets::UTF8_BORDERS_ONLY
        });
        match self.width {
            Some(width) => {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        table
    }
}

/// Formats `count` with its share of `total`, as `12 (60.0%)`.
fn share(count: u64, total: u64) -> String {
    if total == 0 || count == 0 {
        return count.to_string();
    }
    format!("{count} ({:.1}%)", count as f64 * 100.0 / total as f64)
}

fn right(text: String) -> Cell {
    Cell::new(text).set_alignment(CellAlignment::Right)
}

fn safe(text: &str) -> Cell {
    Cell::new(for_terminal(text))
}

fn tls_row(label: &str, counts: &TlsCounts, internal: Option<u64>) -> Vec<Cell> {
    let mut row = vec![
        Cell::new(label),
        right(counts.total.to_string()),
        right(share(counts.success, counts.total)),
        right(share(counts.failed, counts.total)),
        right(share(counts.none, counts.total)),
        right(share(counts.unknown, counts.total)),
    ];
    if let Some(internal) = internal {
        row.push(right(share(internal, counts.total)));
    }
    row
}

fn message_counts_as_tls(counts: &MessageTlsCounts) -> TlsCounts {
    TlsCounts {
        total: counts.total,
        success: counts.success,
        failed: counts.failed,
        none: counts.none,
        unknown: counts.unknown,
    }
}

fn value_table(
    style: &TableStyle,
    title: &str,
    inbound: &[ValueCount],
    outbound: &[ValueCount],
    limit: usize,
) -> Option<Table> {
    if inbound.is_empty() && outbound.is_empty() {
        return None;
    }
    let mut table = style.table();
    table.set_header(vec![
        title,
        "direction",
        "connections",
        "messages / deliveries",
    ]);
    for (direction, values) in [("inbound", inbound), ("outbound", outbound)] {
        for value in values.iter().take(limit) {
            table.add_row(vec![
                safe(&value.value),
                Cell::new(direction),
                right(value.connections.to_string()),
                right(value.messages.to_string()),
            ]);
        }
        if values.len() > limit {
            table.add_row(vec![
                Cell::new(format!("... {} more", values.len() - limit)),
                Cell::new(direction),
                Cell::new(""),
                Cell::new(""),
            ]);
        }
    }
    Some(table)
}

/// Number of rows shown in each list of the report table (protocols,
/// ciphers, failures, domains, templates).
pub const REPORT_LIST_ROWS: usize = 10;

/// Writes the report as tables.
pub fn write_report(
    out: &mut dyn Write,
    report: &Report,
    summary: &RunSummary,
    style: &TableStyle,
) -> io::Result<()> {
    let appliances = report.appliances.len();
    let lines = &report.lines;
    writeln!(
        out,
        "Read {}, {}: {}, {} recognised, {} unrecognised.",
        counted(summary.sources.len() as u64, "input", "inputs"),
        counted(appliances as u64, "appliance", "appliances"),
        counted(lines.total, "log entry", "log entries"),
        lines.recognised,
        lines.unrecognised,
    )?;
    if let (Some(first), Some(last)) = (report.period.first, report.period.last) {
        writeln!(out, "Log time from {first} to {last}.")?;
    }
    writeln!(out)?;

    let mut table = style.table();
    table.set_header(vec![
        "received", "total", "success", "failed", "none", "unknown", "internal",
    ]);
    table.add_row(tls_row("connections", &report.inbound.connections, None));
    let messages = &report.inbound.messages;
    table.add_row(tls_row(
        "messages",
        &message_counts_as_tls(messages),
        Some(messages.internal),
    ));
    let copies = &report.inbound.copies;
    if copies.total > 0 {
        table.add_row(tls_row(
            "copies of messages",
            &message_counts_as_tls(copies),
            Some(copies.internal),
        ));
    }
    writeln!(out, "{table}")?;

    let mut table = style.table();
    table.set_header(vec![
        "delivered",
        "total",
        "success",
        "failed",
        "none",
        "unknown",
    ]);
    table.add_row(tls_row("connections", &report.outbound.connections, None));
    table.add_row(tls_row(
        "recipients delivered",
        &report.outbound.deliveries,
        None,
    ));
    writeln!(out, "{table}")?;
    writeln!(
        out,
        "success: a TLS success line was logged for the connection. failed: only TLS failure\n\
         lines were logged (the mail may have gone on in cleartext). none: opened with no TLS\n\
         line. unknown: the connection opened before the logs begin. internal: made by the\n\
         appliance (bounces, notifications, filter copies). Copies of messages (split,\n\
         rewritten, released) take their original's state and are counted apart."
    )?;
    let recipients = &report.outbound.recipients;
    writeln!(
        out,
        "Recipients: {} in all, {} delivered, {} bounced, {} pending, {} dropped, {} unknown.",
        recipients.total,
        recipients.delivered,
        recipients.bounced,
        recipients.pending,
        recipients.dropped,
        recipients.unknown,
    )?;

    for (title, inbound, outbound) in [
        (
            "protocol",
            &report.inbound.protocols,
            &report.outbound.protocols,
        ),
        ("cipher", &report.inbound.ciphers, &report.outbound.ciphers),
    ] {
        if let Some(table) = value_table(style, title, inbound, outbound, REPORT_LIST_ROWS) {
            writeln!(out)?;
            writeln!(out, "{table}")?;
        }
    }

    let failures: Vec<(&str, &crate::report::ReasonCount)> = report
        .inbound
        .failures
        .iter()
        .take(REPORT_LIST_ROWS)
        .map(|reason| ("inbound", reason))
        .chain(
            report
                .outbound
                .failures
                .iter()
                .take(REPORT_LIST_ROWS)
                .map(|reason| ("outbound", reason)),
        )
        .collect();
    if !failures.is_empty() {
        let mut table = style.table();
        table.set_header(vec!["TLS failure", "direction", "connections"]);
        for (direction, reason) in failures {
            table.add_row(vec![
                safe(&reason.reason),
                Cell::new(direction),
                right(reason.connections.to_string()),
            ]);
        }
        writeln!(out)?;
        writeln!(out, "{table}")?;
    }

    let domains = &report.outbound.domains;
    if !domains.is_empty() {
        let mut table = style.table();
        table.set_header(vec![
            "recipient domain",
            "delivered",
            "success",
            "failed",
            "none",
            "unknown",
            "not delivered",
        ]);
        for domain in domains.iter().take(REPORT_LIST_ROWS) {
            let counts = &domain.delivered;
            table.add_row(vec![
                safe(&domain.domain),
                right(counts.total.to_string()),
                right(share(counts.success, counts.total)),
                right(share(counts.failed, counts.total)),
                right(share(counts.none, counts.total)),
                right(share(counts.unknown, counts.total)),
                right(domain.not_delivered.to_string()),
            ]);
        }
        writeln!(out)?;
        writeln!(out, "{table}")?;
        if domains.len() > REPORT_LIST_ROWS {
            writeln!(
                out,
                "{} more domains; see --format json for all of them.",
                domains.len() - REPORT_LIST_ROWS
            )?;
        }
    }

    if !lines.top_unrecognised.is_empty() {
        let mut table = style.table();
        table.set_header(vec!["unrecognised entry template", "count"]);
        for template in lines.top_unrecognised.iter().take(REPORT_LIST_ROWS) {
            table.add_row(vec![
                safe(&template.template),
                right(template.count.to_string()),
            ]);
        }
        writeln!(out)?;
        writeln!(out, "{table}")?;
    }

    let mut first = true;
    for (count, text) in super::notes(summary) {
        if count > 0 {
            if first {
                writeln!(out)?;
                first = false;
            }
            writeln!(out, "Note: {text}: {count}.")?;
        }
    }
    for warning in &summary.warnings {
        writeln!(out, "Warning: {}", for_terminal(warning))?;
    }
    if !summary.errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Incomplete: {} could not be read completely; the figures above cover what was read.",
            counted(summary.errors.len() as u64, "input", "inputs")
        )?;
        for error in &summary.errors {
            writeln!(out, "  {}", for_terminal(error))?;
        }
    }
    Ok(())
}

/// Formats a count with the singular or plural noun.
fn counted(count: u64, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("{count} {singular}")
    } else {
        format!("{count} {plural}")
    }
}

fn tls_cell(state: Option<TlsState>, protocol: Option<&str>) -> Cell {
    let text = match (state, protocol) {
        (None, _) => "-".to_string(),
        (Some(state), Some(protocol)) => format!("{} {}", state.as_str(), protocol),
        (Some(state), None) => state.as_str().to_string(),
    };
    safe(&text)
}

fn opt(value: Option<&str>) -> Cell {
    safe(value.unwrap_or("-"))
}

/// Rows buffered before a records table is written; a longer listing is
/// written as several tables, so memory stays bounded.
pub const TABLE_BLOCK_ROWS: usize = 1_000;

/// Builds tables of message records, one row per recipient.
pub struct MessageTable {
    style: TableStyle,
    table: Table,
    rows: usize,
}

impl MessageTable {
    pub fn new(style: TableStyle) -> Self {
        MessageTable {
            style,
            table: Self::empty(&style),
            rows: 0,
        }
    }

    fn empty(style: &TableStyle) -> Table {
        let mut table = style.table();
        table.set_header(vec![
            "started",
            "host",
            "MID",
            "sender",
            "received",
            "recipient",
            "status",
            "delivered",
            "CN",
        ]);
        table
    }

    /// Adds a message; writes a table to `out` when the block is full.
    pub fn add(&mut self, out: &mut dyn Write, record: &MessageRecord) -> io::Result<()> {
        let started = record
            .started
            .map(|time| time.to_string())
            .unwrap_or_else(|| "-".into());
        let inbound = tls_cell(Some(record.inbound.tls), record.inbound.protocol.as_deref());
        let head = vec![
            Cell::new(started),
            opt(record.host.as_deref()),
            Cell::new(record.mid),
            opt(record.sender.as_deref()),
            inbound,
        ];
        if record.recipients.is_empty() {
            let mut row = head.clone();
            row.extend([
                Cell::new("-"),
                Cell::new("-"),
                Cell::new("-"),
                Cell::new("-"),
            ]);
            self.table.add_row(row);
            self.rows += 1;
        }
        for (index, recipient) in record.recipients.iter().enumerate() {
            let mut row = if index == 0 {
                head.clone()
            } else {
                vec![Cell::new(""); 5]
            };
            row.extend([
                opt(recipient.address.as_deref()),
                Cell::new(recipient.status.as_str()),
                tls_cell(recipient.tls, recipient.protocol.as_deref()),
                opt(recipient.cn.as_deref()),
            ]);
            self.table.add_row(row);
            self.rows += 1;
        }
        if self.rows >= TABLE_BLOCK_ROWS {
            self.flush(out)?;
        }
        Ok(())
    }

    /// Writes the rows not yet written.
    pub fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows > 0 {
            writeln!(out, "{}", self.table)?;
            self.table = Self::empty(&self.style);
            self.rows = 0;
        }
        Ok(())
    }
}

/// Builds tables of connection records.
pub struct ConnectionTable {
    style: TableStyle,
    table: Table,
    rows: usize,
}

impl ConnectionTable {
    pub fn new(style: TableStyle) -> Self {
        ConnectionTable {
            style,
            table: Self::empty(&style),
            rows: 0,
        }
    }

    fn empty(style: &TableStyle) -> Table {
        let mut table = style.table();
        table.set_header(vec![
            "opened",
            "host",
            "direction",
            "id",
            "remote",
            "TLS",
            "cipher",
            "CN",
            "reason",
            "messages",
        ]);
        table
    }

    pub fn add(&mut self, out: &mut dyn Write, record: &ConnectionRecord) -> io::Result<()> {
        let opened = record
            .opened
            .map(|time| time.to_string())
            .unwrap_or_else(|| "-".into());
        let remote = match (&record.remote_ip, &record.remote_host) {
            (Some(ip), Some(host)) => format!("{ip} ({host})"),
            (Some(ip), None) => ip.to_string(),
            (None, Some(host)) => host.to_string(),
            (None, None) => "-".into(),
        };
        self.table.add_row(vec![
            Cell::new(opened),
            opt(record.host.as_deref()),
            Cell::new(record.direction.as_str()),
            Cell::new(record.id),
            safe(&remote),
            tls_cell(Some(record.tls), record.protocol.as_deref()),
            opt(record.cipher.as_deref()),
            opt(record.cn.as_deref()),
            opt(record.reason.as_deref()),
            right(record.messages.to_string()),
        ]);
        self.rows += 1;
        if self.rows >= TABLE_BLOCK_ROWS {
            self.flush(out)?;
        }
        Ok(())
    }

    pub fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows > 0 {
            writeln!(out, "{}", self.table)?;
            self.table = Self::empty(&self.style);
            self.rows = 0;
        }
        Ok(())
    }
}
