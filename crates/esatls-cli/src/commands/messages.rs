//! `esatls messages`.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc;

use anyhow::{Context, Result};

use esatls::output::csv::{CsvWriter, MESSAGE_COLUMNS};
use esatls::output::record_json;
use esatls::output::table::MessageTable;
use esatls::record::{ConnectionRecord, MessageRecord, RecordSink, TlsState};

use super::{
    address_matches, finish_run, flush, run_options, run_pipeline, stdout, table_style, INTERRUPTED,
};
use crate::cli::{MessagesArgs, RecordFormat};
use crate::exit;

/// Which messages to keep.
pub struct MessageFilter {
    pub inbound_tls: Option<TlsState>,
    pub outbound_tls: Option<TlsState>,
    pub sender: Option<String>,
    pub recipient: Option<String>,
}

impl MessageFilter {
    pub fn is_active(&self) -> bool {
        self.inbound_tls.is_some()
            || self.outbound_tls.is_some()
            || self.sender.is_some()
            || self.recipient.is_some()
    }

    pub fn matches(&self, record: &MessageRecord) -> bool {
        if let Some(state) = self.inbound_tls {
            if record.inbound.tls != state {
                return false;
            }
        }
        if let Some(pattern) = &self.sender {
            if !record
                .sender
                .as_deref()
                .is_some_and(|sender| address_matches(sender, pattern))
            {
                return false;
            }
        }
        if self.outbound_tls.is_none() && self.recipient.is_none() {
            return true;
        }
        // Both recipient filters must hold for one and the same recipient.
        record.recipients.iter().any(|recipient| {
            let tls_matches = self
                .outbound_tls
                .is_none_or(|state| recipient.tls == Some(state));
            let address_matches_pattern = self.recipient.as_deref().is_none_or(|pattern| {
                recipient
                    .address
                    .as_deref()
                    .is_some_and(|address| address_matches(address, pattern))
            });
            tls_matches && address_matches_pattern
        })
    }
}

enum Writer<W: Write> {
    Table(MessageTable, W),
    /// JSON lines, each built in the buffer first.
    Json(W, Vec<u8>),
    Csv(CsvWriter<W>),
}

/// Writes the messages that pass the filter as they complete.
struct MessageSink<W: Write> {
    filter: MessageFilter,
    utc: bool,
    /// The log is followed: write records out as they come.
    live: bool,
    writer: Writer<W>,
    matched: u64,
    error: Option<std::io::Error>,
}

impl<W: Write> MessageSink<W> {
    fn write(&mut self, record: &MessageRecord) -> std::io::Result<()> {
        match &mut self.writer {
            Writer::Table(table, out) => table.add(out, record),
            Writer::Json(out, line) => record_json::write_message(out, record, line),
            Writer::Csv(csv) => csv.message(record),
        }
    }

    fn finish(mut self) -> std::io::Result<(u64, W)> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let out = match self.writer {
            Writer::Table(mut table, mut out) => {
                table.flush(&mut out)?;
                out
            }
            Writer::Json(out, _) => out,
            Writer::Csv(csv) => csv.into_inner()?,
        };
        Ok((self.matched, out))
    }
}

impl<W: Write> RecordSink for MessageSink<W> {
    fn message(&mut self, mut record: MessageRecord) {
        if self.error.is_some() || !self.filter.matches(&record) {
            return;
        }
        self.matched += 1;
        if self.utc {
            record.convert_to_utc();
        }
        if let Err(error) = self.write(&record) {
            self.error = Some(error);
        }
    }

    fn connection(&mut self, _record: ConnectionRecord) {}

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
}

/// Records sent to the writing thread at once.
const BATCH_RECORDS: usize = 256;

/// Batches queued for the writing thread before the correlating thread
/// waits.
const BATCHES_AHEAD: usize = 4;

/// Hands the records in batches to a thread that filters and writes them,
/// so that the thread that correlates does not also write them.
struct BatchSink {
    /// `None` once the writing thread has stopped.
    sender: Option<mpsc::SyncSender<Vec<MessageRecord>>>,
    batch: Vec<MessageRecord>,
}

