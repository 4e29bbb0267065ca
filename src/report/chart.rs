//! Time-series line charts as SVG: nice axis ticks, one line per series
//! (gaps where a bucket has no value), the warm-up, fault windows and the
//! windows of the run's findings shaded and labelled, markers for scheduled
//! changes, and a legend.

use super::escape;
use super::format;
use super::svg::{Anchor, Svg, elide, n, text_width};

/// Colours of the series, in order (Tableau 10: distinct, colour-blind
/// friendly enough, readable on white), with its red last: red means
/// failures and SLO targets.
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#bab0ac", "#e15759",
];

/// The colour of failures.
pub const RED: &str = "#e15759";

/// The amber of the windows of a run's findings (as the app shades them).
pub const FINDING: &str = "#de9614";

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value per bucket; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
    pub color: String,
    pub dashed: bool,
}

/// What a shaded window stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandKind {
    Warmup,
    Fault,
    /// The window of one of the run's findings (`metrics::finding_windows`).
    Finding,
}

/// A shaded time window.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub start_s: f64,
    pub end_s: f64,
    pub label: String,
    pub kind: BandKind,
}

/// A vertical marker at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at_s: f64,
    pub label: String,
}

/// A chart of series over the buckets of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// Unit of the values, shown on the axis (`rps`, `ms`, `%`…).
    pub unit: String,
    /// Start of each bucket, in seconds.
    pub t_s: Vec<f64>,
    pub bucket_s: f64,
    /// End of the x axis (the run's duration).
    pub end_s: f64,
    pub series: Vec<Series>,
    pub bands: Vec<Band>,
    pub markers: Vec<Marker>,
    /// Values are ratios shown as percentages.
    pub percent: bool,
    /// The y axis reaches at least this (e.g. 1.0 for utilization).
    pub y_min_top: f64,
    /// A note under the legend (e.g. "top 6 of 25 services").
    pub note: String,
}

/// Size of the drawing, in SVG units (px).
pub const WIDTH: f64 = 560.0;
const PLOT_HEIGHT: f64 = 180.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 40.0;
const AXIS: f64 = 34.0;
const LEGEND_ROW: f64 = 20.0;

impl Chart {
    /// The largest value of any series (0 without values).
    pub fn max_value(&self) -> f64 {
        self.series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }

    /// Whether any series has a value above zero.
    pub fn has_data(&self) -> bool {
        self.max_value() > 0.0
    }

    /// The chart as a standalone SVG document (also valid inline in HTML).
    pub fn to_svg(&self) -> String {
        let rows = legend_rows(&self.series, WIDTH - LEFT - RIGHT);
        let legend_height = rows.len() as f64 * LEGEND_ROW
            + if self.note.is_empty() {
                0.0
            } else {
                LEGEND_ROW
            };
        let band_rows = self.band_label_rows();
        let top = TOP + 14.0 * band_rows.iter().copied().max().unwrap_or(0) as f64;
        let height = top + PLOT_HEIGHT + AXIS + legend_height + 8.0;
        let mut svg = titled_canvas(WIDTH, height, LEFT, &self.title);
        let plot = Plot {
            x0: LEFT,
            x1: WIDTH - RIGHT,
            y0: top,
            y1: top + PLOT_HEIGHT,
            end_s: self.end_s.max(self.bucket_s).max(1e-9),
            y_top: 1.0,
        };
        let (ticks, y_top) = nice_ticks(self.max_value().max(self.y_min_top), 5);
        let plot = Plot { y_top, ..plot };
        self.draw_bands(&mut svg, &plot, &band_rows);
        self.draw_axes(&mut svg, &plot, &ticks);
        for (marker, row) in self.markers.iter().zip(&band_rows[self.bands.len()..]) {
            let x = plot.x(marker.at_s);
            let y = plot.y0 - 5.0 - 14.0 * *row as f64;
            svg.line(
                x,
                y + 3.0,
                x,
                plot.y1,
                "stroke=\"#5a6270\" stroke-width=\"1\" stroke-dasharray=\"3 3\"",
            );
            svg.text(
                x + 3.0,
                y,
                Anchor::Start,
                &marker_label(marker),
                "font-size=\"10\" fill=\"#3c4452\"",
            );
        }
        for series in &self.series {
            self.draw_series(&mut svg, &plot, series);
        }
        let legend_y = plot.y1 + AXIS;
        draw_legend(&mut svg, &rows, legend_y);
        if !self.note.is_empty() {
            svg.text(
                LEFT,
                legend_y + rows.len() as f64 * LEGEND_ROW + 14.0,
                Anchor::Start,
                &self.note,
                "font-size=\"11\" fill=\"#606876\"",
            );
        }
        svg.finish()
    }

