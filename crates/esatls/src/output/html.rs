//! A self-contained HTML page of the report, to forward to people who do
//! not run the tool. Every value from the logs is escaped.

use std::io::{self, Write};

use super::sanitize::for_html;
use crate::pipeline::RunSummary;
use crate::report::{ReasonCount, Report, TlsCounts, ValueCount};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}\
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}\
th:first-child,td:first-child{text-align:left}\
th{background:#f3f3f3}\
.bar{display:inline-block;height:.8em;background:#2a7}\
.fail{background:#c33}.none{background:#e93}.unknown{background:#999}\
caption{text-align:left;font-weight:bold;padding:.3em 0}\
footer{color:#666;font-size:.9em}";

fn percent(count: u64, total: u64) -> String {
    if total == 0 {
        return "-".into();
    }
    format!("{:.1}%", count as f64 * 100.0 / total as f64)
}

fn bar(counts: &TlsCounts) -> String {
    if counts.total == 0 {
        return String::new();
    }
    let width = |count: u64| count * 200 / counts.total;
    format!(
        "<span class=\"bar\" style=\"width:{}px\"></span>\
         <span class=\"bar fail\" style=\"width:{}px\"></span>\
         <span class=\"bar none\" style=\"width:{}px\"></span>\
         <span class=\"bar unknown\" style=\"width:{}px\"></span>",
        width(counts.success),
        width(counts.failed),
        width(counts.none),
        width(counts.unknown)
    )
}

fn tls_row(
    out: &mut dyn Write,
    label: &str,
    counts: &TlsCounts,
    internal: Option<u64>,
) -> io::Result<()> {
    write!(
        out,
        "<tr><td>{}</td><td>{}</td>",
        for_html(label),
        counts.total
    )?;
    for count in [counts.success, counts.failed, counts.none, counts.unknown] {
        write!(out, "<td>{count} ({})</td>", percent(count, counts.total))?;
    }
    match internal {
        Some(internal) => write!(
            out,
            "<td>{internal} ({})</td>",
            percent(internal, counts.total)
        )?,
        None => write!(out, "<td></td>")?,
    }
    writeln!(
        out,
        "<td style=\"text-align:left\">{}</td></tr>",
        bar(counts)
    )
}

fn values(
    out: &mut dyn Write,
    caption: &str,
    inbound: &[ValueCount],
    outbound: &[ValueCount],
) -> io::Result<()> {
    if inbound.is_empty() && outbound.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<table><caption>{}</caption><tr><th>{}</th><th>direction</th><th>connections</th><th>messages / deliveries</th></tr>",
        for_html(caption),
        for_html(caption)
    )?;
    for (direction, list) in [("inbound", inbound), ("outbound", outbound)] {
        for value in list {
            writeln!(
                out,
                "<tr><td>{}</td><td>{direction}</td><td>{}</td><td>{}</td></tr>",
                for_html(&value.value),
                value.connections,
                value.messages
            )?;
        }
    }
    writeln!(out, "</table>")
}

fn failures(
    out: &mut dyn Write,
    inbound: &[ReasonCount],
    outbound: &[ReasonCount],
) -> io::Result<()> {
    if inbound.is_empty() && outbound.is_empty() {
        return Ok(());
    }
    writeln!(out, "<table><caption>TLS failures</caption><tr><th>reason</th><th>direction</th><th>connections</th></tr>")?;
    for (direction, list) in [("inbound", inbound), ("outbound", outbound)] {
        for reason in list {
            writeln!(
                out,
                "<tr><td>{}</td><td>{direction}</td><td>{}</td></tr>",
                for_html(&reason.reason),
                reason.connections
            )?;
        }
    }
    writeln!(out, "</table>")
}

/// Writes the report as one HTML page.
pub fn write_report(out: &mut dyn Write, report: &Report, summary: &RunSummary) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<title>esatls TLS report</title><style>{STYLE}</style></head><body>"
    )?;
    writeln!(out, "<h1>TLS report</h1>")?;
    let appliances: Vec<String> = report
        .appliances
        .iter()
        .map(|name| for_html(name.as_deref().unwrap_or("(unnamed)")))
        .collect();
    writeln!(
        out,
        "<p>Log entries: {} ({} recognised, {} unrecognised), from {} {}. Appliances: {}.</p>",
        report.lines.total,
        report.lines.recognised,
        report.lines.unrecognised,
        summary.sources.len(),
        if summary.sources.len() == 1 {
            "input"
        } else {
            "inputs"
        },
        appliances.join(", "),
    )?;
    if let (Some(first), Some(last)) = (report.period.first, report.period.last) {
        writeln!(out, "<p>Log time from {first} to {last}.</p>")?;
    }
    writeln!(out, "<table><caption>Received</caption><tr><th></th><th>total</th><th>success</th><th>failed</th><th>none</th><th>unknown</th><th>internal</th><th></th></tr>")?;
    tls_row(out, "connections", &report.inbound.connections, None)?;
    let messages = &report.inbound.messages;
    let as_tls = TlsCounts {
        total: messages.total,
        success: messages.success,
        failed: messages.failed,
        none: messages.none,
        unknown: messages.unknown,
    };
    tls_row(out, "messages", &as_tls, Some(messages.internal))?;
    let copies = &report.inbound.copies;
    if copies.total > 0 {
        let as_tls = TlsCounts {
            total: copies.total,
            success: copies.success,
            failed: copies.failed,
            none: copies.none,
            unknown: copies.unknown,
        };
        tls_row(out, "copies of messages", &as_tls, Some(copies.internal))?;
    }
    writeln!(out, "</table>")?;
    writeln!(out, "<table><caption>Delivered</caption><tr><th></th><th>total</th><th>success</th><th>failed</th><th>none</th><th>unknown</th><th></th><th></th></tr>")?;
    tls_row(out, "connections", &report.outbound.connections, None)?;
    tls_row(
        out,
        "recipients delivered",
        &report.outbound.deliveries,
        None,
    )?;
    writeln!(out, "</table>")?;
    let recipients = &report.outbound.recipients;
    writeln!(
        out,
        "<p>Recipients: {} in all, {} delivered, {} bounced, {} pending, {} dropped, {} unknown.</p>",
        recipients.total, recipients.delivered, recipients.bounced, recipients.pending, recipients.dropped, recipients.unknown
    )?;
    values(
        out,
        "protocol",
        &report.inbound.protocols,
        &report.outbound.protocols,
    )?;
    values(
        out,
        "cipher",
        &report.inbound.ciphers,
        &report.outbound.ciphers,
    )?;
    failures(out, &report.inbound.failures, &report.outbound.failures)?;
    if !report.outbound.domains.is_empty() {
        writeln!(out, "<table><caption>Recipient domains</caption><tr><th>domain</th><th>delivered</th><th>success</th><th>failed</th><th>none</th><th>unknown</th><th>not delivered</th><th></th></tr>")?;
        for domain in &report.outbound.domains {
            let counts = &domain.delivered;
            write!(
                out,
                "<tr><td>{}</td><td>{}</td>",
                for_html(&domain.domain),
                counts.total
            )?;
            for count in [counts.success, counts.failed, counts.none, counts.unknown] {
                write!(out, "<td>{count} ({})</td>", percent(count, counts.total))?;
            }
            writeln!(
                out,
                "<td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                domain.not_delivered,
                bar(counts)
            )?;
        }
        writeln!(out, "</table>")?;
    }
    if !report.lines.top_unrecognised.is_empty() {
        writeln!(out, "<table><caption>Unrecognised entries</caption><tr><th>template</th><th>count</th></tr>")?;
        for template in &report.lines.top_unrecognised {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                for_html(&template.template),
                template.count
            )?;
        }
        writeln!(out, "</table>")?;
    }
    let notes = super::notes(summary);
    if notes.iter().any(|(count, _)| *count > 0) || !summary.warnings.is_empty() {
        writeln!(out, "<h2>Notes</h2><ul>")?;
        for (count, text) in notes {
            if count > 0 {
                writeln!(out, "<li>{}: {count}</li>", for_html(text))?;
            }
        }
        for warning in &summary.warnings {
            writeln!(out, "<li>{}</li>", for_html(warning))?;
        }
        writeln!(out, "</ul>")?;
    }
    if !summary.errors.is_empty() {
        writeln!(out, "<h2>Inputs not read completely</h2>")?;
        writeln!(out, "<p>The figures above cover what was read.</p><ul>")?;
        for error in &summary.errors {
            writeln!(out, "<li>{}</li>", for_html(error))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "<h2>Inputs</h2><ul>")?;
    for source in &summary.sources {
        writeln!(
            out,
            "<li>{} ({}, {} lines{})</li>",
            for_html(&source.name),
            source.compression,
            source.lines,
            if source.complete { "" } else { ", incomplete" }
        )?;
    }
    writeln!(out, "</ul>")?;
    writeln!(
        out,
        "<footer>Made by esatls {}. Success: a TLS success line was logged for the connection; \
         failed: only TLS failure lines; none: the connection's opening line is in the logs and no TLS line is; \
         unknown: neither is in the logs.</footer>",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out, "</body></html>")
}
