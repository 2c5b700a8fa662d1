//! Inputs that break esatls, found by fuzzing, property and hostile input
//! tests, each reduced to what still shows the fault. A test of a fault
//! that is not fixed yet is ignored, with the fault as the reason.

use std::io::Write;

use esatls::pipeline::{run_bytes, RunOptions, RunSummary};
use esatls::record::Collect;

fn run(inputs: &[(&str, &[u8])]) -> (RunSummary, Collect) {
    let mut sink = Collect::default();
    let summary = run_bytes(inputs, &RunOptions::default(), &mut sink);
    (summary, sink)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Returns a log of ten finished messages, MIDs 1 to 10.
fn ten_messages() -> Vec<u8> {
    let mut log = String::new();
    for mid in 1..=10 {
        log.push_str(&format!(
            "Mon Mar  2 10:00:{mid:02} 2026 Info: Start MID {mid} ICID 0\n\
             Mon Mar  2 10:00:{mid:02} 2026 Info: Message finished MID {mid} done\n"
        ));
    }
    log.into_bytes()
}

/// A stream (standard input, or data given to `run_bytes`) is read ahead
/// for its file header. A read error in that first 256 KiB discards every
/// byte read ahead, so a truncated gzip stream gives no records at all and
/// its error names decompressed byte 0, not the compressed offset.
#[test]
fn truncated_gzip_stream_keeps_records() {
    let compressed = gzip(&ten_messages());
    // Cutting the 8-byte trailer keeps every deflate block intact.
    let truncated = &compressed[..compressed.len() - 8];
    let (summary, records) = run(&[("cut.gz", truncated)]);
    assert_eq!(summary.errors.len(), 1, "{:?}", summary.errors);
    assert!(
        summary.errors[0].contains("compressed byte"),
        "{}",
        summary.errors[0]
    );
    assert_eq!(summary.lines.physical, 20);
    assert_eq!(records.messages.len(), 10);
}

/// The same fault with a wrong gzip checksum, where every line decodes and
/// then the trailer fails. The read-ahead is discarded, and the decoder
/// then reports the end of the stream, so the run ends with no lines and
/// no error at all.
#[test]
fn bad_checksum_gzip_stream_keeps_records() {
    let mut compressed = gzip(&ten_messages());
    let crc = compressed.len() - 8;
    compressed[crc] ^= 0xff;
    let (summary, records) = run(&[("crc.gz", &compressed)]);
    assert_eq!(summary.errors.len(), 1, "{:?}", summary.errors);
    assert_eq!(summary.lines.physical, 20);
    assert_eq!(records.messages.len(), 10);
}

/// Runs a native log with default options and returns its records.
fn records_of(log: &str) -> Collect {
    run(&[("same-second.log", log.as_bytes())]).1
}

/// A TLS or opening line of a delivery connection logged later in the
/// same second as `Delivery start` applies to the attempt, as the rules
/// state. When `Message finished` is also logged in that second, before
/// the connection's lines, the record is written at once and the attempt
/// keeps the state it had before them: `unknown`, with no remote address.
#[test]
fn delivery_tls_after_finish_in_same_second() {
    let records = records_of(
        "Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 0\n\
         Mon Mar  2 10:00:00 2026 Info: MID 1 ICID 0 RID 0 To: <a@example.com>\n\
         Mon Mar  2 10:00:01 2026 Info: Delivery start DCID 5 MID 1 to RID [0]\n\
         Mon Mar  2 10:00:01 2026 Info: Message done DCID 5 MID 1 to RID [0]\n\
         Mon Mar  2 10:00:01 2026 Info: Message finished MID 1 done\n\
         Mon Mar  2 10:00:01 2026 Info: New SMTP DCID 5 interface 192.0.2.1 address 198.51.100.7 port 25\n\
         Mon Mar  2 10:00:01 2026 Info: DCID 5 TLS success protocol TLSv1.2 cipher AES128-SHA\n",
    );
    let recipient = &records.messages[0].recipients[0];
    assert_eq!(recipient.tls, Some(esatls::record::TlsState::Success));
    assert_eq!(recipient.protocol.as_deref(), Some("TLSv1.2"));
    assert_eq!(recipient.remote_ip.as_deref(), Some("198.51.100.7"));
}

/// The inbound form of the same fault: `Start MID` and `Message finished`
/// in the second of the connection's TLS line, logged before it.
#[test]
fn inbound_tls_after_finish_in_same_second() {
    let records = records_of(
        "Mon Mar  2 10:00:00 2026 Info: New SMTP ICID 3 interface Main (192.0.2.1) address 192.0.2.50 reverse dns host unknown verified no\n\
         Mon Mar  2 10:00:00 2026 Info: Start MID 1 ICID 3\n\
         Mon Mar  2 10:00:00 2026 Info: Message finished MID 1 done\n\
         Mon Mar  2 10:00:00 2026 Info: ICID 3 TLS success protocol TLSv1.3 cipher TLS_AES_128_GCM_SHA256\n",
    );
    let message = &records.messages[0];
    assert_eq!(message.inbound.tls, esatls::record::TlsState::Success);
    assert_eq!(message.inbound.protocol.as_deref(), Some("TLSv1.3"));
}

/// Some headers end in an empty payload that is the string literal `""`
/// rather than an empty slice at the end of the line. Two such lines are
/// an RFC 5424 line without a message part and a syslog line that ends
/// with its tag. The pipeline stores each header as offsets into its line
/// (`HeaderSpans`), found by subtracting pointers, so the literal gives an
/// offset far outside the line. The subtraction overflows in a debug
/// build, and the line is sliced out of bounds in a release build, so the
/// run panics either way.
#[test]
fn rfc5424_line_without_message() {
    let (summary, _) = run(&[("empty.log", b"<1>1 - - - - -\n")]);
    assert_eq!(summary.lines.entries, 1);
    assert_eq!(summary.lines.unrecognised, 1);
}

/// The RFC 3164 form of the same fault: the tag ends the line.
#[test]
fn rfc3164_line_ending_in_tag() {
    let (summary, _) = run(&[("empty.log", b"Jul 20 19:47:40 tag:\n")]);
    assert_eq!(summary.lines.entries, 1);
    assert_eq!(summary.lines.unrecognised, 1);
}

/// A yearless timestamp whose month is six or more below the last one
/// counts as the next year, and nothing bounds the year, so a log whose
/// months keep running backwards steps it past `i16::MAX`. About 67,000
/// lines reach that from 2026, and four lines reach it from 32766. A debug
/// build panics on the overflow, and a release build wraps to year -32768.
#[test]
fn yearless_months_running_backwards() {
    let log = "Dec  1 00:00:00 esa1 mail_logs: Info: ICID 1 close\n\
               Jun  1 00:00:00 esa1 mail_logs: Info: ICID 2 close\n\
               Nov  1 00:00:00 esa1 mail_logs: Info: ICID 3 close\n\
               May  1 00:00:00 esa1 mail_logs: Info: ICID 4 close\n";
    let options = RunOptions {
        year: Some(32766),
        ..RunOptions::default()
    };
    let mut records = Collect::default();
    let summary = run_bytes(&[("years.log", log.as_bytes())], &options, &mut records);
    assert_eq!(summary.lines.recognised, 4);
    for connection in &records.connections {
        let closed = connection.closed.expect("every line has a time");
        assert!(
            closed.year >= 32766,
            "ICID {} closed in {}",
            connection.id,
            closed
        );
    }
}