    /// Row (0, 1, …) of each label above the plot — the bands' first,
    /// then the markers' — so that labels do not overlap.
    fn band_label_rows(&self) -> Vec<usize> {
        let scale = (WIDTH - LEFT - RIGHT) / self.end_s.max(1e-9);
        let labels = self
            .bands
            .iter()
            .map(|b| (b.start_s, band_label(b, scale)))
            .chain(self.markers.iter().map(|m| (m.at_s, marker_label(m))));
        let mut ends: Vec<f64> = Vec::new();
        labels
            .map(|(at_s, label)| {
                let x = LEFT + at_s.clamp(0.0, self.end_s.max(0.0)) * scale;
                let w = text_width(&label, 10.0) + 8.0;
                let row = ends.iter().position(|&end| end <= x).unwrap_or(ends.len());
                if row == ends.len() {
                    ends.push(0.0);
                }
                ends[row] = x + w;
                row
            })
            .collect()
    }

    fn draw_bands(&self, svg: &mut Svg, plot: &Plot, rows: &[usize]) {
        for (band, row) in self.bands.iter().zip(rows) {
            let x0 = plot.x(band.start_s.max(0.0));
            let x1 = plot.x(band.end_s.min(plot.end_s));
            if x1 <= x0 {
                continue;
            }
            let (fill, opacity, text) = match band.kind {
                BandKind::Warmup => ("#9aa3b0", "0.16", "#5a6270"),
                BandKind::Fault => ("#e15759", "0.13", "#b8323a"),
                BandKind::Finding => (FINDING, "0.14", "#8a5a00"),
            };
            svg.rect(
                x0,
                plot.y0,
                x1 - x0,
                plot.y1 - plot.y0,
                0.0,
                &format!("fill=\"{fill}\" fill-opacity=\"{opacity}\""),
            );
            let y = plot.y0 - 5.0 - 14.0 * *row as f64;
            svg.line(
                x0,
                y + 3.0,
                x0,
                plot.y0,
                &format!("stroke=\"{text}\" stroke-width=\"0.8\""),
            );
            svg.text(
                x0 + 3.0,
                y,
                Anchor::Start,
                &band_label(band, (plot.x1 - plot.x0) / plot.end_s),
                &format!("font-size=\"10\" fill=\"{text}\""),
            );
        }
    }

    fn draw_axes(&self, svg: &mut Svg, plot: &Plot, ticks: &[f64]) {
        for &tick in ticks {
            let y = plot.y(tick);
            svg.line(
                plot.x0,
                y,
                plot.x1,
                y,
                "stroke=\"#e4e7ec\" stroke-width=\"1\"",
            );
            let label = if self.percent {
                format!("{}%", format::trim(tick * 100.0))
            } else {
                tick_label(tick)
            };
            svg.text(
                plot.x0 - 6.0,
                y + 4.0,
                Anchor::End,
                &label,
                "font-size=\"11\" fill=\"#606876\"",
            );
        }
        let unit = if self.percent { "%" } else { &self.unit };
        svg.text(
            plot.x0 - 6.0,
            plot.y0 - 8.0,
            Anchor::End,
            unit,
            "font-size=\"11\" fill=\"#606876\"",
        );
        svg.line(
            plot.x0,
            plot.y1,
            plot.x1,
            plot.y1,
            "stroke=\"#8a94a3\" stroke-width=\"1\"",
        );
        let (time_ticks, minutes) = time_ticks(plot.end_s);
        for t in time_ticks {
            let x = plot.x(t);
            svg.line(x, plot.y1, x, plot.y1 + 4.0, "stroke=\"#8a94a3\"");
            let label = if minutes {
                format!("{} min", format::trim(t / 60.0))
            } else {
                format!("{} s", format::trim(t))
            };
            svg.text(
                x,
                plot.y1 + 17.0,
                Anchor::Middle,
                &label,
                "font-size=\"11\" fill=\"#606876\"",
            );
        }
    }

    fn draw_series(&self, svg: &mut Svg, plot: &Plot, series: &Series) {
        let mut data = String::new();
        let mut pen_down = false;
        let half = self.bucket_s / 2.0;
        let mut single_points = Vec::new();
        for (i, value) in series.values.iter().enumerate() {
            let (Some(t), Some(v)) = (self.t_s.get(i), value.filter(|v| v.is_finite())) else {
                pen_down = false;
                continue;
            };
            let x = plot.x((t + half).min(plot.end_s));
            let y = plot.y(v);
            let isolated = !pen_down
                && series
                    .values
                    .get(i + 1)
                    .is_none_or(|next| next.is_none_or(|v| !v.is_finite()));
            if isolated {
                single_points.push((x, y));
            }
            data.push_str(if pen_down { " L" } else { " M" });
            data.push_str(&format!("{},{}", n(x), n(y)));
            pen_down = true;
        }
        let dash = if series.dashed {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        };
        svg.open_group_titled("class=\"series\"", &series.name);
        if !data.is_empty() {
            svg.path(
                data.trim_start(),
                &format!(
                    "fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" stroke-linejoin=\"round\"{dash}",
                    escape::xml(&series.color)
                ),
            );
        }
        for (x, y) in single_points {
            svg.ellipse(
                x,
                y,
                2.0,
                2.0,
                &format!("fill=\"{}\"", escape::xml(&series.color)),
            );
        }
        svg.close_group();
    }
}

