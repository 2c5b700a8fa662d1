//! The first stage of reading one input: its bytes into chunks of complete
//! lines.
//!
//! The parsing threads share one reader and take turns with it: a thread
//! takes the next chunk, then parses it, so the bytes it reads are still
//! in its processor's cache when it parses them. The reader copies the
//! complete lines in its buffer into a chunk in one piece, and looks at
//! lines one by one only where its buffer ends inside a line.

use std::io::{Cursor as IoCursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

use super::chunk::{Buffers, Chunk, ChunkEntry};
use super::source::PreparedSource;
use super::RunOptions;
use crate::input::{is_stopped_read, open, Compression, InputError, LineReader};

/// Bytes of lines after which a chunk is handed over. The reader hands a
/// chunk over before each read that may wait for data too, so chunks of a
/// file hold about one read buffer.
const CHUNK_BYTES: usize = 256 * 1024;

/// Largest read buffer handed over as a chunk. A larger one (a line
/// length limit past 1 MiB) is kept, and chunks are copied out of it, so
/// that the chunks waiting for the correlator do not each take a buffer
/// of that size.
const MAX_TAKEN_BUFFER: usize = 2 << 20;

/// Empty vectors for the entries of a chunk.
type Spare = (Vec<ChunkEntry<'static>>, Vec<&'static str>);

/// A message from the reader.
pub(crate) enum ReadMessage {
    Chunk(Chunk),
    /// The input ended, or failed.
    Done(Box<Finished>),
}

/// The end of the reading of an input.
pub(crate) struct Finished {
    /// Decompressed bytes read.
    pub bytes: u64,
    pub error: Option<InputError>,
    /// Whether a stop request ended the reading before the input's end.
    pub stopped: bool,
}

/// The open input of a [`ChunkReader`].
struct Open {
    lines: LineReader<Box<dyn Read + Send>>,
    /// Compressed bytes read so far, for the offset of a decompression
    /// error.
    compressed_read: Option<Arc<AtomicU64>>,
    /// Bytes read ahead from a stream that cannot be opened again, which
    /// are read even after a stop, because no other copy of them exists.
    read_ahead: u64,
}

/// Reads one input into chunks, one chunk a call of [`Self::next`].
pub(crate) struct ChunkReader {
    source: PreparedSource,
    options: RunOptions,
    live: bool,
    open: Option<Open>,
    /// Whether [`ReadMessage::Done`] was handed over.
    done: bool,
    /// Buffers of chunks the run is done with, for the next chunks.
    recycled: Option<Receiver<Buffers>>,
    /// Chunks that may be out at once, counting those whose buffer has not
    /// come back on `recycled`. Past it the reader waits for a buffer, so
    /// memory stays bounded however far the parsing threads are ahead of
    /// the correlator.
    limit: usize,
    out: usize,
    first: bool,
    /// Whether a followed input's last chunk left its last entry open,
    /// because the chunk was full rather than the data at an end.
    entry_open: bool,
}

impl ChunkReader {
    pub(crate) fn new(source: PreparedSource, options: RunOptions) -> Self {
        ChunkReader {
            source,
            options,
            live: false,
            open: None,
            done: false,
            recycled: None,
            limit: usize::MAX,
            out: 0,
            first: true,
            entry_open: false,
        }
    }

    /// Marks the input as followed: a live log gets whole lines, never
    /// wrapped ones, so the entry read last is complete as soon as no more
    /// data is there.
    pub(crate) fn set_live(&mut self) {
        self.live = true;
    }

    /// Makes the reader take the buffers that come back on `recycled` for
    /// its next chunks, and keep at most `limit` chunks out at once.
    pub(crate) fn reuse_buffers(&mut self, recycled: Receiver<Buffers>, limit: usize) {
        self.recycled = Some(recycled);
        self.limit = limit.max(1);
    }

    /// Returns the buffers that came back and were not taken again, for
    /// the reading of another input.
    pub(crate) fn take_returned_buffers(&mut self) -> Vec<Buffers> {
        let Some(recycled) = &self.recycled else {
            return Vec::new();
        };
        let buffers: Vec<Buffers> = recycled.try_iter().collect();
        self.out = self.out.saturating_sub(buffers.len());
        buffers
    }

    /// Returns empty buffers for the next chunk: those of a chunk that
    /// came back when there is one, else new ones while fewer than the
    /// limit are out. Returns `None` when the run no longer takes chunks.
    fn fresh_buffers(&mut self) -> Option<Buffers> {
        let mut buffers = None;
        if let Some(recycled) = &self.recycled {
            while let Ok(back) = recycled.try_recv() {
                self.out = self.out.saturating_sub(1);
                buffers.get_or_insert(back);
            }
            if buffers.is_none() && self.out >= self.limit {
                buffers = Some(recycled.recv().ok()?);
                self.out = self.out.saturating_sub(1);
            }
        }
        // The bytes are those of a chunk before: a buffer taken from the
        // line reader is used whole, and one copied into is cleared first.
        let buffers = buffers.unwrap_or_else(|| Buffers {
            bytes: Vec::with_capacity(2 * CHUNK_BYTES),
            ..Buffers::default()
        });
        self.out += 1;
        Some(buffers)
    }

    /// Returns the bytes read so far from the file as it is stored:
    /// compressed bytes for a compressed file.
    pub(crate) fn file_offset(&self) -> u64 {
        match &self.open {
            Some(Open {
                compressed_read: Some(count),
                ..
            }) => count.load(Ordering::Relaxed),
            Some(opened) => opened.lines.offset(),
            None => 0,
        }
    }

    /// Returns the next chunk, then once the end of the reading, then
    /// `None`. A chunk contains the complete lines read so far: it is
    /// handed over when it is full, or before a read that may wait for
    /// data, so that records of a followed file come out as lines arrive.
    pub(crate) fn next(&mut self) -> Option<ReadMessage> {
        if self.done {
            return None;
        }
        let opened = match self.open.take() {
            Some(opened) => Ok(opened),
            None => self.open_input(),
        };
        let opened = match opened {
            Ok(opened) => opened,
            Err(error) => return Some(self.finish(None, Some(error), false)),
        };
        let Some(Buffers {
            mut bytes,
            entries,
            continuations,
        }) = self.fresh_buffers()
        else {
            return Some(self.finish(Some(&opened), None, false));
        };
        let spare = (entries, continuations);
        if opened.lines.buffer_len() <= MAX_TAKEN_BUFFER {
            self.next_taking_buffers(opened, bytes, spare)
        } else {
            bytes.clear();
            self.next_copying(opened, bytes, spare)
        }
    }

    /// Returns the next chunk in the read buffer itself: the reader goes on
    /// in `bytes`, so the lines are not copied. Each read's complete lines
    /// make one chunk.
    fn next_taking_buffers(
        &mut self,
        mut opened: Open,
        mut bytes: Vec<u8>,
        spare: Spare,
    ) -> Option<ReadMessage> {
        loop {
            match opened.lines.take_region_buffer(bytes) {
                Ok((buffer, range)) => {
                    self.open = Some(opened);
                    return Some(self.chunk(buffer, range, spare, 0, 0, true));
                }
                Err(back) => bytes = back,
            }
            // Checked before each read (of 256 KiB from a file), so that a
            // large input stops promptly.
            if self.options.stop_requested() && opened.lines.offset() >= opened.read_ahead {
                return Some(self.finish(Some(&opened), None, true));
            }
            match opened.lines.read_more() {
                Ok(true) => continue,
                // The end of the input, or a line longer than the limit:
                // one line at a time.
                Ok(false) => {}
                Err(source) => return Some(self.read_failed(&opened, source)),
            }
            match opened.lines.next_line() {
                Ok(Some(line)) => {
                    bytes.clear();
                    bytes.extend_from_slice(line.bytes);
                    bytes.push(b'\n');
                    let (truncated, truncated_bytes) = match line.skipped_bytes {
                        0 => (0, 0),
                        skipped => (1, skipped),
                    };
                    let range = 0..bytes.len();
                    self.open = Some(opened);
                    return Some(self.chunk(bytes, range, spare, truncated, truncated_bytes, true));
                }
                Ok(None) => return Some(self.finish(Some(&opened), None, false)),
                Err(source) => return Some(self.read_failed(&opened, source)),
            }
        }
    }

    /// Returns the next chunk in a buffer of its own, into which the lines
    /// are copied from the read buffer, for a read buffer too large to hand
    /// over.
    fn next_copying(
        &mut self,
        mut opened: Open,
        mut bytes: Vec<u8>,
        spare: Spare,
    ) -> Option<ReadMessage> {
        let mut truncated = 0;
        let mut truncated_bytes = 0;
        loop {
            if let Some(region) = opened.lines.take_region() {
                bytes.extend_from_slice(region);
                if bytes.len() >= CHUNK_BYTES {
                    self.open = Some(opened);
                    let range = 0..bytes.len();
                    return Some(self.chunk(
                        bytes,
                        range,
                        spare,
                        truncated,
                        truncated_bytes,
                        false,
                    ));
                }
                continue;
            }
            // A followed input's last entry ends before a read that may
            // wait for data: a chunk handed over because it was full left
            // it open, so an empty chunk ends it.
            if !bytes.is_empty() || self.entry_open {
                self.open = Some(opened);
                let range = 0..bytes.len();
                return Some(self.chunk(bytes, range, spare, truncated, truncated_bytes, true));
            }
            // Checked before each refill of the read buffer, so that a large
            // input stops promptly.
            if self.options.stop_requested() && opened.lines.offset() >= opened.read_ahead {
                return Some(self.finish(Some(&opened), None, true));
            }
            match opened.lines.next_line() {
                Ok(Some(line)) => {
                    bytes.extend_from_slice(line.bytes);
                    bytes.push(b'\n');
                    if line.skipped_bytes > 0 {
                        truncated += 1;
                        truncated_bytes += line.skipped_bytes;
                    }
                }
                Ok(None) => return Some(self.finish(Some(&opened), None, false)),
                Err(source) => return Some(self.read_failed(&opened, source)),
            }
        }
    }

    /// Ends the reading at a read error: a stop request that ended a wait
    /// for data, or a failure.
    fn read_failed(&mut self, opened: &Open, source: std::io::Error) -> ReadMessage {
        if is_stopped_read(&source) {
            return self.finish(Some(opened), None, true);
        }
        let error = self.read_error(opened, source);
        self.finish(Some(opened), Some(error), false)
    }

    fn chunk(
        &mut self,
        bytes: Vec<u8>,
        range: std::ops::Range<usize>,
        (entries, continuations): Spare,
        truncated: u64,
        truncated_bytes: u64,
        before_read: bool,
    ) -> ReadMessage {
        self.entry_open = self.live && !before_read;
        ReadMessage::Chunk(Chunk {
            bytes,
            range,
            entries,
            continuations,
            first: std::mem::take(&mut self.first),
            truncated,
            truncated_bytes,
            closes_entry: self.live && before_read,
        })
    }

    fn finish(
        &mut self,
        opened: Option<&Open>,
        error: Option<InputError>,
        stopped: bool,
    ) -> ReadMessage {
        self.done = true;
        ReadMessage::Done(Box::new(Finished {
            bytes: opened.map_or(0, |opened| opened.lines.offset()),
            error,
            stopped,
        }))
    }

    fn open_input(&mut self) -> Result<Open, InputError> {
        let mut read_ahead = 0;
        let (reader, compressed_read): (Box<dyn Read + Send>, _) = match self.source.take_head() {
            Some((head, rest)) => {
                read_ahead = head.len() as u64;
                (
                    Box::new(IoCursor::new(head).chain(rest)),
                    self.source.compressed_read.clone(),
                )
            }
            None => {
                let opened = open(&self.source.origin)?;
                (opened.reader, Some(opened.compressed_read))
            }
        };
        Ok(Open {
            lines: LineReader::new(reader, self.options.max_line_bytes),
            compressed_read,
            read_ahead,
        })
    }

    fn read_error(&self, opened: &Open, source: std::io::Error) -> InputError {
        let offset = opened.lines.offset();
        let origin = self.source.origin.clone();
        match (self.source.compression, &opened.compressed_read) {
            (Compression::None, _) | (_, None) => InputError::Read {
                origin,
                offset,
                source,
            },
            (compression, Some(count)) => InputError::Corrupt {
                origin,
                compression: compression.name(),
                compressed_offset: count.load(Ordering::Relaxed),
                offset,
                source,
            },
        }
    }
}

impl PreparedSource {
    fn take_head(&mut self) -> Option<(Vec<u8>, Box<dyn Read + Send>)> {
        self.stdin_head.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns the chunks of `text` as a followed input, read with a line
    /// limit of `max_line` bytes: each chunk's size and whether it ends the
    /// last entry.
    fn live_chunks(text: &[u8], max_line: usize) -> Vec<(usize, bool)> {
        let options = RunOptions {
            max_line_bytes: max_line,
            ..RunOptions::default()
        };
        let reader: Box<dyn Read + Send> = Box::new(IoCursor::new(text.to_vec()));
        let source = PreparedSource::from_reader("live", reader, &options).unwrap();
        let mut reader = ChunkReader::new(source, options);
        reader.set_live();
        let mut chunks = Vec::new();
        while let Some(message) = reader.next() {
            if let ReadMessage::Chunk(chunk) = message {
                chunks.push((chunk.range.len(), chunk.closes_entry));
            }
        }
        chunks
    }

    #[test]
    fn full_chunk_of_followed_input_is_closed_before_a_read() {
        let line = b"Mon Mar  2 10:00:00 2026 Info: ICID 1 close\n";
        // More than the 256 KiB read ahead, so that a later read fills a
        // chunk. With a line limit that large, chunks are copied out of
        // the read buffer.
        let text: Vec<u8> = line.repeat(900 * 1024 / line.len());
        let chunks = live_chunks(&text, 4 << 20);
        // Whatever the reads, every chunk that leaves its last entry open
        // is followed by one that ends it before the next read.
        assert!(chunks.len() >= 2, "{chunks:?}");
        assert!(chunks.last().is_some_and(|(_, closes)| *closes));
        let open_then_closed = chunks
            .windows(2)
            .filter(|pair| !pair[0].1)
            .all(|pair| pair[1].1);
        assert!(open_then_closed, "{chunks:?}");
        assert!(chunks.iter().any(|(bytes, closes)| *bytes == 0 && *closes));
        let total: usize = chunks.iter().map(|(bytes, _)| bytes).sum();
        assert_eq!(total, text.len());
    }

    #[test]
    fn read_buffers_of_followed_input_end_their_entries() {
        let line = b"Mon Mar  2 10:00:00 2026 Info: ICID 1 close\n";
        let text: Vec<u8> = line.repeat(900 * 1024 / line.len());
        let chunks = live_chunks(&text, crate::input::DEFAULT_MAX_LINE_BYTES);
        assert!(chunks.len() >= 3, "{chunks:?}");
        assert!(chunks.iter().all(|(_, closes)| *closes), "{chunks:?}");
        let total: usize = chunks.iter().map(|(bytes, _)| bytes).sum();
        assert_eq!(total, text.len());
    }
}
