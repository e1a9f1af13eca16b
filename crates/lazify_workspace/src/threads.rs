//! The threads that analyse files: big stacks for deep code, a panic turned into an error naming its file, and the
//! window that keeps a stream's workers close to what its receiver has taken.

use std::path::Path;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};

use lazify_core::EngineError;

/// The stack size of the threads that analyse files (the project scan, the per-file engine, stdin, the
/// language server's analyses): every walk over a syntax tree recurses once per level, and the deepest code
/// lazify accepts ([`lazify_core::python::MAX_NESTING`] levels) needs about this much in a debug build. Only
/// the pages a deep file touches are ever used.
pub const STACK_SIZE: usize = 512 << 20;

/// The threads with [`STACK_SIZE`] stacks, shared by every run in the process.
pub(crate) fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("lazify-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `work` on a thread with a [`STACK_SIZE`] stack (parallel iterators inside it use those threads too).
/// Without such threads (the system refused to start them) it runs on the caller's.
pub fn on_big_stack<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Runs the work for one file, turning a panic (a bug in lazify) into an error naming the file, so that the
/// other files go on.
pub fn guarded<T>(path: &Path, work: impl FnOnce() -> T) -> Result<T, EngineError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        EngineError::Internal {
            message: format!("lazify panicked on {}: {message}", path.display()),
        }
    })
}

/// How far the results handed over in a stream have come, for the workers to stay within a window of it.
#[derive(Default)]
pub(crate) struct Window {
    /// Results handed over, and whether the receiver gave up.
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Window {
    /// Waits until file `i` is within `window` of the files handed over; `false` when the receiver gave up.
    pub(crate) fn wait_for_turn(&self, i: usize, window: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while i >= state.0 + window && !state.1 {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !state.1
    }

    pub(crate) fn advance(&self, handed: usize) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = handed;
        self.changed.notify_all();
    }

    fn abandon(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.changed.notify_all();
    }
}

/// Tells the workers of a stream that the receiver is gone, when it is dropped.
pub(crate) struct AbandonOnDrop<'a>(pub(crate) &'a Window);

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        self.0.abandon();
    }
}