/// A chart's SVG: white, `width` × `height`, with `title` in bold at the
/// top left (its left edge at `left`, the plot's).
pub fn titled_canvas(width: f64, height: f64, left: f64, title: &str) -> Svg {
    let mut svg = Svg::new(width, height, [0.0, 0.0, width, height], title, "chart");
    svg.rect(0.0, 0.0, width, height, 0.0, "fill=\"#ffffff\"");
    svg.text(
        left,
        20.0,
        Anchor::Start,
        title,
        "font-size=\"13\" font-weight=\"bold\" fill=\"#1c2028\"",
    );
    svg
}

/// A band's label: up to 200 px, or as wide as the band when it is wider
/// (`px_per_s` is the plot's scale).
fn band_label(band: &Band, px_per_s: f64) -> String {
    let width = ((band.end_s - band.start_s) * px_per_s).max(200.0);
    elide(&band.label, width, 10.0)
}

fn marker_label(marker: &Marker) -> String {
    elide(&marker.label, 200.0, 10.0)
}

struct Plot {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    end_s: f64,
    y_top: f64,
}

impl Plot {
    fn x(&self, t_s: f64) -> f64 {
        self.x0 + (self.x1 - self.x0) * (t_s / self.end_s).clamp(0.0, 1.0)
    }

    fn y(&self, value: f64) -> f64 {
        let top = if self.y_top > 0.0 { self.y_top } else { 1.0 };
        self.y1 - (self.y1 - self.y0) * (value / top).clamp(0.0, 1.0)
    }
}

/// Ticks from 0 to a nice top at or above `max` (about `count` of them),
/// and that top.
pub fn nice_ticks(max: f64, count: usize) -> (Vec<f64>, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let steps = (max / step - 1e-9).ceil().max(1.0) as usize;
    let ticks = (0..=steps).map(|i| i as f64 * step).collect();
    (ticks, steps as f64 * step)
}

fn tick_label(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{}k", format::trim(value / 1000.0))
    } else {
        format::trim(value)
    }
}

/// Ticks of the time axis, and whether to label them in minutes.
fn time_ticks(end_s: f64) -> (Vec<f64>, bool) {
    const STEPS_S: [f64; 12] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ];
    let step = STEPS_S
        .iter()
        .copied()
        .find(|s| end_s / s <= 10.0)
        .unwrap_or_else(|| (end_s / 10.0 / 3600.0).ceil() * 3600.0);
    let count = (end_s / step + 1e-9).floor() as usize;
    let ticks = (0..=count).map(|i| i as f64 * step).collect();
    (ticks, end_s > 900.0)
}

fn legend_rows(series: &[Series], width: f64) -> Vec<Vec<(String, String, bool)>> {
    let mut rows: Vec<Vec<(String, String, bool)>> = Vec::new();
    let mut used = f64::INFINITY;
    for s in series {
        let label = elide(&s.name, 260.0, 11.0);
        let w = 26.0 + text_width(&label, 11.0) + 18.0;
        if used + w > width {
            rows.push(Vec::new());
            used = 0.0;
        }
        if let Some(row) = rows.last_mut() {
            row.push((label, s.color.clone(), s.dashed));
        }
        used += w;
    }
    rows
}

fn draw_legend(svg: &mut Svg, rows: &[Vec<(String, String, bool)>], y0: f64) {
    for (r, row) in rows.iter().enumerate() {
        let y = y0 + LEGEND_ROW * r as f64 + 10.0;
        let mut x = LEFT;
        for (label, color, dashed) in row {
            let dash = if *dashed {
                " stroke-dasharray=\"5 3\""
            } else {
                ""
            };
            svg.line(
                x,
                y,
                x + 20.0,
                y,
                &format!(
                    "stroke=\"{}\" stroke-width=\"2.5\"{dash}",
                    escape::xml(color)
                ),
            );
            svg.text(
                x + 26.0,
                y + 4.0,
                Anchor::Start,
                label,
                "font-size=\"11\" fill=\"#3c4452\"",
            );
            x += 26.0 + text_width(label, 11.0) + 18.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_nice() {
        assert_eq!(nice_ticks(0.93, 5).1, 1.0);
        assert_eq!(nice_ticks(570.0, 5).1, 600.0);
        assert_eq!(nice_ticks(0.0, 5).1, 1.0);
        let (ticks, top) = nice_ticks(42.0, 5);
        assert_eq!(ticks, vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        assert_eq!(top, 50.0);
    }

    #[test]
    fn time_ticks_fit() {
        let (ticks, minutes) = time_ticks(300.0);
        assert_eq!(ticks.len(), 11);
        assert!(!minutes);
        assert!(time_ticks(3600.0).1);
    }
}
