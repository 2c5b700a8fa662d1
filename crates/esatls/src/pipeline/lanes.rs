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

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};

use super::read::{Reading, StartedInput};
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
    /// Threads that read the lanes, each one input of a lane at a time.
    workers: usize,
    /// Threads of each input's pipeline.
    threads: usize,
}

/// Returns the lanes for `sources`, or `None` when the run should read its
/// inputs one after the other. The run reads them in order when one thread
/// was requested, or the machine has fewer than [`LANE_PROCESSORS`]
/// processors. It also does when an input may contain lines of several
/// appliances, or when the inputs name one appliance or more than
/// [`MAX_APPLIANCES`].
///
/// There are as many lanes as appliances, up to [`MAX_LANES`]. Appliances
/// are spread over the lanes largest first (by file size), each to the
/// lane with the fewest bytes so far. A lane's inputs are read in order,
/// one at a time, by whichever of the workers (one per processor, or
/// fewer) is free, and an input is read on one thread unless there are
/// processors for more.
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
    let workers = (processors / threads).clamp(1, lanes);

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
        workers,
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

/// Chunks a worker reads of a lane before it looks again for the lane
/// with the most bytes left: about 4 MiB, so that at the end no worker
/// idles long while another reads a lane's last input.
const CHUNKS_PER_TURN: usize = 16;

/// Divisor of the average bytes left per lane that gives the preference
/// of a worker for the lane it read last, so that lanes do not change
/// processors every turn. The preference falls as the lanes are read, so
/// near the end the lane with the most left goes first and the lanes end
/// together.
const AFFINITY_PART: u64 = 3;

/// One lane: open while inputs are left, then finished by the worker
/// that read its last input while the other workers go on.
enum Lane {
    Open(Box<OpenLane>),
    /// The lane's appliances and what it handed over.
    Finished(Vec<Option<String>>, Box<Finished>),
    /// A lane that a worker is finishing, between the other two states.
    Changing,
}

/// The appliances of one lane, with the inputs still to read.
struct OpenLane {
    pipeline: Pipeline,
    /// The lane's inputs not yet read, first first, with their places
    /// among all the run's inputs.
    sources: VecDeque<(usize, PreparedSource)>,
    /// The input being read, with what the summary held before it and
    /// the size of its file.
    current: Option<(StartedInput, Reading, u64)>,
    /// The lane's part of the split sink.
    part: Box<dyn PartSink>,
    /// Each input of the lane that was read.
    read: Vec<ReadInput>,
}

/// The work of one turn on a lane.
struct Turn {
    /// Bytes read from the files as they are stored, as the lanes'
    /// sizes are measured.
    bytes: u64,
    /// Whether an input ended, or was left out.
    input_ended: bool,
}

impl Lane {
    /// Takes a turn on an open lane, and finishes it once its inputs are
    /// read. Its last records are then written, and its state dropped, on
    /// this worker while the others read, not on the main thread after.
    fn take_turn(&mut self) -> Turn {
        let Lane::Open(open) = self else {
            return Turn {
                bytes: 0,
                input_ended: false,
            };
        };
        let turn = open.take_turn();
        if open.sources.is_empty() && open.current.is_none() {
            if let Lane::Open(open) = std::mem::replace(self, Lane::Changing) {
                let appliances = open.pipeline.appliance_names();
                *self = Lane::Finished(appliances, Box::new(open.finish()));
            }
        }
        turn
    }

    /// Returns the names of the lane's appliances.
    fn appliance_names(&self) -> Vec<Option<String>> {
        match self {
            Lane::Open(open) => open.pipeline.appliance_names(),
            Lane::Finished(names, _) => names.clone(),
            Lane::Changing => Vec::new(),
        }
    }

    /// Returns what the lane hands over, finishing it if no worker did.
    fn finish(self) -> Option<Finished> {
        match self {
            Lane::Open(open) => Some(open.finish()),
            Lane::Finished(_, finished) => Some(*finished),
            Lane::Changing => None,
        }
    }
}

impl OpenLane {
    /// Reads some chunks of the lane's input, starting its next input if
    /// none is open.
    fn take_turn(&mut self) -> Turn {
        if self.current.is_none() {
            let Some((place, source)) = self.sources.pop_front() else {
                return Turn {
                    bytes: 0,
                    input_ended: false,
                };
            };
            let Some(started) = self.pipeline.start_input(place, &source) else {
                return Turn {
                    bytes: source.file_bytes(),
                    input_ended: true,
                };
            };
            let size = source.file_bytes();
            let reading = self.pipeline.open_reading(source);
            self.current = Some((started, reading, size));
        }
        let Some((_, reading, size)) = self.current.as_mut() else {
            return Turn {
                bytes: 0,
                input_ended: false,
            };
        };
        let before = reading.file_offset();
        let ended = self
            .pipeline
            .read_chunks(reading, CHUNKS_PER_TURN, &mut *self.part);
        // A file ended is read to its size, whatever its reader counted.
        let bytes = if ended {
            size.saturating_sub(before)
        } else {
            reading.file_offset().saturating_sub(before)
        };
        if ended {
            if let Some((started, reading, _)) = self.current.take() {
                self.pipeline.close_reading(reading, &mut *self.part);
                let input = self.pipeline.end_input(started);
                self.read.push(input);
            }
        }
        Turn {
            bytes,
            input_ended: ended,
        }
    }

    fn finish(self) -> Finished {
        let OpenLane {
            pipeline,
            read,
            mut part,
            ..
        } = self;
        let (summary, templates) = pipeline.finish_parts(&mut *part);
        Finished {
            summary,
            templates,
            read,
            part: Some(part),
        }
    }
}

