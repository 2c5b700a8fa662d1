//! The run: inputs in chronological order, lines into entries, entries into
//! events, events into the correlator.

mod chunk;
mod lanes;
mod order;
mod read;
mod reader;
mod source;
mod stats;

use std::path::PathBuf;

use serde::Serialize;

pub use source::{PreparedSource, SourceSummary};
pub use stats::{LineStats, TemplateCount, TemplateCounts, MAX_TEMPLATES};

use crate::correlate::{CorrelateOptions, CorrelateStats, Correlator};

/// Chunks per parsing thread that may be read and not yet correlated.
const CHUNKS_PER_PARSER: usize = 2;

/// A message from a parsing thread to the correlating one.
enum Parsed {
    Chunk(chunk::ParsedChunk),
    Done(Box<reader::Finished>),
}

/// Longest time between two calls of [`RecordSink::progress`] while an
/// input is read.
pub const PROGRESS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Templates kept in the summary while a run goes on; the full sorted list
/// is made at the end.
const TOP_TEMPLATES_LIVE: usize = 50;
use crate::input::{expand_inputs, DiscoveredInput, StopHandle, DEFAULT_MAX_LINE_BYTES};
use crate::record::RecordSink;

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub correlate: CorrelateOptions,
    /// Longest line kept, in bytes.
    pub max_line_bytes: usize,
    /// Year of syslog timestamps that carry none; by default the year of
    /// the file's modification time.
    pub year: Option<i16>,
    /// UTC offset in seconds for every line, overriding the files' `Time
    /// offset from UTC` header (but not an offset in the line's own
    /// timestamp).
    pub utc_offset: Option<i32>,
    /// Appliance name of input whose lines and header name none.
    pub host: Option<String>,
    /// Threads per input; by default, the processors the system makes
    /// available to the process. With 1, the calling thread reads, parses
    /// and correlates. With N of 2 or more, N - 1 threads take turns
    /// reading the input and parse the chunks they read, and the calling
    /// thread correlates them.
    pub threads: usize,
    /// Processors the run may keep busy, which decide whether the logs of
    /// several appliances are read at once. By default, those the system
    /// makes available to the process.
    pub processors: usize,
    /// Handle that ends the run early. Once a stop is requested, reading
    /// ends before the next refill of the 256 KiB read buffer, inputs not
    /// yet read are left out, and records still open are not written,
    /// since they would be incomplete. An input that is not a regular file
    /// (standard input, a pipe) is then read on a thread of its own, so a
    /// read waiting for data ends within 50 ms of the stop. That thread
    /// ends once data or the end of the input arrives.
    pub stop: Option<StopHandle>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            correlate: CorrelateOptions::default(),
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            year: None,
            utc_offset: None,
            host: None,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            processors: std::thread::available_parallelism().map_or(1, usize::from),
            stop: None,
        }
    }
}

impl RunOptions {
    /// Returns whether a stop has been requested through [`Self::stop`].
    pub fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(StopHandle::is_stopped)
    }
}

/// What a run read, and what went wrong.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunSummary {
    /// Inputs in the order they were read.
    pub sources: Vec<SourceSummary>,
    pub lines: LineStats,
    /// Templates of unrecognised entries, most frequent first.
    pub templates: Vec<TemplateCount>,
    /// Unrecognised entries whose template was not kept.
    pub other_templates: u64,
    pub correlation: CorrelateStats,
    /// Inputs that could not be read, or not completely, with the cause.
    pub errors: Vec<String>,
    /// Inputs left out on purpose (given twice), with the reason.
    pub warnings: Vec<String>,
    /// Whether the run ended before its inputs did (at a stop request, or
    /// at the end of a followed input), so that records still open were
    /// not written.
    pub interrupted: bool,
}

