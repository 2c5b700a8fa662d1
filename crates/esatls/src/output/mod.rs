//! Writers for records and reports: tables, JSON, CSV and HTML.

pub mod csv;
pub mod html;
pub mod json;
pub mod record_json;
pub mod sanitize;
pub mod table;

use crate::pipeline::RunSummary;

/// The counts a report notes below its tables, each with what it counts;
/// tables and HTML list the ones that are not zero.
pub(crate) fn notes(summary: &RunSummary) -> [(u64, &'static str); 14] {
    let stats = &summary.correlation;
    [
        (
            stats.open_messages_at_end,
            "messages still open when the logs end",
        ),
        (
            stats.open_connections_at_end,
            "connections still open when the logs end",
        ),
        (
            stats.id_reuses,
            "ids opened a second time (a restarted appliance, or one log read twice)",
        ),
        (stats.expired, "records closed after the idle limit"),
        (stats.evicted, "records closed because too many were open"),
        (
            stats.late_lines,
            "lines about a message whose record was already written",
        ),
        (
            stats.recipients_dropped,
            "recipients past the per-message limit, not kept",
        ),
        (
            summary.lines.truncated,
            "lines cut at the line length limit",
        ),
        (
            stats.merged,
            "messages joined from the text log and consolidated events",
        ),
        (
            stats.conflicting,
            "joined messages on which the two logs disagree (see conflicts in --format json)",
        ),
        (
            stats.consolidated_only,
            "messages known only from consolidated events",
        ),
        (
            stats.consolidated_without_mid,
            "consolidated events without a MID, not joined",
        ),
        (
            stats.consolidated_too_late,
            "consolidated events read after their message was written, not joined",
        ),
        (
            stats.appliance_overflow,
            "entries of appliances past the limit of 10,000, put under one appliance",
        ),
    ]
}
