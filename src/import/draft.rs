//! The importers' common intermediate graph: services with what is known of
//! them and why, edges with their evidence, entries and notes. Each importer
//! fills a [`Draft`]; drafts of several sources are merged; `build` turns the
//! result into a topology.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::model::{Autoscale, CallSpec, Distribution, ServiceKind};

/// How sure the importer is of something it inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Guessed from a name, an image or a command-line argument.
    Low,
    /// An environment value naming another service.
    Medium,
    /// Declared (`depends_on`, `links`, a Kubernetes field) or observed in traces.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason for believing something: where it was found and what it says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub confidence: Confidence,
    /// The file it came from (file name only).
    pub source: String,
    /// What was found, e.g. `services.checkout.depends_on: cart`.
    pub detail: String,
}

impl Evidence {
    pub fn new(confidence: Confidence, source: &str, detail: impl Into<String>) -> Self {
        Evidence {
            confidence,
            source: source.to_owned(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} [{}]", self.source, self.detail, self.confidence)
    }
}

/// A value the importer settled on, with its confidence and reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess<T> {
    pub value: T,
    pub confidence: Confidence,
    pub why: String,
}

impl<T> Guess<T> {
    pub fn new(value: T, confidence: Confidence, why: impl Into<String>) -> Self {
        Guess {
            value,
            confidence,
            why: why.into(),
        }
    }
}

/// What part a service plays, beyond its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// A part of the application.
    #[default]
    App,
    /// Telemetry plumbing (collectors, tracing backends, metrics, dashboards).
    Observability,
    /// A load generator: the source of traffic, not a part of the system.
    LoadGenerator,
}

/// One operation of a service as measured from traces.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedOperation {
    pub name: String,
    /// How many times the operation was seen.
    pub occurrences: usize,
    /// Own work of each occurrence, in milliseconds.
    pub self_times_ms: Vec<f64>,
    /// Calls as they will be written (probability, count, parallel groups).
    pub calls: Vec<CallSpec>,
}

/// A service as one or more sources describe it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftService {
    pub name: String,
    /// Other names other sources may use for it (hostname, container_name,
    /// Kubernetes Service names, OTEL_SERVICE_NAME, links aliases).
    pub aliases: Vec<String>,
    pub kind: Option<Guess<ServiceKind>>,
    pub replicas: Option<Guess<u64>>,
    pub autoscale: Option<Guess<Autoscale>>,
    pub role: Role,
    /// Why the service is reachable from outside, if it is (published port,
    /// LoadBalancer Service, Ingress backend).
    pub exposed: Option<String>,
    /// The image, when known.
    pub image: Option<String>,
    /// Files the service was found in.
    pub sources: Vec<String>,
    /// Operations measured from traces; empty when no trace covers it.
    pub traced: Vec<TracedOperation>,
    /// An explicit own-work distribution (e.g. from a client span when the
    /// service itself is not traced).
    pub service_time: Option<Distribution>,
}

impl DraftService {
    pub fn new(name: impl Into<String>, source: &str) -> Self {
        DraftService {
            name: name.into(),
            sources: vec![source.to_owned()],
            ..DraftService::default()
        }
    }

    pub fn add_alias(&mut self, alias: &str) {
        if !alias.is_empty() && alias != self.name && !self.aliases.iter().any(|a| a == alias) {
            self.aliases.push(alias.to_owned());
        }
    }
}

/// A dependency between two services.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftEdge {
    pub from: String,
    pub to: String,
    pub evidence: Vec<Evidence>,
}

impl DraftEdge {
    /// The strongest confidence among the evidence.
    pub fn confidence(&self) -> Confidence {
        self.evidence
            .iter()
            .map(|e| e.confidence)
            .max()
            .unwrap_or(Confidence::Low)
    }
}

/// External traffic, when a source says where it enters and how much.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftEntry {
    pub to: String,
    pub operation: String,
    pub rate_rps: f64,
    pub why: String,
}

/// Whether a note is a problem the user should look at or just information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteLevel {
    Info,
    Warning,
}

/// Something the importer wants the user to know.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub level: NoteLevel,
    pub source: String,
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.source, self.message)
        }
    }
}

/// Everything the sources say, before defaults are filled in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub services: Vec<DraftService>,
    pub edges: Vec<DraftEdge>,
    pub entries: Vec<DraftEntry>,
    pub notes: Vec<Note>,
    /// The time window the traces cover, in seconds (for the summary).
    pub trace_window_s: Option<f64>,
    /// Files read besides the sources themselves (`env_file`s, mounted
    /// config files), so that an import never writes over one.
    pub files_read: Vec<PathBuf>,
}

