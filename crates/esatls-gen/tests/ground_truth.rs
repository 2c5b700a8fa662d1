//! Generates logs for many seeds, runs the esatls pipeline on them and
//! requires its records, projected to the ground-truth fields, to equal the
//! generator's ground truth exactly.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::PathBuf;

use esatls::pipeline::{run, run_bytes, RunOptions, RunSummary};
use esatls::record::{Collect, ConnectionRecord, MessageRecord};
use esatls::report::ReportBuilder;
use esatls_gen::storage::MemoryStorage;
use esatls_gen::truth::{
    CollectTruth, ConnectionTruth, InboundTruth, MessageTruth, RecipientTruth, TruthRecord,
};
use esatls_gen::{generate_in_memory, generate_to_dir, Appliance, Construct, Coverage, Options};

fn project_message(record: &MessageRecord) -> MessageTruth {
    MessageTruth {
        host: record.host.as_deref().map(String::from),
        mid: record.mid,
        icid: record.icid,
        started: record.started.map(|time| time.to_string()),
        finished: record.finished.map(|time| time.to_string()),
        sender: record.sender.as_deref().map(String::from),
        message_id: record.message_id.as_deref().map(String::from),
        subject: record.subject.as_deref().map(String::from),
        size: record.size,
        inbound: InboundTruth {
            tls: record.inbound.tls.as_str().to_string(),
            protocol: record.inbound.protocol.as_deref().map(String::from),
            cipher: record.inbound.cipher.as_deref().map(String::from),
            remote_ip: record.inbound.remote_ip.as_deref().map(String::from),
            remote_host: record.inbound.remote_host.as_deref().map(String::from),
            reason: record.inbound.reason.as_deref().map(String::from),
        },
        recipients: record
            .recipients
            .iter()
            .map(|recipient| RecipientTruth {
                rid: recipient.rid,
                address: recipient.address.as_deref().map(String::from),
                status: recipient.status.as_str().to_string(),
                tls: recipient.tls.map(|tls| tls.as_str().to_string()),
                protocol: recipient.protocol.as_deref().map(String::from),
                cipher: recipient.cipher.as_deref().map(String::from),
                cn: recipient.cn.as_deref().map(String::from),
                dcid: recipient.dcid,
                remote_ip: recipient.remote_ip.as_deref().map(String::from),
                attempts: recipient.attempts,
                response: recipient.response.as_deref().map(String::from),
                reason: recipient.reason.as_deref().map(String::from),
            })
            .collect(),
        origin_mid: record.origin_mid,
        origin: record.origin.map(|origin| origin.as_str().to_string()),
        complete: record.complete,
    }
}

fn project_connection(record: &ConnectionRecord) -> ConnectionTruth {
    ConnectionTruth {
        host: record.host.as_deref().map(String::from),
        direction: record.direction.as_str().to_string(),
        id: record.id,
        opened: record.opened.map(|time| time.to_string()),
        closed: record.closed.map(|time| time.to_string()),
        remote_ip: record.remote_ip.as_deref().map(String::from),
        remote_host: record.remote_host.as_deref().map(String::from),
        interface: record.interface.as_deref().map(String::from),
        tls: record.tls.as_str().to_string(),
        protocol: record.protocol.as_deref().map(String::from),
        cipher: record.cipher.as_deref().map(String::from),
        cn: record.cn.as_deref().map(String::from),
        reason: record.reason.as_deref().map(String::from),
        messages: record.messages,
    }
}

/// Keys records, failing on a key seen twice.
fn keyed<K: Ord + Debug, V>(what: &str, items: Vec<V>, key: impl Fn(&V) -> K) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for item in items {
        let key = key(&item);
        assert!(!map.contains_key(&key), "{what}: duplicate record {key:?}");
        map.insert(key, item);
    }
    map
}

/// Returns a description of every difference between `expected` and
/// `actual`, at most `limit` of them.
fn differences<K: Ord + Debug, V: PartialEq + serde::Serialize>(
    expected: &BTreeMap<K, V>,
    actual: &BTreeMap<K, V>,
    limit: usize,
) -> Vec<String> {
    let json = |value: &V| serde_json::to_string(value).unwrap_or_default();
    let mut out = Vec::new();
    for (key, want) in expected {
        match actual.get(key) {
            None => out.push(format!("missing {key:?}\n  expected {}", json(want))),
            Some(got) if got != want => out.push(format!(
                "differs {key:?}\n  expected {}\n  actual   {}",
                json(want),
                json(got)
            )),
            Some(_) => {}
        }
    }
    for (key, got) in actual {
        if !expected.contains_key(key) {
            out.push(format!("unexpected {key:?}\n  actual   {}", json(got)));
        }
    }
    out.truncate(limit);
    out
}