impl BatchSink {
    fn send(&mut self) {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_RECORDS));
        if let Some(sender) = &self.sender {
            if sender.send(batch).is_err() {
                self.sender = None;
            }
        }
    }
}

impl RecordSink for BatchSink {
    fn message(&mut self, record: MessageRecord) {
        self.batch.push(record);
        if self.batch.len() >= BATCH_RECORDS {
            self.send();
        }
    }

    fn connection(&mut self, _record: ConnectionRecord) {}
}

/// Builds the writer of `format` over standard output.
fn writer(format: RecordFormat) -> Result<Writer<io::BufWriter<io::StdoutLock<'static>>>> {
    let out = stdout();
    Ok(match format {
        RecordFormat::Table => Writer::Table(MessageTable::new(table_style()), out),
        RecordFormat::Json => Writer::Json(out, Vec::new()),
        RecordFormat::Csv => Writer::Csv(
            CsvWriter::new(out, MESSAGE_COLUMNS)
                .context("cannot write to standard output")?
                .visible_escapes(io::stdout().is_terminal()),
        ),
    })
}

/// Ends the writing of `sink`, and returns how many records passed the
/// filter.
fn finish_writing(sink: MessageSink<io::BufWriter<io::StdoutLock<'static>>>) -> Result<u64> {
    let (matched, mut out) = sink.finish().context("cannot write to standard output")?;
    flush(&mut out)?;
    Ok(matched)
}

pub fn run(args: MessagesArgs) -> Result<u8> {
    let (paths, options) = run_options(&args.input, false)?;
    let filter = MessageFilter {
        inbound_tls: args.inbound_tls.map(|tls| tls.state()),
        outbound_tls: args.outbound_tls.map(|tls| tls.state()),
        sender: args.sender.clone(),
        recipient: args.recipient.clone(),
    };
    let filtering = filter.is_active();
    let sink = |filter, writer| MessageSink {
        filter,
        utc: args.input.utc,
        live: args.follow.follow,
        writer,
        matched: 0,
        error: None,
    };
    // JSON and CSV lines are written on a thread of their own, since the
    // thread that correlates is the one the others wait for: `messages
    // --format json` over 1 GB took 1.46 s instead of 1.56 s (medians of
    // 11 alternating runs, 2 CPUs). A table is written at the end, and a
    // followed log's records as they come.
    let threaded = args.format != RecordFormat::Table && !args.follow.follow;
    let (summary, interrupted, matched) = if threaded {
        let format = args.format;
        std::thread::scope(|scope| -> Result<_> {
            let (sender, batches) = mpsc::sync_channel::<Vec<MessageRecord>>(BATCHES_AHEAD);
            let writing = std::thread::Builder::new()
                .name("esatls-write".into())
                .spawn_scoped(scope, move || -> Result<u64> {
                    let mut sink = sink(filter, writer(format)?);
                    for batch in batches {
                        for record in batch {
                            sink.message(record);
                        }
                    }
                    finish_writing(sink)
                })
                .context("cannot start the thread that writes the records")?;
            let mut batching = BatchSink {
                sender: Some(sender),
                batch: Vec::with_capacity(BATCH_RECORDS),
            };
            let result = run_pipeline(&paths, &options, &args.follow, &mut batching);
            batching.send();
            drop(batching);
            let written = writing
                .join()
                .map_err(|_| anyhow::anyhow!("the thread that writes the records failed"))?;
            // An error of the run comes before one of the writing, as
            // without the thread.
            let (summary, interrupted) = result?;
            Ok((summary, interrupted, written?))
        })?
    } else {
        let mut sink = sink(filter, writer(args.format)?);
        let (summary, interrupted) = run_pipeline(&paths, &options, &args.follow, &mut sink)?;
        (summary, interrupted, finish_writing(sink)?)
    };
    let status = if interrupted {
        INTERRUPTED
    } else if filtering && matched == 0 {
        super::report_no_match("message");
        exit::NO_MATCH
    } else {
        exit::SUCCESS
    };
    Ok(finish_run(&summary, status))
}