impl RunSummary {
    /// Returns whether every input was read to its end.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Reads `paths` (files, directories, or `-` for standard input) in
/// chronological order and sends every record to `sink`.
///
/// A file that cannot be opened or read is reported in the summary's
/// `errors` and the run goes on with the other inputs. A stop requested
/// through [`RunOptions::stop`] ends the run early, as that field describes.
pub fn run(paths: &[PathBuf], options: &RunOptions, sink: &mut dyn RecordSink) -> RunSummary {
    let expansion = expand_inputs(paths);
    let mut errors: Vec<String> = expansion.errors.iter().map(ToString::to_string).collect();
    let mut warnings: Vec<String> = expansion
        .duplicates
        .iter()
        .map(|path| format!("{path}: read once; an earlier path reaches the same input"))
        .collect();
    let copies = [
        (&expansion.twins, "it is a compressed copy of"),
        (&expansion.copies, "it has the same content as"),
        (&expansion.partial_copies, "its content is the start of"),
    ];
    for (pairs, relation) in copies {
        for (copy, original) in pairs {
            warnings.push(format!(
                "{copy}: not read; {relation} {original}, which is read"
            ));
        }
    }
    for (copy, original, error) in &expansion.damaged_copies {
        warnings.push(format!(
            "{copy}: not read; it cannot be decompressed to its end ({error}), \
             and what can be is the start of {original}, which is read"
        ));
    }
    for (directory, original) in &expansion.repeated_directories {
        warnings.push(format!(
            "{directory}: not walked; it is the same directory as {original}, which is walked"
        ));
    }
    for directory in &expansion.empty_directories {
        warnings.push(format!("{directory}: no files to read in this directory"));
    }
    for path in &expansion.special_files {
        warnings.push(format!(
            "{path}: not read; a directory walk leaves out what is not a regular file \
             (a named pipe, socket or device); name it on the command line to read it"
        ));
    }
    let mut prepared = Vec::new();
    let mut interrupted = false;
    for input in expansion.inputs {
        if options.stop_requested() {
            interrupted = true;
            break;
        }
        match PreparedSource::prepare(input, options) {
            Ok(source) => prepared.push(source),
            Err(error) => errors.push(error.to_string()),
        }
    }
    source::sort_chronologically(&mut prepared);
    let plan = sink.split().and_then(|_| lanes::plan(&prepared, options));
    if let Some(plan) = plan {
        let start = RunSummary {
            errors: errors.clone(),
            warnings: warnings.clone(),
            interrupted,
            ..RunSummary::default()
        };
        let discovered: Vec<DiscoveredInput> =
            prepared.iter().map(PreparedSource::discovered).collect();
        match lanes::run(prepared, &plan, options, start, sink) {
            Ok(summary) => return summary,
            Err(lanes::SharedAppliance) => {
                // An appliance's lines reached two lanes (a file that
                // contains lines of a second appliance after its first).
                // The lanes' records are dropped and the inputs are read
                // again, one after the other.
                prepared = Vec::new();
                for input in discovered {
                    match PreparedSource::prepare(input, options) {
                        Ok(source) => prepared.push(source),
                        Err(error) => errors.push(error.to_string()),
                    }
                }
                source::sort_chronologically(&mut prepared);
            }
        }
    }
    let mut pipeline = Pipeline::for_sources(options, &prepared);
    pipeline.summary.errors = errors;
    pipeline.summary.warnings = warnings;
    pipeline.summary.interrupted = interrupted;
    let directories: Vec<Option<PathBuf>> = pipeline
        .read_sources(prepared, sink)
        .into_iter()
        .filter(|input| input.listed)
        .map(|input| input.directory)
        .collect();
    let mut summary = pipeline.finish(sink);
    if let Some(warning) = unnamed_directories_warning(&summary.sources, &directories) {
        summary.warnings.push(warning);
    }
    summary
}

/// Warns when the input read last had lines and none of them was a mail
/// log entry: a file of another kind in a log directory, or binary data.
fn foreign_input_warning(summary: &RunSummary, recognised: u64) -> Option<String> {
    let source = summary.sources.last()?;
    if recognised > 0 || source.lines == 0 {
        return None;
    }
    let lines = match source.lines {
        1 => "its one line is not".to_string(),
        lines => format!("none of its {lines} lines is"),
    };
    Some(format!(
        "{}: {lines} a mail log entry; check that it is an ESA text mail log \
         or consolidated event log",
        source.name
    ))
}

/// Warns when lines of no named appliance come from files in several
/// directories: they are read as one appliance, which merges the ids of
/// two appliances if each directory holds one.
fn unnamed_directories_warning(
    sources: &[SourceSummary],
    directories: &[Option<PathBuf>],
) -> Option<String> {
    let unnamed: std::collections::BTreeSet<&PathBuf> = sources
        .iter()
        .zip(directories)
        .filter(|(source, _)| source.unnamed)
        .filter_map(|(_, directory)| directory.as_ref())
        .collect();
    if unnamed.len() < 2 {
        return None;
    }
    Some(format!(
        "files in {} directories name no appliance (no syslog host, no Version \
         line), so their ids are read as one appliance's; to keep each \
         directory apart, give the directory that contains them all, or \
         read each directory with its own --host",
        unnamed.len()
    ))
}

/// Reads standard input as a followed log: records go to `sink` as the
/// lines that complete them arrive, not when the input ends, and the
/// sink's progress sees the summary while the input stays quiet.
///
/// Only the bytes that tell a magic number from text are read ahead, since
/// a full read-ahead would wait for the first 256 KiB, so a `Version` line
/// names the lines after it only. The input must be plain text: compressed
/// input is rejected with
/// [`InputError::Compressed`](crate::input::InputError::Compressed), since
/// it is complete and can be read as a file is.
pub fn run_stream(
    options: &RunOptions,
    sink: &mut dyn RecordSink,
) -> Result<RunSummary, crate::input::InputError> {
    let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::stdin());
    let source = PreparedSource::plain_stream(crate::input::Origin::Stdin, reader, options)?;
    let mut pipeline = Pipeline::new(options.clone());
    pipeline.live = true;
    pipeline.read_source(source, sink);
    Ok(pipeline.finish(sink))
}

