//! Reading several appliances at once.
//!
//! Ids are unique per appliance only, so the lines of one appliance must
//! reach one correlator in order, but two appliances share nothing. When
//! every input is a file pulled from one known appliance, the inputs are
//! split into lanes, each a set of appliances with a pipeline of its own
//! on its own threads.
//!
//! A sink that can be split ([`RecordSink::split`], the report) gets a
//! part per lane, filled on the lane's thread and joined at the end in
//! lane order, so no record crosses threads.
//!
//! The records for any other sink are merged on this thread, in an order
//! that does not depend on which thread runs faster. Each lane hands over
//! its records in chunks, one per batch of entries, each under the latest
//! log time read when it was made. This thread writes the chunk of the
//! earliest time next (the lane's place in the plan breaks ties), and it
//! waits for a lane's next chunk before it passes over that lane. Records
//! written when a lane's inputs end come after all others, lane by lane,
//! as those of a run on one lane come after the last batch. A lane whose
//! logs start later than another's waits for it, on a bounded channel, so
//! memory stays bounded whatever the times.
//!
//! Lanes are used on machines of four processors or more: on two, the two
//! threads of one input keep both busy already.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::{
    unnamed_directories_warning, Pipeline, PreparedSource, ReadInput, RunOptions, RunSummary,
};
use super::{SourceSummary, TemplateCounts};
use crate::correlate::MAX_APPLIANCES;
use crate::record::{ConnectionRecord, MessageRecord, PartSink, RecordSink};

/// Maximum number of lanes of one run, however many processors the
/// machine has. Each lane keeps its own batches and open records, so
/// memory grows with lanes.
const MAX_LANES: usize = 16;

/// Minimum number of processors for reading on lanes. With two, the
/// reader and correlator threads of one input already keep both busy, and
/// lanes were measured to be no faster there while taking more memory.
const LANE_PROCESSORS: usize = 4;

/// Chunks of records a lane may have ready before it waits for the merge.
const CHUNKS_IN_FLIGHT: usize = 4;

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
/// There are as many lanes as appliances, up to the number of processors
/// and [`MAX_LANES`]. A sink that can be split gets one thread per lane
/// unless there are processors for two; records to merge get half as
/// many lanes, each with two threads, since the merging thread needs a
/// processor too. Appliances are spread over the lanes largest first (by
/// file size), each to the lane with the fewest bytes so far.
pub(super) fn plan(sources: &[PreparedSource], options: &RunOptions, splits: bool) -> Option<Plan> {
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

    let lanes = if splits {
        appliances.len().min(processors).min(MAX_LANES)
    } else {
        appliances.len().min(processors / 2).min(MAX_LANES)
    };
    let threads = if lanes * 2 <= processors {
        options.threads
    } else {
        1
    };

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

/// Records of one lane, in the order it wrote them.
struct Chunk {
    /// Latest log time read by the lane when the chunk was made, in
    /// seconds; `i64::MAX` for the records written at the lane's end.
    time: i64,
    records: Vec<Record>,
}

// Boxing the larger variant would allocate once per record; a chunk's
// vector of unboxed records allocates once per chunk.
#[allow(clippy::large_enum_variant)]
enum Record {
    Message(MessageRecord),
    Connection(ConnectionRecord),
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

enum LaneMessage {
    Chunk(Chunk),
    Done(Box<Finished>),
}

/// A sink that collects a lane's records and hands them over after each
/// batch.
struct ChunkSink {
    records: Vec<Record>,
    lane: usize,
    sender: SyncSender<(usize, LaneMessage)>,
    /// The merge has ended (it never does before the lanes, unless this
    /// thread's receiver is gone): records are dropped.
    closed: bool,
}

impl ChunkSink {
    fn hand_over(&mut self, time: i64) {
        if self.records.is_empty() || self.closed {
            self.records.clear();
            return;
        }
        let records = std::mem::take(&mut self.records);
        let chunk = Chunk { time, records };
        if self
            .sender
            .send((self.lane, LaneMessage::Chunk(chunk)))
            .is_err()
        {
            self.closed = true;
        }
    }
}

impl RecordSink for ChunkSink {
    fn message(&mut self, record: MessageRecord) {
        self.records.push(Record::Message(record));
    }

    fn connection(&mut self, record: ConnectionRecord) {
        self.records.push(Record::Connection(record));
    }

    fn progress(&mut self, summary: &RunSummary) {
        let time = summary.lines.last_time.map_or(i64::MIN, |time| {
            time.to_utc().unwrap_or(time).local_seconds()
        });
        self.hand_over(time);
    }
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

/// Reads a lane into a [`ChunkSink`] and hands its summary over last.
fn read_lane_in_chunks(
    lane: usize,
    sources: Vec<(usize, PreparedSource)>,
    options: &RunOptions,
    sender: SyncSender<(usize, LaneMessage)>,
) {
    let mut sink = ChunkSink {
        records: Vec::new(),
        lane,
        sender,
        closed: false,
    };
    let finished = read_lane(sources, options, &mut sink);
    sink.hand_over(i64::MAX);
    let _ = sink
        .sender
        .send((lane, LaneMessage::Done(Box::new(finished))));
}

/// Reads `sources` on the lanes of `plan`, writing the merged records to
/// `sink`. `start` contains what the run found before reading: the errors
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
        if sink.split().is_some() {
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
        } else {
            let mut receivers = Vec::with_capacity(lanes.len());
            for (lane, sources) in lanes.into_iter().enumerate() {
                let (sender, receiver) = sync_channel(CHUNKS_IN_FLIGHT);
                scope.spawn(move || read_lane_in_chunks(lane, sources, options, sender));
                receivers.push(receiver);
            }
            merge(&receivers, sink)
        }
    });
    combine(start, finished, sink)
}