/// The lanes that workers are reading, and the work left in each.
struct Schedule {
    busy: Vec<bool>,
    inputs_left: Vec<usize>,
    bytes_left: Vec<u64>,
}

impl Schedule {
    /// Marks busy and returns the free lane with the most bytes left, where
    /// `last` (the lane the worker read last) gets the affinity added.
    /// Waits while every lane with inputs left is busy, and returns `None`
    /// once no lane has inputs left.
    fn take(schedule: &(Mutex<Schedule>, Condvar), last: Option<usize>) -> Option<usize> {
        let (lock, freed) = schedule;
        let mut state = lock.lock().ok()?;
        loop {
            let lanes = state.bytes_left.len().max(1) as u64;
            let left: u64 = state.bytes_left.iter().sum();
            let preference = left / (lanes * AFFINITY_PART);
            let free = (0..state.busy.len())
                .filter(|&lane| !state.busy[lane] && state.inputs_left[lane] > 0)
                .max_by_key(|&lane| {
                    let affinity = if Some(lane) == last { preference } else { 0 };
                    (
                        state.bytes_left[lane].saturating_add(affinity),
                        std::cmp::Reverse(lane),
                    )
                });
            if let Some(lane) = free {
                state.busy[lane] = true;
                return Some(lane);
            }
            if state.inputs_left.iter().all(|&left| left == 0) {
                return None;
            }
            state = freed.wait(state).ok()?;
        }
    }

    /// Marks `lane` free again after a turn.
    fn release(schedule: &(Mutex<Schedule>, Condvar), lane: usize, turn: &Turn) {
        let (lock, freed) = schedule;
        if let Ok(mut state) = lock.lock() {
            state.busy[lane] = false;
            if turn.input_ended {
                state.inputs_left[lane] = state.inputs_left[lane].saturating_sub(1);
            }
            state.bytes_left[lane] = state.bytes_left[lane].saturating_sub(turn.bytes);
        }
        freed.notify_all();
    }
}

/// Reads the inputs of the lanes, a turn on a free lane at a time, until
/// none is left.
fn work(lanes: &[Mutex<Lane>], schedule: &(Mutex<Schedule>, Condvar)) {
    let mut last = None;
    while let Some(index) = Schedule::take(schedule, last) {
        let turn = match lanes[index].lock() {
            Ok(mut lane) => lane.take_turn(),
            // A worker that failed in this lane left it poisoned: the lane
            // is reported as failed when the run ends, and its inputs are
            // given up.
            Err(_) => Turn {
                bytes: u64::MAX,
                input_ended: true,
            },
        };
        Schedule::release(schedule, index, &turn);
        last = Some(index);
    }
}

/// Reads `sources` on the lanes of `plan`, each into its own part of
/// `sink`, and joins the parts into `sink`. `start` contains what the run
/// found before reading: the errors and warnings of the walk, and whether
/// it was stopped already.
/// The lines of one appliance reached two lanes, which then kept two
/// records of its connections and messages; the lanes' records must be
/// dropped.
#[derive(Debug)]
pub(super) struct SharedAppliance;

pub(super) fn run(
    sources: Vec<PreparedSource>,
    plan: &Plan,
    options: &RunOptions,
    start: RunSummary,
    sink: &mut dyn RecordSink,
) -> Result<RunSummary, SharedAppliance> {
    let mut options = options.clone();
    options.threads = plan.threads;
    let mut grouped: Vec<Vec<(usize, PreparedSource)>> =
        (0..plan.lanes).map(|_| Vec::new()).collect();
    for (place, source) in sources.into_iter().enumerate() {
        grouped[plan.lane_of[place]].push((place, source));
    }
    let mut schedule = Schedule {
        busy: Vec::with_capacity(plan.lanes),
        inputs_left: Vec::with_capacity(plan.lanes),
        bytes_left: Vec::with_capacity(plan.lanes),
    };
    let mut lanes = Vec::with_capacity(plan.lanes);
    for sources in grouped {
        let Some(part) = sink.split() else {
            continue;
        };
        schedule.busy.push(false);
        schedule.inputs_left.push(sources.len());
        schedule
            .bytes_left
            .push(sources.iter().map(|(_, source)| source.file_bytes()).sum());
        lanes.push(Mutex::new(Lane::Open(Box::new(OpenLane {
            pipeline: Pipeline::for_sources(&options, sources.iter().map(|(_, source)| source)),
            sources: sources.into(),
            current: None,
            part,
            read: Vec::new(),
        }))));
    }
    let schedule = (Mutex::new(schedule), Condvar::new());
    std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..plan.workers {
            let worker = std::thread::Builder::new().name("esatls-lane".into());
            if worker
                .spawn_scoped(scope, || work(&lanes, &schedule))
                .is_ok()
            {
                started += 1;
            }
        }
        // Should no worker start, this thread reads the lanes.
        if started == 0 {
            work(&lanes, &schedule);
        }
    });
    let lanes: Vec<Option<Lane>> = lanes
        .into_iter()
        .map(|lane| lane.into_inner().ok())
        .collect();
    // The plan takes a file's appliance from its first lines only, and a
    // file can name another appliance further on.
    let mut lane_of_appliance = std::collections::HashMap::new();
    for (index, lane) in lanes.iter().enumerate() {
        for name in lane.iter().flat_map(Lane::appliance_names) {
            if *lane_of_appliance.entry(name).or_insert(index) != index {
                return Err(SharedAppliance);
            }
        }
    }
    let finished = lanes
        .into_iter()
        .map(|lane| lane.and_then(Lane::finish))
        .collect();
    Ok(combine(start, finished, sink))
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
