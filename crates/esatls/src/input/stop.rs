//! A request to stop, shared between the code that makes it (a signal
//! handler, say) and the readers and runs that end on it.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// A shared request to end a followed input or a run.
///
/// Once the request is made, every `read` on a `Follower` returns `Ok(0)`,
/// the end of input, even when more bytes are available, and a run given
/// the handle in `RunOptions::stop` ends before its next read. After
/// [`StopHandle::stop`], a follower's `read` blocked waiting for bytes
/// returns at once. A flag passed to [`StopHandle::from_flag`] may also be
/// set directly, for example by a signal handler, and then a blocked `read`
/// returns within one poll interval.
#[derive(Clone, Debug, Default)]
pub struct StopHandle {
    shared: Arc<StopShared>,
}

#[derive(Debug, Default)]
struct StopShared {
    requested: Arc<AtomicBool>,
    /// Taken around the check of `requested` before waiting and around the
    /// notification, so that a stop cannot slip between the two.
    lock: Mutex<()>,
    wake: Condvar,
}

impl StopHandle {
    /// Creates a handle on which no stop has been requested.
    pub fn new() -> StopHandle {
        StopHandle::default()
    }

    /// Creates a handle that also counts `flag` being set to `true` as a
    /// stop request, for flags that signal handlers set (such as those of
    /// `signal_hook::flag::register`).
    pub fn from_flag(flag: Arc<AtomicBool>) -> StopHandle {
        StopHandle {
            shared: Arc::new(StopShared {
                requested: flag,
                lock: Mutex::new(()),
                wake: Condvar::new(),
            }),
        }
    }

    /// Requests the stop and wakes a follower waiting for bytes.
    pub fn stop(&self) {
        self.shared.requested.store(true, Ordering::SeqCst);
        let _guard = self
            .shared
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.shared.wake.notify_all();
    }

    /// Returns whether a stop has been requested.
    pub fn is_stopped(&self) -> bool {
        self.shared.requested.load(Ordering::SeqCst)
    }

    /// Sleeps for `timeout`, or less if a stop is requested meanwhile.
    pub(crate) fn wait(&self, timeout: Duration) {
        let guard = self
            .shared
            .lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.is_stopped() {
            return;
        }
        // A spurious wake-up only makes the next poll come early.
        let (_guard, _timed_out) = self
            .shared
            .wake
            .wait_timeout(guard, timeout)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

/// Maximum wait of a [`StoppableReader`] for data before it checks its
/// stop handle again.
const STOP_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Bytes read from the stream at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// Chunks read ahead before the reading thread waits for them to be taken.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The error of a read cut short by a stop request. It is not the end of
/// input, so that a line cut short is not read as the last one.
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the read was stopped")
    }
}

impl std::error::Error for Stopped {}

/// Returns whether `error` is that of a [`StoppableReader`] after a stop.
pub(crate) fn is_stopped_read(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<Stopped>())
}

/// A reader that ends when a stop is requested, even while the stream it
/// reads waits for data (a pipe whose writer is quiet). A thread of its own
/// reads the stream. Once the stop is requested, `read` fails within 50 ms
/// with an error that [`is_stopped_read`] recognises.
///
/// After a stop, the thread stays blocked in its read until data or the
/// end of the stream arrives, and then ends.
pub(crate) struct StoppableReader {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    position: usize,
    stop: StopHandle,
    /// Error of starting the reading thread, returned by the first read.
    spawn_error: Option<io::Error>,
}

impl StoppableReader {
    /// Starts the thread that reads `inner`.
    pub(crate) fn new(mut inner: Box<dyn Read + Send>, stop: StopHandle) -> StoppableReader {
        let (sender, chunks) = mpsc::sync_channel(CHUNKS_IN_FLIGHT);
        let spawned = std::thread::Builder::new()
            .name("esatls-reader".into())
            .spawn(move || loop {
                let mut chunk = vec![0; CHUNK_BYTES];
                let result = match inner.read(&mut chunk) {
                    // Dropping the sender marks the end of the stream.
                    Ok(0) => break,
                    Ok(count) => {
                        chunk.truncate(count);
                        Ok(chunk)
                    }
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => Err(error),
                };
                let failed = result.is_err();
                // The receiver is gone once the run has ended.
                if sender.send(result).is_err() || failed {
                    break;
                }
            });
        StoppableReader {
            chunks,
            chunk: Vec::new(),
            position: 0,
            stop,
            spawn_error: spawned.err(),
        }
    }
}

impl Read for StoppableReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(error) = self.spawn_error.take() {
            return Err(error);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        while self.position == self.chunk.len() {
            if self.stop.is_stopped() {
                return Err(io::Error::other(Stopped));
            }
            match self.chunks.recv_timeout(STOP_POLL_INTERVAL) {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.position = 0;
                }
                Ok(Err(error)) => return Err(error),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(0),
            }
        }
        let count = buf.len().min(self.chunk.len() - self.position);
        buf[..count].copy_from_slice(&self.chunk[self.position..self.position + count]);
        self.position += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stoppable_reader_reads_to_the_end() {
        let data: Vec<u8> = (0..200_000u32).map(|n| n as u8).collect();
        let mut reader =
            StoppableReader::new(Box::new(io::Cursor::new(data.clone())), StopHandle::new());
        let mut read = Vec::new();
        reader.read_to_end(&mut read).unwrap();
        assert_eq!(read, data);
    }

    /// Returns "first", then waits, as a pipe whose writer is quiet does,
    /// until its sender is dropped.
    struct QuietAfterFirst {
        first: bool,
        quiet: mpsc::Receiver<()>,
    }

    impl Read for QuietAfterFirst {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if std::mem::take(&mut self.first) {
                buf[..5].copy_from_slice(b"first");
                return Ok(5);
            }
            let _ = self.quiet.recv();
            Ok(0)
        }
    }

    #[test]
    fn stoppable_reader_ends_while_stream_waits() {
        let (writer, quiet) = mpsc::channel();
        let stream = QuietAfterFirst { first: true, quiet };
        let stop = StopHandle::new();
        let mut reader = StoppableReader::new(Box::new(stream), stop.clone());
        let mut buffer = [0; 16];
        assert_eq!(reader.read(&mut buffer).unwrap(), 5);
        assert_eq!(&buffer[..5], b"first");
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            stop.stop();
        });
        // The stream stays quiet, so only the stop ends this read.
        let error = reader.read(&mut buffer).unwrap_err();
        assert!(is_stopped_read(&error), "{error}");
        stopper.join().unwrap();
        drop(writer);
    }

    #[test]
    fn stoppable_reader_passes_errors_on() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("read failed"))
            }
        }
        let mut reader = StoppableReader::new(Box::new(Failing), StopHandle::new());
        let error = reader.read(&mut [0; 4]).unwrap_err();
        assert_eq!(error.to_string(), "read failed");
    }
}
