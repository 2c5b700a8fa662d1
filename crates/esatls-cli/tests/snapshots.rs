//! Snapshots of the tables people read. The sample logs shipped with the
//! project are the input; a change to a table shows up as a snapshot diff
//! to review with `cargo insta review`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
}

fn esatls(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_esatls"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the esatls binary runs");
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout).expect("output is UTF-8")
}

#[test]
fn report_table() {
    let dir = sample("");
    let text = esatls(&["report", "--year", "2026", dir.to_str().unwrap()]);
    insta::assert_snapshot!(text);
}

#[test]
fn messages_table() {
    let file = sample("esa2-syslog.log");
    let text = esatls(&["messages", "--year", "2026", file.to_str().unwrap()]);
    insta::assert_snapshot!(text);
}

#[test]
fn connections_table() {
    let file = sample("esa2-syslog.log");
    let text = esatls(&["connections", "--year", "2026", file.to_str().unwrap()]);
    insta::assert_snapshot!(text);
}
