//! Runs the `esatls` binary on fixture logs and checks each verdict rule
//! with exact values.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn esatls(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_esatls"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the esatls binary runs")
}

fn esatls_paths(args: &[&str], paths: &[PathBuf]) -> Output {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(paths.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    esatls(&refs)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("output is UTF-8")
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

fn messages(paths: &[PathBuf]) -> Vec<Value> {
    let output = esatls_paths(&["messages", "--format", "json"], paths);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output)
}

fn connections(paths: &[PathBuf]) -> Vec<Value> {
    let output = esatls_paths(&["connections", "--format", "json"], paths);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_lines(&output)
}

fn report(paths: &[PathBuf]) -> Value {
    report_with(&[], paths)
}

/// Runs `esatls report --format json` with the options `extra` on `paths`,
/// checks that it succeeds, and returns the report.
fn report_with(extra: &[&str], paths: &[PathBuf]) -> Value {
    let mut args = vec!["report", "--format", "json"];
    args.extend_from_slice(extra);
    let output = esatls_paths(&args, paths);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the report is JSON")
}

/// Runs `esatls report --format json` on `paths`, checks that it succeeds,
/// and returns the report with the lines written to standard error.
fn report_and_warnings(paths: &[PathBuf]) -> (Value, Vec<String>) {
    let output = esatls_paths(&["report", "--format", "json"], paths);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = serde_json::from_slice(&output.stdout).expect("the report is JSON");
    (report, stderr.lines().map(String::from).collect())
}

/// The sample log of one appliance, with 17 inbound messages.
const SAMPLE_LOG: &str = "mail_logs.@20260302T090000.s";

/// Returns the MIDs of the JSON Lines message records in `output`.
fn mids_of(output: &Output) -> Vec<u64> {
    mids_of_records(&json_lines(output))
}

fn mids_of_records(records: &[Value]) -> Vec<u64> {
    records.iter().map(|r| r["mid"].as_u64().unwrap()).collect()
}

fn by_mid(records: &[Value], mid: u64) -> &Value {
    records
        .iter()
        .find(|record| record["mid"] == mid)
        .unwrap_or_else(|| panic!("no message {mid}"))
}

fn by_id<'a>(records: &'a [Value], direction: &str, id: u64) -> &'a Value {
    records
        .iter()
        .find(|record| record["direction"] == direction && record["id"] == id)
        .unwrap_or_else(|| panic!("no {direction} connection {id}"))
}

#[test]
fn inbound_success_from_wrapped_lines() {
    let paths = [fixture("inbound-success.log")];
    let message = messages(&paths).remove(0);
    assert_eq!(message["mid"], 200257070);
    assert_eq!(message["icid"], 282204970);
    assert_eq!(message["inbound"]["tls"], "success");
    assert_eq!(message["inbound"]["remote_ip"], "198.51.100.1");
    assert_eq!(message["started"], "2005-07-20T19:47:40");
    let connection = connections(&paths).remove(0);
    assert_eq!(connection["tls"], "success");
    assert_eq!(connection["interface"], "Management (192.0.2.10)");
    assert_eq!(connection["messages"], 1);
    let report = report(&paths);
    assert_eq!(report["lines"]["total"], 4);
    assert_eq!(report["lines"]["continuation"], 1);
    assert_eq!(report["lines"]["unrecognised"], 0);
}

#[test]
fn inbound_failure_when_tls_required() {
    let paths = [fixture("inbound-required.log")];
    let connection = connections(&paths).remove(0);
    assert_eq!(connection["id"], 282204971);
    assert_eq!(connection["tls"], "failed");
    assert_eq!(
        connection["reason"],
        "TLS was required but remote host did not initiate it"
    );
    assert_eq!(connection["messages"], 0);
    assert!(messages(&paths).is_empty());
    let report = report(&paths);
    assert_eq!(report["inbound"]["connections"]["failed"], 1);
    assert_eq!(report["inbound"]["connections"]["total"], 1);
    assert_eq!(
        report["inbound"]["failures"][0]["reason"],
        "TLS was required but remote host did not initiate it"
    );
}

#[test]
fn outbound_success_logged_before_open() {
    let paths = [fixture("outbound-tls-before-open.log")];
    let message = messages(&paths).remove(0);
    let recipient = &message["recipients"][0];
    assert_eq!(message["mid"], 200257075);
    assert_eq!(message["inbound"]["tls"], "unknown");
    assert_eq!(recipient["tls"], "success");
    assert_eq!(recipient["cn"], "common");
    assert_eq!(recipient["dcid"], 2386069);
    assert_eq!(recipient["remote_ip"], "198.51.100.2");
    assert_eq!(recipient["status"], "pending");
    assert_eq!(recipient["attempts"], 1);
    let connection = connections(&paths).remove(0);
    assert_eq!(connection["tls"], "success");
    assert_eq!(connection["opened"], "2005-06-28T19:28:31");
    assert_eq!(connection["cn"], "common");
}

#[test]
fn outbound_failure_with_wrapped_reason() {
    let paths = [fixture("outbound-failure-wrapped.log")];
    let connection = connections(&paths).remove(0);
    assert_eq!(connection["direction"], "outbound");
    assert_eq!(connection["id"], 2386070);
    assert_eq!(connection["tls"], "failed");
    assert_eq!(connection["reason"], "STARTTLS unexpected response");
    assert_eq!(connection["remote_ip"], "198.51.100.2");
    let report = report(&paths);
    assert_eq!(report["outbound"]["connections"]["failed"], 1);
    assert_eq!(
        report["outbound"]["failures"][0]["reason"],
        "STARTTLS unexpected response"
    );
}

#[test]
fn recipient_results_follow_last_attempt() {
    let paths = [fixture("lifecycle.log")];
    let records = messages(&paths);
    let message = by_mid(&records, 500);
    assert_eq!(message["host"], "4229AAAA0000-TEST0001");
    assert_eq!(message["started"], "2026-03-02T10:00:02-06:00");
    assert_eq!(message["finished"], "2026-03-02T10:05:02-06:00");
    assert_eq!(message["complete"], true);
    assert_eq!(message["inbound"]["protocol"], "TLSv1.2");
    assert_eq!(message["inbound"]["cipher"], "ECDHE-RSA-AES256-GCM-SHA384");
    let recipients = message["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 4);

    assert_eq!(recipients[0]["address"], "bob@example.com");
    assert_eq!(recipients[0]["status"], "delivered");
    assert_eq!(recipients[0]["tls"], "none");
    assert_eq!(recipients[0]["response"], "2.6.0 Queued mail for delivery");

    assert_eq!(recipients[1]["status"], "delivered");
    assert_eq!(recipients[1]["tls"], "success");
    assert_eq!(recipients[1]["protocol"], "TLSv1.3");
    assert_eq!(recipients[1]["cn"], "mx2.example.org");
    assert_eq!(recipients[1]["dcid"], 202);
    assert_eq!(recipients[1]["attempts"], 2);

    assert_eq!(recipients[2]["status"], "bounced");
    assert_eq!(recipients[2]["tls"], "success");
    assert_eq!(
        recipients[2]["reason"],
        "5.1.1 - Bad destination email address ('550', ['5.1.1 User unknown']) []"
    );

    assert_eq!(recipients[3]["status"], "unknown");
    assert_eq!(recipients[3]["tls"], Value::Null);
    assert_eq!(recipients[3]["attempts"], 0);

    let report = report(&paths);
    assert_eq!(report["outbound"]["deliveries"]["total"], 2);
    assert_eq!(report["outbound"]["deliveries"]["success"], 1);
    assert_eq!(report["outbound"]["deliveries"]["none"], 1);
    assert_eq!(report["outbound"]["recipients"]["bounced"], 1);
    assert_eq!(report["outbound"]["recipients"]["unknown"], 1);
    assert_eq!(report["outbound"]["connections"]["failed"], 1);
    assert_eq!(
        report["outbound"]["failures"][0]["reason"],
        "TLS was required but could not be successfully negotiated"
    );
}

#[test]
fn pending_when_logs_end_after_delay() {
    let text = std::fs::read_to_string(fixture("lifecycle.log")).unwrap();
    let cut: String = text
        .lines()
        .take_while(|line| !line.contains("10:05:00"))
        .map(|line| format!("{line}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.log");
    std::fs::write(&path, cut).unwrap();
    let records = messages(&[path]);
    let message = by_mid(&records, 500);
    assert_eq!(message["complete"], false);
    let recipients = message["recipients"].as_array().unwrap();
    assert_eq!(recipients[0]["status"], "delivered");
    assert_eq!(recipients[1]["status"], "pending");
    assert_eq!(recipients[1]["tls"], "failed");
    assert_eq!(
        recipients[1]["reason"],
        "4.0.0 - Unknown address error ('000', ['TLS was required but could not be successfully negotiated']) []"
    );
    assert_eq!(recipients[2]["status"], "pending");
    assert_eq!(recipients[2]["tls"], Value::Null);
}

#[test]
fn connection_state_counts_within_one_second() {
    let paths = [fixture("same-second.log")];
    let records = messages(&paths);
    // The TLS line follows Start MID within the same second: it applies.
    assert_eq!(by_mid(&records, 600)["inbound"]["tls"], "success");
    // The New SMTP DCID line follows Delivery start within the same second.
    assert_eq!(by_mid(&records, 600)["recipients"][0]["tls"], "none");
    // The TLS failure comes seconds after the message: it went in cleartext.
    assert_eq!(by_mid(&records, 601)["inbound"]["tls"], "none");
    // Nothing about DCID 401 but its deliveries is in the logs.
    assert_eq!(by_mid(&records, 601)["recipients"][0]["tls"], "unknown");
    let all = connections(&paths);
    assert_eq!(by_id(&all, "inbound", 301)["tls"], "failed");
    assert_eq!(by_id(&all, "outbound", 401)["tls"], "unknown");
    assert_eq!(by_id(&all, "outbound", 401)["messages"], 1);
}

#[test]
fn derived_messages_and_origins() {
    let paths = [fixture("derived.log")];
    let records = messages(&paths);
    let parent = by_mid(&records, 800);
    assert_eq!(parent["inbound"]["tls"], "success");
    let parent_recipients = parent["recipients"].as_array().unwrap();
    assert_eq!(parent_recipients.len(), 1, "the split copy took RID 0 over");
    assert_eq!(parent_recipients[0]["address"], "rupert@example.net");
    assert_eq!(parent_recipients[0]["status"], "delivered");

    let split = by_mid(&records, 801);
    assert_eq!(split["origin"], "split");
    assert_eq!(split["origin_mid"], 800);
    assert_eq!(split["inbound"]["tls"], "success");
    assert_eq!(split["inbound"]["protocol"], "TLSv1.2");
    assert_eq!(split["icid"], 700);
    assert_eq!(split["recipients"][0]["status"], "bounced");

    let copy = by_mid(&records, 802);
    assert_eq!(copy["inbound"]["tls"], "internal");
    assert_eq!(copy["origin"], "generated");
    assert_eq!(copy["origin_mid"], 800);
    assert_eq!(copy["recipients"][0]["status"], "dropped");
    assert_eq!(
        copy["recipients"][0]["reason"],
        "Dropped by filter 'NoArchive'"
    );

    let bounce = by_mid(&records, 803);
    assert_eq!(bounce["inbound"]["tls"], "internal");
    assert_eq!(bounce["origin"], "bounce");
    assert_eq!(bounce["origin_mid"], 801);

    let report = report(&paths);
    assert_eq!(report["inbound"]["messages"]["total"], 3);
    assert_eq!(report["inbound"]["messages"]["success"], 1);
    assert_eq!(report["inbound"]["messages"]["internal"], 2);
    assert_eq!(report["inbound"]["copies"]["total"], 1);
    assert_eq!(report["inbound"]["copies"]["success"], 1);
    assert_eq!(report["outbound"]["recipients"]["total"], 4);
}

#[test]
fn appliances_keep_their_ids_apart() {
    let paths = [fixture("two-appliances.log")];
    let output = esatls_paths(&["messages", "--format", "json", "--year", "2026"], &paths);
    let records = json_lines(&output);
    assert_eq!(records.len(), 2);
    let first = records
        .iter()
        .find(|r| r["host"] == "esa1.example.com")
        .unwrap();
    let second = records
        .iter()
        .find(|r| r["host"] == "esa2.example.com")
        .unwrap();
    assert_eq!(first["inbound"]["tls"], "none");
    assert_eq!(second["inbound"]["tls"], "success");
    assert_eq!(first["started"], "2026-03-02T09:00:01");
    let report = report(&paths);
    assert_eq!(
        report["appliances"],
        serde_json::json!(["esa1.example.com", "esa2.example.com"])
    );
    assert_eq!(report["inbound"]["connections"]["total"], 2);
}

#[test]
fn host_option_names_unnamed_input() {
    let output = esatls_paths(
        &["messages", "--format", "json", "--host", "esa9"],
        &[fixture("inbound-success.log")],
    );
    assert_eq!(json_lines(&output)[0]["host"], "esa9");
}

#[test]
fn directories_name_appliances_and_files_run_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let appliance = dir.path().join("esa7");
    std::fs::create_dir(&appliance).unwrap();
    // The message starts in the older file and finishes in the newer one;
    // the newer name sorts first.
    std::fs::write(
        appliance.join("a.@20260302T100500.s"),
        "Mon Mar  2 10:05:00 2026 Info: Message done DCID 2 MID 3 to RID [0]\n\
         Mon Mar  2 10:05:00 2026 Info: Message finished MID 3 done\n",
    )
    .unwrap();
    std::fs::write(
        appliance.join("b.@20260302T100000.s"),
        "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID 1 interface x address 198.51.100.9\n\
         Mon Mar  2 10:00:00 2026 Info: Start MID 3 ICID 1\n\
         Mon Mar  2 10:00:00 2026 Info: MID 3 ICID 1 RID 0 To: <a@example.com>\n\
         Mon Mar  2 10:00:01 2026 Info: New SMTP DCID 2 interface 192.0.2.2 address 192.0.2.60 port 25\n\
         Mon Mar  2 10:00:01 2026 Info: DCID 2 TLS success protocol TLSv1.2 cipher X\n\
         Mon Mar  2 10:00:01 2026 Info: Delivery start DCID 2 MID 3 to RID [0]\n",
    )
    .unwrap();
    let output = esatls_paths(
        &["messages", "--format", "json"],
        &[dir.path().to_path_buf()],
    );
    let records = json_lines(&output);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["host"], "esa7");
    assert_eq!(records[0]["inbound"]["tls"], "none");
    assert_eq!(records[0]["recipients"][0]["status"], "delivered");
    assert_eq!(records[0]["recipients"][0]["tls"], "success");
    assert_eq!(records[0]["complete"], true);
}

