//! `esatls report`.

use anyhow::Result;

use esatls::output::{html, json, table};
use esatls::pipeline;
use esatls::report::ReportBuilder;

use super::{finish_run, flush, run_options_for, stdout, table_style};
use crate::cli::{ReportArgs, ReportFormat};
use crate::exit;

/// The JSON document of `report --format json`: the report, then what was
/// read.
#[derive(serde::Serialize)]
struct ReportDocument<'a> {
    #[serde(flatten)]
    report: &'a esatls::report::Report,
    sources: &'a [esatls::pipeline::SourceSummary],
    correlation: &'a esatls::correlate::CorrelateStats,
    errors: &'a [String],
}

pub fn run(args: ReportArgs) -> Result<u8> {
    let (paths, options) = run_options_for(&args.input, false, false)?;
    let mut builder = ReportBuilder::new();
    let summary = pipeline::run(&paths, &options, &mut builder);
    let report = builder.finish(&summary);
    let mut out = stdout();
    match args.format {
        ReportFormat::Table => table::write_report(&mut out, &report, &summary, &table_style())?,
        ReportFormat::Json => json::write_pretty(
            &mut out,
            &ReportDocument {
                report: &report,
                sources: &summary.sources,
                correlation: &summary.correlation,
                errors: &summary.errors,
            },
        )?,
        ReportFormat::Html => html::write_report(&mut out, &report, &summary)?,
    }
    flush(&mut out)?;
    Ok(finish_run(&summary, exit::SUCCESS))
}