/// Reads in-memory inputs, given as `(name, bytes)` pairs, in the order
/// given, and sends every record to `sink`. Compressed data is recognised
/// as in files.
pub fn run_bytes(
    inputs: &[(&str, &[u8])],
    options: &RunOptions,
    sink: &mut dyn RecordSink,
) -> RunSummary {
    let mut prepared = Vec::new();
    let mut errors = Vec::new();
    for (name, bytes) in inputs {
        let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(bytes.to_vec()));
        match PreparedSource::from_reader(name, reader, options) {
            Ok(source) => prepared.push(source),
            Err(error) => errors.push(error.to_string()),
        }
    }
    let mut pipeline = Pipeline::for_sources(options, &prepared);
    pipeline.summary.errors = errors;
    for source in prepared {
        if pipeline.check_stop() && !source.holds_read_ahead() {
            continue;
        }
        pipeline.read_source(source, sink);
    }
    pipeline.finish(sink)
}

/// Follows `target`, a file or a directory, as `tail -F` does: reads what
/// is there, then what is written to it, across ESA's rotation of the
/// current file, until `stop` is set. Records go to `sink` as they
/// complete; at the stop, records still open are not written (they would
/// be incomplete), and the summary, marked interrupted, is returned.
///
/// `on_event` gets a line of text for what the follower does: the file it
/// starts with (or that it waits for one to appear), and each switch to
/// another file.
#[cfg(unix)]
pub fn follow(
    target: &std::path::Path,
    options: &RunOptions,
    stop: crate::input::StopHandle,
    mut on_event: impl FnMut(&str) + Send + 'static,
    sink: &mut dyn RecordSink,
) -> Result<RunSummary, crate::input::InputError> {
    if target.is_dir() && !holds_files(target) {
        return Err(crate::input::InputError::Follow(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "{}: no log file directly in this directory; follow the directory that \
                 holds the log file (one appliance's subdirectory, say)",
                target.display()
            ),
        )));
    }
    let follow_options = crate::input::FollowOptions {
        stop,
        ..crate::input::FollowOptions::default()
    };
    let origin = crate::input::Origin::Path(target.to_path_buf());
    let mut follower = crate::input::Follower::new(target, follow_options)
        .map_err(crate::input::InputError::Follow)?;
    match follower.current_path() {
        Some(path) => on_event(&format!("following {}", path.display())),
        None if target.is_dir() => match crate::input::compressed_files_in(target) {
            0 => on_event(&format!(
                "{}: no log file in this directory yet; waiting for one to appear",
                target.display()
            )),
            compressed => on_event(&format!(
                "{}: no log file in this directory yet, only {compressed} compressed \
                 file(s), which are complete and are not followed (read them without \
                 --follow); waiting for a log file to appear",
                target.display()
            )),
        },
        None => on_event(&format!(
            "{}: does not exist yet; waiting for it to appear",
            target.display()
        )),
    }
    follower.on_event(move |event| on_event(&event.to_string()));
    let source = PreparedSource::unpeeked(origin, Vec::new(), Box::new(follower), options);
    let mut pipeline = Pipeline::new(options.clone());
    pipeline.live = true;
    pipeline.read_source(source, sink);
    // A followed input has no end of its own, so its open records are
    // incomplete.
    pipeline.summary.interrupted = true;
    Ok(pipeline.finish(sink))
}

