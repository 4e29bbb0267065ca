//! Commands: panels read the app state and push [`AppCommand`]s; the app
//! applies them in one place at the end of the frame (`App::apply`), which is
//! also where undo history is recorded.

use std::path::PathBuf;

use crate::model::{Entry, Point, Scenario, Service, Slo};
use crate::report::ExportKind;

use super::problems::ProblemTarget;
use super::settings::{BottomTab, ThemeChoice};

/// What is selected: drives the inspector and the highlights.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    /// Nothing: the inspector shows the document's own fields.
    #[default]
    None,
    Service(String),
    /// All calls from one service to another.
    Edge {
        from: String,
        to: String,
    },
    /// A group (its box, or its node when collapsed).
    Group(String),
    /// An entry of the workload, by index.
    Entry(usize),
    /// A scenario, by index.
    Scenario(usize),
}

/// An answer to "save the changes before …?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsavedAnswer {
    /// Save (choosing a file if the document has none), then go ahead.
    Save,
    /// Drop the changes and go ahead.
    Discard,
    /// Do nothing.
    Cancel,
}

/// An answer to "restore unsaved changes?" (a crashed session's autosave).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryAnswer {
    /// Open the recovered document, unsaved, belonging to its file.
    Restore,
    /// Delete the recovery file.
    Discard,
    /// Keep the file and ask again at the next start.
    Later,
}

/// A panel that can be shown or hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelId {
    Outline,
    Inspector,
    Bottom,
}

/// A view toggle of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewToggle {
    Rates,
    GroupBoxes,
    ZoneBoxes,
    BlastRadius,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AppCommand {
    // Files. Those that would drop unsaved changes ask first.
    New,
    /// Shows the system dialog (on a background thread).
    Open,
    OpenPath(PathBuf),
    OpenExample,
    Save,
    /// Shows the system dialog.
    SaveAs,
    SaveAsPath(PathBuf),
    /// Closes the window (asks first about unsaved changes).
    Quit,
    /// The answer to "save the changes?" (see `PendingAction`).
    AnswerUnsaved(UnsavedAnswer),
    /// The answer to "restore unsaved changes?" about the newest recovery
    /// file of a session that ended without saving.
    AnswerRecovery(RecoveryAnswer),
    /// Shows the "type a path" box (the fallback when no dialog can open).
    ShowOpenPathBox,
    /// File → Import: shows the system dialog (several files may be
    /// chosen), or with `folder` the folder dialog.
    Import {
        folder: bool,
    },
    /// Imports these files (compose, Kubernetes, traces) as a new unsaved
    /// document, in the background.
    ImportPaths(Vec<PathBuf>),
    /// Closes the import report tab.
    DismissImportReport,
    /// File → Export ▸ kind: shows the save dialog.
    Export(ExportKind),
    /// Writes `kind` to the path, in the background (simulating first when
    /// the kind needs runs).
    ExportTo(ExportKind, PathBuf),
    /// Stops the running export's simulation.
    CancelExport,

    // History.
    Undo,
    Redo,
    /// Changes the document; undoable. Successive edits with the same
    /// `coalesce` key (typing in one field) become one undo step.
    Edit {
        edit: Edit,
        coalesce: Option<String>,
    },

    // View.
    Select(Selection),
    /// Selects the service and centres the view on it.
    Reveal(String),
    FitView,
    /// Multiplies the zoom, around the view's centre.
    Zoom(f32),
    SetTheme(ThemeChoice),
    TogglePanel(PanelId),
    ShowBottomTab(BottomTab),
    Toggle(ViewToggle),
    /// Hides or shows a group's services (a view filter, not an edit).
    SetGroupHidden {
        group: String,
        hidden: bool,
    },
    /// Highlights an entry's critical path (by entry index), or nothing.
    HighlightEntry(Option<usize>),
    /// Saves a PNG of the window: to this path, or via the dialog.
    Screenshot(Option<PathBuf>),
    /// Focuses the search box.
    FocusSearch,
    /// Adds a new service at the centre of the view.
    AddService,
    /// Deletes the selected service, calls, entry or scenario.
    DeleteSelection,
    /// Shows a message in the status bar.
    Status(String),
    /// Opens the file that failed validation, to fix it in the app.
    OpenFailedAnyway,
    DismissOpenFailure,
    /// Selects what a problem is about.
    SelectProblem(ProblemTarget),
    /// Runs, shows and compares simulations.
    Sim(super::sim::SimCommand),
    /// A command of the Experiments tab.
    Experiment(super::experiments::ExpCommand),
    /// File → Compare with traces… and its window.
    Traces(super::traces::TracesCommand),
}

