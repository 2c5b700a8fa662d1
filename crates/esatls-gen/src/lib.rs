//! Writes realistic Cisco Secure Email Gateway (ESA, AsyncOS) text mail
//! logs, and the TLS verdict of every message and connection in them.
//!
//! Each appliance is simulated on its own ([`model`]): inbound sessions,
//! scanning and delivery connections run concurrently and write their lines
//! through one [`emit::Emitter`], which also reports each line's meaning to
//! the ground-truth book ([`truth`]). The [`writer`] adds timestamps and
//! file headers, rotates files and compresses them; a [`storage::Storage`]
//! keeps them in a directory or in memory.
//!
//! Output depends only on [`Options`]: the same options write the same
//! bytes on every run and machine, whatever the number of threads.

mod emit;
mod model;
mod rng;
pub mod size;
pub mod storage;
mod time;
pub mod truth;
mod vocab;
mod world;
mod writer;

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use emit::Emitter;
use model::{Rates, Simulation};

pub use model::{Construct, Coverage};
use rng::Rng;
use storage::{DirStorage, MemoryStorage, Storage};
use time::Civil;
use truth::{Book, CollectTruth, JsonLinesTruth, NoTruth, TruthSink};
use writer::{FileSettings, LogWriter};

/// Settings of a generation run.
#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    /// Uncompressed bytes of log lines over all appliances. Each appliance
    /// stops at the first line that reaches its share, so the total is
    /// slightly larger.
    pub size: u64,
    pub appliances: u32,
    /// Uncompressed bytes after which a file is rotated.
    pub file_size: u64,
    /// Compress every file with gzip.
    pub gzip: bool,
    /// Mean inbound connections per second on each appliance.
    pub rate: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            size: 100 << 20,
            appliances: 3,
            file_size: 50 << 20,
            gzip: false,
            rate: 20.0,
        }
    }
}

/// UTC offsets the appliances' clocks may have, in seconds.
const UTC_OFFSETS: [i32; 6] = [-21_600, -18_000, 0, 3_600, 19_800, 32_400];

/// The fixed facts of one appliance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Index of the appliance, from 0.
    pub index: u32,
    /// Name of its output directory: `esa1`, `esa2`, ...
    pub name: String,
    /// Serial number in its file headers, which esatls names it by.
    pub serial: String,
    /// UTC offset of its clock in seconds.
    pub utc_offset: i32,
    /// Local time of its first line, in seconds since 1970-01-01.
    pub start: i64,
    /// Uncompressed bytes it writes, at least.
    pub size: u64,
}

/// Returns the profile of appliance `index`.
pub fn profile(options: &Options, index: u32) -> Profile {
    profile_and_rng(options, index).0
}

/// Returns the profile of appliance `index`, and the random generator its
/// simulation continues with.
fn profile_and_rng(options: &Options, index: u32) -> (Profile, Rng) {
    let mut rng = Rng::new(options.seed, u64::from(index) + 1);
    let serial = format!(
        "{:016X}{:04X}-{:012X}",
        rng.next_u64(),
        rng.below(0x1_0000),
        rng.next_u64() & 0xffff_ffff_ffff
    );
    let utc_offset = UTC_OFFSETS[rng.index(UTC_OFFSETS.len())];
    let day = Civil::midnight_seconds(2023, 1, 1) + 86_400 * rng.below(700) as i64;
    let start = day + 8 * 3_600 + rng.below(3_600) as i64;
    let appliances = u64::from(options.appliances.max(1));
    let extra = u64::from(u64::from(index) < options.size % appliances);
    let profile = Profile {
        index,
        name: format!("esa{}", index + 1),
        serial,
        utc_offset,
        start,
        size: options.size / appliances + extra,
    };
    (profile, rng)
}

/// The output of one appliance.
#[derive(Debug)]
pub struct Appliance<S, T> {
    pub profile: Profile,
    pub storage: S,
    pub truth: T,
    /// Uncompressed bytes written.
    pub bytes: u64,
    /// Lines written, file headers included.
    pub lines: u64,
    /// Lines written in forms esatls is not expected to recognise.
    pub unrecognised_lines: u64,
    /// How often each construct was written.
    pub coverage: Coverage,
}

