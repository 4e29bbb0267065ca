//! Charts of means with confidence intervals as SVG: one column per
//! category (an entry, or a swept value), a dot per series at the mean, a
//! vertical error bar over its interval, optional lines joining a series'
//! dots (a sweep), and an optional horizontal target line (an SLO).

use super::chart::{PALETTE, RED, nice_ticks, titled_canvas};
use super::escape;
use super::format;
use super::svg::{Anchor, elide, n, text_width};

/// One mean with its interval (`None` with a single replication).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalPoint {
    pub value: f64,
    pub ci: Option<[f64; 2]>,
}

/// The points of one series, one per category (`None`: no value there).
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalSeries {
    pub name: String,
    pub points: Vec<Option<IntervalPoint>>,
    pub color: String,
}

/// A chart of means and intervals over categories.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalChart {
    pub title: String,
    /// Unit of the values (`ms`, `rps`…), shown on the axis.
    pub unit: String,
    /// What the categories are (`entry`, `load`…), shown under the axis.
    pub x_label: String,
    pub categories: Vec<String>,
    pub series: Vec<IntervalSeries>,
    /// A horizontal line at this value, with its label (an SLO target).
    pub target: Option<(f64, String)>,
    /// Join each series' dots with a line (for ordered categories).
    pub joined: bool,
    /// A note under the legend.
    pub note: String,
}

const WIDTH: f64 = 560.0;
const PLOT_HEIGHT: f64 = 190.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 40.0;
const AXIS: f64 = 48.0;
const LEGEND_ROW: f64 = 20.0;

/// The value axis reaches at most this many times the target.
pub const CLIP_TARGETS: f64 = 4.0;

impl IntervalChart {
    /// The colour of series `i`.
    pub fn color(i: usize) -> String {
        PALETTE[i % (PALETTE.len() - 1)].to_owned()
    }

    /// The largest value to show: means, interval ends and the target.
    pub fn max_value(&self) -> f64 {
        let points = self.series.iter().flat_map(|s| s.points.iter().flatten());
        let tops = points.map(|p| p.ci.map_or(p.value, |ci| ci[1].max(p.value)));
        tops.chain(self.target.as_ref().map(|(v, _)| *v))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    }

    /// The top of the value axis: the largest value, but at most
    /// [`CLIP_TARGETS`] times the target, so that one overloaded point does
    /// not flatten the others against the axis (it is drawn at the top
    /// with its value).
    pub fn axis_top(&self) -> f64 {
        let max = self.max_value();
        match &self.target {
            Some((target, _)) if *target > 0.0 && max > CLIP_TARGETS * target => {
                CLIP_TARGETS * target
            }
            _ => max,
        }
    }

