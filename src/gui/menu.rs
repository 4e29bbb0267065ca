//! The menu bar and the keyboard shortcuts (shown in the menus).

use std::path::Path;

use egui::{Button, Key, KeyboardShortcut, Modifiers, Ui};

use super::command::{AppCommand, PanelId, Selection, ViewToggle};
use super::settings::{BottomTab, Settings, ThemeChoice};

const fn shortcut(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

const CMD_SHIFT: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};

pub const NEW: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::N);
pub const OPEN: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::O);
pub const IMPORT: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::I);
pub const SAVE: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::S);
pub const SAVE_AS: KeyboardShortcut = shortcut(CMD_SHIFT, Key::S);
pub const QUIT: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Q);
pub const UNDO: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Z);
pub const REDO: KeyboardShortcut = shortcut(CMD_SHIFT, Key::Z);
pub const REDO_Y: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Y);
pub const FIND: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::F);
pub const ADD_SERVICE: KeyboardShortcut = shortcut(CMD_SHIFT, Key::A);
pub const DELETE: KeyboardShortcut = shortcut(Modifiers::NONE, Key::Delete);
pub const FIT: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Num0);
pub const ZOOM_IN: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Equals);
pub const ZOOM_IN_PLUS: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Plus);
pub const ZOOM_OUT: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Minus);
pub const OUTLINE: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Num1);
pub const INSPECTOR: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Num2);
pub const BOTTOM: KeyboardShortcut = shortcut(Modifiers::COMMAND, Key::Num3);
pub const SCREENSHOT: KeyboardShortcut = shortcut(Modifiers::NONE, Key::F12);

/// Shortcuts that work while typing in a text field too.
const ALWAYS: [(KeyboardShortcut, fn() -> AppCommand); 16] = [
    // Longer combinations first, so that Ctrl+Shift+Z is not taken for Ctrl+Z.
    (SAVE_AS, || AppCommand::SaveAs),
    (REDO, || AppCommand::Redo),
    (ADD_SERVICE, || AppCommand::AddService),
    (NEW, || AppCommand::New),
    (OPEN, || AppCommand::Open),
    (IMPORT, || AppCommand::Import { folder: false }),
    (SAVE, || AppCommand::Save),
    (QUIT, || AppCommand::Quit),
    (UNDO, || AppCommand::Undo),
    (REDO_Y, || AppCommand::Redo),
    (FIND, || AppCommand::FocusSearch),
    (FIT, || AppCommand::FitView),
    (ZOOM_IN, || AppCommand::Zoom(1.25)),
    (ZOOM_IN_PLUS, || AppCommand::Zoom(1.25)),
    (ZOOM_OUT, || AppCommand::Zoom(0.8)),
    (SCREENSHOT, || AppCommand::Screenshot(None)),
];

const PANELS: [(KeyboardShortcut, PanelId); 3] = [
    (OUTLINE, PanelId::Outline),
    (INSPECTOR, PanelId::Inspector),
    (BOTTOM, PanelId::Bottom),
];

/// Takes this frame's shortcut key presses out of the input (so that text
/// fields do not also act on them) and turns them into commands.
pub fn consume_shortcuts(ctx: &egui::Context, selection: &Selection, out: &mut Vec<AppCommand>) {
    let typing = ctx.egui_wants_keyboard_input();
    ctx.input_mut(|input| {
        for (shortcut, command) in ALWAYS {
            if input.consume_shortcut(&shortcut) {
                out.push(command());
            }
        }
        for (shortcut, panel) in PANELS {
            if input.consume_shortcut(&shortcut) {
                out.push(AppCommand::TogglePanel(panel));
            }
        }
        if !typing {
            if input.consume_shortcut(&DELETE) || input.consume_key(Modifiers::NONE, Key::Backspace)
            {
                out.push(AppCommand::DeleteSelection);
            }
            if input.consume_key(Modifiers::NONE, Key::Escape) && *selection != Selection::None {
                out.push(AppCommand::Select(Selection::None));
            }
        }
    });
}

