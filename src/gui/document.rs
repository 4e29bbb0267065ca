//! The open document: its topology, where it lives, what was last saved, and
//! the undo history (a snapshot of the topology per edit; topologies are small).

use std::path::PathBuf;

use crate::model::Topology;

/// Undo steps kept; older ones are dropped.
const HISTORY_MAX: usize = 200;

/// One step of history: the topology before an edit.
#[derive(Debug, Clone)]
struct Step {
    before: Topology,
    label: String,
    coalesce: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OpenDocument {
    pub topology: Topology,
    /// Where it is saved; `None` for a new or built-in document.
    pub path: Option<PathBuf>,
    /// The topology as last saved or opened; `None` when never saved.
    saved: Option<Topology>,
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// Bumped by every change, including undo and redo.
    pub revision: u64,
    /// Where a document that was never saved came from, e.g. "imported from
    /// compose.yaml": shown in the title, and such a document counts as
    /// unsaved until it is saved.
    pub origin: Option<String>,
    /// [`OpenDocument::is_dirty`]'s answer and the revision it was for:
    /// comparing a 10,000-service topology with the saved one takes
    /// milliseconds, and the title asks every frame.
    dirty: std::cell::Cell<Option<(u64, bool)>>,
}

impl OpenDocument {
    /// A document opened from `path` (or built in, when `path` is `None`).
    pub fn opened(topology: Topology, path: Option<PathBuf>) -> Self {
        let saved = path.as_ref().map(|_| topology.clone());
        OpenDocument {
            topology,
            path,
            saved,
            undo: Vec::new(),
            redo: Vec::new(),
            revision: 0,
            origin: None,
            dirty: std::cell::Cell::new(None),
        }
    }

    /// A new document made from other files (File → Import): not saved
    /// anywhere yet, so it counts as unsaved from the start.
    pub fn imported(topology: Topology, origin: String) -> Self {
        OpenDocument {
            origin: Some(origin),
            ..OpenDocument::opened(topology, None)
        }
    }

    /// Unsaved changes? A document that was never saved counts as changed
    /// once edited.
    pub fn is_dirty(&self) -> bool {
        match &self.saved {
            Some(saved) => match self.dirty.get() {
                Some((revision, dirty)) if revision == self.revision => dirty,
                _ => {
                    let dirty = *saved != self.topology;
                    self.dirty.set(Some((self.revision, dirty)));
                    dirty
                }
            },
            None => self.origin.is_some() || !self.undo.is_empty(),
        }
    }

    /// Records that `topology` was written to `path`.
    pub fn mark_saved(&mut self, path: PathBuf, topology: Topology) {
        self.path = Some(path);
        self.saved = Some(topology);
        self.dirty.set(None);
    }

    /// Title for the window: `name — file.json *`.
    pub fn title(&self) -> String {
        let file = match &self.path {
            Some(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |f| f.to_string_lossy().into(),
            ),
            None => match &self.origin {
                Some(origin) => format!("{origin}, not saved yet"),
                None => "unsaved".to_owned(),
            },
        };
        let marker = if self.is_dirty() { " *" } else { "" };
        format!("{} — {file}{marker} — archsim", self.topology.name)
    }

    /// Changes the topology with `change`; on success the previous topology
    /// becomes an undo step (merged with the last one when both have the same
    /// `coalesce` key). On error nothing changes.
    pub fn change<E>(
        &mut self,
        label: String,
        coalesce: Option<String>,
        change: impl FnOnce(&mut Topology) -> Result<String, E>,
    ) -> Result<String, E> {
        let before = self.topology.clone();
        let summary = change(&mut self.topology)?;
        if self.topology == before {
            return Ok(summary);
        }
        let merge = coalesce.is_some()
            && self.redo.is_empty()
            && self.undo.last().is_some_and(|s| s.coalesce == coalesce);
        if !merge {
            self.undo.push(Step {
                before,
                label,
                coalesce,
            });
            if self.undo.len() > HISTORY_MAX {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.revision += 1;
        Ok(summary)
    }

    /// Ends merging: the next edit starts a new undo step even with the same
    /// coalesce key (called when a text field loses focus).
    pub fn seal(&mut self) {
        if let Some(step) = self.undo.last_mut() {
            step.coalesce = None;
        }
    }

    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// Goes back one step; returns its label.
    pub fn undo(&mut self) -> Option<String> {
        let step = self.undo.pop()?;
        let after = std::mem::replace(&mut self.topology, step.before);
        self.redo.push(Step {
            before: after,
            label: step.label.clone(),
            coalesce: None,
        });
        self.revision += 1;
        Some(step.label)
    }

    /// Goes forward one step; returns its label.
    pub fn redo(&mut self) -> Option<String> {
        let step = self.redo.pop()?;
        let before = std::mem::replace(&mut self.topology, step.before);
        self.undo.push(Step {
            before,
            label: step.label.clone(),
            coalesce: None,
        });
        self.revision += 1;
        Some(step.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> OpenDocument {
        let topology = crate::model::from_json_str(
            r#"{"name": "t", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}}]}"#,
        )
        .unwrap();
        OpenDocument::opened(topology, Some(PathBuf::from("t.json")))
    }

    fn rename(doc: &mut OpenDocument, name: &str, key: Option<&str>) {
        let name = name.to_owned();
        doc.change::<()>("rename".into(), key.map(Into::into), |t| {
            t.name = name;
            Ok(String::new())
        })
        .unwrap();
    }

    #[test]
    fn undo_and_redo_restore_each_step() {
        let mut doc = doc();
        rename(&mut doc, "one", None);
        rename(&mut doc, "two", None);
        assert!(doc.is_dirty());
        doc.undo();
        assert_eq!(doc.topology.name, "one");
        doc.undo();
        assert_eq!(doc.topology.name, "t");
        assert!(!doc.is_dirty());
        doc.redo();
        doc.redo();
        assert_eq!(doc.topology.name, "two");
        assert_eq!(doc.redo(), None);
    }

    #[test]
    fn typing_in_one_field_is_one_step_until_sealed() {
        let mut doc = doc();
        rename(&mut doc, "o", Some("name"));
        rename(&mut doc, "on", Some("name"));
        rename(&mut doc, "one", Some("name"));
        doc.seal();
        rename(&mut doc, "one!", Some("name"));
        doc.undo();
        assert_eq!(doc.topology.name, "one");
        doc.undo();
        assert_eq!(doc.topology.name, "t");
    }

    #[test]
    fn an_imported_document_is_unsaved_until_saved() {
        let topology = doc().topology;
        let mut doc = OpenDocument::imported(topology.clone(), "Imported from compose.yaml".into());
        assert!(doc.is_dirty());
        assert!(
            doc.title()
                .contains("Imported from compose.yaml, not saved yet *")
        );
        doc.mark_saved(PathBuf::from("t.json"), topology);
        assert!(!doc.is_dirty());
        assert!(doc.title().contains("t.json"));
    }

    #[test]
    fn saving_an_edited_document_makes_it_clean_at_once() {
        let mut doc = doc();
        rename(&mut doc, "one", None);
        assert!(doc.is_dirty());
        // Asked again at the same revision: the remembered answer.
        assert!(doc.is_dirty());
        doc.mark_saved(PathBuf::from("t.json"), doc.topology.clone());
        assert!(!doc.is_dirty());
        doc.undo();
        assert!(doc.is_dirty());
    }

    #[test]
    fn a_change_that_changes_nothing_is_not_recorded() {
        let mut doc = doc();
        rename(&mut doc, "t", None);
        assert_eq!(doc.undo_label(), None);
    }
}
