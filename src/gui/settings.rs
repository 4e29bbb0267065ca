//! What the app remembers between runs (eframe persistence): recent files,
//! theme, which panels are open and the view toggles. Window size and panel
//! widths are persisted by eframe and egui themselves.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Storage key under which [`Settings`] are saved.
pub const STORAGE_KEY: &str = "archsim-settings";

/// At most this many recent files are remembered.
const RECENT_MAX: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    Light,
    Dark,
}

/// The bottom panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BottomTab {
    Problems,
    #[default]
    Analysis,
    /// The chosen scenario's settings and timeline.
    Scenario,
    Charts,
    Results,
    Compare,
    /// Replications, sweeps and capacity search.
    Experiments,
    /// The account of the last import (while it is shown).
    Import,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Most recent first.
    pub recent_files: Vec<PathBuf>,
    pub theme: ThemeChoice,
    pub show_outline: bool,
    pub show_inspector: bool,
    pub show_bottom: bool,
    pub bottom_tab: BottomTab,
    /// Label arrows with expected calls per second.
    pub show_rates: bool,
    pub show_group_boxes: bool,
    pub show_zone_boxes: bool,
    /// Dim what the selected service neither calls nor is called by.
    pub show_blast_radius: bool,
    /// Set once the built-in example was shown on a first start.
    pub example_shown: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent_files: Vec::new(),
            theme: ThemeChoice::System,
            show_outline: true,
            show_inspector: true,
            show_bottom: true,
            bottom_tab: BottomTab::Analysis,
            show_rates: true,
            show_group_boxes: true,
            show_zone_boxes: false,
            show_blast_radius: true,
            example_shown: false,
        }
    }
}

impl Settings {
    /// Puts `path` first in the recent files.
    pub fn remember(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent_files.retain(|p| *p != path);
        self.recent_files.insert(0, path);
        self.recent_files.truncate(RECENT_MAX);
    }

    pub fn forget(&mut self, path: &Path) {
        self.recent_files.retain(|p| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_most_recent_first_and_unique() {
        let mut settings = Settings::default();
        for name in ["/a.json", "/b.json", "/a.json"] {
            settings.remember(Path::new(name));
        }
        assert_eq!(
            settings.recent_files,
            vec![PathBuf::from("/a.json"), PathBuf::from("/b.json")]
        );
    }
}