/// What the menus need to know.
pub struct MenuView<'a> {
    pub settings: &'a Settings,
    pub undo: Option<&'a str>,
    pub redo: Option<&'a str>,
    pub can_save: bool,
    pub selection: &'a Selection,
    pub sim: super::sim::MenuState,
    pub topology: &'a crate::model::Topology,
    /// An export is running (another cannot start).
    pub busy_exporting: bool,
}

fn item(ui: &mut Ui, text: &str, shortcut: Option<&KeyboardShortcut>, enabled: bool) -> bool {
    let mut button = Button::new(text);
    if let Some(shortcut) = shortcut {
        button = button.shortcut_text(ui.ctx().format_shortcut(shortcut));
    }
    ui.add_enabled(enabled, button).clicked()
}

pub fn menu_bar_ui(ui: &mut Ui, view: &MenuView, out: &mut Vec<AppCommand>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(ui, view, out));
        ui.menu_button("Edit", |ui| edit_menu_ui(ui, view, out));
        ui.menu_button("View", |ui| view_menu_ui(ui, view, out));
        ui.menu_button("Simulation", |ui| super::sim::menu_ui(ui, view.sim, out));
        ui.menu_button("Help", |ui| {
            ui.label("archsim — see your architecture, then simulate it.");
            ui.separator();
            ui.label("Drag the background to pan; scroll to zoom at the cursor.");
            ui.label("Drag a node to move it; drag its right handle (or Shift+drag) onto another to add a call.");
            ui.label("Double-click the background to add a service.");
            ui.label("Click a service to see what it calls and what calls it.");
        });
    });
}

fn file_menu_ui(ui: &mut Ui, view: &MenuView, out: &mut Vec<AppCommand>) {
    let mut push = |ui: &mut Ui,
                    text: &str,
                    shortcut: Option<&KeyboardShortcut>,
                    enabled: bool,
                    command: AppCommand| {
        if item(ui, text, shortcut, enabled) {
            out.push(command);
        }
    };
    push(ui, "New", Some(&NEW), true, AppCommand::New);
    push(ui, "Open…", Some(&OPEN), true, AppCommand::Open);
    push(ui, "Open path…", None, true, AppCommand::ShowOpenPathBox);
    ui.menu_button("Open recent", |ui| {
        if view.settings.recent_files.is_empty() {
            ui.weak("No recent files");
        }
        for path in &view.settings.recent_files {
            if ui
                .button(recent_label(path))
                .on_hover_text(path.display().to_string())
                .clicked()
            {
                out.push(AppCommand::OpenPath(path.clone()));
            }
        }
    });
    if item(ui, "Open built-in example", None, true) {
        out.push(AppCommand::OpenExample);
    }
    ui.separator();
    if item(ui, "Import…", Some(&IMPORT), true) {
        out.push(AppCommand::Import { folder: false });
    }
    if item(ui, "Import folder…", None, true) {
        out.push(AppCommand::Import { folder: true });
    }
    if item(ui, "Compare with traces…", None, true) {
        out.push(AppCommand::Traces(super::traces::TracesCommand::Pick));
    }
    ui.menu_button("Export", |ui| {
        super::export::export_menu_ui(ui, view.topology, view.selection, view.busy_exporting, out);
    });
    ui.separator();
    if item(ui, "Save", Some(&SAVE), view.can_save) {
        out.push(AppCommand::Save);
    }
    if item(ui, "Save as…", Some(&SAVE_AS), true) {
        out.push(AppCommand::SaveAs);
    }
    ui.separator();
    if item(ui, "Quit", Some(&QUIT), true) {
        out.push(AppCommand::Quit);
    }
}

fn recent_label(path: &Path) -> String {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    match path.parent().and_then(|p| p.file_name()) {
        Some(dir) => format!("{name}  —  {}", dir.to_string_lossy()),
        None => name,
    }
}

