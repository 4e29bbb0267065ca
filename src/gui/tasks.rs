//! Background work: named threads that report back through one channel.
//!
//! The UI thread never waits on files, dialogs or heavy computation. It spawns
//! a [`Tasks`] job, keeps drawing, and polls the channel once per frame; the
//! worker wakes the UI with `request_repaint` when its message is sent. Live
//! simulation runs (`gui::sim`) use the same pattern.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use crate::model::Topology;

use super::problems::OpenFailure;

/// What a background job reports.
#[derive(Debug)]
pub enum TaskResult {
    /// A file was read and parsed (or not).
    Loaded {
        path: PathBuf,
        result: Result<Box<Topology>, Box<OpenFailure>>,
    },
    /// A document was written (or not). `saved` is the topology that was written.
    Saved {
        path: PathBuf,
        saved: Box<Topology>,
        result: Result<(), String>,
    },
    /// The system file dialog returned. `None` is a cancel (or a dialog that
    /// could not open; `failed` tells which, as far as we can know).
    Picked {
        purpose: DialogPurpose,
        path: Option<PathBuf>,
        failed: bool,
    },
    /// A screenshot was written (or not).
    ScreenshotSaved {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// The File → Import dialog returned: the files chosen (none: cancelled,
    /// or the dialog could not open, which `failed` tells).
    PickedImport { paths: Vec<PathBuf>, failed: bool },
    /// An import finished (or not).
    Imported {
        paths: Vec<PathBuf>,
        result: Result<Box<crate::import::ImportOutcome>, String>,
    },
    /// The autosave of (document serial, revision) into the recovery file
    /// finished (or not).
    Autosaved {
        key: (u64, u64),
        result: Result<(), String>,
    },
    /// The File → Compare with traces… dialog returned: the files chosen
    /// (none: cancelled, or the dialog could not open, which `failed` tells).
    PickedTraces { paths: Vec<PathBuf>, failed: bool },
    /// The sources to compare the document with were read (or not).
    Compared {
        paths: Vec<PathBuf>,
        result: Result<Box<crate::import::ImportOutcome>, String>,
    },
    /// An export finished: the files written, or why not.
    Exported {
        kind: crate::report::ExportKind,
        result: Result<Vec<PathBuf>, String>,
    },
}

/// Why a file dialog was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogPurpose {
    Open,
    SaveAs,
    Screenshot,
    /// File → Import: compose files, Kubernetes manifests, traces; or a
    /// folder of them.
    Import {
        folder: bool,
    },
    /// File → Export ▸ one kind of file.
    Export(crate::report::ExportKind),
    /// File → Compare with traces…: traces (or compose files, manifests).
    CompareTraces,
}

/// Spawns jobs and collects their results.
pub struct Tasks {
    sender: Sender<TaskResult>,
    receiver: Receiver<TaskResult>,
    /// Jobs started and not yet reported.
    pending: usize,
    waker: Arc<dyn Fn() + Send + Sync>,
}

impl Tasks {
    /// `waker` is called after each result is sent (usually `ctx.request_repaint`).
    pub fn new(waker: Arc<dyn Fn() + Send + Sync>) -> Self {
        let (sender, receiver) = channel();
        Tasks {
            sender,
            receiver,
            pending: 0,
            waker,
        }
    }

    /// Runs `job` on a new named thread.
    pub fn spawn(&mut self, name: &str, job: impl FnOnce() -> TaskResult + Send + 'static) {
        self.expect_later().spawn(name, job);
    }

    /// A handle for a job that will be started later, from elsewhere (e.g.
    /// a renderer callback); it counts as pending from now on.
    pub fn expect_later(&mut self) -> TaskHandle {
        self.pending += 1;
        TaskHandle {
            sender: self.sender.clone(),
            waker: Arc::clone(&self.waker),
        }
    }

    /// Results that arrived since the last call.
    pub fn poll(&mut self) -> Vec<TaskResult> {
        let results: Vec<TaskResult> = self.receiver.try_iter().collect();
        self.pending = self.pending.saturating_sub(results.len());
        results
    }

    /// Jobs not yet reported.
    pub fn pending(&self) -> usize {
        self.pending
    }
}

/// Starts one job and reports its result; can be sent to other threads.
pub struct TaskHandle {
    sender: Sender<TaskResult>,
    waker: Arc<dyn Fn() + Send + Sync>,
}

impl TaskHandle {
    /// Runs `job` on a new thread named `archsim-<name>` (here, if no thread
    /// can start: slower, but nothing is lost).
    pub fn spawn(self, name: &str, job: impl FnOnce() -> TaskResult + Send + 'static) {
        let shared = Arc::new(Mutex::new(Some((self, job))));
        let for_thread = Arc::clone(&shared);
        let started = std::thread::Builder::new()
            .name(format!("archsim-{name}"))
            .spawn(move || run_slot(&for_thread));
        if started.is_err() {
            run_slot(&shared);
        }
    }

    /// Runs `job` on a background thread.
    pub fn run(self, job: impl FnOnce() -> TaskResult + Send + 'static) {
        self.spawn("job", job);
    }

    fn finish(self, result: TaskResult) {
        // The receiver lives as long as the app; a failed send means the app
        // is closing and nobody wants the result.
        let _ = self.sender.send(result);
        (self.waker)();
    }
}

/// Takes the job out of its slot (once) and runs it.
fn run_slot<J: FnOnce() -> TaskResult>(slot: &Mutex<Option<(TaskHandle, J)>>) {
    if let Some((handle, job)) = slot.lock().ok().and_then(|mut slot| slot.take()) {
        handle.finish(job());
    }
}
