//! Reading one input: the stages of the pipeline put together, on this
//! thread alone or with parsing threads.

use std::path::PathBuf;
use std::sync::mpsc;

use super::{
    chunk, foreign_input_warning, order, reader, Parsed, Pipeline, PreparedSource, ReadInput,
    CHUNKS_PER_PARSER, PROGRESS_INTERVAL, TOP_TEMPLATES_LIVE,
};
use crate::correlate::Entry;
use crate::header::HeaderParser;
use crate::record::RecordSink;

/// The summary's counts before an input was read.
pub(super) struct StartedInput {
    position: usize,
    directory: Option<PathBuf>,
    sources: usize,
    recognised: u64,
    errors: usize,
    warnings: usize,
}

/// An input being read on one thread, some chunks at a time.
pub(super) struct Reading {
    reader: reader::ChunkReader,
    input: order::InputState,
    /// Index of the input in the run's list of sources.
    index: u32,
    headers: HeaderParser,
    /// The channel that takes the buffers of correlated chunks back to the
    /// reader.
    recycle: mpsc::Sender<chunk::Buffers>,
    /// The end of the reading, once it has ended.
    finished: Option<Box<reader::Finished>>,
    /// Whether the input has ended.
    done: bool,
}

impl Reading {
    /// Returns the bytes read so far from the file as it is stored, which
    /// are compressed bytes for a compressed file.
    pub(super) fn file_offset(&self) -> u64 {
        self.reader.file_offset()
    }
}

impl Pipeline {
    /// Reads `sources` one after the other. Returns, for each input it
    /// began to read, its position in `sources`, its directory, and the
    /// errors and warnings it added to the summary.
    pub(super) fn read_sources(
        &mut self,
        sources: Vec<PreparedSource>,
        sink: &mut dyn RecordSink,
    ) -> Vec<ReadInput> {
        sources
            .into_iter()
            .enumerate()
            .filter_map(|(position, source)| self.read_input(position, source, sink))
            .collect()
    }

    /// Reads one input, at `position` among the inputs given, and returns
    /// what it added to the summary. Returns `None` when a stop leaves the
    /// input out.
    pub(super) fn read_input(
        &mut self,
        position: usize,
        source: PreparedSource,
        sink: &mut dyn RecordSink,
    ) -> Option<ReadInput> {
        let started = self.start_input(position, &source)?;
        self.read_source(source, sink);
        Some(self.end_input(started))
    }

    /// Records the summary's counts before the input at `position` is
    /// read, or returns `None` when a stop leaves the input out.
    pub(super) fn start_input(
        &mut self,
        position: usize,
        source: &PreparedSource,
    ) -> Option<StartedInput> {
        // After a stop, only the bytes read ahead of a pipe are still read,
        // because no other copy of them exists.
        if self.check_stop() && !source.holds_read_ahead() {
            return None;
        }
        Some(StartedInput {
            position,
            directory: source.directory(),
            sources: self.summary.sources.len(),
            recognised: self.summary.lines.recognised,
            errors: self.summary.errors.len(),
            warnings: self.summary.warnings.len(),
        })
    }

    /// Returns what the input read since `started` added to the summary.
    pub(super) fn end_input(&mut self, started: StartedInput) -> ReadInput {
        let listed = self.summary.sources.len() > started.sources;
        if listed {
            let recognised = self.summary.lines.recognised - started.recognised;
            if let Some(warning) = foreign_input_warning(&self.summary, recognised) {
                self.summary.warnings.push(warning);
            }
        }
        ReadInput {
            position: started.position,
            directory: started.directory,
            listed,
            errors: self.summary.errors.len() - started.errors,
            warnings: self.summary.warnings.len() - started.warnings,
        }
    }

    /// Reads one prepared input to its end. Between chunks, and at least
    /// every [`PROGRESS_INTERVAL`], the sink's [`RecordSink::progress`]
    /// receives the summary so far.
    ///
    /// With one thread, this thread reads, parses and correlates. With
    /// more, parsing threads take turns reading the input into chunks and
    /// parse the chunks they read, and this thread correlates the parsed
    /// chunks in order.
    pub fn read_source(&mut self, source: PreparedSource, sink: &mut dyn RecordSink) {
        let mut reading = self.open_reading(source);
        if self.options.threads <= 1 {
            while !self.read_chunks(&mut reading, usize::MAX, sink) {}
        } else {
            let Reading {
                reader,
                input,
                index,
                ..
            } = &mut reading;
            reading.finished = self.read_threaded(reader, input, *index, sink);
            reading.done = true;
        }
        self.close_reading(reading, sink);
    }

    /// Starts reading `source` on this thread, chunk by chunk.
    pub(super) fn open_reading(&mut self, source: PreparedSource) -> Reading {
        let index = self.summary.sources.len() as u32;
        let input = order::InputState::new(&source, &self.options);
        if self.live {
            // The summary shown while a followed input is read names it,
            // with the lines read so far; the final one replaces it.
            self.summary.sources.push(input.summary.clone());
        }
        let mut reader = reader::ChunkReader::new(source, self.options.clone());
        if self.live {
            reader.set_live();
        }
        let (recycle, recycled) = mpsc::channel();
        reader.reuse_buffers(recycled, 1);
        for buffers in self.spare_buffers.drain(..) {
            let _ = recycle.send(buffers);
        }
        Reading {
            reader,
            input,
            index,
            headers: HeaderParser::new(),
            recycle,
            finished: None,
            done: false,
        }
    }