type MessageKey = (Option<String>, u64);
type ConnectionKey = (Option<String>, String, u64);

fn expected_maps(
    messages: Vec<MessageTruth>,
    connections: Vec<ConnectionTruth>,
) -> (
    BTreeMap<MessageKey, MessageTruth>,
    BTreeMap<ConnectionKey, ConnectionTruth>,
) {
    let messages = keyed("truth messages", messages, |m| (m.host.clone(), m.mid));
    let connections = keyed("truth connections", connections, |c| {
        (c.host.clone(), c.direction.clone(), c.id)
    });
    (messages, connections)
}

fn actual_maps(
    sink: &Collect,
) -> (
    BTreeMap<MessageKey, MessageTruth>,
    BTreeMap<ConnectionKey, ConnectionTruth>,
) {
    let messages = sink.messages.iter().map(project_message).collect();
    let connections = sink.connections.iter().map(project_connection).collect();
    let messages = keyed("esatls messages", messages, |m| (m.host.clone(), m.mid));
    let connections = keyed("esatls connections", connections, |c| {
        (c.host.clone(), c.direction.clone(), c.id)
    });
    (messages, connections)
}

/// Requires esatls's records to equal the ground truth.
fn assert_records_match(
    label: &str,
    truth_messages: Vec<MessageTruth>,
    truth_connections: Vec<ConnectionTruth>,
    sink: &Collect,
) {
    let (want_messages, want_connections) = expected_maps(truth_messages, truth_connections);
    let (got_messages, got_connections) = actual_maps(sink);
    let message_diffs = differences(&want_messages, &got_messages, 5);
    assert!(
        message_diffs.is_empty(),
        "{label}: messages differ from the ground truth:\n{}",
        message_diffs.join("\n")
    );
    let connection_diffs = differences(&want_connections, &got_connections, 5);
    assert!(
        connection_diffs.is_empty(),
        "{label}: connections differ from the ground truth:\n{}",
        connection_diffs.join("\n")
    );
}

fn assert_summary_clean(
    label: &str,
    summary: &RunSummary,
    appliances: &[Appliance<MemoryStorage, CollectTruth>],
) {
    assert!(
        summary.errors.is_empty(),
        "{label}: read errors {:?}",
        summary.errors
    );
    let lines: u64 = appliances.iter().map(|a| a.lines).sum();
    let unrecognised: u64 = appliances.iter().map(|a| a.unrecognised_lines).sum();
    assert_eq!(summary.lines.entries, lines, "{label}: entries read");
    assert_eq!(summary.lines.continuation, 0, "{label}: continuation lines");
    assert!(
        summary.lines.unrecognised <= unrecognised,
        "{label}: {} unrecognised entries, at most {unrecognised} expected; templates {:?}",
        summary.lines.unrecognised,
        summary.templates
    );
}

fn options_for(seed: u64) -> Options {
    let rate = [0.3, 1.0, 3.0, 8.0][(seed % 4) as usize];
    // The slowest rate gets the most bytes, so that its logs span the
    // minutes that retries and expiry take.
    let scale = if seed % 4 == 0 { 3 } else { 1 };
    Options {
        seed,
        size: scale * (60_000 + (seed % 7) * 40_000),
        appliances: 1 + (seed % 3) as u32,
        file_size: 30_000 + (seed % 4) * 50_000,
        gzip: seed % 5 == 0,
        rate,
    }
}

/// Counts of the verdicts a set of runs produced, by a name such as
/// `recipient tls failed`.
type Verdicts = BTreeMap<String, u64>;