#[test]
fn gzip_input_is_recognised_by_content() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("compressed.log");
    let file = std::fs::File::create(&path).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    encoder
        .write_all(&std::fs::read(fixture("lifecycle.log")).unwrap())
        .unwrap();
    encoder.finish().unwrap();
    let records = messages(&[path]);
    assert_eq!(
        by_mid(&records, 500)["recipients"][1]["status"],
        "delivered"
    );
    let report = report(&[dir.path().join("compressed.log")]);
    assert_eq!(report["sources"][0]["compression"], "gzip");
}

#[test]
fn standard_input_is_read() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_esatls"))
        .args(["messages", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(fixture("inbound-success.log")).unwrap())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json_lines(&output)[0]["mid"], 200257070);
}

#[test]
fn filters_and_exit_status() {
    let paths = [fixture("lifecycle.log"), fixture("derived.log")];
    let output = esatls_paths(
        &[
            "messages",
            "--format",
            "json",
            "--recipient",
            "@example.org",
        ],
        &paths,
    );
    assert_eq!(mids_of(&output), vec![500, 801]);
    assert_eq!(output.status.code(), Some(0));

    let output = esatls_paths(
        &[
            "messages",
            "--format",
            "json",
            "--recipient",
            "Rupert@Example.NET",
        ],
        &paths,
    );
    assert_eq!(mids_of(&output), vec![800]);

    let output = esatls_paths(
        &["messages", "--format", "json", "--inbound-tls", "internal"],
        &paths,
    );
    assert_eq!(mids_of(&output), vec![802, 803]);

    let output = esatls_paths(
        &["messages", "--format", "json", "--outbound-tls", "failed"],
        &paths,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());

    let output = esatls_paths(
        &[
            "messages",
            "--format",
            "json",
            "--sender",
            "alice@EXAMPLE.net",
        ],
        &paths,
    );
    assert_eq!(json_lines(&output).len(), 1);

    let output = esatls_paths(
        &[
            "connections",
            "--format",
            "json",
            "--direction",
            "outbound",
            "--tls",
            "failed",
        ],
        &paths,
    );
    let ids: Vec<u64> = json_lines(&output)
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![201]);
}

#[test]
fn missing_input_fails_after_reading_the_others() {
    let output = esatls_paths(
        &["messages", "--format", "json"],
        &[fixture("no-such-file.log"), fixture("inbound-success.log")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_lines(&output).len(), 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-file.log: cannot open"), "{stderr}");
}

#[test]
fn usage_errors_exit_with_two() {
    let output = esatls(&["report", "--format", "yaml", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let output = esatls(&["report", "--utc-offset", "+99", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid UTC offset '+99'"), "{stderr}");
    let output = esatls(&["trace", "icid:abc", "x"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn trace_shows_consolidated_events() {
    let paths = [fixture("lifecycle.log"), fixture("consolidated.log")];
    let events = fixture("consolidated.log").display().to_string();

    // Known from the events alone: the event is the proof.
    let output = esatls_paths(
        &["trace", "--format", "json", "777", "--year", "2026"],
        &paths,
    );
    assert_eq!(output.status.code(), Some(0));
    let found = json_lines(&output);
    let lines: Vec<(String, u64)> = found[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, vec![(events.clone(), 2)]);

    // Joined: the event line comes with the text lines, and the text
    // trace names what the two logs disagree on.
    let output = esatls_paths(&["trace", "500", "--year", "2026"], &paths);
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "    {events}:1: <14>Mar  2 10:05:03 consolidated_event: CEF:0|"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "  disagrees:   inbound.protocol: text log TLSv1.2, consolidated event TLSv1.3\n"
        ),
        "{text}"
    );
}

#[test]
fn trace_shows_verdict_and_lines() {
    let path = fixture("lifecycle.log");
    let output = esatls_paths(&["trace", "500"], std::slice::from_ref(&path));
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains("Message MID 500 on 4229AAAA0000-TEST0001"),
        "{text}"
    );
    assert!(
        text.contains(
            "received:    over TLS, TLSv1.2, ECDHE-RSA-AES256-GCM-SHA384 (success) on ICID 100"
        ),
        "{text}"
    );
    assert!(
        text.contains("lifecycle.log:6: Mon Mar  2 10:00:01 2026 Info: ICID 100 TLS success"),
        "{text}"
    );
    assert!(
        text.contains("lifecycle.log:27: Mon Mar  2 10:05:00 2026 Info: DCID 202 TLS success"),
        "{text}"
    );

    let output = esatls_paths(
        &["trace", "<m500@example.net>", "--format", "json"],
        std::slice::from_ref(&path),
    );
    let found = json_lines(&output);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["kind"], "message");
    assert_eq!(found[0]["lines"][0]["line"], 4);

    let output = esatls_paths(
        &["trace", "dcid:201", "--format", "json"],
        std::slice::from_ref(&path),
    );
    let found = json_lines(&output);
    assert_eq!(found[0]["kind"], "connection");
    assert_eq!(found[0]["tls"], "failed");
    // Its one attempt was delayed; the message went out over DCID 202.
    assert_eq!(found[0]["mids"], serde_json::json!([500]));
    let lines: Vec<u64> = found[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![22, 23, 24, 25]);

    let output = esatls_paths(&["trace", "icid:100"], std::slice::from_ref(&path));
    assert!(
        stdout(&output).contains("\n  MIDs:        500\n"),
        "{}",
        stdout(&output)
    );

    let output = esatls_paths(&["trace", "999"], &[path]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn utc_option_converts_times() {
    let output = esatls_paths(
        &["messages", "--format", "json", "--utc"],
        &[fixture("lifecycle.log")],
    );
    assert_eq!(json_lines(&output)[0]["started"], "2026-03-02T16:00:02Z");
    let output = esatls_paths(
        &["messages", "--format", "json", "--utc-offset", "+01:00"],
        &[fixture("lifecycle.log")],
    );
    assert_eq!(
        json_lines(&output)[0]["started"],
        "2026-03-02T10:00:02+01:00"
    );
}

#[test]
fn csv_has_one_row_per_recipient() {
    let output = esatls_paths(
        &["messages", "--format", "csv"],
        &[fixture("lifecycle.log")],
    );
    let text = stdout(&output);
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|field| field.trim_matches('"').to_string())
        .collect();
    assert_eq!(
        header.join(","),
        "host,mid,icid,started,finished,sender,message_id,subject,size,inbound_tls,inbound_protocol,\
         inbound_cipher,inbound_remote_ip,inbound_remote_host,inbound_reason,rid,recipient,status,\
         outbound_tls,outbound_protocol,outbound_cipher,cn,dcid,outbound_remote_ip,attempts,response,\
         reason,origin_mid,origin,complete"
    );
    // Text is quoted, numbers are not.
    assert!(text
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("\"4229AAAA0000-TEST0001\",500,100,"));
    assert_eq!(text.lines().count(), 5);
    let output = esatls_paths(
        &["connections", "--format", "csv"],
        &[fixture("lifecycle.log")],
    );
    let text = stdout(&output);
    assert_eq!(
        text.lines().next().unwrap().replace('"', ""),
        "host,direction,id,opened,closed,remote_ip,remote_host,interface,tls,protocol,cipher,cn,reason,messages"
    );
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn sample_report_reconciles() {
    let report = report(&[sample_dir()]);
    assert_eq!(report["lines"]["total"], 392);
    assert_eq!(report["lines"]["unrecognised"], 1);
    assert_eq!(
        report["lines"]["top_unrecognised"][0]["template"],
        "SDS_CLIENT: URL scanner enabled=<n>"
    );
    assert_eq!(
        report["inbound"]["connections"],
        serde_json::json!({"total": 14, "success": 7, "failed": 2, "none": 4, "unknown": 1})
    );
    assert_eq!(
        report["inbound"]["messages"],
        serde_json::json!({"total": 19, "success": 12, "failed": 1, "none": 3, "unknown": 1, "internal": 2})
    );
    assert_eq!(
        report["outbound"]["connections"],
        serde_json::json!({"total": 13, "success": 6, "failed": 2, "none": 4, "unknown": 1})
    );
    assert_eq!(
        report["outbound"]["deliveries"],
        serde_json::json!({"total": 21, "success": 14, "failed": 1, "none": 5, "unknown": 1})
    );
    assert_eq!(
        report["outbound"]["recipients"],
        serde_json::json!({"total": 25, "delivered": 21, "bounced": 2, "pending": 1, "dropped": 1, "unknown": 0})
    );
    assert_eq!(report["inbound"]["copies"]["total"], 1);
    assert_eq!(report["inbound"]["copies"]["none"], 1);
    let deliveries = &report["outbound"]["deliveries"];
    assert_eq!(
        deliveries["total"],
        report["outbound"]["recipients"]["delivered"]
    );
}

#[test]
fn consolidated_events_in_the_file_format_join_alike() {
    // The same events as the appliance writes them to its own file
    // (`Www Mmm dd HH:MM:SS YYYY: CEF:...`) and with a level.
    let text = std::fs::read_to_string(fixture("consolidated.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, prefix) in [
        ("file.log", "Mon Mar  2 10:05:03 2026: "),
        ("level.log", "Mon Mar  2 10:05:03 2026 Info: "),
        // Pushed by syslog under the host name, while the text log was
        // pulled from the appliance: the serial number joins them.
        (
            "pushed.log",
            "<14>Mar  2 10:05:03 esa1 consolidated_event: ",
        ),
    ] {
        let path = dir.path().join(name);
        let lines: Vec<String> = text
            .lines()
            .map(|line| format!("{prefix}{}", &line[line.find("CEF:").unwrap()..]))
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let records = messages(&[fixture("lifecycle.log"), path]);
        assert_eq!(mids_of_records(&records), vec![500, 777], "{name}");
        assert_eq!(
            by_mid(&records, 500)["sources"],
            serde_json::json!(["mail_logs", "consolidated"]),
            "{name}"
        );
        assert_eq!(by_mid(&records, 500)["dane"]["status"], "success", "{name}");
        assert_eq!(
            by_mid(&records, 777)["host"],
            "4229AAAA0000-TEST0001",
            "{name}"
        );
    }
}

#[test]
fn consolidated_disagreements_are_listed_and_counted() {
    // An event about MID 500 that differs from the text log in its ICID,
    // size and client address, states delivery for a recipient the text
    // log bounced, and names a recipient the text log does not.
    let (_dir, path) = temp_log(
        "events.log",
        "<14>Mar  2 10:05:03 consolidated_event: CEF:0|Cisco|C300V Secure Email Gateway Virtual|\
         15.0.0-104|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
         deviceExternalId=4229AAAA0000-TEST0001 ESAMID=500 ESAICID=101 ESAMsgSize=9999 \
         suser=alice@example.net duser=dave@example.org,zed@example.org act=DELIVERED \
         src=198.51.100.99\n",
    );
    let paths = [fixture("lifecycle.log"), path];
    let output = esatls_paths(&["messages", "--format", "json", "--year", "2026"], &paths);
    let records = json_lines(&output);
    let conflicts: Vec<(String, String, String)> = by_mid(&records, 500)["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_string(),
                c["mail_logs"].as_str().unwrap().to_string(),
                c["consolidated"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("icid", "100", "101"),
        ("size", "1024", "9999"),
        ("inbound.remote_ip", "198.51.100.10", "198.51.100.99"),
        ("recipients.status", "bounced", "delivered"),
        ("recipients[rid=4]", "(not named)", "zed@example.org"),
    ];
    assert_eq!(
        conflicts,
        expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    let output = esatls_paths(&["report", "--format", "json", "--year", "2026"], &paths);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["correlation"]["merged"], 1);
    assert_eq!(report["correlation"]["conflicting"], 1);

    // A sender alone that differs is counted by the report as well.
    let (_dir, path) = temp_log(
        "sender.log",
        "<14>Mar  2 10:05:03 consolidated_event: CEF:0|Cisco|C300V Secure Email Gateway Virtual|\
         15.0.0-104|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
         deviceExternalId=4229AAAA0000-TEST0001 ESAMID=500 suser=mallory@example.net\n",
    );
    let paths = [fixture("lifecycle.log"), path];
    let output = esatls_paths(&["report", "--format", "json", "--year", "2026"], &paths);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["correlation"]["conflicting"], 1);
}

#[test]
fn consolidated_events_join_text_records() {
    let paths = [fixture("lifecycle.log"), fixture("consolidated.log")];
    let output = esatls_paths(&["messages", "--format", "json", "--year", "2026"], &paths);
    assert_eq!(output.status.code(), Some(0));
    let records = json_lines(&output);
    assert_eq!(records.len(), 2);

    let joined = by_mid(&records, 500);
    assert_eq!(
        joined["sources"],
        serde_json::json!(["mail_logs", "consolidated"])
    );
    assert_eq!(joined["inbound"]["tls"], "success");
    assert_eq!(joined["inbound"]["protocol"], "TLSv1.2");
    assert_eq!(joined["dane"]["status"], "success");
    assert_eq!(joined["dane"]["host"], "mx2.example.org");
    let conflicts = joined["conflicts"].as_array().unwrap();
    let fields: Vec<&str> = conflicts
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["inbound.protocol", "inbound.cipher"]);
    assert_eq!(conflicts[0]["mail_logs"], "TLSv1.2");
    assert_eq!(conflicts[0]["consolidated"], "TLSv1.3");

    let alone = by_mid(&records, 777);
    assert_eq!(alone["sources"], serde_json::json!(["consolidated"]));
    assert_eq!(alone["inbound"]["tls"], "failed");
    assert_eq!(alone["inbound"]["remote_ip"], "203.0.113.77");
    assert_eq!(alone["inbound"]["remote_host"], Value::Null);
    assert_eq!(alone["message_id"], "<only@example.org>");
    assert_eq!(alone["subject"], "Only here");
    assert_eq!(alone["recipients"][0]["address"], "heidi@example.com");
    assert_eq!(alone["recipients"][0]["status"], "delivered");
    assert_eq!(alone["recipients"][0]["tls"], "success");
    assert_eq!(alone["recipients"][0]["dcid"], 270);

    let report = report(&paths);
    assert_eq!(report["correlation"]["consolidated_events"], 2);
    assert_eq!(report["correlation"]["merged"], 1);
    assert_eq!(report["correlation"]["conflicting"], 1);
    assert_eq!(report["correlation"]["consolidated_only"], 1);
    assert_eq!(report["inbound"]["messages"]["total"], 2);
}

#[test]
fn consolidated_events_in_one_mixed_stream() {
    let mut text = std::fs::read_to_string(fixture("lifecycle.log")).unwrap();
    let consolidated = std::fs::read_to_string(fixture("consolidated.log")).unwrap();
    let first_event = consolidated.lines().next().unwrap();
    // A collector that writes both subscriptions into one file puts the
    // consolidated event after the message's last text line.
    text.push_str(first_event);
    text.push('\n');
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.log");
    std::fs::write(&path, text).unwrap();
    let output = esatls_paths(&["messages", "--format", "json", "--year", "2026"], &[path]);
    let records = json_lines(&output);
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0]["sources"],
        serde_json::json!(["mail_logs", "consolidated"])
    );
}

#[test]
fn split_copy_follows_same_second_revision() {
    let records = messages(&[fixture("split-order.log")]);
    let original = by_mid(&records, 7);
    let copy = by_mid(&records, 8);
    assert_eq!(original["inbound"]["tls"], "success");
    assert_eq!(copy["inbound"]["tls"], "success");
    assert_eq!(copy["inbound"]["protocol"], "TLSv1.2");
    // Start MID 8 ICID 0 comes after the split line: the copy keeps ICID 5.
    assert_eq!(copy["icid"], 5);
    // One recipient of the address moved to the copy, the other stayed.
    let rids: Vec<u64> = original["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rid"].as_u64().unwrap())
        .collect();
    assert_eq!(rids, vec![1]);
    assert_eq!(copy["recipients"].as_array().unwrap().len(), 1);
}

#[test]
fn trace_lists_same_second_tls_line() {
    let path = sample_dir().join("esa2-syslog.log");
    let output = esatls_paths(
        &["trace", "81001", "--year", "2026", "--format", "json"],
        &[path],
    );
    let found = json_lines(&output);
    let lines: Vec<u64> = found[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines[..5], [1, 2, 3, 4, 5]);
}

#[test]
fn fifo_named_on_command_line_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let data = std::fs::read(fixture("lifecycle.log")).unwrap();
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(writer_path, data).unwrap());
    let output = esatls_paths(&["report", "--format", "json"], &[fifo]);
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["lines"]["total"], 33);
    assert_eq!(report["inbound"]["messages"]["total"], 1);
}

#[test]
fn same_file_twice_is_read_once() {
    let path = fixture("lifecycle.log");
    let output = esatls_paths(&["report", "--format", "json"], &[path.clone(), path]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["inbound"]["messages"]["total"], 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("lifecycle.log: read once; an earlier path reaches the same input"),
        "{stderr}"
    );
}

#[test]
fn byte_order_mark_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.log");
    let mut data = b"\xef\xbb\xbf".to_vec();
    data.extend(std::fs::read(fixture("inbound-success.log")).unwrap());
    std::fs::write(&path, data).unwrap();
    let report = report(&[path]);
    assert_eq!(report["lines"]["unrecognised"], 0);
    assert_eq!(report["inbound"]["messages"]["success"], 1);
}