/// Returns whether a directory has a file directly in it, or no
/// subdirectory either (a new log file may still appear in it).
#[cfg(unix)]
fn holds_files(directory: &std::path::Path) -> bool {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return true;
    };
    let mut subdirectories = false;
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(kind) if kind.is_file() => return true,
            Ok(kind) if kind.is_dir() => subdirectories = true,
            _ => {}
        }
    }
    !subdirectories
}

/// What [`Pipeline::read_sources`] returns of one input it read.
struct ReadInput {
    /// Place among the inputs given.
    position: usize,
    directory: Option<PathBuf>,
    /// Whether the input was added to the summary's sources, which only a
    /// failed reading thread prevents.
    listed: bool,
    /// Number of errors and warnings the input added to the summary.
    errors: usize,
    warnings: usize,
}

/// The state of a run between inputs.
pub struct Pipeline {
    options: RunOptions,
    /// Keep the summary's templates current (for followed inputs).
    live: bool,
    correlator: Correlator,
    summary: RunSummary,
    templates: TemplateCounts,
    /// The period of the inputs read before the one being read.
    times_before: LineStats,
    /// Serial numbers that name the appliance of a text mail log read in
    /// this run: a consolidated event with one of them belongs to that
    /// appliance whatever its syslog host.
    text_serials: std::collections::HashSet<String>,
    /// The chunk buffers of the input read last on this thread, for the
    /// next input. Without them a log rotated into many files would take
    /// new memory for each file.
    spare_buffers: Vec<chunk::Buffers>,
}

