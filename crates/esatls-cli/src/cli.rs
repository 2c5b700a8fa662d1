//! Command-line syntax.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// TLS verdicts for every connection, message and recipient in Cisco
/// Secure Email Gateway (ESA, AsyncOS) text mail logs.
#[derive(Debug, Parser)]
#[command(name = "esatls", version, max_term_width = 100)]
#[command(
    after_help = "Exit status: 0 success; 1 a filter or trace matched nothing; \
2 usage error, or an input could not be read completely."
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

    /// Year of syslog timestamps that carry none [default: the year of
    /// each file's modification time].
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i16>,

    /// UTC offset of the appliance's clock, such as +02:00 or -0600; it
    /// replaces the files' `Time offset from UTC` header.
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,

    /// Print times in UTC (times whose offset is unknown stay as logged).
    #[arg(long)]
    pub utc: bool,

    /// Appliance name for input whose lines and file header name none.
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,

    /// Longest line kept, in bytes; longer lines are cut and counted.
    #[arg(long, value_name = "BYTES", default_value_t = esatls::input::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,

    /// Days of log time after which a connection or message that saw no
    /// line is closed as incomplete.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub max_idle_days: u32,

    /// Most connections (per direction) and messages kept open per appliance.
    #[arg(long, value_name = "COUNT", default_value_t = 500_000)]
    pub max_open: usize,
}

/// Options of the commands that can follow a growing log.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Keep reading the one file or directory given as it grows, as
    /// `tail -F` does, across the appliance's rotation of the current file,
    /// until interrupted (Ctrl-C). Records are written as they complete.
    #[arg(long)]
    pub follow: bool,

    /// With --follow, seconds between two printings of the report.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: u64,
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

    /// Keep messages with a recipient delivered or attempted in this TLS
    /// state.
    #[arg(long, value_enum, value_name = "STATE")]
    pub outbound_tls: Option<TlsArg>,

    /// Keep messages from this sender: an address, or `@domain`.
    #[arg(long, value_name = "ADDRESS")]
    pub sender: Option<String>,

    /// Keep messages with this recipient: an address, or `@domain`.
    #[arg(long, value_name = "ADDRESS")]
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
    pub tls: Option<TlsArg>,
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
