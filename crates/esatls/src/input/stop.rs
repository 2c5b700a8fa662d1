//! A request to stop, shared between the code that makes it (a signal
//! handler, say) and the readers and runs that end on it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
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