/// Waits until `path` holds at least `count` lines, for at most 20 s.
/// A running `esatls --follow`, killed when dropped, so that a failed
/// assertion leaves no process behind.
struct Follower(Option<std::process::Child>);

impl Follower {
    fn spawn(command: &mut Command) -> Follower {
        Follower(Some(command.spawn().expect("the esatls binary runs")))
    }

    /// Sends SIGINT, as Ctrl-C does, and waits for the exit.
    fn interrupt(self) -> Output {
        self.signal("-INT")
    }

    /// Sends `signal` (`-TERM`, say) and waits for the exit.
    fn signal(mut self, signal: &str) -> Output {
        self.send(signal);
        let child = self.0.take().expect("the follower runs");
        child.wait_with_output().unwrap()
    }

    /// Sends `signal` and waits at most 10 s for the exit, for a child
    /// whose output goes to files.
    fn signal_and_wait(&mut self, signal: &str) -> std::process::ExitStatus {
        self.send(signal);
        let child = self.0.as_mut().expect("the follower runs");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "esatls did not end within 10 s of {signal}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn send(&self, signal: &str) {
        let child = self.0.as_ref().expect("the follower runs");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for_lines(path: &Path, count: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().count() >= count || std::time::Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn follow_emits_records_across_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let current = logs.join("mail_logs.current");
    let lifecycle = std::fs::read_to_string(fixture("lifecycle.log")).unwrap();
    let lines: Vec<&str> = lifecycle.lines().collect();
    std::fs::write(&current, lines[..20].join("\n") + "\n").unwrap();
    let out_path = dir.path().join("out.json");
    let out = std::fs::File::create(&out_path).unwrap();
    let child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["messages", "--follow", "--format", "json"])
            .arg(&logs)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::piped()),
    );
    // Nothing has finished yet; then the rest of the message arrives.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), "");
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&current)
            .unwrap();
        file.write_all((lines[20..].join("\n") + "\n").as_bytes())
            .unwrap();
    }
    let text = wait_for_lines(&out_path, 1);
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["mid"], 500);
    assert_eq!(first["complete"], true);

    // The appliance rotates: the current file is saved and a new one starts.
    std::fs::rename(&current, logs.join("mail_logs.@20260302T100000.s")).unwrap();
    std::fs::write(&current, std::fs::read(fixture("derived.log")).unwrap()).unwrap();
    let text = wait_for_lines(&out_path, 5);
    let mids: Vec<u64> = text
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["mid"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(mids, vec![500, 800, 801, 802, 803]);

    let output = child.interrupt();
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mail_logs.current"), "{stderr}");
}

#[test]
fn follow_takes_one_path() {
    let output = esatls_paths(
        &["report", "--follow"],
        &[fixture("lifecycle.log"), fixture("derived.log")],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--follow reads one file or directory, but 2 paths were given"),
        "{stderr}"
    );
}

#[test]
fn follow_report_is_printed_on_interval_and_interrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail_logs.current");
    std::fs::copy(fixture("lifecycle.log"), &path).unwrap();
    let out_path = dir.path().join("report.json");
    let out = std::fs::File::create(&out_path).unwrap();
    let child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["report", "--follow", "--interval", "1", "--format", "json"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(out),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_to_string(&out_path)
        .unwrap()
        .matches("\"appliances\"")
        .count()
        < 1
    {
        assert!(std::time::Instant::now() < deadline, "no report printed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let output = child.interrupt();
    assert_eq!(output.status.code(), Some(130));
    // One report per line, the last written at the interrupt.
    let text = std::fs::read_to_string(&out_path).unwrap();
    let reports: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one report"))
        .collect();
    assert!(reports.len() >= 2, "{} reports printed", reports.len());
    let report = reports.last().unwrap();
    assert_eq!(reports[0]["interrupted"], false);
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["inbound"]["messages"]["total"], 1);
    assert_eq!(report["lines"]["total"], 33);
    // The lines before the file's offset header take its offset too.
    assert_eq!(report["period"]["first"], "2026-03-02T10:00:00-06:00");
    assert_eq!(report["period"]["last"], "2026-03-02T10:05:09-06:00");
}

#[test]
fn follow_says_what_it_waits_for() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mail_logs.current");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    std::fs::write(saved.join("mail_logs.@20260302T090000.s.gz"), b"").unwrap();
    for (path, expected) in [
        (&missing, "does not exist yet; waiting for it to appear"),
        (
            &empty,
            "no log file in this directory yet; waiting for one to appear",
        ),
        (
            &saved,
            "no log file in this directory yet, only 1 compressed file(s), which are \
             complete and are not followed (read them without --follow); waiting for a \
             log file to appear",
        ),
    ] {
        let stderr_path = dir.path().join("stderr");
        let child = Follower::spawn(
            Command::new(env!("CARGO_BIN_EXE_esatls"))
                .args(["messages", "--follow", "--format", "json"])
                .arg(path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&stderr_path).unwrap()),
        );
        let first = wait_for_lines(&stderr_path, 1);
        let output = child.interrupt();
        assert_eq!(output.status.code(), Some(130));
        assert_eq!(
            first.lines().next().unwrap_or_default(),
            format!("esatls: {}: {expected}", path.display())
        );
    }
}

