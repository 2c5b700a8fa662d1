//! Fuzzes the whole pipeline, `pipeline::run_bytes`, on arbitrary bytes.
//!
//! The first bytes of the input choose the run options and how the rest is
//! fed in: as it is, compressed with gzip, compressed and then damaged
//! (followed by a second, good input), or split into two inputs. Every run
//! must reconcile: the line counts add up, the report's totals match the
//! records, each error names its input, and a run is deterministic. Plain
//! and gzip data, and LF and CRLF line ends, give the same records.

#![no_main]

use std::io::{Read, Write};

use esatls::pipeline::{run_bytes, RunOptions, RunSummary};
use esatls::record::{ConnectionRecord, MessageRecord, RecordSink, TlsState};
use esatls::report::{Report, ReportBuilder};
use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;

/// Bytes at the start of the input that set the run; the rest is log data.
const SETUP_BYTES: usize = 5;

/// Form in which the log data reaches the pipeline.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Plain,
    Gzip,
    DamagedGzip,
    Split,
}

struct Setup {
    mode: Mode,
    options: RunOptions,
    /// Position at which to cut, damage or split the data, taken modulo
    /// the data's length.
    position: usize,
    /// Truncate the compressed data instead of changing one byte of it.
    truncate: bool,
    damage: u8,
}

fn setup(head: &[u8]) -> Setup {
    let flags = head[0];
    let mode = match flags & 3 {
        0 => Mode::Plain,
        1 => Mode::Gzip,
        2 => Mode::DamagedGzip,
        _ => Mode::Split,
    };
    let mut options = RunOptions::default();
    options.correlate.keep_evidence = flags & 4 != 0;
    if flags & 8 != 0 {
        // Small limits, so that cut lines, eviction and dropped recipients
        // are reached by small inputs.
        options.max_line_bytes = 16 + usize::from(head[1]);
        options.correlate.max_open = usize::from(head[2] % 16);
        options.correlate.max_recipients = 1 + usize::from(head[2] / 16);
        options.correlate.max_idle_seconds = i64::from(head[1]) * 60;
    }
    if flags & 16 != 0 {
        options.year = Some(2024);
    }
    if flags & 32 != 0 {
        options.host = Some("fuzz.example.com".to_string());
        options.utc_offset = Some(i32::from(head[1]) * 900 - 43_200);
    }
    Setup {
        mode,
        options,
        position: usize::from(u16::from_le_bytes([head[3], head[4]])),
        truncate: flags & 64 != 0,
        damage: head[1] | 1,
    }
}

/// A sink that keeps every record and builds the report from them.
#[derive(Default)]
struct Checked {
    messages: Vec<MessageRecord>,
    connections: Vec<ConnectionRecord>,
    report: ReportBuilder,
}

impl RecordSink for Checked {
    fn message(&mut self, record: MessageRecord) {
        self.messages.push(record.clone());
        self.report.message(record);
    }

    fn connection(&mut self, record: ConnectionRecord) {
        self.connections.push(record.clone());
        self.report.connection(record);
    }
}

struct Outcome {
    summary: RunSummary,
    messages: Vec<MessageRecord>,
    connections: Vec<ConnectionRecord>,
    report: Report,
}

fn run(inputs: &[(&str, &[u8])], options: &RunOptions) -> Outcome {
    let mut sink = Checked::default();
    let summary = run_bytes(inputs, options, &mut sink);
    let report = sink.report.finish(&summary);
    let outcome = Outcome {
        summary,
        messages: sink.messages,
        connections: sink.connections,
        report,
    };
    check(&outcome, inputs, options);
    outcome
}

