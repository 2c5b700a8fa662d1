//! The commands. Each builds its record sink, runs the pipeline over the
//! inputs, and returns the exit status.

mod connections;
mod messages;
mod report;
mod trace;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};

use esatls::correlate::CorrelateOptions;
use esatls::input::{InputError, StopHandle, DEFAULT_MAX_LINE_BYTES};
use esatls::output::sanitize::for_terminal;
use esatls::output::table::TableStyle;
use esatls::pipeline::{RunOptions, RunSummary};
use esatls::record::RecordSink;

use crate::cli::{Command, FollowArgs, InputArgs};
use crate::exit;

/// Exit status after an interrupt (128 + SIGINT, as shells report it),
/// also used after SIGTERM and SIGHUP, which end a run the same way.
pub const INTERRUPTED: u8 = 130;

/// Time a run has after the first signal to write its output and end,
/// before the process ends without it.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the handler of Ctrl-C, SIGTERM and SIGHUP. The first signal
/// requests a stop through the returned handle and ends the process after
/// [`STOP_GRACE`]. A second one ends it at once. Both exit with status
/// [`INTERRUPTED`]. A signal ignored when the process started stays
/// ignored, so that `nohup esatls ... --follow` survives the end of the
/// session that started it.
fn stop_on_signal() -> Result<StopHandle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let stop = StopHandle::new();
    let handler_stop = stop.clone();
    let watched: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&signal| !ignored_at_start(signal))
        .collect();
    let mut signals = signal_hook::iterator::Signals::new(&watched)
        .context("cannot install the interrupt handler")?;
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if handler_stop.is_stopped() {
                // A second interrupt ends at once.
                std::process::exit(i32::from(INTERRUPTED));
            }
            handler_stop.stop();
            // A run blocked where it cannot see the stop (opening a named
            // pipe that has no writer) still ends, because a service
            // manager sends only one signal.
            std::thread::spawn(|| {
                std::thread::sleep(STOP_GRACE);
                std::process::exit(i32::from(INTERRUPTED));
            });
        }
    });
    Ok(stop)
}

/// Returns whether `signal` was ignored when the process started, from the
/// `SigIgn` mask of `/proc/self/status`. Where that file does not exist,
/// no signal counts as ignored.
fn ignored_at_start(signal: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    let Some(mask) = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
    else {
        return false;
    };
    (1..=64).contains(&signal) && mask & (1 << (signal - 1)) != 0
}

/// Runs the pipeline over `paths` until the inputs end or a signal stops
/// it. Returns the summary and whether a signal arrived.
pub fn run_until_signal(
    paths: &[PathBuf],
    options: &RunOptions,
    sink: &mut dyn RecordSink,
) -> Result<(RunSummary, bool)> {
    let stop = stop_on_signal()?;
    let options = RunOptions {
        stop: Some(stop.clone()),
        ..options.clone()
    };
    let summary = esatls::pipeline::run(paths, &options, sink);
    Ok((summary, stop.is_stopped()))
}

/// Runs the pipeline over `paths`, or follows the one path with `--follow`.
/// Returns the summary and whether a signal arrived.
pub fn run_pipeline(
    paths: &[PathBuf],
    options: &RunOptions,
    follow: &FollowArgs,
    sink: &mut dyn RecordSink,
) -> Result<(RunSummary, bool)> {
    if !follow.follow {
        return run_until_signal(paths, options, sink);
    }
    let [path] = paths else {
        bail!(
            "--follow reads one file or directory, but {} paths were given",
            paths.len()
        );
    };
    let stop = stop_on_signal()?;
    if path.as_os_str() == "-" {
        // A pipe ends when its writer does (`tail -F` stopped by the same
        // Ctrl-C), so standard input is read to its end.
        let summary = esatls::pipeline::run_stream(options, sink).map_err(|error| match error {
            InputError::Compressed { compression, .. } => anyhow!(
                "standard input is {compression}-compressed, so it is complete: \
                 read it without --follow"
            ),
            other => other.into(),
        })?;
        return Ok((summary, stop.is_stopped()));
    }
    let on_event = |text: &str| eprintln!("esatls: {}", for_terminal(text));
    let summary = esatls::pipeline::follow(path, options, stop.clone(), on_event, sink)
        .map_err(anyhow::Error::from)?;
    Ok((summary, stop.is_stopped()))
}

pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Report(args) => report::run(args),
        Command::Messages(args) => messages::run(args),
        Command::Connections(args) => connections::run(args),
        Command::Trace(args) => trace::run(args),
    }
}

/// Parses a UTC offset: `Z`, `+02:00`, `-0600`, `+2`, or seconds with an
/// `s` suffix or five digits or more (`-21600s`, `-21600`), from -18:00 to
/// +18:00.
pub fn parse_utc_offset(text: &str) -> Result<i32> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return Ok(0);
    }
    let invalid = || {
        anyhow::anyhow!(
            "invalid UTC offset '{text}': give hours and minutes (+02:00, -0600, +2) or \
             whole minutes in seconds (-21600s), from -18:00 to +18:00"
        )
    };
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => (1, text),
    };
    let number = |digits: &str| -> Result<i32> {
        if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        digits.parse().map_err(|_| invalid())
    };
    let hours_minutes = |hours: i32, minutes: i32| -> Result<i32> {
        if minutes > 59 {
            return Err(invalid());
        }
        Ok(hours * 3_600 + minutes * 60)
    };
    let seconds = if let Some(seconds) = rest.strip_suffix('s') {
        number(seconds)?
    } else if let Some((hours, minutes)) = rest.split_once(':') {
        hours_minutes(number(hours)?, number(minutes)?)?
    } else {
        match rest.len() {
            1 | 2 => number(rest)? * 3_600,
            4 => hours_minutes(number(&rest[..2])?, number(&rest[2..])?)?,
            5 | 6 => number(rest)?,
            _ => return Err(invalid()),
        }
    };
    if seconds > 18 * 3_600 || seconds % 60 != 0 {
        return Err(invalid());
    }
    Ok(sign * seconds)
}

/// Turns the shared input options into run options and the list of paths.
pub fn run_options(input: &InputArgs, keep_evidence: bool) -> Result<(Vec<PathBuf>, RunOptions)> {
    run_options_for(input, keep_evidence, true)
}

/// Like [`run_options`]; `keep_details` false drops the text fields a
/// summary does not show.
pub fn run_options_for(
    input: &InputArgs,
    keep_evidence: bool,
    keep_details: bool,
) -> Result<(Vec<PathBuf>, RunOptions)> {
    let utc_offset = input
        .utc_offset
        .as_deref()
        .map(parse_utc_offset)
        .transpose()?;
    let mut paths = input.paths.clone();
    if paths.is_empty() {
        if io::stdin().is_terminal() {
            bail!(
                "no input given: name log files or directories, or pipe logs in \
                 (`-` reads standard input)"
            );
        }
        paths.push(PathBuf::from("-"));
    }
    let options = RunOptions {
        correlate: CorrelateOptions {
            keep_evidence,
            keep_details,
            max_idle_seconds: i64::from(input.max_idle_days) * 86_400,
            max_open: usize::try_from(input.max_open).unwrap_or(usize::MAX),
            ..CorrelateOptions::default()
        },
        max_line_bytes: usize::try_from(input.max_line_bytes).unwrap_or(DEFAULT_MAX_LINE_BYTES),
        year: input.year,
        utc_offset,
        host: input.host.clone(),
        threads: match input.threads {
            Some(count) => usize::try_from(count).unwrap_or(1),
            None => std::thread::available_parallelism().map_or(1, usize::from),
        },
        stop: None,
        ..RunOptions::default()
    };
    Ok((paths, options))
}

/// Returns the table style for standard output.
pub fn table_style() -> TableStyle {
    let terminal = io::stdout().is_terminal();
    let width = if terminal {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|value| value.parse().ok())
            .or(Some(120))
    } else {
        None
    };
    TableStyle {
        ascii: !terminal,
        width,
    }
}

