//! The report as plain data, before it becomes HTML or Markdown: sections,
//! sentences made of [`Span`]s (so that names can be set apart and escaped
//! by each writer), tables of [`Cell`]s that keep the exact number next to
//! the rounded text, and charts. [`build`] assembles it from a topology and
//! its runs; [`super::html`] and [`super::markdown`] only lay it out.

use crate::graph::{self, Analysis};
use crate::model::Checked;

use super::chart::Chart;
use super::experiments::{self, ExperimentSection, Experiments, IntervalFigure};
use super::graph_svg::{self, GraphSvgOptions};
use super::scene::Scene;
use super::{Run, charts, escape, tables, verdicts, words};

/// A piece of a sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    /// A user-given name (service, entry, scenario, group, zone).
    Name(String),
    Strong(String),
    /// Good news (SLO met…).
    Good(String),
    /// Bad news (SLO missed, overloaded…).
    Bad(String),
}

/// A sentence or bullet.
pub type Line = Vec<Span>;

/// Shorthand for a text span.
pub fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

/// Shorthand for a name span.
pub fn name(s: impl Into<String>) -> Span {
    Span::Name(s.into())
}

/// The plain text of a line (for tooltips, alt texts and tests).
pub fn plain(line: &[Span]) -> String {
    line.iter()
        .map(|span| match span {
            Span::Text(s) | Span::Name(s) | Span::Strong(s) | Span::Good(s) | Span::Bad(s) => {
                s.as_str()
            }
        })
        .collect()
}

/// How a cell reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    Good,
    Warn,
    Bad,
    /// Not applicable / no data.
    Muted,
}

/// One table cell: the text shown and, for numbers, the exact value as it
/// is in the JSON summary (HTML keeps it in `data-value`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    pub value: Option<String>,
    pub numeric: bool,
    pub tone: Tone,
    /// A user-given name (set apart like [`Span::Name`]).
    pub is_name: bool,
    /// A tooltip.
    pub title: Option<String>,
    /// A second, smaller line (e.g. a delta, or what an entry calls).
    pub sub: Option<String>,
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    /// A cell holding a user-given name.
    pub fn name(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            is_name: true,
            ..Cell::default()
        }
    }

    /// A number shown as `shown`, exactly `value`.
    pub fn number(shown: impl Into<String>, value: f64) -> Cell {
        Cell {
            text: shown.into(),
            value: Some(exact(value)),
            numeric: true,
            ..Cell::default()
        }
    }

    /// A count.
    pub fn count(value: u64) -> Cell {
        Cell {
            text: super::format::count(value),
            value: Some(value.to_string()),
            numeric: true,
            ..Cell::default()
        }
    }

    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = tone;
        self
    }

    pub fn titled(mut self, title: impl Into<String>) -> Cell {
        self.title = Some(title.into());
        self
    }

    pub fn with_sub(mut self, sub: impl Into<String>) -> Cell {
        self.sub = Some(sub.into());
        self
    }

    /// A right-aligned text cell (e.g. a number with a delta).
    pub fn numeric_text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            numeric: true,
            ..Cell::default()
        }
    }
}

/// A number as serde_json writes it in the summary (shortest text that
/// reads back as the same `f64`).
pub fn exact(value: f64) -> String {
    serde_json::to_string(&value).unwrap_or_else(|_| "null".to_owned())
}

/// A column heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub text: String,
    pub numeric: bool,
    pub title: Option<String>,
    /// The summary field the column shows (`latency_ms.p99`), for tables
    /// of one entry or service per row.
    pub key: Option<&'static str>,
}

impl Header {
    pub fn new(text: &str, numeric: bool) -> Header {
        Header {
            text: text.to_owned(),
            numeric,
            title: None,
            key: None,
        }
    }

    /// A numeric column showing summary field `key`.
    pub fn keyed(text: &str, key: &'static str) -> Header {
        Header {
            key: Some(key),
            ..Header::new(text, true)
        }
    }

    pub fn titled(mut self, title: &str) -> Header {
        self.title = Some(title.to_owned());
        self
    }
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Identifies the table in the HTML (`data-table`), e.g. `entries`.
    pub kind: &'static str,
    pub caption: String,
    pub headers: Vec<Header>,
    pub rows: Vec<Vec<Cell>>,
    /// Said under the table (e.g. that it shows the top rows only).
    pub note: Option<String>,
    /// The full table, when this one shows only the top rows.
    pub full: Option<Box<Table>>,
}

/// A headline figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub label: String,
    pub value: String,
    pub detail: String,
    pub tone: Tone,
}

/// A chart with a file stem for the Markdown variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Safe file stem, e.g. `02-black-friday-latency-p99`.
    pub file_stem: String,
    pub chart: Chart,
}

