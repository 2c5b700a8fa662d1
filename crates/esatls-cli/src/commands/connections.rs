//! `esatls connections`.

use std::io::{self, IsTerminal, Write};

use anyhow::{Context, Result};

use esatls::output::csv::{CsvWriter, CONNECTION_COLUMNS};
use esatls::output::record_json;
use esatls::output::table::ConnectionTable;
use esatls::record::{ConnectionRecord, Direction, MessageRecord, RecordSink, TlsState};

use super::{finish_run, flush, run_options, run_pipeline, stdout, table_style, INTERRUPTED};
use crate::cli::{ConnectionsArgs, DirectionArg, RecordFormat};
use crate::exit;

enum Writer<W: Write> {
    Table(ConnectionTable, W),
    /// JSON lines, each built in the buffer first.
    Json(W, Vec<u8>),
    Csv(CsvWriter<W>),
}

struct ConnectionSink<W: Write> {
    direction: Option<Direction>,
    tls: Option<TlsState>,
    utc: bool,
    /// The log is followed: write records out as they come.
    live: bool,
    writer: Writer<W>,
    matched: u64,
    error: Option<std::io::Error>,
}

impl<W: Write> RecordSink for ConnectionSink<W> {
    fn message(&mut self, _record: MessageRecord) {}

    fn progress(&mut self, _summary: &esatls::pipeline::RunSummary) {
        // Records of a followed log must not wait in the buffer.
        if !self.live {
            return;
        }
        let result = match &mut self.writer {
            Writer::Table(table, out) => table.flush(out).and_then(|()| out.flush()),
            Writer::Json(out, _) => out.flush(),
            Writer::Csv(csv) => csv.flush(),
        };
        if let Err(error) = result {
            self.error.get_or_insert(error);
        }
    }

    fn connection(&mut self, mut record: ConnectionRecord) {
        if self.error.is_some() {
            return;
        }
        if self
            .direction
            .is_some_and(|direction| direction != record.direction)
        {
            return;
        }
        if self.tls.is_some_and(|tls| tls != record.tls) {
            return;
        }
        self.matched += 1;
        if self.utc {
            record.convert_to_utc();
        }
        let result = match &mut self.writer {
            Writer::Table(table, out) => table.add(out, &record),
            Writer::Json(out, line) => record_json::write_connection(out, &record, line),
            Writer::Csv(csv) => csv.connection(&record),
        };
        if let Err(error) = result {
            self.error = Some(error);
        }
    }
}

pub fn run(args: ConnectionsArgs) -> Result<u8> {
    let (paths, options) = run_options(&args.input, false)?;
    let out = stdout();
    let writer = match args.format {
        RecordFormat::Table => Writer::Table(ConnectionTable::new(table_style()), out),
        RecordFormat::Json => Writer::Json(out, Vec::new()),
        RecordFormat::Csv => Writer::Csv(
            CsvWriter::new(out, CONNECTION_COLUMNS)
                .context("cannot write to standard output")?
                .visible_escapes(io::stdout().is_terminal()),
        ),
    };
    let mut sink = ConnectionSink {
        direction: args.direction.map(|direction| match direction {
            DirectionArg::Inbound => Direction::Inbound,
            DirectionArg::Outbound => Direction::Outbound,
        }),
        tls: args.tls.map(|tls| tls.state()),
        utc: args.input.utc,
        live: args.follow.follow,
        writer,
        matched: 0,
        error: None,
    };
    let filtering = sink.direction.is_some() || sink.tls.is_some();
    let (summary, interrupted) = run_pipeline(&paths, &options, &args.follow, &mut sink)?;
    if let Some(error) = sink.error.take() {
        return Err(anyhow::Error::new(error).context("cannot write to standard output"));
    }
    let mut out = match sink.writer {
        Writer::Table(mut table, mut out) => {
            table
                .flush(&mut out)
                .context("cannot write to standard output")?;
            out
        }
        Writer::Json(out, _) => out,
        Writer::Csv(csv) => csv
            .into_inner()
            .context("cannot write to standard output")?,
    };
    flush(&mut out)?;
    let status = if interrupted {
        INTERRUPTED
    } else if filtering && sink.matched == 0 {
        super::report_no_match("connection");
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    };
    Ok(finish_run(&summary, status))
}