    /// The chart as a standalone SVG document (also valid inline in HTML).
    pub fn to_svg(&self) -> String {
        let legend_rows = if self.series.len() > 1 {
            self.series.len().div_ceil(3)
        } else {
            0
        };
        let legend_height = legend_rows as f64 * LEGEND_ROW
            + if self.note.is_empty() {
                0.0
            } else {
                LEGEND_ROW
            };
        let height = TOP + PLOT_HEIGHT + AXIS + legend_height + 8.0;
        let mut svg = titled_canvas(WIDTH, height, LEFT, &self.title);
        let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, TOP + PLOT_HEIGHT);
        let (ticks, top) = nice_ticks(self.axis_top(), 5);
        let y = |v: f64| y1 - (y1 - y0) * (v / top).clamp(0.0, 1.0);
        for &tick in &ticks {
            svg.line(
                x0,
                y(tick),
                x1,
                y(tick),
                "stroke=\"#e4e7ec\" stroke-width=\"1\"",
            );
            svg.text(
                x0 - 6.0,
                y(tick) + 4.0,
                Anchor::End,
                &format::trim(tick),
                "font-size=\"11\" fill=\"#606876\"",
            );
        }
        svg.text(
            x0 - 6.0,
            y0 - 8.0,
            Anchor::End,
            &self.unit,
            "font-size=\"11\" fill=\"#606876\"",
        );
        svg.line(x0, y1, x1, y1, "stroke=\"#8a94a3\" stroke-width=\"1\"");
        let count = self.categories.len().max(1);
        let slot = (x1 - x0) / count as f64;
        let x = |i: usize| x0 + slot * (i as f64 + 0.5);
        // Label every category when they fit, else every k-th.
        let widest = self
            .categories
            .iter()
            .map(|c| text_width(c, 11.0))
            .fold(0.0, f64::max);
        let every = ((widest + 8.0) / slot).ceil().max(1.0) as usize;
        for (i, label) in self.categories.iter().enumerate() {
            svg.line(x(i), y1, x(i), y1 + 4.0, "stroke=\"#8a94a3\"");
            if i % every == 0 {
                svg.text(
                    x(i),
                    y1 + 17.0,
                    Anchor::Middle,
                    &elide(label, slot * every as f64 - 4.0, 11.0),
                    "font-size=\"11\" fill=\"#606876\"",
                );
            }
        }
        svg.text(
            (x0 + x1) / 2.0,
            y1 + 36.0,
            Anchor::Middle,
            &self.x_label,
            "font-size=\"11\" fill=\"#3c4452\"",
        );
        if let Some((target, label)) = &self.target {
            let ty = y(*target);
            svg.line(
                x0,
                ty,
                x1,
                ty,
                &format!("stroke=\"{RED}\" stroke-width=\"1.4\" stroke-dasharray=\"6 4\""),
            );
            svg.text(
                x1 - 2.0,
                ty - 4.0,
                Anchor::End,
                label,
                &format!("font-size=\"10\" fill=\"{RED}\""),
            );
        }
        let series_count = self.series.len().max(1);
        let spread = (slot * 0.5).min(14.0 * series_count as f64);
        for (k, series) in self.series.iter().enumerate() {
            // Series side by side within a category, so bars do not overlap.
            let offset = if series_count > 1 {
                spread * (k as f64 / (series_count - 1) as f64 - 0.5)
            } else {
                0.0
            };
            let color = escape::xml(&series.color);
            svg.open_group_titled("class=\"series\"", &series.name);
            if self.joined {
                let mut data = String::new();
                let mut pen_down = false;
                for (i, p) in series.points.iter().enumerate() {
                    match p.filter(|p| p.value.is_finite()) {
                        Some(p) => {
                            data.push_str(if pen_down { " L" } else { " M" });
                            data.push_str(&format!("{},{}", n(x(i) + offset), n(y(p.value))));
                            pen_down = true;
                        }
                        None => pen_down = false,
                    }
                }
                if !data.is_empty() {
                    svg.path(
                        data.trim_start(),
                        &format!("fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\""),
                    );
                }
            }
            for (i, p) in series.points.iter().enumerate() {
                let Some(p) = p.filter(|p| p.value.is_finite()) else {
                    continue;
                };
                let cx = x(i) + offset;
                // A point above the axis gets no bar: its ends would be clipped too.
                let ci =
                    p.ci.filter(|c| c[0].is_finite() && c[1].is_finite() && p.value <= top);
                if let Some([lo, hi]) = ci {
                    let style = format!("stroke=\"{color}\" stroke-width=\"1.5\"");
                    svg.line(cx, y(lo), cx, y(hi), &style);
                    svg.line(cx - 4.0, y(lo), cx + 4.0, y(lo), &style);
                    svg.line(cx - 4.0, y(hi), cx + 4.0, y(hi), &style);
                }
                if p.value > top {
                    // Above the axis: a triangle at the top, with the value.
                    svg.polygon(
                        &[(cx - 5.0, y0 + 6.0), (cx + 5.0, y0 + 6.0), (cx, y0)],
                        &format!("fill=\"{color}\""),
                    );
                    svg.text(
                        cx + 7.0,
                        y0 + 8.0,
                        Anchor::Start,
                        &format!("{} {}", format::short(p.value), self.unit),
                        &format!("font-size=\"10\" fill=\"{color}\""),
                    );
                } else {
                    svg.ellipse(cx, y(p.value), 3.2, 3.2, &format!("fill=\"{color}\""));
                }
            }
            svg.close_group();
        }
        let mut legend_y = y1 + AXIS;
        if legend_rows > 0 {
            let column = (x1 - x0) / 3.0;
            for (k, series) in self.series.iter().enumerate() {
                let lx = x0 + column * (k % 3) as f64;
                let ly = legend_y + LEGEND_ROW * (k / 3) as f64 + 10.0;
                let color = escape::xml(&series.color);
                svg.line(
                    lx,
                    ly - 4.0,
                    lx + 16.0,
                    ly - 4.0,
                    &format!("stroke=\"{color}\" stroke-width=\"2.5\""),
                );
                svg.text(
                    lx + 21.0,
                    ly,
                    Anchor::Start,
                    &elide(&series.name, column - 26.0, 11.0),
                    "font-size=\"11\" fill=\"#3c4452\"",
                );
            }
            legend_y += legend_rows as f64 * LEGEND_ROW;
        }
        if !self.note.is_empty() {
            svg.text(
                x0,
                legend_y + 14.0,
                Anchor::Start,
                &self.note,
                "font-size=\"11\" fill=\"#606876\"",
            );
        }
        svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(target: Option<(f64, String)>) -> IntervalChart {
        IntervalChart {
            title: "p99 <by> entry".to_owned(),
            unit: "ms".to_owned(),
            x_label: "entry".to_owned(),
            categories: vec!["a".to_owned(), "b".to_owned()],
            series: vec![IntervalSeries {
                name: "p99".to_owned(),
                points: vec![
                    Some(IntervalPoint {
                        value: 10.0,
                        ci: Some([8.0, 12.0]),
                    }),
                    None,
                ],
                color: IntervalChart::color(0),
            }],
            target,
            joined: false,
            note: String::new(),
        }
    }

    #[test]
    fn the_axis_reaches_the_interval_and_the_target() {
        assert_eq!(chart(None).max_value(), 12.0);
        assert_eq!(chart(Some((50.0, "SLO".to_owned()))).max_value(), 50.0);
    }

    #[test]
    fn a_point_far_above_the_target_is_clipped_and_labelled() {
        let mut c = chart(Some((5.0, "SLO".to_owned())));
        // 12 is within 4 × 5 of the target: no clipping.
        assert_eq!(c.axis_top(), 12.0);
        c.series[0].points[1] = Some(IntervalPoint {
            value: 5538.0,
            ci: Some([5000.0, 6000.0]),
        });
        assert_eq!(c.axis_top(), 20.0);
        let svg = c.to_svg();
        assert!(svg.contains("<polygon"));
        // The clipped point has no error bar: only the first point's 3 lines
        // are 1.5 wide.
        assert_eq!(svg.matches("stroke-width=\"1.5\"").count(), 3);
        assert!(svg.contains("ms</text>"));
    }

    #[test]
    fn error_bars_and_target_are_drawn_and_text_escaped() {
        let svg = chart(Some((50.0, "SLO 50 ms".to_owned()))).to_svg();
        assert!(svg.contains("&lt;by&gt;"));
        assert!(svg.contains("SLO 50 ms"));
        // One dot, and an error bar of three lines for the one point.
        assert_eq!(svg.matches("<ellipse").count(), 1);
        assert!(svg.contains("stroke-dasharray=\"6 4\""));
    }
}