fn check(outcome: &Outcome, inputs: &[(&str, &[u8])], options: &RunOptions) {
    let summary = &outcome.summary;
    let lines = &summary.lines;
    assert_eq!(lines.entries, lines.recognised + lines.unrecognised);
    assert_eq!(
        lines.physical,
        lines.entries + lines.continuation + lines.blank - lines.detached
    );
    assert!(lines.truncated <= lines.physical);
    let source_lines: u64 = summary.sources.iter().map(|source| source.lines).sum();
    assert_eq!(source_lines, lines.physical);
    // An input of a kind the tool does not read (compressed twice, a tar
    // archive) has an error and no summary.
    let refused = summary
        .errors
        .iter()
        .filter(|error| error.contains(": not read: "))
        .count();
    assert_eq!(summary.sources.len() + refused, inputs.len());

    // Every error names its input, and only incomplete inputs have one.
    let incomplete = summary.sources.iter().filter(|s| !s.complete).count();
    assert_eq!(
        incomplete + refused,
        summary.errors.len(),
        "{:?}",
        summary.errors
    );
    for error in &summary.errors {
        assert!(
            inputs
                .iter()
                .any(|(name, _)| error.starts_with(&format!("{name}: "))),
            "error names no input: {error}"
        );
    }

    let report = &outcome.report;
    assert_eq!(
        report.outbound.deliveries.total,
        report.outbound.recipients.delivered
    );
    // Copies (split, rewritten, released) are counted apart from messages.
    assert_eq!(
        report.inbound.messages.total + report.inbound.copies.total,
        outcome.messages.len() as u64
    );
    let recipients: usize = outcome.messages.iter().map(|m| m.recipients.len()).sum();
    assert_eq!(report.outbound.recipients.total, recipients as u64);
    assert_eq!(
        report.inbound.connections.total + report.outbound.connections.total,
        outcome.connections.len() as u64
    );
    assert_eq!(report.lines.total, lines.entries);
    assert_eq!(
        report.lines.total,
        report.lines.recognised + report.lines.unrecognised
    );

    let limit = options.correlate.max_recipients;
    let mut dropped = 0;
    for message in &outcome.messages {
        assert!(message.recipients.len() <= limit);
        assert!(
            message.recipients.windows(2).all(|w| w[0].rid < w[1].rid),
            "recipients of MID {} are not in RID order",
            message.mid
        );
        dropped += message.recipients_dropped;
    }
    assert_eq!(dropped, summary.correlation.recipients_dropped);
    assert!(summary.correlation.open_messages_at_end <= outcome.messages.len() as u64);
    for connection in &outcome.connections {
        assert_ne!(connection.tls, TlsState::Internal);
        assert_ne!(connection.id, 0);
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Counts the line feeds that a decoder reading in 1 MiB chunks gets out
/// of damaged gzip data before its first error.
fn lines_before_fault(compressed: &[u8]) -> usize {
    let mut decoder = flate2::read::MultiGzDecoder::new(compressed);
    let mut decoded = Vec::new();
    let mut chunk = vec![0; 1 << 20];
    while let Ok(count) = decoder.read(&mut chunk) {
        if count == 0 {
            break;
        }
        decoded.extend_from_slice(&chunk[..count]);
    }
    decoded.iter().filter(|&&byte| byte == b'\n').count()
}

fn assert_same_records(first: &Outcome, second: &Outcome, what: &str) {
    assert_eq!(first.messages, second.messages, "{what}: messages differ");
    assert_eq!(
        first.connections, second.connections,
        "{what}: connections differ"
    );
    assert_eq!(first.report, second.report, "{what}: reports differ");
}

fuzz_target!(|data: &[u8]| {
    if data.len() < SETUP_BYTES {
        return;
    }
    let setup = setup(&data[..SETUP_BYTES]);
    let log = &data[SETUP_BYTES..];
    let options = &setup.options;
    match setup.mode {
        Mode::Plain => {
            let first = run(&[("plain", log)], options);
            let second = run(&[("plain", log)], options);
            assert_same_records(&first, &second, "a second run");

            // CRLF line ends read like LF line ends. Data that already
            // contains `\r` would gain blank lines, which shift the lines
            // read ahead for the file header, so only other data is used.
            // Compressed data is left out too: inserting `\r` changes the
            // compressed bytes, not the lines they decode to.
            let compressed =
                esatls::input::Compression::detect(log) != esatls::input::Compression::None;
            if !log.contains(&b'\r') && !options.correlate.keep_evidence && !compressed {
                let mut crlf = Vec::with_capacity(log.len() * 2);
                for &byte in log {
                    if byte == b'\n' {
                        crlf.push(b'\r');
                    }
                    crlf.push(byte);
                }
                let windows = run(&[("plain", &crlf)], options);
                assert_eq!(first.messages, windows.messages, "CRLF: messages differ");
                assert_eq!(
                    first.connections, windows.connections,
                    "CRLF: connections differ"
                );
                assert_eq!(
                    first.summary.lines, windows.summary.lines,
                    "CRLF: line counts differ"
                );
            }
        }
        // Compressed data compressed again, and a tar archive, are refused.
        Mode::Gzip | Mode::DamagedGzip if refused_inside_gzip(log) => {}
        Mode::Gzip => {
            let compressed = gzip(log);
            let unpacked = run(&[("packed", &compressed)], options);
            assert!(
                unpacked.summary.errors.is_empty(),
                "{:?}",
                unpacked.summary.errors
            );
            // Plain data that itself starts with the gzip magic is read as
            // gzip, so only other data must read the same both ways.
            if !log.starts_with(&[0x1f, 0x8b]) {
                let plain = run(&[("packed", log)], options);
                assert_same_records(&plain, &unpacked, "gzip and plain");
            }
        }
        Mode::DamagedGzip => {
            let mut compressed = gzip(log);
            let at = setup.position % compressed.len();
            if setup.truncate {
                compressed.truncate(at);
            } else {
                compressed[at] ^= setup.damage;
            }
            let good = b"Info: Begin Logfile\n";
            let outcome = run(&[("damaged", &compressed), ("good", good)], options);
            // What a decoder gets out before the fault must be read. flate2
            // drops the output of the read call that fails, so the
            // pipeline's decoder, which reads in smaller chunks, gets at
            // least as much.
            let expected = lines_before_fault(&compressed) as u64;
            let sources = &outcome.summary.sources;
            // A damaged byte can make the decompressed start look like
            // another compressed stream, which is refused unread.
            if let Some(damaged_source) = sources.iter().find(|s| s.name == "damaged") {
                assert!(
                    damaged_source.lines >= expected,
                    "{} lines decode before the fault, {} were read: {:?}",
                    expected,
                    damaged_source.lines,
                    outcome.summary.errors
                );
            }
            let good_source = sources.last().expect("the good input has a summary");
            assert_eq!(good_source.name, "good");
            assert!(
                good_source.complete,
                "the good input after a damaged one was not read"
            );
            assert_eq!(good_source.lines, 1);
            assert!(outcome.summary.errors.len() <= 1);
        }
        Mode::Split => {
            let at = if log.is_empty() {
                0
            } else {
                setup.position % log.len()
            };
            let (a, b) = log.split_at(at);
            let first = run(&[("a", a), ("b", b)], options);
            let second = run(&[("a", a), ("b", b)], options);
            assert_same_records(&first, &second, "a second run");
        }
    }
});

/// Returns whether `log`, once gzipped, is an input the tool refuses.
fn refused_inside_gzip(log: &[u8]) -> bool {
    esatls::input::Compression::detect(log) != esatls::input::Compression::None
        || log.get(257..262) == Some(b"ustar".as_slice())
}
