//! `esatls report`.

use anyhow::Result;

use std::io::Write;
use std::time::{Duration, Instant};

use esatls::output::{html, json, table};
use esatls::pipeline::RunSummary;
use esatls::record::{ConnectionRecord, MessageRecord, RecordSink};
use esatls::report::{Report, ReportBuilder};

use super::{finish_run, flush, run_options_for, run_pipeline, stdout, table_style, INTERRUPTED};
use crate::cli::{ReportArgs, ReportFormat};
use crate::exit;

/// The JSON document of `report --format json`: the report, then what was
/// read.
#[derive(serde::Serialize)]
struct ReportDocument<'a> {
    #[serde(flatten)]
    report: &'a Report,
    sources: &'a [esatls::pipeline::SourceSummary],
    correlation: &'a esatls::correlate::CorrelateStats,
    errors: &'a [String],
    warnings: &'a [String],
    interrupted: bool,
}

/// Writes the report. A followed log's reports (`live`) come one after
/// another: JSON as one line each, tables separated by a blank line.
fn write_report(
    format: ReportFormat,
    report: &Report,
    summary: &RunSummary,
    live: bool,
) -> Result<()> {
    let mut out = stdout();
    let document = ReportDocument {
        report,
        sources: &summary.sources,
        correlation: &summary.correlation,
        errors: &summary.errors,
        warnings: &summary.warnings,
        interrupted: summary.interrupted,
    };
    match format {
        ReportFormat::Table => {
            table::write_report(&mut out, report, summary, &table_style())?;
            if live {
                writeln!(out)?;
            }
        }
        ReportFormat::Json if live => json::write_line(&mut out, &document)?,
        ReportFormat::Json => json::write_pretty(&mut out, &document)?,
        ReportFormat::Html => html::write_report(&mut out, report, summary)?,
    }
    flush(&mut out)
}

/// Builds the report, and with --follow prints it every `interval`.
struct ReportSink {
    builder: ReportBuilder,
    format: ReportFormat,
    interval: Option<Duration>,
    utc: bool,
    last_print: Instant,
    error: Option<anyhow::Error>,
}

impl RecordSink for ReportSink {
    fn message(&mut self, record: MessageRecord) {
        self.builder.message(record);
    }

    fn connection(&mut self, record: ConnectionRecord) {
        self.builder.connection(record);
    }

    fn split(&self) -> Option<Box<dyn esatls::record::PartSink>> {
        self.builder.split()
    }

    fn join(&mut self, part: Box<dyn std::any::Any + Send>) {
        self.builder.join(part);
    }

    fn progress(&mut self, summary: &RunSummary) {
        // An HTML page is one document, so it is written once, at the end.
        let Some(interval) = self.interval.filter(|_| self.format != ReportFormat::Html) else {
            return;
        };
        if self.error.is_some() || self.last_print.elapsed() < interval {
            return;
        }
        self.last_print = Instant::now();
        let mut report = self.builder.snapshot(summary);
        if self.utc {
            report.period.convert_to_utc();
        }
        if let Err(error) = write_report(self.format, &report, summary, true) {
            self.error = Some(error);
        }
    }
}

pub fn run(args: ReportArgs) -> Result<u8> {
    let (paths, options) = run_options_for(&args.input, false, false)?;
    let mut sink = ReportSink {
        builder: ReportBuilder::new(),
        format: args.format,
        interval: args
            .follow
            .follow
            .then(|| Duration::from_secs(args.interval)),
        utc: args.input.utc,
        last_print: Instant::now(),
        error: None,
    };
    let (summary, interrupted) = run_pipeline(&paths, &options, &args.follow, &mut sink)?;
    if let Some(error) = sink.error.take() {
        return Err(error);
    }
    let mut report = sink.builder.finish(&summary);
    if args.input.utc {
        report.period.convert_to_utc();
    }
    write_report(args.format, &report, &summary, args.follow.follow)?;
    let status = if interrupted {
        INTERRUPTED
    } else {
        exit::SUCCESS
    };
    Ok(finish_run(&summary, status))
}