/// One scenario's section.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSection {
    /// Safe anchor id, e.g. `scenario-2`.
    pub anchor: String,
    pub name: String,
    pub description: Option<String>,
    /// The setup in words (load, faults, scaling…).
    pub setup: Vec<Line>,
    pub kpis: Vec<Kpi>,
    /// What the run shows: bottleneck, SLO, errors.
    pub findings: Vec<Line>,
    pub figures: Vec<Figure>,
    /// Means with their confidence intervals (replicated runs only).
    pub interval_figures: Vec<IntervalFigure>,
    /// Said instead of charts that would be empty.
    pub chart_notes: Vec<Line>,
    pub tables: Vec<Table>,
    pub warnings: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub description: Vec<String>,
    /// Label/value pairs under the title.
    pub meta: Vec<(String, String)>,
    pub overview: Option<Table>,
    pub graph_svg: String,
    /// Natural width of the graph picture, in px.
    pub graph_width: f64,
    pub graph_caption: Line,
    pub architecture: Vec<Line>,
    pub slo_targets: Vec<Line>,
    pub slo: Option<Table>,
    pub scenarios: Vec<ScenarioSection>,
    pub comparison_intro: Vec<Line>,
    pub comparison: Vec<Table>,
    /// A sweep and a capacity search, after the scenarios.
    pub experiments: Vec<ExperimentSection>,
    pub notes: Vec<Line>,
}

/// Options of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The date shown, `YYYY-MM-DD` (see [`super::format::report_date`]).
    pub date: String,
    /// The archsim version shown.
    pub version: String,
    /// The input file's name (without directories), shown as the source.
    pub source_name: Option<String>,
}

impl ReportOptions {
    /// Today's date (or `SOURCE_DATE_EPOCH`'s) and this archsim's version.
    pub fn now(source_name: Option<String>) -> Result<ReportOptions, super::ReportError> {
        Ok(ReportOptions {
            date: super::format::report_date()?,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            source_name,
        })
    }
}

/// Graphs with more services than this are drawn with their groups
/// collapsed (a thousand boxes help nobody in a report).
pub const COLLAPSE_ABOVE_SERVICES: usize = 120;

/// A picture of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphPicture {
    pub svg: String,
    /// Natural size, in px.
    pub width: f64,
    pub height: f64,
    /// What it shows, for a caption.
    pub caption: Line,
}

/// The graph of `checked` as SVG, laid out as in the app. With
/// `collapse_large`, every group is collapsed above
/// [`COLLAPSE_ABOVE_SERVICES`] services; `title` draws the topology's name.
pub fn graph_picture(
    checked: &Checked,
    analysis: &Analysis,
    title: bool,
    collapse_large: bool,
) -> GraphPicture {
    let topology = checked.topology();
    let groups = topology
        .services
        .iter()
        .filter(|s| s.group.is_some())
        .count();
    let collapse =
        collapse_large && topology.services.len() > COLLAPSE_ABOVE_SERVICES && groups > 0;
    let figures = (!topology.workload.is_empty()).then_some(analysis);
    let scene = Scene::of(topology, figures, collapse);
    let mut caption = vec![text(format!(
        "Dependency graph: {} service{}",
        topology.services.len(),
        if topology.services.len() == 1 {
            ""
        } else {
            "s"
        }
    ))];
    if collapse {
        caption.push(text(format!(
            ", drawn as {} nodes with every group collapsed",
            scene.nodes.len()
        )));
    }
    caption.push(text(
        ". Calls flow left to right; labels give the expected calls per second at the workload's \
         base rates, and the bar under each node its expected utilization.",
    ));
    let options = GraphSvgOptions {
        title: if title {
            topology.name.clone()
        } else {
            String::new()
        },
        note: if collapse {
            format!(
                "{} services in {} nodes: groups collapsed",
                topology.services.len(),
                scene.nodes.len()
            )
        } else {
            String::new()
        },
        ..GraphSvgOptions::default()
    };
    let label = format!("Dependency graph of {}", topology.name);
    let (svg, width, height) = graph_svg::to_svg(&scene, &label, &options);
    GraphPicture {
        svg,
        width,
        height,
        caption,
    }
}

/// Assembles the report of `runs` (simulated scenarios of `checked`).
pub fn build(checked: &Checked, runs: &[Run], options: &ReportOptions) -> Document {
    build_with(checked, runs, &Experiments::default(), options)
}

