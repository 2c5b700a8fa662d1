//! The `esatls-gen` command: writes synthetic ESA text mail logs and their
//! ground truth.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Parser;

use esatls_gen::size::parse_size;
use esatls_gen::{generate_to_dir, Options};

/// Writes realistic Cisco Secure Email Gateway (ESA, AsyncOS) text mail
/// logs of a requested size, and the TLS verdict of every message and
/// connection in them as JSON Lines.
///
/// The same options always write the same bytes.
#[derive(Debug, Parser)]
#[command(name = "esatls-gen", version, max_term_width = 100)]
struct Cli {
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Total uncompressed size of the logs of all appliances, such as
    /// 100MB or 1GiB (KB, MB, GB are powers of 1000; K, M, G, KiB, MiB,
    /// GiB powers of 1024).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "100MB")]
    size: u64,

    /// Directory to write into. Each appliance gets a subdirectory (esa1,
    /// esa2, ...) of `mail_logs.@YYYYMMDDTHHMMSS.s` files, the last of
    /// which is still current and ends in `.c`.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Number of appliances, each with its own serial number and its own
    /// ICID, MID and DCID counters.
    #[arg(long, value_name = "COUNT", default_value_t = 3)]
    appliances: u32,

    /// Uncompressed size after which a log file is rotated.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "50MB")]
    file_size: u64,

    /// Compress every log file with gzip (names end in `.gz`).
    #[arg(long)]
    gzip: bool,

    /// File to write the ground truth to, as JSON Lines: one object per
    /// message and per connection.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,

    /// Mean inbound connections per second on each appliance. Lower rates
    /// spread the same size over more log time.
    #[arg(long, value_name = "PER_SECOND", default_value_t = 20.0)]
    rate: f64,

    /// Threads to generate appliances on [default: the number of CPUs].
    #[arg(long, value_name = "COUNT")]
    threads: Option<usize>,
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if cli.appliances == 0 {
        bail!("invalid --appliances 0: at least one appliance is needed");
    }
    if !(cli.rate.is_finite() && cli.rate > 0.0) {
        bail!("invalid --rate {}: expected a positive number", cli.rate);
    }
    if cli.file_size == 0 {
        bail!("invalid --file-size 0: expected a positive size");
    }

    let options = Options {
        seed: cli.seed,
        size: cli.size,
        appliances: cli.appliances,
        file_size: cli.file_size,
        gzip: cli.gzip,
        rate: cli.rate,
    };
    let threads = cli.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });

    let started = Instant::now();
    let written = generate_to_dir(&options, &cli.out, cli.truth.as_deref(), threads)
        .with_context(|| format!("failed to write logs to {}", cli.out.display()))?;
    let seconds = started.elapsed().as_secs_f64();

    let bytes: u64 = written.iter().map(|appliance| appliance.bytes).sum();
    for appliance in &written {
        eprintln!(
            "{}: serial {}, {} lines, {} bytes in {}",
            appliance.profile.name,
            appliance.profile.serial,
            appliance.lines,
            appliance.bytes,
            appliance.dir.display()
        );
    }
    eprintln!(
        "wrote {bytes} bytes in {seconds:.2} s ({:.1} MB/s)",
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("esatls-gen: error: {error:#}");
            ExitCode::from(2)
        }
    }
}