#[test]
fn offsets_belong_to_their_appliance() {
    let output = esatls_paths(
        &["messages", "--format", "json", "--year", "2026"],
        &[fixture("offsets-per-appliance.log")],
    );
    let records = json_lines(&output);
    let started: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["host"].as_str().unwrap(), r["started"].as_str().unwrap()))
        .collect();
    assert_eq!(
        started,
        vec![
            ("esa1", "2026-03-02T09:00:01+01:00"),
            ("esa2", "2026-03-02T09:00:00-05:00"),
            ("esa2", "2026-03-02T09:00:02-05:00"),
            ("esa3", "2026-03-02T09:00:03"),
        ]
    );
}

#[test]
fn recipient_filters_apply_to_one_recipient() {
    let paths = [sample_dir()];
    let output = esatls_paths(
        &[
            "messages",
            "--format",
            "json",
            "--recipient",
            "@partner.example",
            "--outbound-tls",
            "none",
        ],
        &paths,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no message matches the filters"));
    let output = esatls_paths(
        &[
            "messages",
            "--format",
            "json",
            "--recipient",
            "@clear.example",
            "--outbound-tls",
            "none",
        ],
        &paths,
    );
    assert_eq!(mids_of(&output), vec![81012]);
    // A domain without the `@` is a domain too.
    let output = esatls_paths(
        &[
            "messages",
            "--format",
            "json",
            "--recipient",
            "Clear.Example",
            "--outbound-tls",
            "none",
        ],
        &paths,
    );
    assert_eq!(mids_of(&output), vec![81012]);
}

#[test]
fn input_without_mail_log_lines_is_named() {
    let (dir, garbage) = temp_log("notes.txt", "shopping list\neggs\n\nmilk\n");
    let single = dir.path().join("one.txt");
    std::fs::write(&single, "just one line\n").unwrap();
    let output = esatls_paths(
        &["report", "--format", "json"],
        &[garbage.clone(), single.clone(), fixture("lifecycle.log")],
    );
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("mail log entry"))
        .collect();
    assert_eq!(
        warnings,
        vec![
            format!(
                "esatls: warning: {}: none of its 4 lines is a mail log entry; check that it \
                 is an ESA text mail log or consolidated event log",
                garbage.display()
            ),
            format!(
                "esatls: warning: {}: its one line is not a mail log entry; check that it is \
                 an ESA text mail log or consolidated event log",
                single.display()
            ),
        ]
    );
}

#[test]
fn null_sender_and_domains_reconcile() {
    let records = messages(&[sample_dir()]);
    assert_eq!(by_mid(&records, 81016)["sender"], "<>");
    let null_senders: Vec<u64> = records
        .iter()
        .filter(|r| r["sender"] == "<>")
        .map(|r| r["mid"].as_u64().unwrap())
        .collect();
    let output = esatls_paths(
        &["messages", "--format", "json", "--sender", "<>"],
        &[sample_dir()],
    );
    assert_eq!(mids_of(&output), null_senders);
    assert!(null_senders.contains(&81016));
    let report = report(&[sample_dir()]);
    let domains = report["outbound"]["domains"].as_array().unwrap();
    let total: u64 = domains
        .iter()
        .map(|d| d["delivered"]["total"].as_u64().unwrap() + d["not_delivered"].as_u64().unwrap())
        .sum();
    assert_eq!(
        total,
        report["outbound"]["recipients"]["total"].as_u64().unwrap()
    );
    assert_eq!(report["period"]["first"], "2026-03-02T09:00:00+01:00");
}

