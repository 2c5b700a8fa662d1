//! Command-line syntax.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// TLS verdicts for every connection, message and recipient in Cisco
/// Secure Email Gateway (ESA, AsyncOS) text mail logs.
#[derive(Debug, Parser)]
#[command(name = "esatls", version, max_term_width = 100)]
#[command(
    after_help = "Exit status: 0 success; 1 a filter or trace matched nothing; \
2 usage error, or an input could not be read completely; 130 interrupted \
(Ctrl-C, SIGTERM or SIGHUP), after writing the records completed so far."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Summarise how connections, messages and deliveries split by TLS state.
    Report(ReportArgs),
    /// List one record per message with every recipient's result.
    Messages(MessagesArgs),
    /// List one record per SMTP connection.
    Connections(ConnectionsArgs),
    /// Show the verdict for one message or connection and the lines behind it.
    Trace(TraceArgs),
}

/// Options shared by every command that reads logs.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Log files or directories (read recursively); `-` reads standard
    /// input. With none, standard input is read when it is not a terminal.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Year of syslog timestamps that carry none [default: from each
    /// file's modification time: its year, or the year before for months
    /// later than the modification time's].
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i16).range(1970..=9999))]
    pub year: Option<i16>,

    /// UTC offset of the appliance's clock, from -18:00 to +18:00, such as
    /// +02:00, -0600, +2 or -21600s (seconds); it replaces the files' `Time
    /// offset from UTC` header.
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,

    /// Print times in UTC (times whose offset is unknown stay as logged).
    #[arg(long)]
    pub utc: bool,

    /// Appliance name for lines whose syslog header names no host, whose
    /// file has no `Version: ... SN:` line and lies in no subdirectory of
    /// a directory argument.
    #[arg(long, value_name = "NAME", value_parser = non_empty_name)]
    pub host: Option<String>,

    /// Maximum line length kept, in bytes, from 256 to 16777216 (16 MiB);
    /// longer lines are cut and counted.
    #[arg(long, value_name = "BYTES", default_value_t = esatls::input::DEFAULT_MAX_LINE_BYTES as u64, value_parser = clap::value_parser!(u64).range(256..=16_777_216))]
    pub max_line_bytes: u64,

    /// Days of log time after which a connection or message that saw no
    /// line is closed as incomplete.
    #[arg(long, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub max_idle_days: u32,

    /// Threads to use, from 1 to 64 [default: the number of processors].
    /// With 1, one thread reads, parses and correlates. With more, the
    /// lines of an input are parsed on all but one of them while the last
    /// correlates, and `report` reads the logs of several appliances at
    /// once.
    #[arg(long, value_name = "COUNT", value_parser = thread_count)]
    pub threads: Option<u64>,

    /// Maximum number of connections (per direction) and of messages kept
    /// open per appliance, and in all appliances together, at least 10;
    /// past it the least recently seen are closed as incomplete.
    #[arg(long, value_name = "COUNT", default_value_t = 200_000, value_parser = max_open_count)]
    pub max_open: u64,
}

/// Options of the commands that can follow a growing log.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Keep reading the one file or directory given as it grows, as
    /// `tail -F` does, across the appliance's rotation of the current file,
    /// until interrupted (Ctrl-C, SIGTERM or SIGHUP). Records are written as
    /// they complete.
    #[arg(long)]
    pub follow: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TlsArg {
    Success,
    Failed,
    None,
    Unknown,
    Internal,
}

impl TlsArg {
    pub fn state(self) -> esatls::record::TlsState {
        use esatls::record::TlsState;
        match self {
            TlsArg::Success => TlsState::Success,
            TlsArg::Failed => TlsState::Failed,
            TlsArg::None => TlsState::None,
            TlsArg::Unknown => TlsState::Unknown,
            TlsArg::Internal => TlsState::Internal,
        }
    }
}

/// TLS states a connection or a delivery can have (`internal` belongs to
/// received messages only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConnectionTlsArg {
    Success,
    Failed,
    None,
    Unknown,
}

impl ConnectionTlsArg {
    pub fn state(self) -> esatls::record::TlsState {
        use esatls::record::TlsState;
        match self {
            ConnectionTlsArg::Success => TlsState::Success,
            ConnectionTlsArg::Failed => TlsState::Failed,
            ConnectionTlsArg::None => TlsState::None,
            ConnectionTlsArg::Unknown => TlsState::Unknown,
        }
    }
}

/// Rejects an empty address pattern, which would match nothing.
fn non_empty_text(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "@" {
        return Err("the value is empty: give an address or @domain".to_string());
    }
    Ok(trimmed.to_string())
}

/// Rejects an empty appliance name.
fn non_empty_name(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("the value is empty: give the appliance's name".to_string());
    }
    Ok(trimmed.to_string())
}

/// Parses a count of at least `minimum`.
fn count_at_least(text: &str, minimum: u64) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number"))?;
    if value < minimum {
        return Err(format!("{value} is too small: give at least {minimum}"));
    }
    Ok(value)
}

fn max_open_count(text: &str) -> Result<u64, String> {
    count_at_least(text, 10)
}

fn thread_count(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(count @ 1..=MAX_THREADS) => Ok(count),
        _ => Err(format!(
            "'{text}' is not a thread count: give a number from 1 to {MAX_THREADS}"
        )),
    }
}

/// Most threads `--threads` takes.
const MAX_THREADS: u64 = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    Inbound,
    Outbound,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// With --follow, seconds between two printings of the report, from 1
    /// to 86400 (a day).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, requires = "follow", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: u64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct MessagesArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// Output format: a table, JSON Lines (one object per message), or CSV
    /// (one row per recipient).
    #[arg(long, value_enum, default_value_t = RecordFormat::Table)]
    pub format: RecordFormat,

    /// Keep messages received in this TLS state.
    #[arg(long, value_enum, value_name = "STATE")]
    pub inbound_tls: Option<TlsArg>,

    /// Keep messages with a recipient whose last delivery attempt used a
    /// connection in this TLS state (with --recipient, the same recipient).
    #[arg(long, value_enum, value_name = "STATE")]
    pub outbound_tls: Option<ConnectionTlsArg>,

    /// Keep messages from this sender: an address, `<>` for the null
    /// sender, or `@domain` (or the domain alone), which matches its
    /// subdomains too.
    #[arg(long, value_name = "ADDRESS", value_parser = non_empty_text)]
    pub sender: Option<String>,

    /// Keep messages with this recipient: an address, or `@domain` (or the
    /// domain alone), which matches its subdomains too (with
    /// --outbound-tls, a recipient that matches both).
    #[arg(long, value_name = "ADDRESS", value_parser = non_empty_text)]
    pub recipient: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConnectionsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    /// Output format: a table, JSON Lines, or CSV.
    #[arg(long, value_enum, default_value_t = RecordFormat::Table)]
    pub format: RecordFormat,

    /// Keep connections of this direction.
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,

    /// Keep connections in this TLS state.
    #[arg(long, value_enum, value_name = "STATE")]
    pub tls: Option<ConnectionTlsArg>,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// A MID (`12345`), an ICID (`icid:N`), a DCID (`dcid:N`) or a
    /// Message-ID (`<id@example.com>`, brackets optional).
    #[arg(value_name = "ID")]
    pub id: String,

    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub format: TraceFormat,
}
