//! Reading several appliances at once, for a sink whose result does not
//! depend on the order of the records (the report).
//!
//! Ids are unique per appliance only, so the lines of one appliance must
//! reach one correlator in order, but two appliances share nothing. When
//! every input is a file pulled from one known appliance, the inputs are
//! split into lanes, each a set of appliances with a pipeline of its own
//! on its own threads. The sink ([`RecordSink::split`]) gets a part per
//! lane, filled on the lane's thread and joined at the end in lane order,
//! so no record crosses threads.
//!
//! Sinks that write records in order (messages, connections, a trace) are
//! not split: their records come in the order of a run that reads the
//! inputs one after the other, the same on every machine.
//!
//! Each appliance gets a lane of its own, up to [`MAX_LANES`], even when
//! there are fewer processors: the system then shares the processors
//! between the lanes. A lane that reads on one thread keeps its lines and
//! state in one processor's cache, which was measured to beat two threads
//! of one input that pass each chunk from one processor to the other.

use std::path::PathBuf;

use super::{
    unnamed_directories_warning, Pipeline, PreparedSource, ReadInput, RunOptions, RunSummary,
};
use super::{SourceSummary, TemplateCounts};
use crate::correlate::MAX_APPLIANCES;
use crate::record::{PartSink, RecordSink};

/// Maximum number of lanes of one run, however many processors the
/// machine has. Each lane keeps its own batches and open records, so
/// memory grows with lanes.
const MAX_LANES: usize = 16;

/// Minimum number of processors for reading on lanes.
const LANE_PROCESSORS: usize = 2;

/// The assignment of inputs to lanes.
pub(super) struct Plan {
    /// The lane of each input, in the order of the inputs.
    lane_of: Vec<usize>,
    lanes: usize,
    /// Threads of each lane's pipeline.
    threads: usize,
}

/// Returns the lanes for `sources`, or `None` when the run should read its
/// inputs one after the other. That is the case when one thread was
/// requested, when the machine has fewer than [`LANE_PROCESSORS`]
/// processors, when an input may contain lines of several appliances, and
/// when the inputs name one appliance, or more than the correlator keeps
/// apart ([`MAX_APPLIANCES`]).
///
/// There are as many lanes as appliances, up to [`MAX_LANES`], each with
/// one thread unless there are processors for more. Appliances are spread
/// over the lanes largest first (by file size), each to the lane with the
/// fewest bytes so far.
pub(super) fn plan(sources: &[PreparedSource], options: &RunOptions) -> Option<Plan> {
    let processors = options.processors;
    if options.threads < 2 || sources.len() < 2 || processors < LANE_PROCESSORS {
        return None;
    }

    let mut appliances: Vec<(Option<String>, u64)> = Vec::new();
    let mut appliance_of = Vec::with_capacity(sources.len());
    for source in sources {
        let name = source.single_appliance(options)?;
        let bytes = source.file_bytes();
        let index = match appliances.iter().position(|(known, _)| *known == name) {
            Some(index) => index,
            None => {
                appliances.push((name, 0));
                appliances.len() - 1
            }
        };
        appliances[index].1 += bytes;
        appliance_of.push(index);
    }
    if appliances.len() < 2 || appliances.len() > MAX_APPLIANCES {
        return None;
    }

    let lanes = appliances.len().min(MAX_LANES);
    let threads = (processors / lanes).clamp(1, options.threads);

    // Largest first, and among equal sizes the one read first.
    let mut order: Vec<usize> = (0..appliances.len()).collect();
    order.sort_by_key(|&index| (std::cmp::Reverse(appliances[index].1), index));
    let mut load = vec![0u64; lanes];
    let mut lane_of_appliance = vec![0; appliances.len()];
    for index in order {
        let lane = (0..lanes)
            .min_by_key(|&lane| (load[lane], lane))
            .unwrap_or(0);
        load[lane] += appliances[index].1;
        lane_of_appliance[index] = lane;
    }
    Some(Plan {
        lane_of: appliance_of
            .into_iter()
            .map(|index| lane_of_appliance[index])
            .collect(),
        lanes,
        threads,
    })
}

/// The summary and records a lane hands over when its inputs are read.
struct Finished {
    summary: RunSummary,
    templates: TemplateCounts,
    /// Each input of the lane that was read, with its place among all the
    /// run's inputs.
    read: Vec<ReadInput>,
    /// The lane's part of a split sink.
    part: Option<Box<dyn PartSink>>,
}