#[test]
fn option_values_are_checked() {
    for (args, expected) in [
        (
            vec!["messages", "--recipient", "", "x"],
            "the value is empty",
        ),
        (
            vec!["messages", "--recipient", "@", "x"],
            "the value is empty",
        ),
        (
            vec!["messages", "--host", " ", "x"],
            "give the appliance's name",
        ),
        (
            vec!["messages", "--outbound-tls", "internal", "x"],
            "invalid value 'internal'",
        ),
        (
            vec!["connections", "--tls", "internal", "x"],
            "invalid value 'internal'",
        ),
        (
            vec!["report", "--year", "0", "x"],
            "0 is not in 1970..=9999",
        ),
        (
            vec!["report", "--max-open", "5", "x"],
            "5 is too small: give at least 10",
        ),
        (
            vec!["report", "--threads", "0", "x"],
            "give a number from 1 to 64",
        ),
        (
            vec!["report", "--threads", "65", "x"],
            "give a number from 1 to 64",
        ),
        (vec!["report", "--interval", "5", "x"], "--follow"),
        (
            vec!["messages", "--follow", "--interval", "5", "x"],
            "unexpected argument '--interval'",
        ),
        (
            vec!["connections", "--follow", "--interval", "5", "x"],
            "unexpected argument '--interval'",
        ),
        (
            vec!["report", "--follow", "--interval", "0", "x"],
            "0 is not in 1..=86400",
        ),
        (
            vec!["report", "--utc-offset", "3600", "x"],
            "give hours and minutes",
        ),
    ] {
        let output = esatls(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let output = esatls_paths(
        &["messages", "--format", "json", "--utc-offset", "3600s"],
        &[fixture("lifecycle.log")],
    );
    assert_eq!(
        json_lines(&output)[0]["started"],
        "2026-03-02T10:00:02+01:00"
    );
}

/// Writes `text` to a file in a new temporary directory and returns both.
fn temp_log(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn reboot_reuses_ids_without_merging() {
    let (_dir, path) = temp_log(
        "reboot.log",
        "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID 5 interface x address 198.51.100.1\n\
         Mon Mar  2 10:00:00 2026 Info: ICID 5 TLS success protocol TLSv1.2 cipher X\n\
         Mon Mar  2 10:00:01 2026 Info: Start MID 7 ICID 5\n\
         Mon Mar  2 10:00:02 2026 Info: Begin Logfile\n\
         Mon Mar  2 10:00:03 2026 Info: New SMTP ICID 5 interface x address 198.51.100.2\n\
         Mon Mar  2 10:00:04 2026 Info: Start MID 7 ICID 5\n\
         Mon Mar  2 10:00:05 2026 Info: ICID 5 close\n",
    );
    let connections = connections(std::slice::from_ref(&path));
    assert_eq!(connections.len(), 2);
    assert_eq!(connections[0]["remote_ip"], "198.51.100.1");
    assert_eq!(connections[0]["tls"], "success");
    assert_eq!(connections[1]["remote_ip"], "198.51.100.2");
    assert_eq!(connections[1]["tls"], "none");
    let records = messages(std::slice::from_ref(&path));
    let states: Vec<&str> = records
        .iter()
        .map(|r| r["inbound"]["tls"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["success", "none"]);
    let report = report(&[path]);
    assert_eq!(report["correlation"]["id_reuses"], 2);
}

#[test]
fn idle_records_are_closed_after_the_limit() {
    let (_dir, path) = temp_log(
        "idle.log",
        "Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 0\n\
         Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 0 RID 0 To: <a@example.com>\n\
         Wed Mar  4 10:00:00 2026 Info: Start MID 2 ICID 0\n\
         Tue Mar 10 10:00:00 2026 Info: Start MID 3 ICID 0\n",
    );
    let output = esatls_paths(
        &["report", "--format", "json", "--max-idle-days", "7"],
        std::slice::from_ref(&path),
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["correlation"]["expired"], 1);
    assert_eq!(report["correlation"]["open_messages_at_end"], 2);
    assert_eq!(report["inbound"]["messages"]["total"], 3);
    let records = messages(&[path]);
    assert_eq!(records[0]["mid"], 1);
    assert_eq!(records[0]["complete"], false);
    assert_eq!(records[0]["recipients"][0]["status"], "pending");
}

#[test]
fn yearless_times_step_at_new_year() {
    let (_dir, path) = temp_log(
        "rollover.log",
        "<22>Dec 31 23:59:59 esa1 mail_logs: Info: Start MID 1 ICID 0\n\
         <22>Jan  1 00:00:01 esa1 mail_logs: Info: Start MID 2 ICID 0\n\
         <22>Dec 31 23:59:58 esa1 mail_logs: Info: Start MID 3 ICID 0\n",
    );
    let output = esatls_paths(&["messages", "--format", "json", "--year", "2025"], &[path]);
    let started: Vec<(u64, String)> = json_lines(&output)
        .iter()
        .map(|r| {
            (
                r["mid"].as_u64().unwrap(),
                r["started"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        started,
        vec![
            (3, "2025-12-31T23:59:58".to_string()),
            (1, "2025-12-31T23:59:59".to_string()),
            (2, "2026-01-01T00:00:01".to_string()),
        ]
    );
}

#[test]
fn yearless_time_precedes_file_mtime() {
    let (_dir, path) = temp_log(
        "copied.log",
        "<22>Dec 20 10:00:00 esa1 mail_logs: Info: Start MID 1 ICID 0\n\
         <22>Dec 21 10:00:00 esa1 mail_logs: Info: Start MID 2 ICID 0\n",
    );
    // Written on 4 December: the 20th of December is last year's.
    let status = Command::new("touch")
        .args(["-d", "2026-12-04 12:00:00"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let output = esatls_paths(&["messages", "--format", "json"], &[path]);
    let started: Vec<String> = json_lines(&output)
        .iter()
        .map(|r| r["started"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(started, vec!["2025-12-20T10:00:00", "2025-12-21T10:00:00"]);
}

/// Writes entry `text` as line `index` of a log in one header form.
type Render = fn(usize, &str) -> String;

#[test]
fn every_header_form_gives_the_same_verdict() {
    let body = [
        "New SMTP ICID 5 interface Data 1 (192.0.2.1) address 198.51.100.5 reverse dns host mx.example.net verified yes",
        "ICID 5 TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384",
        "Start MID 9 ICID 5",
        "MID 9 ICID 5 RID 0 To: <a@example.com>",
        "New SMTP DCID 6 interface 192.0.2.2 address 192.0.2.60 port 25",
        "DCID 6 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384",
        "Delivery start DCID 6 MID 9 to RID [0]",
        "Message done DCID 6 MID 9 to RID [0]",
        "Message finished MID 9 done",
    ];
    let forms: [(&str, Render); 7] = [
        ("native", |i, text| {
            format!("Mon Mar  2 10:00:0{i} 2026 Info: {text}")
        }),
        ("rfc3164", |i, text| {
            format!("<22>Mar  2 10:00:0{i} esa1 mail_logs: Info: {text}")
        }),
        ("rfc3164 without PRI", |i, text| {
            format!("Mar  2 10:00:0{i} esa1 mail_logs: Info: {text}")
        }),
        ("rfc3164 with year", |i, text| {
            format!("Mar  2 10:00:0{i} 2026 esa1 mail_logs: Info: {text}")
        }),
        ("syslog then native", |i, text| {
            format!("<22>Mar  2 10:00:0{i} esa1 mail_logs: Mon Mar  2 10:00:0{i} 2026 Info: {text}")
        }),
        ("rfc5424", |i, text| {
            format!("<22>1 2026-03-02T10:00:0{i}.5+01:00 esa1 mail_logs - - - Info: {text}")
        }),
        ("iso8601", |i, text| {
            format!("2026-03-02T10:00:0{i}Z esa1 mail_logs: Info: {text}")
        }),
    ];
    for (name, render) in forms {
        let log: String = body
            .iter()
            .enumerate()
            .map(|(i, text)| render(i, text) + "\r\n")
            .collect();
        let (_dir, path) = temp_log("form.log", &log);
        let output = esatls_paths(&["messages", "--format", "json", "--year", "2026"], &[path]);
        let records = json_lines(&output);
        assert_eq!(records.len(), 1, "{name}");
        let record = &records[0];
        assert_eq!(record["inbound"]["tls"], "success", "{name}");
        assert_eq!(record["inbound"]["protocol"], "TLSv1.3", "{name}");
        assert_eq!(record["recipients"][0]["status"], "delivered", "{name}");
        assert_eq!(record["recipients"][0]["tls"], "success", "{name}");
        assert_eq!(record["complete"], true, "{name}");
    }
}

#[test]
fn consolidated_event_resolves_unknown_recipients() {
    let (_dir, text) = temp_log(
        "text.log",
        "Mon Mar  1 10:00:00 2021 Info: Version: 14.0.0-1 SN: AAAA-1\n\
         Mon Mar  1 10:00:00 2021 Info: Start MID 3000 ICID 0\n\
         Mon Mar  1 10:00:00 2021 Info: MID 3000 ICID 0 RID 0 To: <rcpt@example.com>\n\
         Mon Mar  1 10:00:02 2021 Info: Message finished MID 3000 done\n",
    );
    let cef_dir = tempfile::tempdir().unwrap();
    let cef = cef_dir.path().join("cef.log");
    std::fs::write(
        &cef,
        "CEF:0|Cisco|C100V|14.0.0-1|ESA_CONSOLIDATED_LOG_EVENT|Consolidated Log Event|5|\
         deviceExternalId=AAAA-1 ESAMID=3000 act=DELIVERED duser=rcpt@example.com;extra@example.org \
         ESATLSOutConnStatus=Success ESATLSOutProtocol=TLSv1.3\n",
    )
    .unwrap();
    let records = messages(&[text, cef]);
    assert_eq!(records.len(), 1);
    let recipients = records[0]["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 2);
    assert_eq!(recipients[0]["status"], "delivered");
    assert_eq!(recipients[0]["tls"], "success");
    assert_eq!(recipients[0]["protocol"], "TLSv1.3");
    assert_eq!(recipients[1]["address"], "extra@example.org");
    assert_eq!(recipients[1]["rid"], 1);
    assert_eq!(recipients[1]["status"], "delivered");
}

#[test]
fn release_after_original_finished_inherits() {
    let (_dir, path) = temp_log(
        "release.log",
        "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID 1 interface x address 198.51.100.1\n\
         Mon Mar  2 10:00:00 2026 Info: ICID 1 TLS success protocol TLSv1.2 cipher X\n\
         Mon Mar  2 10:00:01 2026 Info: Start MID 1 ICID 1\n\
         Mon Mar  2 10:00:01 2026 Info: MID 1 Message-ID '<q@example.net>'\n\
         Mon Mar  2 10:00:02 2026 Info: Message finished MID 1 done\n\
         Mon Mar  2 10:00:07 2026 Info: EUQ: Reinjected MID 1 as MID 3\n\
         Mon Mar  2 10:00:07 2026 Info: MID 3 ICID 0 RID 0 To: <x@example.com>\n\
         Mon Mar  2 10:00:08 2026 Info: Message finished MID 3 done\n",
    );
    let records = messages(std::slice::from_ref(&path));
    let copy = by_mid(&records, 3);
    assert_eq!(copy["inbound"]["tls"], "success");
    assert_eq!(copy["icid"], 1);
    assert_eq!(copy["message_id"], "<q@example.net>");
    let output = esatls_paths(&["trace", "<q@example.net>", "--format", "json"], &[path]);
    assert_eq!(mids_of(&output), vec![1, 3]);
}

#[test]
fn evicted_messages_do_not_come_back() {
    let mut log = String::new();
    for mid in 1..=30 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:{mid:02} 2026 Info: Start MID {mid} ICID 0\n"
        ));
    }
    for mid in 1..=30 {
        log.push_str(&format!(
            "Mon Mar  2 10:01:{mid:02} 2026 Info: Message finished MID {mid} done\n"
        ));
    }
    let (_dir, path) = temp_log("open.log", &log);
    let output = esatls_paths(&["report", "--format", "json", "--max-open", "10"], &[path]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let evicted = report["correlation"]["evicted"].as_u64().unwrap();
    assert!(evicted > 0);
    assert_eq!(report["inbound"]["messages"]["total"], 30);
    assert_eq!(report["correlation"]["late_lines"], evicted);
}

#[test]
fn evicted_connections_are_not_cleartext() {
    let mut log = String::new();
    for icid in 1..=30 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:{icid:02} 2026 Info: New SMTP ICID {icid} interface x address 198.51.100.{icid}\n"
        ));
    }
    for icid in 1..=30 {
        log.push_str(&format!(
            "Mon Mar  2 10:01:{icid:02} 2026 Info: ICID {icid} TLS success protocol TLSv1.3 cipher X\n"
        ));
    }
    let (_dir, path) = temp_log("open.log", &log);
    let output = esatls_paths(&["report", "--format", "json", "--max-open", "10"], &[path]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let evicted = report["correlation"]["evicted"].as_u64().unwrap();
    let connections = &report["inbound"]["connections"];
    // A connection closed early may still have had its TLS line to come.
    assert_eq!(connections["total"], 30);
    assert_eq!(connections["none"], 0);
    assert_eq!(connections["unknown"], evicted);
    assert_eq!(connections["success"].as_u64().unwrap(), 30 - evicted);
}

#[test]
fn wrapped_version_line_names_the_appliance() {
    let (_dir, path) = temp_log(
        "wrapped.log",
        "Tue Mar 12 08:01:50 2024 Info: Version: 15.0.0-104\n\
         SN: 0123456789AB-CDEF01234567\n\
         Tue Mar 12 08:01:51 2024 Info: New SMTP ICID 1 interface Main (192.0.2.1) address 192.0.2.9\n",
    );
    let output = esatls_paths(&["connections", "--format", "json"], &[path]);
    assert_eq!(output.status.code(), Some(0));
    let records = json_lines(&output);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["host"], "0123456789AB-CDEF01234567");
}

#[test]
fn open_limit_holds_across_appliances() {
    // 50 appliances with three connections each: no appliance passes the
    // limit of 10 alone, all of them together do.
    let mut log = String::new();
    for icid in 1..=3 {
        for host in 1..=50 {
            log.push_str(&format!(
                "<22>Mar  2 10:00:{icid:02} esa{host} mail_logs: Info: New SMTP ICID {icid} interface x address 198.51.100.{host}\n"
            ));
        }
    }
    let (_dir, path) = temp_log("many.log", &log);
    for threads in ["1", "2"] {
        let output = esatls_paths(
            &[
                "report",
                "--format",
                "json",
                "--max-open",
                "10",
                "--threads",
                threads,
            ],
            std::slice::from_ref(&path),
        );
        assert_eq!(output.status.code(), Some(0));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["inbound"]["connections"]["total"], 150);
        assert_eq!(report["correlation"]["evicted"], 140);
        assert_eq!(report["correlation"]["open_connections_at_end"], 10);
        assert_eq!(report["inbound"]["connections"]["unknown"], 140);
    }
}

#[test]
fn waits_within_one_second_are_bounded() {
    // 3,000 messages and connections that end in one second wait for the
    // clock to move on. Past --max-open the waiting records are written
    // first, so none is closed early by the open limit.
    let mut log = String::new();
    for id in 1..=3_000 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID {id} interface Data1 (192.0.2.1) address 198.51.100.7 reverse dns host unknown verified no\n\
             Mon Mar  2 10:00:00 2026 Info: Start MID {id} ICID {id}\n\
             Mon Mar  2 10:00:00 2026 Info: Message finished MID {id} done\n\
             Mon Mar  2 10:00:00 2026 Info: ICID {id} close\n"
        ));
    }
    let (_dir, path) = temp_log("second.log", &log);
    for threads in ["1", "2"] {
        let report = report_with(
            &["--max-open", "1000", "--threads", threads],
            std::slice::from_ref(&path),
        );
        assert_eq!(report["correlation"]["evicted"], 0);
        assert_eq!(report["inbound"]["connections"]["total"], 3_000);
        assert_eq!(report["inbound"]["connections"]["none"], 3_000);
        assert_eq!(report["inbound"]["messages"]["total"], 3_000);
        assert_eq!(report["inbound"]["messages"]["none"], 3_000);
    }
}

#[test]
fn late_tls_lines_of_one_second_still_apply() {
    // 3,000 connections of each direction close in one second, and their
    // TLS lines come after all the closes, in the same second: fewer than
    // 4,096 of each direction wait, so every TLS line still applies.
    let mut log = String::new();
    for id in 1..=3_000 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID {id} interface Data1 (192.0.2.1) address 198.51.100.7 reverse dns host unknown verified no\n\
             Mon Mar  2 10:00:00 2026 Info: New SMTP DCID {id} interface 192.0.2.1 address 203.0.113.5 port 25\n\
             Mon Mar  2 10:00:00 2026 Info: ICID {id} close\n\
             Mon Mar  2 10:00:00 2026 Info: DCID {id} close\n"
        ));
    }
    for id in 1..=3_000 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:00 2026 Info: ICID {id} TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384\n\
             Mon Mar  2 10:00:00 2026 Info: DCID {id} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384\n"
        ));
    }
    let (_dir, path) = temp_log("late.log", &log);
    let report = report(std::slice::from_ref(&path));
    assert_eq!(report["inbound"]["connections"]["total"], 3_000);
    assert_eq!(report["inbound"]["connections"]["success"], 3_000);
    assert_eq!(report["outbound"]["connections"]["total"], 3_000);
    assert_eq!(report["outbound"]["connections"]["success"], 3_000);
    assert_eq!(report["correlation"]["evicted"], 0);
}

#[test]
fn cut_recipient_list_keeps_its_whole_items() {
    // Lines of 256 bytes keep the delivery lines' RIDs 0 to 49 and a
    // part of 50: the whole ones count, the cut one and those after it
    // do not.
    let rids: Vec<String> = (0..60).map(|rid| rid.to_string()).collect();
    let rids = rids.join(", ");

    let mut log = String::from(
        "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID 9 interface Data1 (192.0.2.1) address 198.51.100.7 reverse dns host unknown verified no\n\
         Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 9\n",
    );
    for rid in 0..60 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 9 RID {rid} To: <r{rid}@example.com>\n"
        ));
    }
    log.push_str(&format!(
        "Mon Mar  2 10:00:01 2026 Info: New SMTP DCID 3 interface 192.0.2.1 address 203.0.113.5 port 25\n\
         Mon Mar  2 10:00:01 2026 Info: Delivery start DCID 3 MID 1 to RID [{rids}]\n\
         Mon Mar  2 10:00:01 2026 Info: Message done DCID 3 MID 1 to RID [{rids}]\n\
         Mon Mar  2 10:00:01 2026 Info: Message finished MID 1 done\n\
         Mon Mar  2 10:00:02 2026 Info: DCID 3 close\n\
         Mon Mar  2 10:00:02 2026 Info: ICID 9 close\n"
    ));
    let (_dir, path) = temp_log("cut.log", &log);
    let report = report_with(&["--max-line-bytes", "256"], std::slice::from_ref(&path));

    assert_eq!(report["lines"]["truncated"], 2);
    assert_eq!(report["lines"]["unrecognised"], 0);
    assert_eq!(report["outbound"]["recipients"]["total"], 60);
    assert_eq!(report["outbound"]["recipients"]["delivered"], 50);
    assert_eq!(report["outbound"]["recipients"]["unknown"], 10);
}

#[test]
fn rewrite_hands_recipients_over() {
    let (_dir, path) = temp_log(
        "rewrite.log",
        "Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 0\n\
         Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 0 RID 0 To: <a@example.com>\n\
         Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 0 RID 1 To: <b@example.com>\n\
         Mon Mar  2 10:00:01 2026 Info: MID 1 rewritten to MID 2 by antispam-header filter 'F'\n\
         Mon Mar  2 10:00:01 2026 Info: MID 2 ICID 0 RID 0 To: <a@example.com>\n\
         Mon Mar  2 10:00:01 2026 Info: MID 2 ICID 0 RID 1 To: <b@example.com>\n\
         Mon Mar  2 10:00:02 2026 Info: Message finished MID 1 done\n",
    );
    let report = report(&[path]);
    assert_eq!(report["outbound"]["recipients"]["total"], 2);
    assert_eq!(report["inbound"]["messages"]["total"], 1);
    assert_eq!(report["inbound"]["copies"]["total"], 1);
}

/// Writes the gzip-compressed content of `source` to `target`.
fn write_gzip(source: &Path, target: &Path) {
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(target).unwrap(),
        flate2::Compression::fast(),
    );
    std::io::copy(&mut std::fs::File::open(source).unwrap(), &mut encoder).unwrap();
    encoder.finish().unwrap();
}