impl AppCommand {
    /// An edit that is not merged with others in the history.
    pub fn edit(edit: Edit) -> Self {
        AppCommand::Edit {
            edit,
            coalesce: None,
        }
    }
}

/// A change of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    SetName(String),
    SetDescription(Option<String>),
    SetSlo(Option<Slo>),
    /// Replaces the service at `index` (the inspector edits a copy). Renames
    /// go through [`Edit::RenameService`] so that references follow.
    SetService {
        index: usize,
        service: Box<Service>,
    },
    RenameService {
        from: String,
        to: String,
    },
    /// Adds a service, optionally pinned at a position.
    AddService {
        service: Box<Service>,
        at: Option<Point>,
    },
    /// Deletes a service and every call, entry and scenario item naming it.
    DeleteService(String),
    /// Adds a call `from` → `to` to the first operation of `from`.
    AddCall {
        from: String,
        to: String,
    },
    /// Deletes every call from `from` to `to`.
    DeleteCalls {
        from: String,
        to: String,
    },
    SetEntry {
        index: usize,
        entry: Entry,
    },
    AddEntry(Entry),
    DeleteEntry(usize),
    SetScenario {
        index: usize,
        scenario: Box<Scenario>,
    },
    AddScenario(Box<Scenario>),
    DeleteScenario(usize),
    /// Moves a scenario to the front: the first scenario is the default.
    MakeDefaultScenario(usize),
    /// Saves node positions in the file's `layout`.
    MoveNodes(Vec<(String, Point)>),
    /// Forgets every saved position: back to the automatic layout.
    ClearLayout,
    SetGroupCollapsed {
        group: String,
        collapsed: bool,
    },
    /// Sets which groups are collapsed (all at once).
    SetCollapsedGroups(Vec<String>),
}

impl Edit {
    /// Shown in the Edit menu: "Undo `label`".
    pub fn label(&self) -> String {
        match self {
            Edit::SetName(_) => "rename document".into(),
            Edit::SetDescription(_) => "edit description".into(),
            Edit::SetSlo(_) => "edit SLO".into(),
            Edit::SetService { service, .. } => format!("edit {}", service.name),
            Edit::RenameService { from, to } => format!("rename {from} to {to}"),
            Edit::AddService { service, .. } => format!("add {}", service.name),
            Edit::DeleteService(name) => format!("delete {name}"),
            Edit::AddCall { from, to } => format!("add call {from} → {to}"),
            Edit::DeleteCalls { from, to } => format!("delete calls {from} → {to}"),
            Edit::SetEntry { entry, .. } => format!("edit entry {}", entry.display_name()),
            Edit::AddEntry(entry) => format!("add entry {}", entry.display_name()),
            Edit::DeleteEntry(_) => "delete entry".into(),
            Edit::SetScenario { scenario, .. } => format!("edit scenario {}", scenario.name),
            Edit::AddScenario(scenario) => format!("add scenario {}", scenario.name),
            Edit::DeleteScenario(_) => "delete scenario".into(),
            Edit::MakeDefaultScenario(_) => "make scenario the default".into(),
            Edit::MoveNodes(moved) if moved.len() == 1 => format!("move {}", moved[0].0),
            Edit::MoveNodes(_) => "move nodes".into(),
            Edit::ClearLayout => "automatic layout".into(),
            Edit::SetGroupCollapsed {
                group,
                collapsed: true,
            } => format!("collapse {group}"),
            Edit::SetGroupCollapsed {
                group,
                collapsed: false,
            } => format!("expand {group}"),
            Edit::SetCollapsedGroups(groups) if groups.is_empty() => "expand all groups".into(),
            Edit::SetCollapsedGroups(_) => "collapse groups".into(),
        }
    }
}