fn edit_menu_ui(ui: &mut Ui, view: &MenuView, out: &mut Vec<AppCommand>) {
    let undo = view
        .undo
        .map_or_else(|| "Undo".to_owned(), |label| format!("Undo {label}"));
    if item(ui, &undo, Some(&UNDO), view.undo.is_some()) {
        out.push(AppCommand::Undo);
    }
    let redo = view
        .redo
        .map_or_else(|| "Redo".to_owned(), |label| format!("Redo {label}"));
    if item(ui, &redo, Some(&REDO), view.redo.is_some()) {
        out.push(AppCommand::Redo);
    }
    ui.separator();
    if item(ui, "Add service", Some(&ADD_SERVICE), true) {
        out.push(AppCommand::AddService);
    }
    let deletable = matches!(
        view.selection,
        Selection::Service(_)
            | Selection::Edge { .. }
            | Selection::Entry(_)
            | Selection::Scenario(_)
    );
    if item(ui, "Delete selection", Some(&DELETE), deletable) {
        out.push(AppCommand::DeleteSelection);
    }
    ui.separator();
    if item(ui, "Find service…", Some(&FIND), true) {
        out.push(AppCommand::FocusSearch);
    }
    ui.separator();
    if item(ui, "Automatic layout (forget saved positions)", None, true) {
        out.push(AppCommand::edit(super::command::Edit::ClearLayout));
    }
}

fn view_menu_ui(ui: &mut Ui, view: &MenuView, out: &mut Vec<AppCommand>) {
    let s = view.settings;
    if item(ui, "Fit to window", Some(&FIT), true) {
        out.push(AppCommand::FitView);
    }
    if item(ui, "Zoom in", Some(&ZOOM_IN), true) {
        out.push(AppCommand::Zoom(1.25));
    }
    if item(ui, "Zoom out", Some(&ZOOM_OUT), true) {
        out.push(AppCommand::Zoom(0.8));
    }
    ui.separator();
    let mut toggle = |ui: &mut Ui, on: bool, text: &str, command: AppCommand| {
        let mut value = on;
        if ui.checkbox(&mut value, text).clicked() {
            out.push(command);
        }
    };
    toggle(
        ui,
        s.show_rates,
        "Calls per second on arrows",
        AppCommand::Toggle(ViewToggle::Rates),
    );
    toggle(
        ui,
        s.show_group_boxes,
        "Group boxes",
        AppCommand::Toggle(ViewToggle::GroupBoxes),
    );
    toggle(
        ui,
        s.show_zone_boxes,
        "Zone boxes",
        AppCommand::Toggle(ViewToggle::ZoneBoxes),
    );
    toggle(
        ui,
        s.show_blast_radius,
        "Blast radius of the selection",
        AppCommand::Toggle(ViewToggle::BlastRadius),
    );
    ui.separator();
    let mut panel =
        |ui: &mut Ui, on: bool, text: &str, shortcut: &KeyboardShortcut, id: PanelId| {
            let mut value = on;
            let response = ui.checkbox(&mut value, text);
            let response = response.on_hover_text(ui.ctx().format_shortcut(shortcut));
            if response.clicked() {
                out.push(AppCommand::TogglePanel(id));
            }
        };
    panel(
        ui,
        s.show_outline,
        "Outline panel",
        &OUTLINE,
        PanelId::Outline,
    );
    panel(
        ui,
        s.show_inspector,
        "Inspector panel",
        &INSPECTOR,
        PanelId::Inspector,
    );
    panel(
        ui,
        s.show_bottom,
        "Problems and analysis panel",
        &BOTTOM,
        PanelId::Bottom,
    );
    if ui.button("Show analysis").clicked() {
        out.push(AppCommand::ShowBottomTab(BottomTab::Analysis));
    }
    ui.separator();
    ui.menu_button("Theme", |ui| {
        for (choice, text) in [
            (ThemeChoice::System, "Follow system"),
            (ThemeChoice::Light, "Light"),
            (ThemeChoice::Dark, "Dark"),
        ] {
            if ui.radio(s.theme == choice, text).clicked() {
                out.push(AppCommand::SetTheme(choice));
            }
        }
    });
    ui.separator();
    if item(ui, "Save screenshot…", Some(&SCREENSHOT), true) {
        out.push(AppCommand::Screenshot(None));
    }
}