#[test]
fn release_from_quarantine_hands_recipients_over() {
    let (_dir, path) = temp_log(
        "release.log",
        "Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 0\n\
         Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 0 RID 0 To: <x@example.com>\n\
         Mon Mar  2 10:00:05 2026 Info: EUQ: Reinjected MID 1 as MID 2\n\
         Mon Mar  2 10:00:05 2026 Info: MID 2 ICID 0 RID 0 To: <x@example.com>\n\
         Mon Mar  2 10:00:06 2026 Info: Delivery start DCID 0 MID 2 to RID [0]\n\
         Mon Mar  2 10:00:06 2026 Info: Message done DCID 0 MID 2 to RID [0]\n\
         Mon Mar  2 10:00:06 2026 Info: Message finished MID 2 done\n\
         Mon Mar  2 10:00:07 2026 Info: Message finished MID 1 done\n",
    );
    let report = report(&[path]);
    assert_eq!(report["outbound"]["recipients"]["total"], 1);
    assert_eq!(report["outbound"]["recipients"]["delivered"], 1);
    assert_eq!(report["inbound"]["copies"]["total"], 1);
}

#[test]
fn compressed_copies_and_empty_directories_warn() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("mail.@20260302T100000.s");
    std::fs::copy(fixture("lifecycle.log"), &log).unwrap();
    let gzip = dir.path().join("mail.@20260302T100000.s.gz");
    write_gzip(&fixture("lifecycle.log"), &gzip);
    let empty = tempfile::tempdir().unwrap();
    let output = esatls_paths(
        &["report", "--format", "json"],
        &[dir.path().to_path_buf(), empty.path().to_path_buf()],
    );
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: not read; it is a compressed copy of {}, which is read",
            gzip.display(),
            log.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: no files to read in this directory",
            empty.path().display()
        )),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["sources"].as_array().unwrap().len(), 1);
    assert_eq!(report["inbound"]["messages"]["total"], 1);
}

#[test]
fn compressed_file_with_other_content_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("lifecycle.log"),
        dir.path().join("mail.@20260302T100000.s"),
    )
    .unwrap();
    // Named as the compressed copy of the file beside it, but another log.
    write_gzip(
        &fixture("derived.log"),
        &dir.path().join("mail.@20260302T100000.s.gz"),
    );
    let (report, warnings) = report_and_warnings(&[dir.path().to_path_buf()]);
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(report["warnings"], serde_json::json!([]));
    assert_eq!(report["interrupted"], false);
    assert_eq!(report["sources"].as_array().unwrap().len(), 2);
    assert_eq!(report["inbound"]["messages"]["total"], 4);
}

#[test]
fn archives_and_double_compression_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A tar header: the name, then "ustar" at byte 257.
    let mut tar = vec![0u8; 1024];
    tar[..7].copy_from_slice(b"a.log\0\0");
    tar[257..263].copy_from_slice(b"ustar\0");
    let archive = dir.path().join("logs.tar");
    std::fs::write(&archive, &tar).unwrap();
    let gzip_once = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, b"Mon Mar  2 10:00:00 2026 Info: x\n").unwrap();
        encoder.finish().unwrap()
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &gzip_once).unwrap();
    let twice = dir.path().join("twice.gz");
    std::fs::write(&twice, encoder.finish().unwrap()).unwrap();
    let output = esatls_paths(
        &["report", "--format", "json"],
        &[archive.clone(), twice.clone(), fixture("lifecycle.log")],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: not read: a tar archive; extract its files",
            archive.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: not read: compressed twice; decompress it once",
            twice.display()
        )),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["inbound"]["messages"]["total"], 1);
}

#[test]
fn period_follows_utc_option() {
    let output = esatls_paths(
        &["report", "--format", "json", "--utc"],
        &[fixture("lifecycle.log")],
    );
    let utc: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(utc["period"]["first"], "2026-03-02T16:00:00Z");
    assert_eq!(utc["period"]["last"], "2026-03-02T16:05:09Z");
    let logged = report(&[fixture("lifecycle.log")]);
    assert_eq!(logged["period"]["first"], "2026-03-02T10:00:00-06:00");
}

#[test]
fn offset_header_out_of_range_is_not_used() {
    let (_dir, path) = temp_log(
        "offset.log",
        "Mon Mar  2 10:00:00 2026 Info: Time offset from UTC: 100000 seconds\n\
         Mon Mar  2 10:00:00 2026 Info: Time offset from UTC: 3601 seconds\n\
         Mon Mar  2 10:00:01 2026 Info: New SMTP ICID 1 interface x address 198.51.100.9\n\
         Mon Mar  2 10:00:01 2026 Info: Start MID 3 ICID 1\n",
    );
    let records = messages(&[path]);
    assert_eq!(records[0]["started"], "2026-03-02T10:00:01");
}

#[test]
fn unnamed_files_of_two_directories_warn() {
    let dir = tempfile::tempdir().unwrap();
    for (appliance, address) in [("esa5", "198.51.100.5"), ("esa6", "198.51.100.6")] {
        std::fs::create_dir(dir.path().join(appliance)).unwrap();
        std::fs::write(
            dir.path().join(appliance).join("mail.current"),
            format!(
                "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID {n} interface x address {address}\n\
                 Mon Mar  2 10:00:00 2026 Info: ICID {n} close\n",
                n = &appliance[3..]
            ),
        )
        .unwrap();
    }
    let paths = [
        dir.path().join("esa5/mail.current"),
        dir.path().join("esa6/mail.current"),
    ];
    let output = esatls_paths(&["connections", "--format", "json"], &paths);
    assert_eq!(output.status.code(), Some(0));
    let records = json_lines(&output);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["host"], Value::Null);
    assert_eq!(records[1]["host"], Value::Null);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        "esatls: warning: files in 2 directories name no appliance (no syslog host, \
         no Version line), so their ids are read as one appliance's; to keep each \
         directory apart, give the directory that contains them all, or read each \
         directory with its own --host"
    );
    // The directory that contains both names each after its subdirectory.
    let records = connections(&[dir.path().to_path_buf()]);
    let hosts: Vec<&str> = records
        .iter()
        .map(|r| r["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, vec!["esa5", "esa6"]);
    // Files of one directory are one appliance without a warning.
    let output = esatls_paths(&["connections", "--format", "json"], &paths[..1]);
    assert!(output.stderr.is_empty());
}

#[cfg(unix)]
#[test]
fn follow_refuses_directory_of_directories() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("esa1")).unwrap();
    let output = esatls_paths(&["messages", "--follow"], &[dir.path().to_path_buf()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "esatls: error: {}: no log file directly in this directory; follow the \
             directory that holds the log file (one appliance's subdirectory, say)",
            dir.path().display()
        )
    );
}