impl Draft {
    /// The index of the service called `name`, or else of the one service
    /// aliased so (an alias several services share refers to none).
    pub fn find(&self, name: &str) -> Option<usize> {
        if let Some(index) = self.services.iter().position(|s| s.name == name) {
            return Some(index);
        }
        let mut aliased = self
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.aliases.iter().any(|a| a == name))
            .map(|(i, _)| i);
        match (aliased.next(), aliased.next()) {
            (Some(index), None) => Some(index),
            _ => None,
        }
    }

    /// The service called `name`, created (from `source`) if it does not exist.
    pub fn service_mut(&mut self, name: &str, source: &str) -> &mut DraftService {
        let index = match self.find(name) {
            Some(index) => index,
            None => {
                self.services.push(DraftService::new(name, source));
                self.services.len() - 1
            }
        };
        &mut self.services[index]
    }

    /// Records evidence for an edge `from → to` (self-edges are ignored).
    pub fn add_edge(&mut self, from: &str, to: &str, evidence: Evidence) {
        if from == to {
            return;
        }
        match self.edges.iter_mut().find(|e| e.from == from && e.to == to) {
            Some(edge) => {
                if !edge.evidence.contains(&evidence) {
                    edge.evidence.push(evidence);
                }
            }
            None => self.edges.push(DraftEdge {
                from: from.to_owned(),
                to: to.to_owned(),
                evidence: vec![evidence],
            }),
        }
    }

    pub fn warn(&mut self, source: &str, message: impl Into<String>) {
        self.note(NoteLevel::Warning, source, message);
    }

    pub fn info(&mut self, source: &str, message: impl Into<String>) {
        self.note(NoteLevel::Info, source, message);
    }

    fn note(&mut self, level: NoteLevel, source: &str, message: impl Into<String>) {
        let note = Note {
            level,
            source: source.to_owned(),
            message: message.into(),
        };
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// Merges another source's draft into this one: services are matched by
    /// name or alias (declared details already known are kept; traced
    /// operations are taken from `other`), edges are united with their
    /// evidence, entries and notes appended.
    pub fn absorb(&mut self, other: Draft) {
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        for service in other.services {
            match self.find(&service.name) {
                Some(index) => {
                    let target = &mut self.services[index];
                    renamed.insert(service.name.clone(), target.name.clone());
                    merge_service(target, service);
                }
                None => self.services.push(service),
            }
        }
        let map = |name: String| renamed.get(&name).cloned().unwrap_or(name);
        for edge in other.edges {
            let (from, to) = (map(edge.from), map(edge.to));
            for evidence in edge.evidence {
                self.add_edge(&from, &to, evidence);
            }
        }
        for mut entry in other.entries {
            entry.to = map(entry.to);
            self.entries.push(entry);
        }
        for note in other.notes {
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
        }
        for path in other.files_read {
            if !self.files_read.contains(&path) {
                self.files_read.push(path);
            }
        }
        self.trace_window_s = match (self.trace_window_s, other.trace_window_s) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        // Traced calls name callees by their trace names; point them at the
        // merged names.
        if !renamed.is_empty() {
            for service in &mut self.services {
                for op in &mut service.traced {
                    for spec in &mut op.calls {
                        for call in spec.calls_mut() {
                            if let Some(name) = renamed.get(&call.to) {
                                call.to = name.clone();
                            }
                        }
                    }
                }
            }
        }
    }
}

fn merge_service(target: &mut DraftService, other: DraftService) {
    if other.name != target.name {
        let name = other.name.clone();
        target.add_alias(&name);
    }
    for alias in &other.aliases {
        target.add_alias(alias);
    }
    target.kind = best(target.kind.take(), other.kind);
    target.replicas = target.replicas.take().or(other.replicas);
    target.autoscale = target.autoscale.take().or(other.autoscale);
    if target.role == Role::App {
        target.role = other.role;
    }
    target.exposed = target.exposed.take().or(other.exposed);
    target.image = target.image.take().or(other.image);
    for source in other.sources {
        if !target.sources.contains(&source) {
            target.sources.push(source);
        }
    }
    if !other.traced.is_empty() {
        target.traced = other.traced;
    }
    target.service_time = target.service_time.take().or(other.service_time);
}

/// The more confident of two guesses (the first on a tie).
fn best<T>(a: Option<Guess<T>>, b: Option<Guess<T>>) -> Option<Guess<T>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.confidence > a.confidence { b } else { a }),
        (a, b) => a.or(b),
    }
}