    /// Reads, parses and correlates up to `chunks` chunks of the input on
    /// this thread. Returns whether the input has ended.
    pub(super) fn read_chunks(
        &mut self,
        reading: &mut Reading,
        chunks: usize,
        sink: &mut dyn RecordSink,
    ) -> bool {
        let max_line = self.options.max_line_bytes;
        for _ in 0..chunks {
            let Some(message) = reading.reader.next() else {
                reading.done = true;
                return true;
            };
            match message {
                reader::ReadMessage::Chunk(chunk) => {
                    let parsed = chunk::parse_chunk(chunk, max_line, &mut reading.headers);
                    let buffers =
                        self.correlate_chunk(parsed, &mut reading.input, reading.index, sink);
                    let _ = reading.recycle.send(buffers);
                    sink.progress(&self.summary);
                }
                reader::ReadMessage::Done(done) => {
                    reading.finished = Some(done);
                    reading.done = true;
                    return true;
                }
            }
        }
        false
    }

    /// Ends the reading of an input: correlates the entry that waited for
    /// more lines, and adds the input's summary.
    pub(super) fn close_reading(&mut self, reading: Reading, sink: &mut dyn RecordSink) {
        let Reading {
            mut input,
            index,
            finished,
            mut reader,
            ..
        } = reading;
        self.spare_buffers.extend(reader.take_returned_buffers());
        self.finish_open(&mut input, index, sink);
        self.add_counts(&mut input);
        self.times_before.see_period(&input.times);
        let Some(finished) = finished else {
            self.summary.errors.push(format!(
                "input {index}: the reading thread stopped without a summary"
            ));
            return;
        };
        let reader::Finished {
            bytes,
            error,
            stopped,
        } = *finished;
        let mut summary = input.summary;
        summary.bytes = bytes;
        summary.complete = error.is_none() && !stopped;
        if let Some(error) = error {
            self.summary.errors.push(error.to_string());
        }
        self.summary.interrupted |= stopped;
        if self.live {
            self.summary.sources.pop();
        }
        self.summary.sources.push(summary);
    }