/// Reads the inputs of one lane, `sources` with their places among all
/// inputs, into `sink`.
fn read_lane(
    sources: Vec<(usize, PreparedSource)>,
    options: &RunOptions,
    sink: &mut dyn RecordSink,
) -> Finished {
    let (places, sources): (Vec<usize>, Vec<PreparedSource>) = sources.into_iter().unzip();
    let mut pipeline = Pipeline::for_sources(options, &sources);
    let read = pipeline
        .read_sources(sources, sink)
        .into_iter()
        .map(|input| ReadInput {
            position: places[input.position],
            ..input
        })
        .collect();
    let (summary, templates) = pipeline.finish_parts(sink);
    Finished {
        summary,
        templates,
        read,
        part: None,
    }
}

/// Reads `sources` on the lanes of `plan`, each into its own part of
/// `sink`, and joins the parts into `sink`. `start` contains what the run found before reading: the errors
/// and warnings of the walk, and whether it was stopped already.
pub(super) fn run(
    sources: Vec<PreparedSource>,
    plan: &Plan,
    options: &RunOptions,
    start: RunSummary,
    sink: &mut dyn RecordSink,
) -> RunSummary {
    let mut lanes: Vec<Vec<(usize, PreparedSource)>> =
        (0..plan.lanes).map(|_| Vec::new()).collect();
    for (place, source) in sources.into_iter().enumerate() {
        lanes[plan.lane_of[place]].push((place, source));
    }
    let mut options = options.clone();
    options.threads = plan.threads;
    let options = &options;
    let finished = std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .filter_map(|sources| {
                let mut part = sink.split()?;
                Some(scope.spawn(move || {
                    let mut finished = read_lane(sources, options, &mut *part);
                    finished.part = Some(part);
                    finished
                }))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().ok())
            .collect()
    });
    combine(start, finished, sink)
}

/// One input as the combined summary lists it.
struct Input {
    place: usize,
    /// The input's summary, unless its reading thread failed.
    summary: Option<SourceSummary>,
    directory: Option<PathBuf>,
    errors: Vec<String>,
    warnings: Vec<String>,
}

/// Adds up the summaries of the lanes. The inputs, and the errors and
/// warnings of each, come in the order a run on one lane reads them.
fn combine(
    start: RunSummary,
    finished: Vec<Option<Finished>>,
    sink: &mut dyn RecordSink,
) -> RunSummary {
    let mut summary = start;
    let mut templates = TemplateCounts::default();
    let mut inputs: Vec<Input> = Vec::new();
    // Errors and warnings of the lanes' ends, after those of the inputs.
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (lane, finished) in finished.into_iter().enumerate() {
        let Some(finished) = finished else {
            errors.push(format!(
                "lane {lane}: the reading thread stopped without a summary"
            ));
            continue;
        };
        let Finished {
            summary: part,
            templates: part_templates,
            read,
            part: records,
        } = finished;
        if let Some(records) = records {
            sink.join(records.into_any());
        }
        summary.lines.add(&part.lines);
        templates.merge(part_templates);
        summary.correlation.add(&part.correlation);
        summary.interrupted |= part.interrupted;
        let mut part_errors = part.errors.into_iter();
        let mut part_warnings = part.warnings.into_iter();
        let mut sources = part.sources.into_iter();
        for input in read {
            inputs.push(Input {
                place: input.position,
                summary: if input.listed { sources.next() } else { None },
                directory: input.directory,
                errors: part_errors.by_ref().take(input.errors).collect(),
                warnings: part_warnings.by_ref().take(input.warnings).collect(),
            });
        }
        errors.extend(part_errors);
        warnings.extend(part_warnings);
    }
    inputs.sort_by_key(|input| input.place);
    let mut directories = Vec::with_capacity(inputs.len());
    for input in inputs {
        if let Some(source) = input.summary {
            summary.sources.push(source);
            directories.push(input.directory);
        }
        summary.errors.extend(input.errors);
        summary.warnings.extend(input.warnings);
    }
    summary.errors.extend(errors);
    summary.warnings.extend(warnings);
    summary.lines.fill_maps();
    summary.templates = templates.sorted();
    summary.other_templates = templates.other;
    if let Some(warning) = unnamed_directories_warning(&summary.sources, &directories) {
        summary.warnings.push(warning);
    }
    sink.progress(&summary);
    summary
}