/// Reports the inputs that could not be read and returns the exit status
/// for a run that otherwise succeeded with `status`.
pub fn finish_run(summary: &RunSummary, status: u8) -> u8 {
    let stderr = io::stderr();
    let mut stderr = stderr.lock();
    for warning in &summary.warnings {
        let _ = writeln!(stderr, "esatls: warning: {}", for_terminal(warning));
    }
    for error in &summary.errors {
        let _ = writeln!(stderr, "esatls: error: {}", for_terminal(error));
    }
    if status == INTERRUPTED {
        // A table mailed from a stopped job must not look complete.
        let _ = writeln!(
            stderr,
            "esatls: interrupted: the output covers only what was read before the signal"
        );
    }
    if summary.is_complete() {
        status
    } else {
        let count = summary.errors.len();
        let inputs = if count == 1 { "input" } else { "inputs" };
        let _ = writeln!(
            stderr,
            "esatls: the output is incomplete: {count} {inputs} could not be read completely"
        );
        exit::USAGE
    }
}

/// Wraps standard output in a buffer; the caller flushes it.
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// Says on standard error that the filters matched nothing.
pub fn report_no_match(what: &str) {
    eprintln!("esatls: no {what} matches the filters");
}

/// Flushes `out`, naming standard output if it fails.
pub fn flush(out: &mut dyn Write) -> Result<()> {
    out.flush().context("cannot write to standard output")
}

/// Matches an address against `pattern`: an address (case-insensitive), or
/// `@domain` or a bare `domain`, which also match subdomains.
pub fn address_matches(address: &str, pattern: &str) -> bool {
    let address = address.to_ascii_lowercase();
    let pattern = pattern.trim().to_ascii_lowercase();
    let pattern = pattern.trim_start_matches('<').trim_end_matches('>');
    if pattern.is_empty() {
        // `<>`: the null sender of bounces and notifications.
        return address
            .trim_start_matches('<')
            .trim_end_matches('>')
            .is_empty();
    }
    // No address lacks an `@`, so a pattern without one can only mean a
    // domain.
    let domain = pattern
        .strip_prefix('@')
        .or((!pattern.contains('@')).then_some(pattern));
    match domain {
        Some(domain) => match address.rsplit_once('@') {
            Some((_, address_domain)) => {
                address_domain == domain || address_domain.ends_with(&format!(".{domain}"))
            }
            None => false,
        },
        None => address.trim_start_matches('<').trim_end_matches('>') == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets() {
        assert_eq!(parse_utc_offset("+02:00").unwrap(), 7_200);
        assert_eq!(parse_utc_offset("-0600").unwrap(), -21_600);
        assert_eq!(parse_utc_offset("+2").unwrap(), 7_200);
        assert_eq!(parse_utc_offset("-21600").unwrap(), -21_600);
        assert_eq!(parse_utc_offset("3600s").unwrap(), 3_600);
        assert!(parse_utc_offset("+23:59").is_err());
        assert!(parse_utc_offset("3600").is_err());
        assert!(parse_utc_offset("+1:30").is_ok());
        assert!(parse_utc_offset("5s").is_err());
        assert_eq!(parse_utc_offset("Z").unwrap(), 0);
        assert!(parse_utc_offset("+25:00").is_err());
        assert!(parse_utc_offset("abc").is_err());
        assert!(parse_utc_offset("+01:75").is_err());
    }

    #[test]
    fn address_patterns() {
        assert!(address_matches("Mary@Example.org", "mary@example.org"));
        assert!(address_matches("mary@example.org", "@example.org"));
        assert!(address_matches("mary@mx.example.org", "@example.org"));
        assert!(!address_matches("mary@badexample.org", "@example.org"));
        assert!(!address_matches("mary", "@example.org"));
        assert!(address_matches("mary@example.org", "<mary@example.org>"));
        assert!(address_matches("mary@mx.example.org", "example.org"));
        assert!(address_matches("mary@example.org", "Example.Org"));
        assert!(!address_matches("mary@badexample.org", "example.org"));
        assert!(!address_matches("example.org", "example.org"));
        assert!(address_matches("<>", "<>"));
        assert!(!address_matches("mary@example.org", "<>"));
    }
}