    /// Parses on other threads, which take turns reading the input, and
    /// correlates the parsed chunks on this one in the order of the input.
    fn read_threaded(
        &mut self,
        reader: &mut reader::ChunkReader,
        input: &mut order::InputState,
        index: u32,
        sink: &mut dyn RecordSink,
    ) -> Option<Box<reader::Finished>> {
        let parsers = self.options.threads.saturating_sub(1).max(1);
        let (recycle, recycled) = mpsc::channel();
        reader.reuse_buffers(recycled, CHUNKS_PER_PARSER * parsers + 2);
        // The reader and the number of the chunk it reads next.
        let shared = std::sync::Mutex::new((reader, 0_u64));
        let (parsed_sender, parsed) = mpsc::channel::<(u64, Parsed)>();
        let max_line = self.options.max_line_bytes;
        std::thread::scope(|scope| {
            for _ in 0..parsers {
                let sender = parsed_sender.clone();
                let shared = &shared;
                let parse = std::thread::Builder::new().name("esatls-parse".into());
                let spawned = parse.spawn_scoped(scope, move || {
                    let mut headers = crate::header::HeaderParser::new();
                    loop {
                        // The thread that reads a chunk parses it, while its
                        // bytes are in this processor's cache.
                        let next = match shared.lock() {
                            Ok(mut shared) => {
                                let (reader, sequence) = &mut *shared;
                                reader.next().map(|message| {
                                    *sequence += 1;
                                    (*sequence - 1, message)
                                })
                            }
                            Err(_) => None,
                        };
                        let Some((sequence, message)) = next else {
                            break;
                        };
                        let out = match message {
                            reader::ReadMessage::Chunk(chunk) => {
                                Parsed::Chunk(chunk::parse_chunk(chunk, max_line, &mut headers))
                            }
                            reader::ReadMessage::Done(done) => Parsed::Done(done),
                        };
                        if sender.send((sequence, out)).is_err() {
                            break;
                        }
                    }
                });
                if spawned.is_err() {
                    break;
                }
            }
            drop(parsed_sender);
            // Parsed chunks come in any order; each waits here for those
            // before it.
            let mut waiting = std::collections::BTreeMap::new();
            let mut next = 0;
            let finished = 'run: loop {
                let (sequence, out) = match parsed.recv_timeout(PROGRESS_INTERVAL) {
                    Ok(item) => item,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        // A followed log that has been quiet for a while
                        // will not add lines to the second it stopped in.
                        if self.live {
                            self.correlator.emit_waiting(sink);
                        }
                        sink.progress(&self.summary);
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break None,
                };
                waiting.insert(sequence, out);
                while let Some(out) = waiting.remove(&next) {
                    next += 1;
                    match out {
                        Parsed::Chunk(chunk) => {
                            let buffer = self.correlate_chunk(chunk, input, index, sink);
                            // The reader may have ended; the buffer is then
                            // simply dropped.
                            let _ = recycle.send(buffer);
                            sink.progress(&self.summary);
                        }
                        Parsed::Done(done) => break 'run Some(done),
                    }
                }
            };
            drop(recycle);
            finished
        })
    }

    /// Correlates the entries of a parsed chunk in order, and returns the
    /// chunk's buffers for the reader to use again.
    fn correlate_chunk(
        &mut self,
        mut parsed: chunk::ParsedChunk,
        input: &mut order::InputState,
        source: u32,
        sink: &mut dyn RecordSink,
    ) -> chunk::Buffers {
        parsed.with_dependent_mut(|_, entries| {
            input.lines.add(&entries.lines);
            input
                .templates
                .merge(std::mem::take(&mut entries.templates));
        });
        parsed.with_dependent(|owner, entries| {
            input.summary.lines += entries.lines.physical;
            for &(_, line) in &entries.leading {
                input.leading_line(line);
            }
            let base = input.line_base;
            let continuations_of = |entry: &chunk::ChunkEntry<'_>| {
                &entries.continuations
                    [entry.continuations.start as usize..entry.continuations.end as usize]
            };
            if let Some((last, before)) = entries.entries.split_last() {
                // The chunk has an entry: the one before it is whole.
                self.finish_open(input, source, sink);
                for entry in before {
                    let start = input.start(entry, continuations_of(entry), &mut self.correlator);
                    let line = base + u64::from(entry.line) + 1;
                    match &entry.parsed {
                        chunk::Parsed::Deferred => {
                            let joined = input.joined(entry, continuations_of(entry), line, start);
                            let parsed = joined.parse(&mut input.lines, &mut input.templates);
                            self.correlate_entry(&parsed, &start, source, line, &joined.text, sink);
                        }
                        parsed => {
                            self.correlate_entry(parsed, &start, source, line, entry.text, sink)
                        }
                    }
                }
                // The next chunk may continue the last entry.
                // NOTE: the fact of a wrapped `Version` entry comes from
                // the lines of its own chunk, so a serial wrapped onto
                // the next chunk's first line is not found.
                let start = input.start(last, continuations_of(last), &mut self.correlator);
                let line = base + u64::from(last.line) + 1;
                input.open = Some(input.joined(last, continuations_of(last), line, start));
            }
            if owner.closes_entry {
                self.finish_open(input, source, sink);
            }
            input.line_base += entries.lines.physical;
        });
        self.add_counts(input);
        parsed.into_buffers()
    }

    /// Parses and correlates the entry that waited for the next chunk.
    fn finish_open(
        &mut self,
        input: &mut order::InputState,
        source: u32,
        sink: &mut dyn RecordSink,
    ) {
        let Some(open) = input.open.take() else {
            return;
        };
        let parsed = open.parse(&mut input.lines, &mut input.templates);
        self.correlate_entry(&parsed, &open.start, source, open.line, &open.text, sink);
    }

    fn correlate_entry(
        &mut self,
        parsed: &chunk::Parsed<'_>,
        start: &order::Start,
        source: u32,
        line: u64,
        text: &str,
        sink: &mut dyn RecordSink,
    ) {
        match parsed {
            chunk::Parsed::Event(event) => {
                let entry = Entry {
                    appliance: start.appliance,
                    time: start.time,
                    source,
                    line,
                    text,
                    event,
                };
                self.correlator.push(&entry, sink);
            }
            chunk::Parsed::Consolidated(event) => {
                let appliance = match (start.host_given, event.serial) {
                    (false, Some(serial)) => self.correlator.appliance(Some(serial)),
                    // Events pushed by syslog, joined to text logs pulled
                    // from the same appliance.
                    (true, Some(serial)) if self.text_serials.contains(serial) => {
                        self.correlator.appliance(Some(serial))
                    }
                    _ => start.appliance,
                };
                let line = crate::correlate::EventLine { source, line, text };
                self.correlator.push_consolidated(
                    appliance,
                    start.time,
                    start.offset,
                    event,
                    line,
                    sink,
                );
            }
            chunk::Parsed::Nothing | chunk::Parsed::Deferred => {}
        }
    }

    /// Adds the counts an input gathered since the last call to the run's.
    fn add_counts(&mut self, input: &mut order::InputState) {
        let lines = std::mem::take(&mut input.lines);
        let templates = std::mem::take(&mut input.templates);
        if self.live {
            if let Some(source) = self.summary.sources.last_mut() {
                source.lines += lines.physical;
            }
        }
        self.summary.lines.add(&lines);
        self.summary
            .lines
            .set_period(&self.times_before, &input.times);
        self.templates.merge(templates);
        self.summary.lines.fill_maps();
        // Sorting the templates after every chunk would cost more than the
        // chunk. Only a followed input, whose summary is shown as it goes,
        // needs them before the end.
        if self.live {
            self.summary.templates = self.templates.sorted_top(TOP_TEMPLATES_LIVE);
        }
    }
}
