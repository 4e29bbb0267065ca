//! Colours of the graph for the light and the dark theme, and the small
//! styling the app applies on top of egui's defaults.

use egui::{Color32, Visuals};

use crate::model::ServiceKind;

use super::settings::ThemeChoice;

/// Colours used by the canvas.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub background: Color32,
    pub grid: Color32,
    pub node_fill: Color32,
    pub node_text: Color32,
    pub node_subtext: Color32,
    pub edge: Color32,
    pub edge_label: Color32,
    pub edge_label_bg: Color32,
    pub back_edge: Color32,
    pub selection: Color32,
    /// What the selected service depends on.
    pub downstream: Color32,
    /// What depends on the selected service.
    pub upstream: Color32,
    pub critical: Color32,
    pub group_fill: Color32,
    pub group_stroke: Color32,
    pub group_text: Color32,
    pub zone_stroke: Color32,
    pub ok: Color32,
    pub warn: Color32,
    pub bad: Color32,
    pub dark: bool,
}

impl Palette {
    pub fn for_visuals(visuals: &Visuals) -> Palette {
        if visuals.dark_mode {
            Palette::dark()
        } else {
            Palette::light()
        }
    }

    fn light() -> Palette {
        Palette {
            background: Color32::from_rgb(246, 247, 249),
            grid: Color32::from_rgb(228, 231, 236),
            node_fill: Color32::WHITE,
            node_text: Color32::from_rgb(28, 32, 40),
            node_subtext: Color32::from_rgb(96, 104, 118),
            edge: Color32::from_rgb(138, 148, 163),
            edge_label: Color32::from_rgb(60, 68, 82),
            edge_label_bg: Color32::from_rgba_unmultiplied(246, 247, 249, 230),
            back_edge: Color32::from_rgb(200, 92, 60),
            selection: Color32::from_rgb(37, 99, 235),
            downstream: Color32::from_rgb(14, 140, 160),
            upstream: Color32::from_rgb(170, 70, 200),
            critical: Color32::from_rgb(230, 120, 0),
            group_fill: Color32::from_rgba_unmultiplied(120, 130, 150, 14),
            group_stroke: Color32::from_rgb(196, 202, 212),
            group_text: Color32::from_rgb(90, 98, 112),
            zone_stroke: Color32::from_rgb(120, 160, 120),
            ok: Color32::from_rgb(34, 160, 90),
            warn: Color32::from_rgb(222, 150, 20),
            bad: Color32::from_rgb(215, 50, 50),
            dark: false,
        }
    }

    fn dark() -> Palette {
        Palette {
            background: Color32::from_rgb(24, 26, 31),
            grid: Color32::from_rgb(36, 39, 46),
            node_fill: Color32::from_rgb(40, 44, 52),
            node_text: Color32::from_rgb(232, 235, 240),
            node_subtext: Color32::from_rgb(160, 168, 180),
            edge: Color32::from_rgb(110, 120, 136),
            edge_label: Color32::from_rgb(200, 206, 216),
            edge_label_bg: Color32::from_rgba_unmultiplied(24, 26, 31, 220),
            back_edge: Color32::from_rgb(236, 120, 90),
            selection: Color32::from_rgb(96, 156, 255),
            downstream: Color32::from_rgb(40, 190, 210),
            upstream: Color32::from_rgb(206, 120, 236),
            critical: Color32::from_rgb(255, 160, 40),
            group_fill: Color32::from_rgba_unmultiplied(160, 170, 190, 10),
            group_stroke: Color32::from_rgb(62, 68, 80),
            group_text: Color32::from_rgb(150, 158, 172),
            zone_stroke: Color32::from_rgb(90, 140, 90),
            ok: Color32::from_rgb(60, 190, 110),
            warn: Color32::from_rgb(240, 175, 40),
            bad: Color32::from_rgb(240, 80, 80),
            dark: true,
        }
    }

    /// The accent of a kind: the node's icon and left stripe.
    pub fn kind(&self, kind: ServiceKind) -> Color32 {
        let (light, dark) = match kind {
            ServiceKind::Service => ((59, 110, 210), (110, 160, 250)),
            ServiceKind::Gateway => ((124, 77, 200), (170, 130, 245)),
            ServiceKind::Database => ((196, 120, 20), (240, 170, 70)),
            ServiceKind::Cache => ((200, 60, 90), (245, 110, 140)),
            ServiceKind::Queue => ((30, 140, 110), (70, 200, 160)),
            ServiceKind::External => ((100, 110, 125), (150, 160, 175)),
        };
        let (r, g, b) = if self.dark { dark } else { light };
        Color32::from_rgb(r, g, b)
    }

    /// Green, amber or red by utilization.
    pub fn utilization(&self, utilization: f64) -> Color32 {
        if utilization >= 0.85 {
            self.bad
        } else if utilization >= 0.6 {
            self.warn
        } else {
            self.ok
        }
    }
}

/// The icon drawn on a node of this kind (from egui's bundled icon font).
pub fn kind_icon(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Service => "⚙",
        ServiceKind::Gateway => "🚪",
        ServiceKind::Database => "🗄",
        ServiceKind::Cache => "⚡",
        ServiceKind::Queue => "☰",
        ServiceKind::External => "🌐",
    }
}

/// Applies the theme choice.
pub fn apply(ctx: &egui::Context, choice: ThemeChoice) {
    let preference = match choice {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    };
    ctx.set_theme(preference);
}

/// Scroll bars drawn wherever content overflows. egui's default bars float
/// and show only under the pointer, so a first-time user could not tell
/// that a panel holds more than it shows.
pub fn solid_scroll_bars(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| style.spacing.scroll = egui::style::ScrollStyle::solid());
}

/// egui's default fonts, with the monospace font (Hack) as a last fallback of
/// the proportional family: it has the arrows (→ ↑ ↓) that the UI uses.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if fonts.font_data.contains_key("Hack")
        && let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional)
    {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}