impl Pipeline {
    /// Returns a pipeline set for `prepared`. When some inputs hold
    /// consolidated events, message records wait for them and keep their
    /// details (joining compares senders and Message-IDs), and events
    /// that carry the serial number of a text log's appliance join it.
    fn for_sources<'a>(
        options: &RunOptions,
        prepared: impl IntoIterator<Item = &'a PreparedSource> + Clone,
    ) -> Self {
        let mut options = options.clone();
        let consolidated = prepared
            .clone()
            .into_iter()
            .any(|source| source.kind != source::SourceKind::MailLogs);
        options.correlate.expect_consolidated |= consolidated;
        options.correlate.keep_details |= consolidated;
        let mut pipeline = Pipeline::new(options);
        pipeline.text_serials = prepared
            .into_iter()
            .filter(|source| source.kind != source::SourceKind::Consolidated)
            .filter_map(|source| source.serial.clone())
            .collect();
        pipeline
    }

    /// Returns the names of the appliances whose lines were read.
    fn appliance_names(&self) -> Vec<Option<String>> {
        self.correlator.appliance_names()
    }

    pub fn new(options: RunOptions) -> Self {
        Pipeline {
            live: false,
            correlator: Correlator::new(options.correlate.clone()),
            options,
            summary: RunSummary::default(),
            templates: TemplateCounts::default(),
            times_before: LineStats::default(),
            text_serials: Default::default(),
            spare_buffers: Vec::new(),
        }
    }

    /// Marks the run as interrupted if a stop has been requested, and
    /// returns whether it is, so that the inputs not yet read are left out.
    fn check_stop(&mut self) -> bool {
        if self.options.stop_requested() {
            self.summary.interrupted = true;
        }
        self.summary.interrupted
    }

    /// Emits the records still open and returns the summary. After an
    /// interrupted run, only the finished records that still wait are
    /// written: the open ones would be incomplete.
    pub fn finish(self, sink: &mut dyn RecordSink) -> RunSummary {
        let (mut summary, templates) = self.finish_parts(sink);
        summary.templates = templates.sorted();
        summary.other_templates = templates.other;
        summary
    }

    /// Does what [`Self::finish`] does, but returns the template counts
    /// apart and unsorted, for adding to those of other pipelines.
    fn finish_parts(mut self, sink: &mut dyn RecordSink) -> (RunSummary, TemplateCounts) {
        self.summary.lines.fill_maps();
        self.summary.correlation = if self.summary.interrupted {
            self.correlator.emit_finished(sink);
            self.correlator.stats().clone()
        } else {
            self.correlator.finish(sink)
        };
        (self.summary, self.templates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Collect, ConnectionRecord, MessageRecord};

    /// Returns a log of `count` messages of three lines each, all in one
    /// second, so that each finished message waits for the next second
    /// before it is written.
    fn messages_log(count: u32) -> Vec<u8> {
        let mut log = String::new();
        for mid in 0..count {
            let time = "Mon Mar  2 10:00:00 2026";
            log.push_str(&format!(
                "{time} Info: Start MID {mid} ICID 0\n\
                 {time} Info: MID {mid} ICID 0 From: <a@example.net>\n\
                 {time} Info: Message finished MID {mid} done\n"
            ));
        }
        log.into_bytes()
    }

    /// Keeps the messages and requests the stop after the first batch.
    struct StopAfterFirstBatch {
        stop: StopHandle,
        messages: Vec<MessageRecord>,
    }

    impl RecordSink for StopAfterFirstBatch {
        fn message(&mut self, record: MessageRecord) {
            self.messages.push(record);
        }

        fn connection(&mut self, _record: ConnectionRecord) {}

        fn progress(&mut self, _summary: &RunSummary) {
            self.stop.stop();
        }
    }

    #[test]
    fn stop_ends_run_with_finished_records() {
        let count = 60_000;
        let log = messages_log(count);
        for threads in [1, 2] {
            let stop = StopHandle::new();
            let options = RunOptions {
                threads,
                stop: Some(stop.clone()),
                ..RunOptions::default()
            };
            let mut sink = StopAfterFirstBatch {
                stop,
                messages: Vec::new(),
            };
            let summary = run_bytes(&[("messages.log", &log)], &options, &mut sink);
            assert!(summary.interrupted, "{threads} threads");
            assert!(!summary.sources[0].complete, "{threads} threads");
            assert!(summary.errors.is_empty(), "{threads} threads");
            let lines_read = summary.lines.physical;
            assert!(lines_read < u64::from(count) * 3, "{threads} threads");
            // Every message whose last line was read is written, although
            // its second had not ended; a message cut short is not.
            assert_eq!(
                sink.messages.len() as u64,
                lines_read / 3,
                "{threads} threads"
            );
            assert!(
                sink.messages.iter().all(|message| message.complete),
                "{threads} threads"
            );
            assert_eq!(summary.correlation.open_messages_at_end, 0);
        }
    }

    #[test]
    fn stop_writes_message_waiting_for_consolidated_event() {
        let stop = StopHandle::new();
        let mut options = RunOptions {
            threads: 1,
            stop: Some(stop.clone()),
            ..RunOptions::default()
        };
        options.correlate.expect_consolidated = true;
        let mut sink = StopAfterFirstBatch {
            stop,
            messages: Vec::new(),
        };
        let summary = run_bytes(&[("messages.log", &messages_log(1))], &options, &mut sink);
        assert!(summary.interrupted);
        assert_eq!(sink.messages.len(), 1);
        assert!(sink.messages[0].complete);
    }

    #[test]
    fn stop_before_run_reads_nothing() {
        let stop = StopHandle::new();
        stop.stop();
        let options = RunOptions {
            stop: Some(stop),
            ..RunOptions::default()
        };
        let mut sink = Collect::default();
        let summary = run_bytes(&[("messages.log", &messages_log(3))], &options, &mut sink);
        assert!(summary.interrupted);
        assert!(summary.sources.is_empty());
        assert_eq!(summary.lines.physical, 0);
        assert!(sink.messages.is_empty());
    }

    #[test]
    fn late_offset_applies_to_earlier_times() {
        // Past the lines read ahead, and over several chunks.
        let mut log = "Mon Mar  2 10:00:00 2026 Info: a\n".repeat(9_000);
        log.push_str(&"Mon Mar  2 11:00:00 2026 Info: a\n".repeat(9_000));
        log.push_str("Mon Mar  2 11:00:00 2026 Info: Time offset from UTC: 3600 seconds\n");
        for threads in [1, 2] {
            let options = RunOptions {
                threads,
                ..RunOptions::default()
            };
            let mut sink = Collect::default();
            let summary = run_bytes(&[("offset.log", log.as_bytes())], &options, &mut sink);
            let first = summary.lines.first_time.unwrap();
            let last = summary.lines.last_time.unwrap();
            assert_eq!(
                first.to_string(),
                "2026-03-02T10:00:00+01:00",
                "{threads} threads"
            );
            assert_eq!(
                last.to_string(),
                "2026-03-02T11:00:00+01:00",
                "{threads} threads"
            );
        }
    }

    #[test]
    fn run_without_stop_is_complete() {
        let mut sink = Collect::default();
        let summary = run_bytes(
            &[("messages.log", &messages_log(3))],
            &RunOptions::default(),
            &mut sink,
        );
        assert!(!summary.interrupted);
        assert!(summary.sources[0].complete);
        assert_eq!(sink.messages.len(), 3);
    }
}
