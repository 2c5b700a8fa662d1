//! The first stage of reading one input: its bytes into chunks of complete
//! lines, which the parsing threads take one each.
//!
//! The reading thread does as little as it can, because everything else
//! waits for it: it copies the complete lines in its buffer into a chunk
//! in one piece, and looks at lines one by one only where its buffer ends
//! inside a line.

use std::io::{Cursor as IoCursor, Read};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;

use super::chunk::Chunk;
use super::source::PreparedSource;
use super::RunOptions;
use crate::input::{is_stopped_read, open, Compression, InputError, LineReader};

/// Bytes of lines after which a chunk is handed over. The reader hands a
/// chunk over before each read that may wait for data too, so chunks of a
/// file hold about one read buffer.
const CHUNK_BYTES: usize = 256 * 1024;

/// What the reading thread sends on.
pub(crate) enum ReadMessage {
    Chunk(Chunk),
    /// The input ended, or failed.
    Done(Box<Finished>),
}

/// How the reading of an input ended.
pub(crate) struct Finished {
    /// Decompressed bytes read.
    pub bytes: u64,
    pub error: Option<InputError>,
    /// Whether a stop request ended the reading before the input's end.
    pub stopped: bool,
}

/// Reads one input into chunks.
pub(crate) struct ChunkReader {
    source: PreparedSource,
    options: RunOptions,
    live: bool,
    /// Buffers of chunks the run is done with, for the next chunks.
    recycled: Option<Receiver<Vec<u8>>>,
    /// Chunks that may be out at once, counting those whose buffer has not
    /// come back on `recycled`; the reader waits for a buffer beyond it, so
    /// that memory stays bounded however far the parsing threads are
    /// ahead of the correlator.
    limit: usize,
    out: usize,
    first: bool,
}

impl ChunkReader {
    pub(crate) fn new(source: PreparedSource, options: RunOptions) -> Self {
        ChunkReader {
            source,
            options,
            live: false,
            recycled: None,
            limit: usize::MAX,
            out: 0,
            first: true,
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
    pub(crate) fn reuse_buffers(&mut self, recycled: Receiver<Vec<u8>>, limit: usize) {
        self.recycled = Some(recycled);
        self.limit = limit.max(1);
    }

    /// Returns an empty chunk: with the buffer of a chunk that came back
    /// when there is one, else a new one while fewer than the limit are
    /// out. Returns `None` when the run no longer takes chunks.
    fn fresh_chunk(&mut self) -> Option<Chunk> {
        let mut bytes = None;
        if let Some(recycled) = &self.recycled {
            while let Ok(buffer) = recycled.try_recv() {
                self.out = self.out.saturating_sub(1);
                bytes.get_or_insert(buffer);
            }
            if bytes.is_none() && self.out >= self.limit {
                bytes = Some(recycled.recv().ok()?);
                self.out = self.out.saturating_sub(1);
            }
        }
        let mut bytes = bytes.unwrap_or_else(|| Vec::with_capacity(2 * CHUNK_BYTES));
        bytes.clear();
        self.out += 1;
        Some(Chunk {
            bytes,
            first: false,
            truncated: 0,
            truncated_bytes: 0,
            closes_entry: false,
        })
    }

    /// Hands `chunk` over unless it is empty, and returns `false` when the
    /// run no longer takes chunks. `before_read` tells that a read that may
    /// wait for data comes next: a followed input's last entry then ends
    /// with the chunk.
    fn send(
        &mut self,
        chunk: &mut Option<Chunk>,
        deliver: &mut dyn FnMut(ReadMessage) -> bool,
        before_read: bool,
    ) -> bool {
        let Some(mut full) = chunk.take() else {
            return false;
        };
        if full.bytes.is_empty() && full.truncated == 0 {
            *chunk = Some(full);
            return true;
        }
        full.first = std::mem::take(&mut self.first);
        full.closes_entry = self.live && before_read;
        if !deliver(ReadMessage::Chunk(full)) {
            return false;
        }
        *chunk = self.fresh_chunk();
        chunk.is_some()
    }

    /// Reads the input to its end or its first read error, handing chunks
    /// and then how the reading ended to `deliver`, which returns `false`
    /// to stop early (its receiver is gone).
    pub(crate) fn run(mut self, deliver: &mut dyn FnMut(ReadMessage) -> bool) {
        let mut stopped = false;
        let mut bytes = 0;
        let error = self.read_all(deliver, &mut stopped, &mut bytes).err();
        deliver(ReadMessage::Done(Box::new(Finished {
            bytes,
            error,
            stopped,
        })));
    }

    fn read_all(
        &mut self,
        deliver: &mut dyn FnMut(ReadMessage) -> bool,
        stopped: &mut bool,
        bytes: &mut u64,
    ) -> Result<(), InputError> {
        // Bytes read ahead from a stream that cannot be opened again are
        // read even after a stop, because no other copy of them exists.
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
        let mut lines = LineReader::new(reader, self.options.max_line_bytes);
        let mut chunk = self.fresh_chunk();
        let result = loop {
            let Some(current) = chunk.as_mut() else {
                break Ok(());
            };
            if let Some(region) = lines.take_region() {
                current.bytes.extend_from_slice(region);
                if current.bytes.len() >= CHUNK_BYTES && !self.send(&mut chunk, deliver, false) {
                    break Ok(());
                }
                continue;
            }
            // Hand the chunk over before a read that may wait for data,
            // so that records of a followed file come out as lines arrive.
            if !self.send(&mut chunk, deliver, true) {
                break Ok(());
            }
            // Checked before each refill of the read buffer (256 KiB), so
            // that a large input stops promptly.
            if self.options.stop_requested() && lines.offset() >= read_ahead {
                *stopped = true;
                break Ok(());
            }
            let Some(current) = chunk.as_mut() else {
                break Ok(());
            };
            match lines.next_line() {
                Ok(Some(line)) => {
                    current.bytes.extend_from_slice(line.bytes);
                    current.bytes.push(b'\n');
                    if line.skipped_bytes > 0 {
                        current.truncated += 1;
                        current.truncated_bytes += line.skipped_bytes;
                    }
                }
                Ok(None) => break Ok(()),
                Err(source) if is_stopped_read(&source) => {
                    *stopped = true;
                    break Ok(());
                }
                Err(source) => break Err(source),
            }
        };
        self.send(&mut chunk, deliver, true);
        *bytes = lines.offset();
        result.map_err(|source| {
            let offset = lines.offset();
            let origin = self.source.origin.clone();
            match (self.source.compression, compressed_read) {
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
        })
    }
}

impl PreparedSource {
    fn take_head(&mut self) -> Option<(Vec<u8>, Box<dyn Read + Send>)> {
        self.stdin_head.take()
    }
}