/// Generates the logs of appliance `index` into `storage`, sending its
/// ground truth to `truth`.
///
/// # Errors
///
/// Returns the first error of the storage.
pub fn generate_appliance<S: Storage, T: TruthSink>(
    options: &Options,
    index: u32,
    storage: S,
    truth: T,
) -> io::Result<Appliance<S, T>> {
    let (profile, rng) = profile_and_rng(options, index);
    let settings = FileSettings {
        serial: profile.serial.clone(),
        utc_offset: profile.utc_offset,
        file_size: options.file_size.max(1),
        gzip: options.gzip,
    };
    let writer = LogWriter::new(storage, settings);
    let book = Book::new(profile.serial.clone(), profile.utc_offset, truth);
    let rates = Rates {
        connections_per_second: options.rate,
    };
    let simulation = Simulation::new(rng, index, profile.start, rates, Emitter::new(writer, book));
    let (emitter, coverage) = simulation.run(profile.size);
    let bytes = emitter.bytes();
    let lines = emitter.lines();
    let unrecognised_lines = emitter.unrecognised();
    let (storage, truth) = emitter.finish()?;
    Ok(Appliance {
        profile,
        storage,
        truth,
        bytes,
        lines,
        unrecognised_lines,
        coverage,
    })
}

/// Generates every appliance into memory, one after the other.
///
/// # Errors
///
/// Memory storage does not fail; the result type matches the other
/// entry points.
pub fn generate_in_memory(
    options: &Options,
) -> io::Result<Vec<Appliance<MemoryStorage, CollectTruth>>> {
    (0..options.appliances.max(1))
        .map(|index| {
            generate_appliance(
                options,
                index,
                MemoryStorage::default(),
                CollectTruth::default(),
            )
        })
        .collect()
}

/// The output of one appliance written to disk.
#[derive(Clone, Debug)]
pub struct Written {
    pub profile: Profile,
    pub dir: PathBuf,
    pub bytes: u64,
    pub lines: u64,
}

/// Generates every appliance into its own subdirectory of `out`, on up to
/// `threads` threads, and writes the ground truth of all of them as JSON
/// Lines to `truth` (appliance by appliance, in index order).
///
/// # Errors
///
/// Returns the first error met creating or writing a file, and an error
/// before writing anything when an appliance's directory already contains
/// files, which esatls would read together with the new ones.
pub fn generate_to_dir(
    options: &Options,
    out: &Path,
    truth: Option<&Path>,
    threads: usize,
) -> io::Result<Vec<Written>> {
    fs::create_dir_all(out)?;
    let count = options.appliances.max(1) as usize;
    for index in 0..count {
        require_empty(&out.join(profile(options, index as u32).name))?;
    }

    // Each appliance writes its ground truth to a part file of its own, so
    // that the final file lists appliances in index order whatever order
    // the threads finish in.
    let part_path = |index: usize| -> Option<PathBuf> {
        truth.map(|path| {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".{index}.part"));
            PathBuf::from(name)
        })
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<io::Result<Written>>>> =
        Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, count) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= count {
                    break;
                }
                let result = write_appliance(options, index as u32, out, part_path(index));
                if let Ok(mut results) = results.lock() {
                    results[index] = Some(result);
                }
            });
        }
    });

    let results = results
        .into_inner()
        .map_err(|_| io::Error::other("a generator thread panicked"))?;
    let mut written = Vec::with_capacity(count);
    for result in results {
        written.push(result.unwrap_or_else(|| Err(io::Error::other("appliance not generated")))?);
    }
    if let Some(path) = truth {
        let parts: Vec<PathBuf> = (0..count).filter_map(part_path).collect();
        concatenate(path, &parts)?;
    }
    Ok(written)
}

/// Fails unless `dir` is missing or empty.
fn require_empty(dir: &Path) -> io::Result<()> {
    if dir.is_dir() && fs::read_dir(dir)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is not empty: remove it or choose another output directory",
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Writes the contents of `parts` one after the other to `path`, then
/// removes them.
fn concatenate(path: &Path, parts: &[PathBuf]) -> io::Result<()> {
    let mut file = BufWriter::new(File::create(path)?);
    for part in parts {
        io::copy(&mut File::open(part)?, &mut file)?;
        fs::remove_file(part)?;
    }
    io::Write::flush(&mut file)
}

fn write_appliance(
    options: &Options,
    index: u32,
    out: &Path,
    truth: Option<PathBuf>,
) -> io::Result<Written> {
    let profile = profile(options, index);
    let dir = out.join(&profile.name);
    let storage = DirStorage::new(dir.clone())?;
    let appliance = match truth {
        Some(path) => {
            let sink = JsonLinesTruth::new(BufWriter::new(File::create(path)?));
            let appliance = generate_appliance(options, index, storage, sink)?;
            appliance.truth.finish()?;
            Written {
                profile: appliance.profile,
                dir,
                bytes: appliance.bytes,
                lines: appliance.lines,
            }
        }
        None => {
            let appliance = generate_appliance(options, index, storage, NoTruth)?;
            Written {
                profile: appliance.profile,
                dir,
                bytes: appliance.bytes,
                lines: appliance.lines,
            }
        }
    };
    Ok(appliance)
}