#[cfg(target_os = "linux")]
#[test]
fn write_errors_name_standard_output() {
    for args in [
        vec!["report"],
        vec!["messages"],
        vec!["messages", "--format", "csv"],
        vec!["connections", "--format", "json"],
        vec!["trace", "81001"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(&args)
            .arg(sample_dir())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("esatls: error: cannot write to standard output: "),
            "{args:?}: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn follow_html_report_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail_logs.current");
    std::fs::copy(fixture("lifecycle.log"), &path).unwrap();
    let child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["report", "--follow", "--interval", "1", "--format", "html"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    // Two intervals pass before the interrupt.
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    let output = child.interrupt();
    assert_eq!(output.status.code(), Some(130));
    let page = stdout(&output);
    assert_eq!(page.matches("<!DOCTYPE html>").count(), 1);
    assert!(page.trim_end().ends_with("</html>"));
}

#[cfg(unix)]
#[test]
fn follow_report_ends_on_terminate_and_hangup() {
    for signal in ["-TERM", "-HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mail_logs.current");
        std::fs::copy(fixture("lifecycle.log"), &path).unwrap();
        let child = Follower::spawn(
            Command::new(env!("CARGO_BIN_EXE_esatls"))
                .args([
                    "report",
                    "--follow",
                    "--interval",
                    "100",
                    "--format",
                    "json",
                ])
                .arg(&path)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        // Time for the follower to start and install its signal handler.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let output = child.signal(signal);
        assert_eq!(output.status.code(), Some(130), "{signal}");
        let reports = json_lines(&output);
        assert_eq!(reports.len(), 1, "{signal}");
        assert_eq!(reports[0]["inbound"]["messages"]["total"], 1, "{signal}");
    }
}

#[cfg(unix)]
#[test]
fn follow_standard_input_streams_records() {
    use std::io::Write;
    let lifecycle = std::fs::read_to_string(fixture("lifecycle.log")).unwrap();
    let mut child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["messages", "--follow", "--format", "json", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let running = child.0.as_mut().unwrap();
    let mut input = running.stdin.take().unwrap();
    let mut output = std::io::BufReader::new(running.stdout.take().unwrap());
    input.write_all(lifecycle.as_bytes()).unwrap();
    input.flush().unwrap();
    // The record comes out while standard input is still open.
    let mut line = String::new();
    std::io::BufRead::read_line(&mut output, &mut line).unwrap();
    let record: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(record["mid"], 500);
    assert_eq!(record["complete"], true);
    drop(input);
    let status = child.0.take().unwrap().wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn copies_under_other_names_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read_to_string(fixture("inbound-success.log")).unwrap();
    // Two appliances never write the same bytes, so each has its own ids.
    let esa1 = log.replace("MID 200257070", "MID 200257071");
    let esa2 = log.replace("MID 200257070", "MID 200257072");
    for (name, text) in [
        ("mail.@20260302T100000.s", &log),
        ("backup.log", &log),
        ("esa1/mail.log", &esa1),
        ("esa2/mail.log", &esa2),
    ] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let output = esatls_paths(
        &["messages", "--format", "json"],
        &[dir.path().to_path_buf()],
    );
    assert_eq!(output.status.code(), Some(0));
    let hosts: Vec<Value> = json_lines(&output)
        .iter()
        .map(|r| r["host"].clone())
        .collect();
    assert_eq!(hosts, vec![Value::Null, "esa1".into(), "esa2".into()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "esatls: warning: {}: not read; it has the same content as {}, which is read",
            dir.path().join("mail.@20260302T100000.s").display(),
            dir.path().join("backup.log").display()
        )
    );
}

#[test]
fn response_lines_count_alike_in_every_output() {
    // The logs begin after the delivery: only the response and the end of
    // the message are in them.
    let (_dir, path) = temp_log(
        "late.log",
        "Mon Mar  2 09:00:06 2026 Info: MID 81001 RID [0, 1] Response '2.6.0 queued as 4711'\n\
         Mon Mar  2 09:00:06 2026 Info: Message finished MID 81001 done\n\
         Mon Mar  2 09:00:07 2026 Info: MID 81002 RID [0] Response '2.6.0 queued as 4712'\n",
    );
    let records = messages(std::slice::from_ref(&path));
    let recipients: Vec<usize> = records
        .iter()
        .map(|r| r["recipients"].as_array().unwrap().len())
        .collect();
    assert_eq!(mids_of_records(&records), vec![81001, 81002]);
    assert_eq!(recipients, vec![2, 1]);
    let report = report(&[path]);
    assert_eq!(report["inbound"]["messages"]["total"], 2);
    assert_eq!(report["inbound"]["messages"]["unknown"], 2);
    assert_eq!(report["outbound"]["recipients"]["total"], 3);
    assert_eq!(report["outbound"]["recipients"]["unknown"], 2);
    assert_eq!(report["outbound"]["recipients"]["pending"], 1);
}

#[test]
fn identical_logs_in_two_subdirectories_read_once() {
    let dir = tempfile::tempdir().unwrap();
    for appliance in ["esa1", "esa2"] {
        std::fs::create_dir(dir.path().join(appliance)).unwrap();
        std::fs::copy(
            sample_dir().join(SAMPLE_LOG),
            dir.path().join(appliance).join(SAMPLE_LOG),
        )
        .unwrap();
    }
    let (report, warnings) = report_and_warnings(&[dir.path().to_path_buf()]);
    assert_eq!(
        warnings,
        vec![format!(
            "esatls: warning: {}: not read; it has the same content as {}, which is read",
            dir.path().join("esa2").join(SAMPLE_LOG).display(),
            dir.path().join("esa1").join(SAMPLE_LOG).display()
        )]
    );
    assert_eq!(report["sources"].as_array().unwrap().len(), 1);
    assert_eq!(report["inbound"]["messages"]["total"], 17);
}

#[test]
fn early_snapshot_of_log_is_not_read() {
    let sample = std::fs::read_to_string(sample_dir().join(SAMPLE_LOG)).unwrap();
    let snapshot: String = sample.split_inclusive('\n').take(100).collect();
    let dir = tempfile::tempdir().unwrap();
    // The current file as copied early, and the same file after rotation.
    let current = dir.path().join("mail_logs.@20260302T090000.c");
    let saved = dir.path().join(SAMPLE_LOG);
    std::fs::write(&current, &snapshot).unwrap();
    std::fs::write(&saved, &sample).unwrap();
    let (report, warnings) = report_and_warnings(&[dir.path().to_path_buf()]);
    assert_eq!(
        warnings,
        vec![format!(
            "esatls: warning: {}: not read; its content is the start of {}, which is read",
            current.display(),
            saved.display()
        )]
    );
    assert_eq!(report["sources"].as_array().unwrap().len(), 1);
    assert_eq!(report["inbound"]["messages"]["total"], 17);
}

#[test]
fn same_size_logs_differing_late_are_both_read() {
    // Both files have the same size and the same first 64 KiB.
    let filler: String = (0..2_000)
        .map(|i| format!("Mon Mar  2 10:00:00 2026 Info: filler line {i:05}\n"))
        .collect();
    assert!(filler.len() > 64 * 1024);
    let dir = tempfile::tempdir().unwrap();
    for (name, mid) in [("a.log", 7), ("b.log", 8)] {
        std::fs::write(
            dir.path().join(name),
            format!("{filler}Mon Mar  2 10:00:01 2026 Info: Start MID {mid} ICID 0\n"),
        )
        .unwrap();
    }
    let (report, warnings) = report_and_warnings(&[dir.path().to_path_buf()]);
    assert_eq!(warnings, Vec::<String>::new());
    assert_eq!(report["warnings"], serde_json::json!([]));
    assert_eq!(report["interrupted"], false);
    assert_eq!(report["sources"].as_array().unwrap().len(), 2);
    assert_eq!(report["inbound"]["messages"]["total"], 2);
}

/// Returns a mail log of one message per id in `ids`, each received and
/// delivered over TLS within the second that its id gives (id 3 at
/// 00:00:03), with its MID, ICID and DCID equal to the id.
fn numbered_messages(ids: std::ops::Range<u32>) -> String {
    let mut log = String::new();
    for id in ids {
        let second = id % 86_400;
        let time = format!(
            "Mon Mar  2 {:02}:{:02}:{:02} 2026 Info:",
            second / 3_600,
            second / 60 % 60,
            second % 60
        );
        log.push_str(&format!(
            "{time} New SMTP ICID {id} interface Data 1 (192.0.2.1) address 198.51.100.10 \
             reverse dns host mx.example.net verified yes\n\
             {time} ICID {id} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384\n\
             {time} Start MID {id} ICID {id}\n\
             {time} MID {id} ICID {id} From: <alice@example.net>\n\
             {time} MID {id} ICID {id} RID 0 To: <bob@example.com>\n\
             {time} MID {id} ready 1024 bytes from <alice@example.net>\n\
             {time} ICID {id} close\n\
             {time} New SMTP DCID {id} interface 192.0.2.2 address 192.0.2.60 port 25\n\
             {time} DCID {id} TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384\n\
             {time} Delivery start DCID {id} MID {id} to RID [0]\n\
             {time} Message done DCID {id} MID {id} to RID [0]\n\
             {time} Message finished MID {id} done\n\
             {time} DCID {id} close\n"
        ));
    }
    log
}

/// Starts esatls with `args`, with its standard streams piped.
fn spawn_piped(args: &[&str]) -> Follower {
    Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
}

/// Runs esatls with `args` on a log written to its standard input without
/// end, and sends `signal` once 1 MiB of the log has been read. The writer
/// stops after 48 MiB, so that a run the signal does not stop still ends.
#[cfg(unix)]
fn signal_while_streaming(args: &[&str], signal: &str) -> Output {
    use std::io::Write;
    let mut child = spawn_piped(args);
    let mut input = child.0.as_mut().unwrap().stdin.take().unwrap();
    let (sent, written) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let mut total = 0;
        let mut first = 1;
        while total < 48 << 20 {
            let chunk = numbered_messages(first..first + 100);
            first += 100;
            // The write fails once the run has ended.
            if input.write_all(chunk.as_bytes()).is_err() {
                break;
            }
            total += chunk.len();
            let _ = sent.send(total);
        }
    });
    // A pipe buffers 64 KiB (the Linux default), so the run has read most
    // of what was written.
    loop {
        let total = written
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("esatls reads its standard input");
        if total >= 1 << 20 {
            break;
        }
    }
    let output = child.signal(signal);
    writer.join().unwrap();
    output
}

#[cfg(unix)]
#[test]
fn linked_directories_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::read_to_string(fixture("inbound-success.log")).unwrap();
    let elsewhere = dir.path().join("elsewhere/appliance-a");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("mail.log"), &log).unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(logs.join("esa2")).unwrap();
    std::fs::write(
        logs.join("esa2/mail.log"),
        log.replace("MID 200257070", "MID 200257071"),
    )
    .unwrap();
    // The linked directory is named after the link. The other two links
    // lead to directories the walk reaches anyway.
    std::os::unix::fs::symlink(&elsewhere, logs.join("esa1")).unwrap();
    std::os::unix::fs::symlink("esa2", logs.join("current")).unwrap();
    std::os::unix::fs::symlink("..", logs.join("esa2/loop")).unwrap();
    let output = esatls_paths(
        &["messages", "--format", "json"],
        std::slice::from_ref(&logs),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let records = json_lines(&output);
    let mut hosts: Vec<(&str, u64)> = records
        .iter()
        .map(|r| (r["host"].as_str().unwrap(), r["mid"].as_u64().unwrap()))
        .collect();
    hosts.sort();
    assert_eq!(hosts, vec![("esa1", 200257070), ("esa2", 200257071)]);
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        vec![
            format!(
                "esatls: warning: {}: not walked; it is the same directory as {}, which is walked",
                logs.join("current").display(),
                logs.join("esa2").display()
            ),
            format!(
                "esatls: warning: {}: not walked; it is the same directory as {}, which is walked",
                logs.join("esa2/loop").display(),
                logs.display()
            ),
        ]
    );
}

#[cfg(unix)]
#[test]
fn signals_end_run_with_finished_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail_logs.current");
    // About 30 MB, which takes seconds to read in a debug build.
    let count = 30_000;
    std::fs::write(&path, numbered_messages(1..count + 1)).unwrap();
    for signal in ["-INT", "-TERM", "-HUP"] {
        let out_path = dir.path().join("out.json");
        let child = Follower::spawn(
            Command::new(env!("CARGO_BIN_EXE_esatls"))
                .args(["messages", "--format", "json"])
                .arg(&path)
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&out_path).unwrap())
                .stderr(Stdio::piped()),
        );
        // Standard output is buffered: the first bytes show that records
        // are being written.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::fs::metadata(&out_path).unwrap().len() == 0 {
            assert!(std::time::Instant::now() < deadline, "no record written");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let output = child.signal(signal);
        assert_eq!(output.status.code(), Some(130), "{signal}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "esatls: interrupted: the output covers only what was read before the signal\n",
            "{signal}"
        );
        let text = std::fs::read_to_string(&out_path).unwrap();
        let records: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is JSON"))
            .collect();
        let mids: Vec<u64> = records
            .iter()
            .map(|record| record["mid"].as_u64().unwrap())
            .collect();
        // Every message finished before the signal is written, in order,
        // and the run stopped before the end of the log.
        assert!(!mids.is_empty(), "{signal}");
        assert!(
            mids.len() < count as usize,
            "{signal}: {} records",
            mids.len()
        );
        let expected: Vec<u64> = (1..=mids.len() as u64).collect();
        assert_eq!(mids, expected, "{signal}");
        assert!(
            records.iter().all(|record| record["complete"] == true),
            "{signal}"
        );
    }
}

#[cfg(unix)]
#[test]
fn signal_ends_run_on_quiet_pipe() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.json");
    let stderr_path = dir.path().join("stderr");
    let mut child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["messages", "--format", "json", "-"])
            .stdin(Stdio::piped())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::fs::File::create(&stderr_path).unwrap()),
    );
    let mut input = child.0.as_mut().unwrap().stdin.take().unwrap();
    // About 400 KB, more than the 256 KiB read ahead, and read in well
    // under the second that follows.
    input
        .write_all(numbered_messages(1..401).as_bytes())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(1));
    // Standard input stays open and quiet, so only the signal ends the run.
    let status = child.signal_and_wait("-TERM");
    drop(input);
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        std::fs::read_to_string(&stderr_path).unwrap(),
        "esatls: interrupted: the output covers only what was read before the signal\n"
    );
    let mids: Vec<u64> = std::fs::read_to_string(&out_path)
        .unwrap()
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("each line is JSON");
            record["mid"].as_u64().unwrap()
        })
        .collect();
    // Every message was finished, the last one too, although its second
    // had not ended.
    let expected: Vec<u64> = (1..=400).collect();
    assert_eq!(mids, expected);
}

#[cfg(unix)]
#[test]
fn terminated_report_covers_what_was_read() {
    let output = signal_while_streaming(&["report", "--format", "json"], "-TERM");
    assert_eq!(output.status.code(), Some(130));
    // The report does not pass for a whole one.
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "esatls: interrupted: the output covers only what was read before the signal\n"
    );
    let report: Value = serde_json::from_str(&stdout(&output)).expect("one JSON report");
    let messages = &report["inbound"]["messages"];
    assert!(messages["total"].as_u64().unwrap() > 0, "{messages}");
    assert_eq!(messages["success"], messages["total"]);
    assert_eq!(
        report["outbound"]["recipients"]["delivered"],
        messages["total"]
    );
    assert_eq!(report["sources"][0]["name"], "<stdin>");
    assert_eq!(report["sources"][0]["complete"], false);
    assert_eq!(report["correlation"]["open_messages_at_end"], 0);
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[cfg(unix)]
#[test]
fn interrupted_trace_prints_what_it_found() {
    let output = signal_while_streaming(&["trace", "5", "--format", "json"], "-INT");
    assert_eq!(output.status.code(), Some(130));
    let found = json_lines(&output);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["kind"], "message");
    assert_eq!(found[0]["mid"], 5);
    let lines = found[0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 11);
    assert_eq!(
        lines[10]["text"],
        "Mon Mar  2 00:00:05 2026 Info: Message finished MID 5 done"
    );
}

/// Runs esatls with `args` and `input` on its standard input.
fn esatls_with_input(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = spawn_piped(args);
    let mut stdin = child.0.as_mut().unwrap().stdin.take().unwrap();
    // A run that rejects its input may end before reading all of it.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.0.take().unwrap().wait_with_output().unwrap()
}

#[test]
fn follow_rejects_compressed_standard_input() {
    use std::io::Write;
    let log = std::fs::read(fixture("lifecycle.log")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&log).unwrap();
    let gzip = encoder.finish().unwrap();
    // The other formats are recognised by their magic numbers alone.
    let zstd = [&[0x28, 0xb5, 0x2f, 0xfd][..], &log].concat();
    let bzip2 = [&b"BZh9"[..], &log].concat();
    let xz = [&[0xfd, b'7', b'z', b'X', b'Z', 0x00][..], &log].concat();
    for (input, compression) in [
        (&gzip, "gzip"),
        (&zstd, "zstd"),
        (&bzip2, "bzip2"),
        (&xz, "xz"),
    ] {
        for args in [
            &["messages", "--follow", "-"][..],
            &["report", "--follow", "--format", "json", "-"],
        ] {
            let output = esatls_with_input(args, input);
            assert_eq!(output.status.code(), Some(2), "{compression} {args:?}");
            assert_eq!(stdout(&output), "", "{compression} {args:?}");
            assert_eq!(
                String::from_utf8_lossy(&output.stderr),
                format!(
                    "esatls: error: standard input is {compression}-compressed, so it is \
                     complete: read it without --follow\n"
                ),
                "{args:?}"
            );
        }
    }
    // Without --follow, compressed standard input is read.
    let output = esatls_with_input(&["messages", "--format", "json", "-"], &gzip);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(mids_of(&output), vec![500]);
}

