//! Everything the app derives from the topology — validation, analysis and
//! the laid-out scene — computed on a worker thread. The UI sends the newest
//! topology with a generation number and keeps drawing the last result; the
//! worker skips requests that a newer one replaced.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use crate::graph::layout::Point;
use crate::model::Topology;

use super::problems::{Problem, problems_of_check};
use super::scene::{Figures, NodeId, Scene, SceneOptions};

/// What to derive.
#[derive(Debug, Clone)]
pub struct DeriveRequest {
    pub generation: u64,
    pub topology: Topology,
    pub options: SceneOptions,
    /// Where nodes are drawn now (seeds the layout).
    pub previous: BTreeMap<NodeId, Point>,
}

/// What was derived.
#[derive(Debug, Clone)]
pub struct Derived {
    pub generation: u64,
    pub scene: Scene,
    /// Validation problems (errors and warnings).
    pub problems: Vec<Problem>,
    pub analysis: Option<super::analysis::AnalysisView>,
    /// Time taken by validation, analysis and layout.
    pub elapsed_ms: f64,
}

/// Computes everything for one request (also used directly by tests and the
/// benchmark).
pub fn derive(request: &DeriveRequest) -> Derived {
    let started = Instant::now();
    let (problems, analysis) = match crate::model::check(request.topology.clone()) {
        Ok(checked) => {
            let problems = problems_of_check(Ok(&checked));
            (problems, super::analysis::AnalysisView::compute(&checked))
        }
        Err(diagnostics) => (problems_of_check(Err(&diagnostics)), None),
    };
    let figures = analysis
        .as_ref()
        .map(|a| a.figures.clone())
        .unwrap_or_else(Figures::default);
    let scene = Scene::build(
        &request.topology,
        &request.options,
        &figures,
        &request.previous,
    );
    Derived {
        generation: request.generation,
        scene,
        problems,
        analysis,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

struct Shared {
    request: Mutex<Option<DeriveRequest>>,
    wake: Condvar,
    closed: std::sync::atomic::AtomicBool,
}

/// The worker thread and its mailbox.
pub struct Deriver {
    shared: Arc<Shared>,
    results: Receiver<Derived>,
    /// The newest generation requested.
    pub requested: u64,
}

impl Deriver {
    /// Starts the worker; `waker` is called when a result is ready.
    pub fn start(waker: Arc<dyn Fn() + Send + Sync>) -> Self {
        let shared = Arc::new(Shared {
            request: Mutex::new(None),
            wake: Condvar::new(),
            closed: std::sync::atomic::AtomicBool::new(false),
        });
        let (sender, results) = channel();
        let worker = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("archsim-derive".into())
            .spawn(move || {
                loop {
                    let request = {
                        let Ok(mut slot) = worker.request.lock() else {
                            return;
                        };
                        loop {
                            if worker.closed.load(std::sync::atomic::Ordering::Acquire) {
                                return;
                            }
                            if let Some(request) = slot.take() {
                                break request;
                            }
                            slot = match worker.wake.wait(slot) {
                                Ok(slot) => slot,
                                Err(_) => return,
                            };
                        }
                    };
                    if sender.send(derive(&request)).is_err() {
                        return;
                    }
                    waker();
                }
            });
        if let Err(err) = spawned {
            // Without a worker nothing would ever be drawn; say so loudly.
            eprintln!("archsim: cannot start the layout thread: {err}");
        }
        Deriver {
            shared,
            results,
            requested: 0,
        }
    }

    /// Asks for a new derivation; replaces any request not yet started.
    pub fn request(&mut self, mut request: DeriveRequest) {
        self.requested += 1;
        request.generation = self.requested;
        if let Ok(mut slot) = self.shared.request.lock() {
            *slot = Some(request);
            self.shared.wake.notify_one();
        }
    }

    /// The newest result that arrived, if any.
    pub fn poll(&mut self) -> Option<Derived> {
        self.results.try_iter().last()
    }
}

impl Drop for Deriver {
    fn drop(&mut self) {
        self.shared
            .closed
            .store(true, std::sync::atomic::Ordering::Release);
        self.shared.wake.notify_all();
    }
}
