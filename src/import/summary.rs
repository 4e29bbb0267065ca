//! What an import inferred, from what, and how confident it is: the summary
//! printed by `archsim import` and shown by the app after File → Import.

use std::fmt;

use super::draft::{Confidence, Note, NoteLevel};

/// How many removed calls [`ImportSummary::warnings`] lists one by one.
pub const MAX_LISTED_REMOVALS: usize = 10;

/// One input file and the format it was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceLine {
    pub path: String,
    pub format: String,
}

/// One imported service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLine {
    pub name: String,
    pub kind: String,
    /// `None` when the kind is the default (`service`, nothing suggested another).
    pub kind_confidence: Option<Confidence>,
    pub kind_why: String,
    pub replicas: u64,
    pub replicas_why: String,
    pub autoscale_why: Option<String>,
    /// Operations measured from traces.
    pub operations: usize,
    /// How its service time was chosen.
    pub service_time_why: String,
}

/// One imported dependency.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeLine {
    pub from: String,
    pub to: String,
    pub confidence: Confidence,
    pub evidence: Vec<String>,
}

/// One imported entry point.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryLine {
    pub to: String,
    pub operation: String,
    pub rate_rps: f64,
    pub why: String,
}

/// The whole account of one import.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub sources: Vec<SourceLine>,
    pub services: Vec<ServiceLine>,
    pub edges: Vec<EdgeLine>,
    pub entries: Vec<EntryLine>,
    /// Services left out (observability unless kept), with the reason.
    pub left_out: Vec<String>,
    /// Calls removed to break cycles, with the reason.
    pub dropped_calls: Vec<String>,
    pub notes: Vec<Note>,
}

impl ImportSummary {
    /// Problems worth the user's attention, one line each. Removed calls
    /// are listed up to ten (`MAX_LISTED_REMOVALS`); the file keeps them all.
    pub fn warnings(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .notes
            .iter()
            .filter(|n| n.level == NoteLevel::Warning)
            .map(Note::to_string)
            .collect();
        lines.extend(self.dropped_calls.iter().take(MAX_LISTED_REMOVALS).cloned());
        if self.dropped_calls.len() > MAX_LISTED_REMOVALS {
            lines.push(format!(
                "… and {} more calls removed to break cycles (all are listed under x-import.removed_calls in the file)",
                self.dropped_calls.len() - MAX_LISTED_REMOVALS
            ));
        }
        lines
    }

    /// How many edges have each confidence: (high, medium, low).
    pub fn edge_confidence_counts(&self) -> (usize, usize, usize) {
        let count = |c| self.edges.iter().filter(|e| e.confidence == c).count();
        (
            count(Confidence::High),
            count(Confidence::Medium),
            count(Confidence::Low),
        )
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sources: Vec<String> = self
            .sources
            .iter()
            .map(|s| format!("{} ({})", s.path, s.format))
            .collect();
        let (high, medium, low) = self.edge_confidence_counts();
        writeln!(
            f,
            "Imported {} services, {} edges ({high} high, {medium} medium, {low} low confidence) and {} entries from {}",
            self.services.len(),
            self.edges.len(),
            self.entries.len(),
            sources.join(", ")
        )?;
        writeln!(f, "\nServices (kind [confidence: reason], replicas):")?;
        let width = self
            .services
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0);
        for s in &self.services {
            let kind = match s.kind_confidence {
                Some(c) => format!("{} [{c}: {}]", s.kind, s.kind_why),
                None => s.kind.clone(),
            };
            write!(
                f,
                "  {:width$}  {kind}, ×{} ({})",
                s.name, s.replicas, s.replicas_why
            )?;
            if let Some(why) = &s.autoscale_why {
                write!(f, ", autoscale from {why}")?;
            }
            if s.operations > 0 {
                write!(f, ", {} traced operation(s)", s.operations)?;
            }
            writeln!(f, "; service time: {}", s.service_time_why)?;
        }
        writeln!(
            f,
            "\nEdges (high: declared or traced; medium: an environment value or address names the callee; low: guessed):"
        )?;
        for e in &self.edges {
            writeln!(f, "  {} → {} [{}]", e.from, e.to, e.confidence)?;
            for evidence in &e.evidence {
                writeln!(f, "      {evidence}")?;
            }
        }
        writeln!(f, "\nEntries:")?;
        for e in &self.entries {
            writeln!(
                f,
                "  {} '{}' at {} rps ({})",
                e.to, e.operation, e.rate_rps, e.why
            )?;
        }
        if !self.left_out.is_empty() {
            writeln!(f, "\nLeft out:")?;
            for line in &self.left_out {
                writeln!(f, "  {line}")?;
            }
        }
        let warnings = self.warnings();
        if !warnings.is_empty() {
            writeln!(f, "\nWarnings:")?;
            for w in warnings {
                writeln!(f, "  {w}")?;
            }
        }
        let infos: Vec<&Note> = self
            .notes
            .iter()
            .filter(|n| n.level == NoteLevel::Info)
            .collect();
        if !infos.is_empty() {
            writeln!(f, "\nNotes:")?;
            for n in infos {
                writeln!(f, "  {n}")?;
            }
        }
        Ok(())
    }
}