fn count_verdicts(
    verdicts: &mut Verdicts,
    messages: &[MessageTruth],
    connections: &[ConnectionTruth],
) {
    let mut add = |name: String| *verdicts.entry(name).or_default() += 1;
    for message in messages {
        add(format!("message inbound {}", message.inbound.tls));
        add(format!("message origin {:?}", message.origin));
        add(format!("message complete {}", message.complete));
        for recipient in &message.recipients {
            add(format!("recipient status {}", recipient.status));
            add(format!("recipient tls {:?}", recipient.tls));
            add(format!("recipient attempts {}", recipient.attempts.min(2)));
            if recipient.cn.is_some() {
                add("recipient cn".to_string());
            }
            if recipient.address.is_none() {
                add("recipient address unknown".to_string());
            }
        }
    }
    for connection in connections {
        add(format!("{} tls {}", connection.direction, connection.tls));
        if connection.direction == "outbound" && connection.messages > 1 {
            add("outbound reused".to_string());
        }
    }
}

/// Runs esatls on generated logs held in memory, appliance by appliance
/// and each appliance's files in order. Adds what the run covered to
/// `coverage` and `verdicts`.
fn check_seed(seed: u64, coverage: &mut Coverage, verdicts: &mut Verdicts) {
    let options = options_for(seed);
    let label = format!("seed {seed} ({options:?})");
    let appliances = generate_in_memory(&options).expect("generation");
    let inputs: Vec<(String, &[u8])> = appliances
        .iter()
        .flat_map(|appliance| {
            appliance.storage.files.iter().map(move |file| {
                (
                    format!("{}/{}", appliance.profile.name, file.name),
                    file.bytes.as_slice(),
                )
            })
        })
        .collect();
    let inputs: Vec<(&str, &[u8])> = inputs
        .iter()
        .map(|(name, bytes)| (name.as_str(), *bytes))
        .collect();

    let mut sink = Collect::default();
    let summary = run_bytes(&inputs, &RunOptions::default(), &mut sink);
    assert_summary_clean(&label, &summary, &appliances);

    let mut messages = Vec::new();
    let mut connections = Vec::new();
    for appliance in appliances {
        coverage.merge(&appliance.coverage);
        messages.extend(appliance.truth.messages);
        connections.extend(appliance.truth.connections);
    }
    assert!(!messages.is_empty(), "{label}: no messages generated");
    count_verdicts(verdicts, &messages, &connections);
    assert_records_match(&label, messages, connections, &sink);
}

#[test]
fn records_equal_truth_for_many_seeds() {
    let mut coverage = Coverage::default();
    let mut verdicts = Verdicts::new();
    for seed in 1..=60 {
        check_seed(seed, &mut coverage, &mut verdicts);
    }
    // The comparison proves little unless the runs wrote every construct
    // and produced every verdict at least once.
    for construct in Construct::ALL {
        assert!(coverage.count(construct) > 0, "no run wrote {construct:?}");
    }
    let expected = [
        "message inbound success",
        "message inbound failed",
        "message inbound none",
        "message inbound unknown",
        "message inbound internal",
        "message origin Some(\"split\")",
        "message origin Some(\"generated\")",
        "message origin Some(\"bounce\")",
        "message complete false",
        "recipient status delivered",
        "recipient status bounced",
        "recipient status pending",
        "recipient status dropped",
        "recipient status unknown",
        "recipient tls Some(\"success\")",
        "recipient tls Some(\"failed\")",
        "recipient tls Some(\"none\")",
        "recipient tls Some(\"unknown\")",
        "recipient tls None",
        "recipient attempts 0",
        "recipient attempts 2",
        "recipient cn",
        "recipient address unknown",
        "inbound tls success",
        "inbound tls failed",
        "inbound tls none",
        "inbound tls unknown",
        "outbound tls success",
        "outbound tls failed",
        "outbound tls none",
        "outbound tls unknown",
        "outbound reused",
    ];
    for name in expected {
        assert!(
            verdicts.get(name).is_some_and(|&count| count > 0),
            "no run produced {name}; produced {verdicts:?}"
        );
    }
}

