//! Inputs of the esatls benchmarks: logs that esatls-gen writes into memory,
//! and the sample log shipped in `samples/`.
//!
//! Every bench builds its inputs once per run, before timing starts.

use std::path::{Path, PathBuf};

use esatls::header::{parse_header, Payload};
use esatls_gen::storage::MemoryStorage;
use esatls_gen::truth::NoTruth;

/// Random seed of the generated logs, fixed so that every run measures the
/// same bytes.
pub const GENERATED_SEED: u64 = 1;

/// Uncompressed bytes of generated logs, unless `ESATLS_BENCH_SIZE` sets
/// another size.
pub const DEFAULT_GENERATED_SIZE: u64 = 20_000_000;

/// Uncompressed bytes after which the generator rotates a file, so that
/// each appliance writes several files as a real one does.
pub const GENERATED_FILE_SIZE: u64 = 5_000_000;

/// Appliances in the generated logs.
pub const GENERATED_APPLIANCES: u32 = 3;

/// The shipped sample log, relative to the workspace root.
pub const SAMPLE_LOG: &str = "samples/mail_logs.@20260302T090000.s";

/// One log file held in memory.
#[derive(Clone, Debug)]
pub struct LogFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files one bench reads, with a label for bench ids.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// Short name for bench ids, such as `generated` or `sample`.
    pub label: &'static str,
    /// Files in the order esatls reads them: each appliance's files in
    /// chronological order, one appliance after the other.
    pub files: Vec<LogFile>,
}

impl Corpus {
    /// Returns the total number of bytes of all files.
    pub fn len(&self) -> u64 {
        self.files.iter().map(|file| file.bytes.len() as u64).sum()
    }

    /// Returns whether the corpus has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the files as the `(name, bytes)` pairs that
    /// [`esatls::pipeline::run_bytes`] takes.
    pub fn inputs(&self) -> Vec<(&str, &[u8])> {
        self.files
            .iter()
            .map(|file| (file.name.as_str(), file.bytes.as_slice()))
            .collect()
    }

    /// Returns every line of every file, without its line terminator.
    ///
    /// # Panics
    ///
    /// Panics when a file is not valid UTF-8: the header and event parsers
    /// take `&str`, and the generated and sample logs are ASCII.
    pub fn lines(&self) -> Vec<&str> {
        let mut lines = Vec::new();
        for file in &self.files {
            let text = std::str::from_utf8(&file.bytes)
                .unwrap_or_else(|error| panic!("{} is not UTF-8: {error}", file.name));
            lines.extend(text.lines());
        }
        lines
    }
}

/// Returns the text after the header of every line whose header has a
/// text payload: the input of [`esatls::event::parse_event`].
pub fn event_texts<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|line| match parse_header(line)?.payload {
            Payload::Text { text, .. } => Some(text),
            Payload::Cef(_) | Payload::Other(_) => None,
        })
        .collect()
}

/// Returns the total length of `texts` in bytes.
pub fn total_bytes(texts: &[&str]) -> u64 {
    texts.iter().map(|text| text.len() as u64).sum()
}

/// Generates logs with esatls-gen into memory: [`DEFAULT_GENERATED_SIZE`]
/// bytes, or the size in the environment variable `ESATLS_BENCH_SIZE`
/// (such as `5MB` or `100MiB`).
///
/// # Panics
///
/// Panics when `ESATLS_BENCH_SIZE` is not a valid size, or when the
/// generator fails.
pub fn generated() -> Corpus {
    let size = match std::env::var("ESATLS_BENCH_SIZE") {
        Ok(text) => esatls_gen::size::parse_size(&text)
            .unwrap_or_else(|error| panic!("ESATLS_BENCH_SIZE: {error}")),
        Err(_) => DEFAULT_GENERATED_SIZE,
    };
    generate(size)
}

/// Generates `size` bytes of logs into memory with the fixed seed.
///
/// # Panics
///
/// Panics when the generator fails, which in-memory storage does not.
pub fn generate(size: u64) -> Corpus {
    let options = esatls_gen::Options {
        seed: GENERATED_SEED,
        size,
        appliances: GENERATED_APPLIANCES,
        file_size: GENERATED_FILE_SIZE,
        ..esatls_gen::Options::default()
    };
    let mut files = Vec::new();
    for index in 0..options.appliances {
        let appliance =
            esatls_gen::generate_appliance(&options, index, MemoryStorage::default(), NoTruth)
                .unwrap_or_else(|error| panic!("generating appliance {index} failed: {error}"));
        for file in appliance.storage.files {
            files.push(LogFile {
                name: format!("{}/{}", appliance.profile.name, file.name),
                bytes: file.bytes,
            });
        }
    }
    Corpus {
        label: "generated",
        files,
    }
}

/// Reads the shipped sample log.
///
/// # Panics
///
/// Panics when the file cannot be read.
pub fn sample() -> Corpus {
    let path = workspace_root().join(SAMPLE_LOG);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()));
    Corpus {
        label: "sample",
        files: vec![LogFile {
            name: SAMPLE_LOG.to_string(),
            bytes,
        }],
    }
}

/// Returns the workspace root, the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