#[test]
fn follow_keeps_first_bytes_of_standard_input() {
    let log = std::fs::read(fixture("lifecycle.log")).unwrap();
    let output = esatls_with_input(&["report", "--follow", "--format", "json", "-"], &log);
    assert_eq!(output.status.code(), Some(0));
    let reports = json_lines(&output);
    let report = reports.last().unwrap();
    assert_eq!(report["lines"]["total"], 33);
    assert_eq!(report["lines"]["unrecognised"], 0);
    assert_eq!(report["sources"][0]["serial"], "4229AAAA0000-TEST0001");
}

#[cfg(unix)]
#[test]
fn signal_ends_blocked_pipe_open() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe");
    let status = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(status.success());
    let child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["report", "--format", "json"])
            .arg(&pipe)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    // Opening the pipe waits for a writer that never comes.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let output = child.signal("-TERM");
    assert_eq!(output.status.code(), Some(130));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[cfg(unix)]
#[test]
fn walked_pipe_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("lifecycle.log"), dir.path().join("mail.log")).unwrap();
    let pipe = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success());
    let output = esatls_paths(&["report", "--format", "json"], &[dir.path().to_path_buf()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        format!(
            "esatls: warning: {}: not read; a directory walk leaves out what is not a regular \
             file (a named pipe, socket or device); name it on the command line to read it",
            pipe.display()
        )
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["inbound"]["messages"]["total"], 1);
}

#[cfg(unix)]
#[test]
fn signal_keeps_pipe_read_ahead() {
    use std::io::Write;
    // Less than the read-ahead of a pipe, whose writer stays open: the
    // whole input is in the bytes read ahead when the signal comes.
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.json");
    let mut child = Follower::spawn(
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(["messages", "--format", "json", "-"])
            .stdin(Stdio::piped())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(Stdio::null()),
    );
    let mut input = child.0.as_mut().unwrap().stdin.take().unwrap();
    input
        .write_all(&std::fs::read(fixture("lifecycle.log")).unwrap())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = child.signal_and_wait("-TERM");
    drop(input);
    assert_eq!(status.code(), Some(130));
    let records: Vec<Value> = std::fs::read_to_string(&out_path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(mids_of_records(&records), vec![500]);
}

/// Writes two appliance subdirectories whose logs use the same ids in the
/// same minutes: the message of esa1 comes in over TLS and goes out over
/// TLS, that of esa2 comes in in cleartext and bounces.
fn two_appliance_logs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let logs = [
        (
            "esa1",
            "Version: 15.0.0-104 SN: 1111-AAAA",
            "ICID 7 TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384",
            "DCID 9 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256",
            "Message done DCID 9 MID 3 to RID [0]",
        ),
        (
            "esa2",
            "Version: 15.0.0-104 SN: 2222-BBBB",
            "ICID 7 ACCEPT SG ACCEPTLIST match sbrs[-1.0:10.0] SBRS 6.9",
            "DCID 9 IP 198.51.100.8 TLS failed: STARTTLS unexpected response",
            "Bounced: DCID 9 MID 3 to RID 0 - 5.1.1 ('550', ['no such user'])",
        ),
    ];
    for (name, version, inbound, outbound, result) in logs {
        let lines = [
            version.to_string(),
            "New SMTP ICID 7 interface Data 1 (192.0.2.10) address 192.0.2.77 \
             reverse dns host mail.example.net verified yes"
                .to_string(),
            inbound.to_string(),
            "Start MID 3 ICID 7".to_string(),
            "MID 3 ICID 7 From: <alice@example.net>".to_string(),
            "MID 3 ICID 7 RID 0 To: <bob@example.org>".to_string(),
            "MID 3 ready 1200 bytes from <alice@example.net>".to_string(),
            "ICID 7 close".to_string(),
            "New SMTP DCID 9 interface 192.0.2.10 address 198.51.100.8 port 25".to_string(),
            outbound.to_string(),
            "Delivery start DCID 9 MID 3 to RID [0]".to_string(),
            result.to_string(),
            "Message finished MID 3 done".to_string(),
            "DCID 9 close".to_string(),
        ];
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, line)| format!("Mon Mar  2 10:00:{i:02} 2026 Info: {line}\n"))
            .collect();
        std::fs::create_dir(dir.path().join(name)).unwrap();
        std::fs::write(
            dir.path().join(name).join("mail_logs.@20260302T100000.s"),
            text,
        )
        .unwrap();
    }
    dir
}

#[test]
fn appliance_named_in_two_lanes_is_read_once() {
    // esa1's file holds, after its own lines, lines of esa2 for a
    // connection that esa2's own file opens.
    let dir = tempfile::tempdir().unwrap();
    let later = "Tue Mar 12 09:00:00 2024 Info: ";
    let earlier = "Tue Mar 12 08:00:00 2024 Info: ";
    let mut esa1 = vec![format!("{later}Version: 15.0.0-104 SN: 1111-AAAA")];
    esa1.extend((10..14).map(|icid| format!("{later}ICID {icid} close")));
    esa1.push(format!("{later}Version: 15.0.0-104 SN: 2222-BBBB"));
    esa1.push(format!(
        "{later}ICID 5 TLS success protocol TLSv1.3 cipher TLS_AES_256_GCM_SHA384"
    ));
    esa1.push(format!("{later}ICID 5 close"));
    let esa2 = [
        format!("{earlier}Version: 15.0.0-104 SN: 2222-BBBB"),
        format!(
            "{earlier}New SMTP ICID 5 interface Data 1 (192.0.2.10) address 192.0.2.55 \
             reverse dns host mail.example.org verified yes"
        ),
    ];
    for (name, lines, stamp) in [
        ("esa1", &esa1[..], "20240312T090000"),
        ("esa2", &esa2[..], "20240312T080000"),
    ] {
        let directory = dir.path().join(name);
        std::fs::create_dir(&directory).unwrap();
        let file = directory.join(format!("mail_logs.@{stamp}.s"));
        std::fs::write(file, lines.join("\n") + "\n").unwrap();
    }
    let root = dir.path().to_path_buf();
    let parallel = report(std::slice::from_ref(&root));
    let one = esatls_paths(&["report", "--format", "json", "--threads", "1"], &[root]);
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(parallel, one);
    assert_eq!(
        parallel["inbound"]["connections"],
        serde_json::json!({"total": 5, "success": 1, "failed": 0, "none": 0, "unknown": 4})
    );
}

#[test]
fn appliances_read_in_parallel_add_up() {
    let dir = two_appliance_logs();
    let root = dir.path().to_path_buf();
    let parallel = report(std::slice::from_ref(&root));
    let one = esatls_paths(&["report", "--format", "json", "--threads", "1"], &[root]);
    assert_eq!(one.status.code(), Some(0));
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(parallel, one);
    assert_eq!(
        parallel["appliances"],
        serde_json::json!(["1111-AAAA", "2222-BBBB"])
    );
    let inbound = &parallel["inbound"];
    assert_eq!(
        inbound["connections"],
        serde_json::json!({"total": 2, "success": 1, "failed": 0, "none": 1, "unknown": 0})
    );
    assert_eq!(inbound["protocols"][0]["value"], "TLSv1.3");
    assert_eq!(inbound["protocols"][0]["messages"], 1);
    let outbound = &parallel["outbound"];
    assert_eq!(
        outbound["connections"],
        serde_json::json!({"total": 2, "success": 1, "failed": 1, "none": 0, "unknown": 0})
    );
    assert_eq!(
        outbound["recipients"],
        serde_json::json!({"total": 2, "delivered": 1, "bounced": 1, "pending": 0, "dropped": 0, "unknown": 0})
    );
    assert_eq!(
        outbound["failures"][0]["reason"],
        "STARTTLS unexpected response"
    );
    assert_eq!(outbound["domains"][0]["domain"], "example.org");
    assert_eq!(outbound["domains"][0]["delivered"]["success"], 1);
    assert_eq!(outbound["domains"][0]["not_delivered"], 1);
    assert_eq!(parallel["lines"]["total"], 28);
    assert_eq!(parallel["lines"]["recognised"], 28);
}

#[test]
fn messages_of_two_appliances_keep_one_order() {
    let dir = two_appliance_logs();
    let root = dir.path().to_path_buf();
    let parallel = messages(std::slice::from_ref(&root));
    let one = esatls_paths(&["messages", "--format", "json", "--threads", "1"], &[root]);
    assert_eq!(json_lines(&one), parallel);
    let hosts: Vec<&str> = parallel
        .iter()
        .map(|record| record["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["1111-AAAA", "2222-BBBB"]);
    assert_eq!(parallel[0]["inbound"]["tls"], "success");
    assert_eq!(parallel[1]["inbound"]["tls"], "none");
}

#[test]
fn appliances_read_in_parallel_report_inputs_in_order() {
    let dir = two_appliance_logs();
    // A gzip header followed by bytes that are not deflate data, and a
    // file that is not a log, in each appliance's directory.
    for (name, byte) in [("esa1", 0xfe), ("esa2", 0xff)] {
        let directory = dir.path().join(name);
        let corrupt = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, byte, byte, byte, byte];
        std::fs::write(directory.join("mail_logs.@20260302T110000.s.gz"), corrupt).unwrap();
        std::fs::write(
            directory.join("notes.txt"),
            format!("call {name}'s vendor\n"),
        )
        .unwrap();
    }
    let root = dir.path().to_path_buf();
    let parallel = esatls_paths(&["report", "--format", "json"], std::slice::from_ref(&root));
    let one = esatls_paths(&["report", "--format", "json", "--threads", "1"], &[root]);
    assert_eq!(parallel.status.code(), Some(2));
    assert_eq!(one.status.code(), Some(2));
    assert_eq!(parallel.stdout, one.stdout);
    let stderr = String::from_utf8_lossy(&parallel.stderr);
    assert_eq!(stderr, String::from_utf8_lossy(&one.stderr));
    let problems: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains(".gz") || line.contains("notes.txt"))
        .collect();
    assert_eq!(problems.len(), 4, "{stderr}");
    assert!(problems[0].contains("esa1"), "{stderr}");
    assert!(problems[3].contains("esa2"), "{stderr}");
}

#[test]
fn standard_input_from_a_named_file_is_read_once() {
    let log = fixture("lifecycle.log");
    let run = |args: &[&str], stdin: Stdio| {
        Command::new(env!("CARGO_BIN_EXE_esatls"))
            .args(args)
            .stdin(stdin)
            .output()
            .unwrap()
    };
    let path = log.display().to_string();
    let once = run(&["report", "--format", "json", &path], Stdio::null());
    let file = std::fs::File::open(&log).unwrap();
    let twice = run(
        &["report", "--format", "json", &path, "-"],
        Stdio::from(file),
    );
    assert_eq!(twice.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&twice.stderr).trim_end(),
        "esatls: warning: -: read once; an earlier path reaches the same input"
    );
    let once: Value = serde_json::from_slice(&once.stdout).unwrap();
    let twice: Value = serde_json::from_slice(&twice.stdout).unwrap();
    assert_eq!(
        twice["warnings"],
        serde_json::json!(["-: read once; an earlier path reaches the same input"])
    );
    assert_eq!(twice["inbound"], once["inbound"]);
    assert_eq!(twice["lines"]["total"], once["lines"]["total"]);
}

#[test]
fn usage_errors_start_like_other_errors() {
    let output = esatls(&["report", "--bogus"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("esatls: error: unexpected argument '--bogus' found"),
        "{stderr}"
    );
    let help = esatls(&["report", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(
        stdout(&help).starts_with("Summarise how"),
        "{}",
        stdout(&help)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn signal_ignored_at_start_stays_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail_logs.current");
    std::fs::copy(fixture("lifecycle.log"), &path).unwrap();
    let out_path = dir.path().join("out.json");
    // As `nohup` does: SIGHUP is ignored before esatls starts.
    let mut child = Follower::spawn(
        Command::new("sh")
            .arg("-c")
            .arg("trap '' HUP; exec \"$0\" messages --follow --format json \"$1\"")
            .arg(env!("CARGO_BIN_EXE_esatls"))
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(Stdio::null()),
    );
    wait_for_lines(&out_path, 1);
    child.send("-HUP");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let running = child.0.as_mut().unwrap().try_wait().unwrap();
    assert_eq!(running, None, "SIGHUP ended the run");
    assert_eq!(child.signal_and_wait("-TERM").code(), Some(130));
}
