//! Runs the library over every file of the public sample corpus, when it is
//! present beside the checkout or in the directory `ESATLS_CORPUS` names:
//! nothing may panic, the line counts must reconcile, and
//! every mail log line of a known template must be recognised as the event
//! kind that template means.
//!
//! The corpus keeps lines in several wrappers (JSON test files, comment
//! dumps with a `file:line<TAB>` prefix, templated syslog headers, lines
//! with their header stripped); the extraction below undoes each wrapper so
//! that the known lines are checked one by one.

use std::path::{Path, PathBuf};

use esatls::event::parse_event;
use esatls::header::{parse_header, Payload};
use esatls::pipeline::{run, RunOptions};
use esatls::record::Collect;
use regex::Regex;

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("ESATLS_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Templates every mail log reader must recognise, with the event kind each
/// must become.
fn known_templates() -> Vec<(Regex, &'static str)> {
    [
        (r"^New (?i:smtp) ICID \d+ ", "icid_open"),
        (r"^ICID \d+ (ACCEPT|RELAY|REJECT|TCPREFUSE) ", "icid_policy"),
        (r"^ICID \d+ TLS (success|failed|was required but)", "icid_tls"),
        (r"^ICID \d+ (close|lost)$", "icid_close"),
        (r"^Start MID \d+ ICID \d+", "message_start"),
        (r"^MID \d+ ICID \d+ From: ", "message_from"),
        (r"^MID \d+ ICID \d+ (RID \d+ )?To: ", "message_to"),
        (r"^MID \d+ Message-ID ", "message_id"),
        (r"^MID \d+ Subject ", "message_subject"),
        (r"^MID \d+ ready \d+ bytes", "message_ready"),
        (
            r"^MID \d+ (rewritten to|was generated based on|generated based on|was split creating|(was )?generated for bounce of) ",
            "message_derived",
        ),
        (r"^MID \d+ queued for delivery$", "message_queued"),
        (r"^MID \d+ RID \[[\d, ]+\] Response", "message_response"),
        (r"^(Message|MID) \d+ to RID \[[\d, ]+\] pending till", "message_pending"),
        (r"^Message aborted MID \d+", "message_aborted"),
        (r"^Message finished MID \d+ done$", "message_finished"),
        (r"^New SMTP DCID \d+ ", "dcid_open"),
        (r"^DCID \d+ (IP \S+ )?TLS (success|failed|was required but)", "dcid_tls"),
        (r"^DCID \d+ close$", "dcid_close"),
        (r"^Delivery start DCID \d+ MID \d+ to (RID )?\[[\d, ]+\]", "delivery_start"),
        (r"^Message done DCID \d+ MID \d+ to (RID )?\[[\d, ]+\]", "delivery_done"),
        (r"^Bounced: DCID:? \d+ (MID|Message) \d+ ", "bounced"),
        (r"^Delayed: DCID:? \d+ (MID|Message) \d+ ", "delayed"),
        (r"^Connection Error: (connection timed out )?DCID:? \d+", "connection_error"),
        (r"^Begin Logfile$", "begin_logfile"),
        (r"^Version: \S+ SN: \S+", "version"),
        (r"^Time offset from UTC: -?\d+ seconds$", "time_offset"),
    ]
    .into_iter()
    .map(|(pattern, kind)| (Regex::new(pattern).unwrap(), kind))
    .collect()
}

/// Other templates seen in real logs that must be recognised, as any kind.
fn other_known_templates() -> Vec<Regex> {
    [
        r"^MID \d+ (interim verdict using engine|using engine):",
        r"^MID \d+ (interim AV verdict|antivirus )",
        r"^MID \d+ (Outbreak Filters:|was too big \(|AMP |not completely scanned by SDS)",
        r"^MID \d+ (SPF|DKIM|DomainKeys|DMARC|SDR):",
        r"^MID \d+ (matched all recipients for per-recipient policy|DLP |Custom Log Entry:|attachment )",
        r"^MID \d+ URL \S+ has reputation",
        r"^MID \d+ (quarantined to|released from quarantine)",
        r"^(ISQ|EUQ): ",
        r"^RPC (Delivery start|Message done) RCID \d+ MID \d+",
        r"^LDAP: ",
        r"^ICID \d+ (SBRS |Delayed HAT REJECT|Receiving Failed:|Injection Failed:|disconnected address|Connection from )",
        r"^ICID \d+ MID \d+ Invalid recipient address",
        r"^SMTP (server|client) connection killed (ICID|DCID): \d+",
        r"^Mail delivery client with DCID \d+",
        r"^Double bounce: Message \d+",
        r"^(Status: |SenderBase upload:|CASE cache status|Internal SMTP |URL_REP_CLIENT:|graymail \[|GRAYMAIL:)",
        r"^A \S+ alert was sent to ",
        r"^MID \d+ ICID \d+ TLS read ",
    ]
    .into_iter()
    .map(|pattern| Regex::new(pattern).unwrap())
    .collect()
}

/// Undoes the corpus wrappers and returns the candidate log lines of a file.
fn candidate_lines(path: &Path, text: &str) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut lines = Vec::new();
    if name.ends_with(".json") {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            collect_messages(&value, &mut lines);
        }
        return lines;
    }
    let comment_prefix = Regex::new(r"^[\w.]+:\d+\t").unwrap();
    let listname_prefix = Regex::new(r"^\w+\t").unwrap();
    for line in text.lines() {
        let mut line = line.to_string();
        if line.starts_with('#') {
            continue;
        }
        if let Some(found) = comment_prefix.find(&line) {
            line = line[found.end()..].to_string();
        }
        if line.contains("{{") {
            if let Some(found) = listname_prefix.find(&line) {
                line = line[found.end()..].to_string();
            }
            line = line
                .replace(
                    "{{mark}} {{ bsd }} {{ host }} {{ app }}: ",
                    "<111>Aug 10 09:58:54 esa1.example.com mail_logs: ",
                )
                .replace(
                    "{{mark}} {{ bsd }} {{ app }}: ",
                    "<111>Aug 10 09:58:54 mail_logs: ",
                )
                .replace(
                    "{{ bsd }} {{ host }}: ",
                    "Aug 10 09:58:54 esa1.example.com ",
                );
        }
        if line.starts_with('"') {
            if let Ok(unquoted) = serde_json::from_str::<String>(line.trim_end_matches(',')) {
                line = unquoted;
            }
        }
        lines.push(line);
    }
    lines
}