/// Assembles the report of `runs` with the results of experiments: the
/// intervals of replicated runs (`experiments.intervals[i]` belongs to
/// `runs[i]`), a sweep and a capacity search.
pub fn build_with(
    checked: &Checked,
    runs: &[Run],
    experiments: &Experiments,
    options: &ReportOptions,
) -> Document {
    let intervals = |i: usize| experiments.intervals.get(i).and_then(Option::as_ref);
    let topology = checked.topology();
    let analysis = graph::analyze(checked);
    let picture = graph_picture(checked, &analysis, false, true);
    let mut meta = vec![
        ("Date".to_owned(), options.date.clone()),
        ("archsim".to_owned(), options.version.clone()),
    ];
    if let Some(source) = &options.source_name {
        meta.push(("Topology file".to_owned(), source.clone()));
    }
    meta.push((
        "Scenarios".to_owned(),
        runs.iter()
            .map(|r| r.summary.scenario.clone())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    if let Some(cis) = (0..runs.len()).find_map(intervals) {
        meta.push((
            "Replications".to_owned(),
            format!(
                "{} per scenario, {}% intervals",
                cis.replications,
                super::format::trim(cis.confidence * 100.0)
            ),
        ));
    }
    let scenarios: Vec<ScenarioSection> = runs
        .iter()
        .enumerate()
        .map(|(i, run)| scenario_section(checked, &analysis, run, i, intervals(i)))
        .collect();
    let slo = topology.slo.as_ref();
    let mut extra = Vec::new();
    if let Some(sweep) = &experiments.sweep {
        extra.push(experiments::sweep_section(sweep));
    }
    if let Some(found) = &experiments.capacity {
        extra.push(experiments::capacity_section(found));
    }
    let mut overview = (!runs.is_empty()).then(|| tables::overview(topology, runs));
    if let Some(table) = &mut overview {
        experiments::mark_overview(table, runs, &experiments.intervals);
    }
    let mut slo_table = slo
        .filter(|s| verdicts::has_targets(s) && !runs.is_empty())
        .map(|s| verdicts::slo_table(s, runs));
    if let (Some(table), Some(slo)) = (&mut slo_table, slo) {
        experiments::mark_slo(table, slo, runs, &experiments.intervals);
    }
    Document {
        title: topology.name.clone(),
        description: topology
            .description
            .as_deref()
            .map(paragraphs)
            .unwrap_or_default(),
        meta,
        overview,
        graph_svg: picture.svg,
        graph_width: picture.width,
        graph_caption: picture.caption,
        architecture: words::architecture(checked, &analysis),
        slo_targets: slo.map(verdicts::targets).unwrap_or_default(),
        slo: slo_table,
        scenarios,
        comparison_intro: match runs {
            [first, _, ..] => vec![vec![
                text("Each scenario against the first, "),
                name(first.summary.scenario.clone()),
                text(
                    ". Each value comes with its difference from that scenario; changes for the \
                     worse of more than 5% are highlighted.",
                ),
            ]],
            _ => Vec::new(),
        },
        comparison: if runs.len() > 1 {
            let mut tables = tables::comparison(topology, runs);
            tables.extend(super::cost::comparison(runs));
            tables
        } else {
            Vec::new()
        },
        experiments: extra,
        notes: words::method_notes(),
    }
}

/// Paragraphs of free text (split at blank lines, whitespace collapsed),
/// not yet escaped: each writer escapes them.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn scenario_section(
    checked: &Checked,
    analysis: &Analysis,
    run: &Run,
    index: usize,
    intervals: Option<&experiments::RunIntervals>,
) -> ScenarioSection {
    let topology = checked.topology();
    let summary = &run.summary;
    let stem = format!(
        "{:02}-{}",
        index + 1,
        escape::file_name(&summary.scenario, &format!("scenario-{}", index + 1))
    );
    let (figures, mut chart_notes) = charts::figures(topology, run, &stem);
    let mut tables = vec![
        tables::entries(summary),
        tables::services(topology, summary),
    ];
    let mut interval_figures = Vec::new();
    if let Some(cis) = intervals {
        experiments::mark_run_tables(&mut tables, summary, cis);
        interval_figures.extend(experiments::run_interval_figure(
            run,
            cis,
            topology.slo.as_ref(),
            &stem,
        ));
        chart_notes.push(experiments::run_interval_note(cis));
    }
    ScenarioSection {
        anchor: format!("scenario-{}", index + 1),
        name: summary.scenario.clone(),
        description: run
            .scenario
            .description
            .as_deref()
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
        setup: words::setup(topology, run),
        kpis: verdicts::kpis(topology, run)
            .into_iter()
            .chain(super::cost::kpi(summary))
            .collect(),
        findings: verdicts::findings(checked, analysis, run),
        figures,
        interval_figures,
        chart_notes,
        tables,
        warnings: summary.warnings.clone(),
    }
}