#[test]
fn directory_run_equals_truth_file() {
    for (seed, gzip) in [(101, true), (102, false)] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let out = dir.path().join("logs");
        let truth_path = dir.path().join("truth.jsonl");
        let options = Options {
            seed,
            size: 400_000,
            appliances: 3,
            file_size: 40_000,
            gzip,
            rate: 2.0,
        };
        let written = generate_to_dir(&options, &out, Some(&truth_path), 2).expect("generation");
        let files: usize = written
            .iter()
            .map(|appliance| std::fs::read_dir(&appliance.dir).unwrap().count())
            .sum();
        assert!(
            files > 3,
            "seed {seed}: expected rotated files, got {files}"
        );
        let text = std::fs::read_to_string(&truth_path).expect("truth file");
        let mut messages = Vec::new();
        let mut connections = Vec::new();
        for line in text.lines() {
            match serde_json::from_str::<TruthRecord>(line).expect("truth line") {
                TruthRecord::Message(message) => messages.push(message),
                TruthRecord::Connection(connection) => connections.push(connection),
            }
        }
        let mut sink = Collect::default();
        let paths: Vec<PathBuf> = vec![out.clone()];
        let summary = run(&paths, &RunOptions::default(), &mut sink);
        assert!(
            summary.errors.is_empty(),
            "seed {seed}: {:?}",
            summary.errors
        );
        let compression = if gzip { "gzip" } else { "plain" };
        assert!(
            summary
                .sources
                .iter()
                .all(|source| source.compression == compression),
            "seed {seed}: compression of sources"
        );
        assert_records_match(
            &format!("seed {seed}"),
            messages.clone(),
            connections.clone(),
            &sink,
        );
        check_lanes(seed, &paths, messages, connections);

        let again = generate_to_dir(&options, &out, None, 1);
        assert!(
            again.is_err(),
            "seed {seed}: writing into used directories must fail"
        );
    }
}

/// Reads `paths` as a machine of eight processors does, and checks the
/// records against the truth and their order across two runs, and the
/// report, read on a lane per appliance, against that of one thread.
fn check_lanes(
    seed: u64,
    paths: &[PathBuf],
    messages: Vec<MessageTruth>,
    connections: Vec<ConnectionTruth>,
) {
    let lanes = RunOptions {
        processors: 8,
        ..RunOptions::default()
    };
    let one = RunOptions {
        threads: 1,
        ..RunOptions::default()
    };
    let mut first = Collect::default();
    let summary = run(paths, &lanes, &mut first);
    assert!(
        summary.errors.is_empty(),
        "seed {seed}: {:?}",
        summary.errors
    );
    assert_records_match(
        &format!("seed {seed} on lanes"),
        messages,
        connections,
        &first,
    );
    let mut second = Collect::default();
    run(paths, &lanes, &mut second);
    assert_eq!(
        first.messages, second.messages,
        "seed {seed}: message order"
    );
    assert_eq!(
        first.connections, second.connections,
        "seed {seed}: connection order"
    );

    let mut parallel = ReportBuilder::new();
    let parallel_summary = run(paths, &lanes, &mut parallel);
    let mut single = ReportBuilder::new();
    let single_summary = run(paths, &one, &mut single);
    let names = |summary: &RunSummary| -> Vec<String> {
        summary
            .sources
            .iter()
            .map(|source| source.name.clone())
            .collect()
    };
    assert_eq!(
        names(&parallel_summary),
        names(&single_summary),
        "seed {seed}: sources"
    );
    assert_eq!(
        parallel.finish(&parallel_summary),
        single.finish(&single_summary),
        "seed {seed}: report"
    );
}

#[test]
fn same_options_write_same_bytes() {
    let options = options_for(7);
    let first = generate_in_memory(&options).expect("generation");
    let second = generate_in_memory(&options).expect("generation");
    for (one, two) in first.iter().zip(&second) {
        assert_eq!(one.storage.files, two.storage.files);
        assert_eq!(one.truth.messages, two.truth.messages);
    }
    let other = generate_in_memory(&Options { seed: 8, ..options }).expect("generation");
    assert_ne!(first[0].storage.files, other[0].storage.files);
}

#[test]
fn appliance_ids_overlap() {
    let options = Options {
        seed: 3,
        size: 300_000,
        appliances: 2,
        file_size: 1 << 30,
        gzip: false,
        rate: 2.0,
    };
    let appliances = generate_in_memory(&options).expect("generation");
    let mids = |index: usize| -> Vec<u64> {
        appliances[index]
            .truth
            .messages
            .iter()
            .map(|m| m.mid)
            .collect()
    };
    let first = mids(0);
    let shared = mids(1).iter().filter(|mid| first.contains(mid)).count();
    assert!(shared > 0, "no MID is used by both appliances");
    assert_ne!(appliances[0].profile.serial, appliances[1].profile.serial);
}