/// Writes the chunks of every lane to `sink` in the order the module
/// describes, and returns what each lane handed over at its end (`None`
/// for a lane that ended without, which only a failed thread does).
fn merge(
    receivers: &[Receiver<(usize, LaneMessage)>],
    sink: &mut dyn RecordSink,
) -> Vec<Option<Finished>> {
    let lanes = receivers.len();
    let mut heads: Vec<Option<Chunk>> = (0..lanes).map(|_| None).collect();
    let mut open = vec![true; lanes];
    let mut finished: Vec<Option<Finished>> = (0..lanes).map(|_| None).collect();
    loop {
        for lane in 0..lanes {
            if !open[lane] || heads[lane].is_some() {
                continue;
            }
            match receivers[lane].recv() {
                Ok((_, LaneMessage::Chunk(chunk))) => heads[lane] = Some(chunk),
                Ok((_, LaneMessage::Done(done))) => {
                    finished[lane] = Some(*done);
                    open[lane] = false;
                }
                Err(_) => open[lane] = false,
            }
        }
        let next = (0..lanes)
            .filter_map(|lane| heads[lane].as_ref().map(|chunk| (chunk.time, lane)))
            .min();
        let Some((_, lane)) = next else {
            break;
        };
        let Some(chunk) = heads[lane].take() else {
            break;
        };
        write(chunk, sink);
    }
    finished
}

fn write(chunk: Chunk, sink: &mut dyn RecordSink) {
    for record in chunk.records {
        match record {
            Record::Message(record) => sink.message(record),
            Record::Connection(record) => sink.connection(record),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Collect, Direction, TlsState};

    fn connection(id: u64) -> Record {
        Record::Connection(ConnectionRecord {
            host: None,
            direction: Direction::Inbound,
            id,
            opened: None,
            closed: None,
            remote_ip: None,
            remote_host: None,
            interface: None,
            tls: TlsState::None,
            protocol: None,
            cipher: None,
            cn: None,
            reason: None,
            messages: 0,
            evidence: Vec::new(),
        })
    }

    /// Sends chunks of `(time, ids)` on a channel of its own, as a lane
    /// does, then its end.
    fn lane(chunks: &[(i64, &[u64])]) -> Receiver<(usize, LaneMessage)> {
        let (sender, receiver) = sync_channel(chunks.len() + 1);
        for (time, ids) in chunks {
            let records = ids.iter().map(|&id| connection(id)).collect();
            let chunk = Chunk {
                time: *time,
                records,
            };
            sender.send((0, LaneMessage::Chunk(chunk))).unwrap();
        }
        let finished = Finished {
            summary: RunSummary::default(),
            templates: TemplateCounts::default(),
            read: Vec::new(),
            part: None,
        };
        sender
            .send((0, LaneMessage::Done(Box::new(finished))))
            .unwrap();
        receiver
    }

    #[test]
    fn merge_takes_the_earliest_chunk_first() {
        let receivers = [
            lane(&[(10, &[1, 2]), (30, &[3]), (i64::MAX, &[4])]),
            lane(&[(10, &[11]), (20, &[12, 13]), (40, &[14]), (i64::MAX, &[15])]),
            lane(&[]),
        ];
        let mut sink = Collect::default();
        let finished = merge(&receivers, &mut sink);
        assert_eq!(finished.iter().filter(|done| done.is_some()).count(), 3);
        let ids: Vec<u64> = sink.connections.iter().map(|record| record.id).collect();
        // Equal times go in lane order, and the records written at the end
        // of each lane come last, lane by lane.
        assert_eq!(ids, [1, 2, 11, 12, 13, 3, 14, 4, 15]);
    }
}