fn collect_messages(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("message", serde_json::Value::String(text)) => {
                        out.extend(text.lines().map(String::from));
                    }
                    _ => collect_messages(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                collect_messages(item, out);
            }
        }
        _ => {}
    }
}

/// Returns the entry text of a candidate line: the text after its header,
/// or the line itself when the corpus stripped the header.
fn entry_text(line: &str) -> Option<String> {
    let line = line.trim_end();
    match parse_header(line) {
        Some(header) => match header.payload {
            Payload::Text { text, .. } => Some(text.to_string()),
            _ => None,
        },
        None => Some(line.to_string()),
    }
}

#[test]
fn corpus_files_read_without_panic() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found; set ESATLS_CORPUS to run this test");
        return;
    };
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    assert!(!files.is_empty());
    for file in &files {
        let mut records = Collect::default();
        let summary = run(
            std::slice::from_ref(file),
            &RunOptions::default(),
            &mut records,
        );
        let lines = &summary.lines;
        let name = file.display();
        assert!(summary.errors.is_empty(), "{name}: {:?}", summary.errors);
        assert_eq!(
            lines.entries,
            lines.recognised + lines.unrecognised,
            "{name}"
        );
        assert_eq!(
            lines.physical,
            lines.entries + lines.continuation + lines.blank - lines.detached,
            "{name}"
        );
    }
}

#[test]
fn corpus_known_templates_are_recognised() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found; set ESATLS_CORPUS to run this test");
        return;
    };
    let known = known_templates();
    let others = other_known_templates();
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    let mut checked = 0;
    let mut consolidated = 0;
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for line in candidate_lines(file, &text) {
            // A consolidated event must parse, with its message id.
            if let Some(at) = line.find("CEF:0|") {
                // Documentation in the corpus quotes the format with
                // placeholders instead of values.
                let documentation = file.extension().is_some_and(|ext| ext == "md");
                if line.contains("|ESA_CONSOLIDATED_LOG_EVENT|") && !documentation {
                    consolidated += 1;
                    match esatls::cef::parse_cef(line[at..].trim_end()) {
                        Ok(esatls::cef::CefEvent::Consolidated(event)) if event.mid.is_some() => {}
                        other => failures.push(format!(
                            "{}: consolidated event not read: {other:?}",
                            file.display()
                        )),
                    }
                }
                continue;
            }
            let Some(text) = entry_text(&line) else {
                continue;
            };
            let event = parse_event(&text);
            let name = file.display();
            if let Some((_, kind)) = known.iter().find(|(pattern, _)| pattern.is_match(&text)) {
                checked += 1;
                if event.kind_name() != *kind {
                    let got = event.kind_name();
                    failures.push(format!("{name}: expected {kind}, got {got}: {text}"));
                }
            } else if others.iter().any(|pattern| pattern.is_match(&text)) {
                checked += 1;
                if !event.is_recognised() {
                    failures.push(format!("{name}: not recognised: {text}"));
                }
            }
        }
    }
    assert!(
        checked > 300,
        "only {checked} known lines found in the corpus"
    );
    assert!(
        consolidated > 30,
        "only {consolidated} consolidated events found in the corpus"
    );
    let count = failures.len();
    assert!(
        failures.is_empty(),
        "{count} failures:\n{}",
        failures.join("\n")
    );
}
