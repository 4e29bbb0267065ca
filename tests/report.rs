//! Reports and exports: a report for every example scenario, well-formed
//! HTML whose tables equal the JSON summary, Markdown with its images,
//! CSV and JSON data, graph SVG/PNG/DOT/Mermaid, hostile names escaped in
//! every format, safe file names, and never writing over the input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use archsim::metrics::Summary;
use archsim::model::{self, Checked, Scenario};
use archsim::report::{self, ExportInput, ExportKind, ReportOptions, Run};
use serde_json::Value;

fn options() -> ReportOptions {
    ReportOptions {
        date: "2026-01-01".to_owned(),
        version: "test".to_owned(),
        source_name: Some("topology.json".to_owned()),
    }
}

fn load(path: &Path) -> Checked {
    model::load_checked_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// `scenario` with every time multiplied by `f` (so that faults, ramps and
/// steps still happen inside a shorter run).
fn scaled(mut s: Scenario, f: f64) -> Scenario {
    s.duration_s *= f;
    s.warmup_s *= f;
    s.bucket_s = s.bucket_s.map(|b| (b * f).max(0.1));
    for change in &mut s.load {
        change.at_s *= f;
        change.ramp_s = change.ramp_s.map(|v| v * f);
        change.duration_s = change.duration_s.map(|v| v * f);
        change.period_s = change.period_s.map(|v| v * f);
    }
    for fault in &mut s.faults {
        let (at, duration) = fault.window_mut();
        *at *= f;
        *duration = duration.map(|d| d * f);
    }
    for step in &mut s.scaling {
        step.at_s *= f;
    }
    s
}

/// Every scenario of `checked`, shortened to at most `max_s` simulated seconds.
fn short_runs(checked: &Checked, max_s: f64) -> Vec<Run> {
    let scenarios: Vec<Scenario> = report::runs::select_scenarios(checked.topology(), &[], true)
        .expect("scenarios")
        .into_iter()
        .map(|s| {
            let f = (max_s / s.duration_s).min(1.0);
            scaled(s, f)
        })
        .collect();
    report::runs::run_scenarios(checked, &scenarios, &mut |_| {}, None).expect("runs")
}

fn export_to(
    kind: ExportKind,
    checked: &Checked,
    runs: &[Run],
    path: &Path,
) -> Result<Vec<PathBuf>, report::ReportError> {
    let options = options();
    let input = ExportInput {
        checked,
        runs,
        options: &options,
        source: None,
    };
    report::export(kind, &input, path)
}

fn parse_xml(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}"))
}

fn class_is(node: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

/// The text of a node and its descendants.
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// The value at a dotted path (`latency_ms.p99`) of a JSON object.
fn at_path<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(value, |v, key| v.get(key).unwrap_or(&Value::Null))
}

/// A number as shown in a table (`1,234`, `12.3%`, `−0.5`) and the largest
/// difference its rounding allows.
fn shown_number(text: &str) -> Option<(f64, f64)> {
    let clean: String = text.replace(',', "").replace('−', "-").trim().to_owned();
    let (number, scale) = match clean.strip_suffix('%') {
        Some(n) => (n.to_owned(), 0.01),
        None => (clean, 1.0),
    };
    let value: f64 = number.parse().ok()?;
    let decimals = number.split_once('.').map_or(0, |(_, f)| f.len());
    let tolerance = 0.5 * 10f64.powi(-(decimals as i32)) * scale * 1.000_001;
    Some((value * scale, tolerance))
}

/// Checks a per-entry or per-service table against the summary's list:
/// one row per item in order, every keyed cell's exact value equal to the
/// JSON's, and its text equal to it after rounding. Returns the cells checked.
fn check_table(table: roxmltree::Node<'_, '_>, items: &[Value], what: &str) -> usize {
    let headers: Vec<Option<&str>> = table
        .descendants()
        .filter(|n| n.has_tag_name("thead"))
        .flat_map(|thead| thead.descendants().filter(|n| n.has_tag_name("th")))
        .map(|th| th.attribute("data-key"))
        .collect();
    let rows: Vec<_> = table
        .descendants()
        .filter(|n| n.has_tag_name("tbody"))
        .flat_map(|b| b.children().filter(|n| n.has_tag_name("tr")))
        .collect();
    assert_eq!(rows.len(), items.len(), "{what}: one row per item");
    let mut checked = 0;
    for (row, item) in rows.iter().zip(items) {
        let cells: Vec<_> = row.children().filter(|n| n.is_element()).collect();
        assert_eq!(cells.len(), headers.len(), "{what}: cells per row");
        // The name's own text: around its break opportunities (<wbr/>),
        // before the line under it (span.sub).
        let name: String = cells[0]
            .children()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            name,
            xml_safe(item["name"].as_str().unwrap_or_default()),
            "{what}: row names in summary order"
        );
        for (cell, key) in cells.iter().zip(&headers) {
            let Some(key) = key else { continue };
            let expected = at_path(item, key)
                .as_f64()
                .unwrap_or_else(|| panic!("{what}: {key} is a number in the summary"));
            let exact: f64 = cell
                .attribute("data-value")
                .unwrap_or_else(|| panic!("{what}: {key} has data-value"))
                .parse()
                .expect("data-value is a number");
            assert_eq!(exact, expected, "{what} {name}: {key} (exact)");
            let shown = cell
                .first_child()
                .and_then(|n| n.text())
                .unwrap_or_default();
            if shown == "100%" {
                assert!(
                    expected >= 1.0 - 1e-12,
                    "{what} {name}: {key} shown as 100%"
                );
            } else {
                let (value, tolerance) = shown_number(shown)
                    .unwrap_or_else(|| panic!("{what} {name}: {key} shows {shown:?}"));
                assert!(
                    (value - expected).abs() <= tolerance,
                    "{what} {name}: {key} shows {shown}, the summary says {expected}"
                );
            }
            checked += 1;
        }
    }
    checked
}

/// `text` as the report writes it: characters XML cannot hold become U+FFFD.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Parses a report, checks what every report must have, and that each
/// run's tables equal its summary. Returns the number of cells checked.
fn check_html(html: &str, runs: &[Run]) -> usize {
    let doc = parse_xml(html);
    for node in doc.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        assert!(
            !matches!(
                tag,
                "script"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "link"
                    | "img"
                    | "image"
                    | "foreignObject"
            ),
            "no scripts or external content: <{tag}>"
        );
        for attribute in node.attributes() {
            let name = attribute.name();
            assert!(!name.starts_with("on"), "no event handlers: {name}");
            assert!(name != "src", "no external sources");
            if name == "href" {
                assert!(attribute.value().starts_with('#'), "links stay inside");
            }
        }
    }
    let svgs: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("svg"))
        .collect();
    assert_eq!(
        svgs.iter().filter(|n| class_is(n, "graph")).count(),
        1,
        "the report has the graph"
    );
    let graph = svgs.iter().find(|n| class_is(n, "graph")).expect("graph");
    assert!(
        graph
            .descendants()
            .filter(|n| n.has_tag_name("g") && class_is(n, "node"))
            .count()
            > 0,
        "the graph has nodes"
    );
    let mut cells = 0;
    for run in runs {
        let summary: Value = serde_json::to_value(&run.summary).expect("summary");
        let scenario = xml_safe(&run.summary.scenario);
        let section = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("section") && n.attribute("data-scenario") == Some(scenario.as_str())
            })
            .unwrap_or_else(|| panic!("a section for scenario {}", run.summary.scenario));
        let charts = section
            .descendants()
            .filter(|n| n.has_tag_name("svg") && class_is(n, "chart"))
            .count();
        assert!(charts >= 3, "scenario {}: charts", run.summary.scenario);
        for chart in section
            .descendants()
            .filter(|n| n.has_tag_name("svg") && class_is(n, "chart"))
        {
            assert!(
                chart
                    .descendants()
                    .any(|n| n.has_tag_name("path") || n.has_tag_name("ellipse")),
                "every chart draws something"
            );
        }
        for (kind, list) in [("entries", "entrypoints"), ("services", "services")] {
            let table = section
                .descendants()
                .find(|n| n.has_tag_name("table") && n.attribute("data-table") == Some(kind))
                .unwrap_or_else(|| panic!("a {kind} table"));
            let items = summary[list].as_array().expect("list");
            cells += check_table(table, items, &format!("{} {kind}", run.summary.scenario));
        }
    }
    cells
}

#[test]
fn a_report_for_every_example_scenario_matches_its_summaries() {
    let dir = tempfile::tempdir().expect("temp dir");
    for path in super::format::example_paths() {
        let checked = load(&path);
        let large = checked.topology().services.len() > 200;
        let runs = short_runs(&checked, if large { 6.0 } else { 20.0 });
        assert_eq!(runs.len(), checked.topology().scenarios.len().max(1));
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let html_path = dir.path().join(format!("{stem}.html"));
        export_to(ExportKind::ReportHtml, &checked, &runs, &html_path).expect("html report");
        let html = std::fs::read_to_string(&html_path).expect("report");
        let cells = check_html(&html, &runs);
        assert!(cells > 100, "{stem}: {cells} cells checked");
        if runs.len() > 1 {
            assert!(html.contains("id=\"comparison\""), "{stem}: comparison");
        }
        let md_path = dir.path().join(format!("{stem}.md"));
        let written =
            export_to(ExportKind::ReportMarkdown, &checked, &runs, &md_path).expect("markdown");
        check_markdown(&md_path, &written);
    }
}

/// The Markdown links every image it wrote, and every image is well-formed SVG.
fn check_markdown(path: &Path, written: &[PathBuf]) {
    let text = std::fs::read_to_string(path).expect("markdown");
    let dir = path.parent().expect("folder");
    assert_eq!(written[0], path);
    assert!(written.len() >= 4, "graph and charts: {written:?}");
    for image in &written[1..] {
        let relative = image.strip_prefix(dir).expect("beside the Markdown");
        let link = format!("]({})", relative.display());
        assert!(text.contains(&link), "{link} is linked");
        let svg = std::fs::read_to_string(image).expect("image");
        parse_xml(&svg);
    }
}

#[test]
fn a_full_run_report_from_the_cli_equals_archsim_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("three-tier.html");
    let file = example("three-tier.json");
    let report = archsim_env(
        &[
            "report",
            path_str(&file),
            "--scenario",
            "baseline",
            "--out",
            path_str(&out),
        ],
        &[("SOURCE_DATE_EPOCH", "0")],
    );
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let run = archsim_env(
        &[
            "run",
            path_str(&file),
            "--scenario",
            "baseline",
            "--json",
            "-",
        ],
        &[],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let summary: Summary = serde_json::from_slice(&run.stdout).expect("summary JSON");
    assert_eq!(summary.duration_s, 180.0, "the full scenario ran");
    let scenario = load(&file).topology().scenarios[0].clone();
    let html = std::fs::read_to_string(&out).expect("report");
    let cells = check_html(&html, &[Run { scenario, summary }]);
    assert!(cells > 50);
    assert!(
        html.contains("1970-01-01"),
        "SOURCE_DATE_EPOCH dates the report"
    );
    assert!(html.contains("Three-tier web app"));
}

#[test]
fn reports_are_reproducible_and_the_date_can_be_fixed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = example("three-tier.json");
    let mut texts = Vec::new();
    for name in ["a.html", "b.html"] {
        let out = dir.path().join(name);
        let output = archsim_env(
            &[
                "report",
                path_str(&file),
                "--all-scenarios",
                "--duration-s",
                "30",
                "--seed",
                "5",
                "--out",
                path_str(&out),
            ],
            &[("SOURCE_DATE_EPOCH", "1767225600")],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        texts.push(std::fs::read(&out).expect("report"));
    }
    assert_eq!(texts[0], texts[1], "same input, same report, byte for byte");
    let html = String::from_utf8(texts.swap_remove(0)).expect("UTF-8");
    assert!(html.contains("2026-01-01"));
    assert!(html.contains("seed 5"));

    let bad = archsim_env(
        &[
            "report",
            path_str(&file),
            "--out",
            path_str(&dir.path().join("c.html")),
        ],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("SOURCE_DATE_EPOCH"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn csv_and_json_exports_equal_the_summary() {
    let checked = load(&example("shop.json"));
    let runs = short_runs(&checked, 12.0);
    let dir = tempfile::tempdir().expect("temp dir");

    let path = dir.path().join("timeseries.csv");
    export_to(ExportKind::TimeseriesCsv, &checked, &runs, &path).expect("csv");
    let mut reader = csv::Reader::from_path(&path).expect("csv reads");
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["scenario", "t_s", "kind", "name", "metric", "value"]
    );
    let summaries: Vec<Value> = runs
        .iter()
        .map(|r| serde_json::to_value(&r.summary).expect("json"))
        .collect();
    let mut rows = 0usize;
    for record in reader.records() {
        let record = record.expect("record");
        let run = runs
            .iter()
            .position(|r| r.summary.scenario == record[0])
            .expect("scenario");
        let series = &summaries[run]["timeseries"];
        let t_s: f64 = record[1].parse().expect("t_s");
        let bucket = series["t_s"]
            .as_array()
            .expect("t_s")
            .iter()
            .position(|t| t.as_f64() == Some(t_s))
            .expect("bucket");
        let values = match &record[2] {
            "entry" => &series["entrypoints"][&record[3]][&record[4]],
            "service" => &series["services"][&record[3]][&record[4]],
            "edge" => {
                let (from, to) = record[3].split_once(" -> ").expect("edge name");
                let edge = series["edges"]
                    .as_array()
                    .expect("edges")
                    .iter()
                    .find(|e| e["from"] == from && e["to"] == to)
                    .expect("edge");
                &edge[&record[4]]
            }
            other => panic!("kind {other}"),
        };
        assert_eq!(record[5], values[bucket].to_string(), "{record:?}");
        rows += 1;
    }
    let expected: usize = summaries
        .iter()
        .map(|s| {
            let series = &s["timeseries"];
            let buckets = series["t_s"].as_array().expect("t_s").len();
            let count = |v: &Value| {
                v.as_object().map_or(0, |m| {
                    m.values()
                        .map(|s| s.as_object().map_or(0, |o| o.len()))
                        .sum::<usize>()
                })
            };
            // Each edge has a series per array field (calls, errors, …).
            let edges: usize = series["edges"].as_array().map_or(0, |e| {
                e.iter()
                    .map(|edge| {
                        edge.as_object()
                            .map_or(0, |o| o.values().filter(|v| v.is_array()).count())
                    })
                    .sum()
            });
            buckets * (count(&series["entrypoints"]) + count(&series["services"]) + edges)
        })
        .sum();
    assert_eq!(rows, expected, "one row per bucket and series");

    for (kind, list) in [
        (ExportKind::EntrypointsCsv, "entrypoints"),
        (ExportKind::ServicesCsv, "services"),
        (ExportKind::EdgesCsv, "edges"),
    ] {
        let path = dir.path().join(format!("{list}.csv"));
        export_to(kind, &checked, &runs, &path).expect("csv");
        let mut reader = csv::Reader::from_path(&path).expect("csv reads");
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header[0], "scenario");
        let mut count = 0;
        for record in reader.records() {
            let record = record.expect("record");
            let run = runs
                .iter()
                .position(|r| r.summary.scenario == record[0])
                .expect("scenario");
            let key = if list == "edges" { "from" } else { "name" };
            let column = header.iter().position(|h| h == key).expect("name column");
            let item = summaries[run][list]
                .as_array()
                .expect("list")
                .iter()
                .find(|i| {
                    i[key] == record[column] && (list != "edges" || i["to"] == record[column + 1])
                })
                .expect("item");
            for (h, value) in header.iter().zip(record.iter()).skip(1) {
                let expected = at_path(item, h);
                let expected = match expected {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(value, expected, "{list}: {h}");
            }
            count += 1;
        }
        let expected: usize = summaries
            .iter()
            .map(|s| s[list].as_array().expect("list").len())
            .sum();
        assert_eq!(count, expected, "{list}: one row per item and run");
    }

    let path = dir.path().join("summary.json");
    let error = export_to(ExportKind::SummaryJson, &checked, &runs, &path)
        .expect_err("several runs do not fit one summary");
    assert!(error.to_string().contains("--scenario"), "{error}");
    export_to(ExportKind::SummaryJson, &checked, &runs[..1], &path).expect("json");
    let back: Summary =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("json")).expect("parses");
    assert_eq!(back, runs[0].summary);
}

#[test]
fn graph_exports_svg_png_dot_and_mermaid() {
    let checked = load(&example("shop.json"));
    let dir = tempfile::tempdir().expect("temp dir");
    let svg_path = dir.path().join("graph.svg");
    export_to(ExportKind::GraphSvg, &checked, &[], &svg_path).expect("svg");
    let svg = std::fs::read_to_string(&svg_path).expect("svg");
    let doc = parse_xml(&svg);
    let names: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(text_of)
        .collect();
    for service in &checked.topology().services {
        assert!(
            names.iter().any(|n| n == &service.name),
            "{} is labelled",
            service.name
        );
    }
    for group in ["web", "catalog", "checkout", "cart"] {
        assert!(names.iter().any(|n| n == group), "group box {group}");
    }
    assert!(
        names.iter().any(|n| n.ends_with("/s")),
        "edges are labelled with calls per second"
    );

    let png_path = dir.path().join("graph.png");
    export_to(ExportKind::GraphPng, &checked, &[], &png_path).expect("png");
    let bytes = std::fs::read(&png_path).expect("png");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG signature");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&bytes).expect("decodes");
    let (w, h) = (pixmap.width(), pixmap.height());
    assert!(
        (1000..=16_384).contains(&w) && (500..=16_384).contains(&h),
        "{w}×{h}"
    );
    // Labels are drawn: text is the darkest ink on the picture.
    let dark = pixmap
        .pixels()
        .iter()
        .filter(|p| p.red() < 70 && p.green() < 70 && p.blue() < 80 && p.alpha() > 200)
        .count();
    assert!(dark > 5_000, "text is rendered ({dark} dark pixels)");

    let dot_path = dir.path().join("graph.dot");
    export_to(ExportKind::GraphDot, &checked, &[], &dot_path).expect("dot");
    let dot = std::fs::read_to_string(&dot_path).expect("dot");
    assert_eq!(
        dot.matches("subgraph cluster_").count(),
        4,
        "groups as clusters"
    );
    graphviz_accepts(&dot, "shop");

    let mmd_path = dir.path().join("graph.mmd");
    export_to(ExportKind::GraphMermaid, &checked, &[], &mmd_path).expect("mermaid");
    let mmd = std::fs::read_to_string(&mmd_path).expect("mermaid");
    assert!(mmd.contains("flowchart LR"));
    assert_eq!(
        mmd.matches("  subgraph g").count(),
        4,
        "groups as subgraphs"
    );
}

#[test]
fn the_graph_honours_saved_positions_as_the_app_does() {
    let mut topology = load(&example("three-tier.json")).into_inner();
    let mut layout = model::Layout::default();
    layout.nodes.insert(
        "db".to_owned(),
        model::Point {
            x: 1234.0,
            y: -321.0,
        },
    );
    topology.layout = Some(layout);
    let checked = model::check(topology).expect("valid");
    let analysis = archsim::graph::analyze(&checked);
    let scene = report::scene::Scene::of(checked.topology(), Some(&analysis), false);
    let db = scene.nodes.iter().find(|n| n.name() == "db").expect("db");
    assert_eq!((db.pos.x, db.pos.y), (1234.0, -321.0));
    assert!(db.pinned);
    for other in scene.nodes.iter().filter(|n| n.name() != "db") {
        assert!(
            !other.rect().intersects(db.rect()),
            "{} overlaps db",
            other.name()
        );
    }
}

/// Runs `dot -Tsvg` on `text`: it must succeed. Without Graphviz the test
/// fails under CI (the `CI` variable is set) and is skipped otherwise.
fn graphviz_accepts(text: &str, what: &str) -> Option<String> {
    use std::io::Write as _;
    if Command::new("dot").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Graphviz (`dot`) is required under CI: install it (apt-get install graphviz)"
        );
        eprintln!("Graphviz is not installed; skipping the DOT check of {what}");
        return None;
    }
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("writes");
    let output = child.wait_with_output().expect("dot finishes");
    assert!(
        output.status.success(),
        "{what}: dot rejected the DOT:\n{}\n{text}",
        stderr(&output)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn graphviz_accepts_the_dot_of_every_example() {
    for path in super::format::example_paths() {
        let checked = load(&path);
        let bytes = report::render_graph(&checked, ExportKind::GraphDot).expect("dot");
        let text = String::from_utf8(bytes).expect("UTF-8");
        graphviz_accepts(&text, &path.display().to_string());
    }
}

/// A topology whose every user string tries to break out of its format.
const HOSTILE: &str = r#"{
  "name": "evil <script>alert(1)</script> \"]]> -- `x` | y",
  "description": "<img src=x onerror=alert(1)> & [link](javascript:alert(1))\n\n# heading\n| a | b |",
  "services": [
    {"name": "<script>alert(1)</script>", "kind": "gateway", "group": "g\"]; x [label=\"pwned</g>",
     "zones": ["z\"1<b>"], "replicas": 2, "service_time": {"dist": "constant", "ms": 1},
     "calls": [{"to": "a\"];evil"}, {"to": "pipe|`tick`--\n*star*", "optional": true}]},
    {"name": "a\"];evil", "kind": "database", "service_time": {"dist": "constant", "ms": 1},
     "calls": [{"to": "=HYPERLINK(\"http://x\")"}]},
    {"name": "pipe|`tick`--\n*star*", "kind": "queue", "group": "../../etc", "service_time": {"dist": "constant", "ms": 1}},
    {"name": "=HYPERLINK(\"http://x\")", "kind": "cache", "service_time": {"dist": "constant", "ms": 1}}
  ],
  "workload": [
    {"name": "entry <b>|</b> `1`", "to": "<script>alert(1)</script>", "rate_rps": 20}
  ],
  "scenarios": [
    {"name": "../../etc/passwd", "duration_s": 6, "warmup_s": 1,
     "faults": [{"kind": "latency", "service": "a\"];evil", "add_ms": 2, "at_s": 2, "duration_s": 2}]},
    {"name": "CON", "duration_s": 6, "warmup_s": 1, "seed": 3},
    {"name": "<script>x</script>\u0007", "duration_s": 6, "warmup_s": 1, "seed": 4,
     "scaling": [{"at_s": 3, "service": "a\"];evil", "replicas": 2}]}
  ],
  "slo": {"latency_p99_ms": 100, "availability": 0.99}
}"#;

const HOSTILE_NAMES: [&str; 4] = [
    "<script>alert(1)</script>",
    "a\"];evil",
    "pipe|`tick`--\n*star*",
    "=HYPERLINK(\"http://x\")",
];

/// Every file below `dir`, recursively.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_below(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn hostile_names_are_inert_in_every_format() {
    let checked = model::load_checked_str(HOSTILE, "hostile.json").expect("hostile file is valid");
    let runs = short_runs(&checked, 6.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("folder");

    // HTML: well-formed, no script, every name present as text.
    let html_path = out.join("report.html");
    export_to(ExportKind::ReportHtml, &checked, &runs, &html_path).expect("html");
    let html = std::fs::read_to_string(&html_path).expect("html");
    check_html(&html, &runs);
    let doc = parse_xml(&html);
    let all_text = text_of(doc.root());
    for name in HOSTILE_NAMES {
        let flat = name.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            all_text.contains(name) || all_text.contains(&flat),
            "{name:?} shows as text"
        );
    }
    assert!(
        all_text.contains("<img src=x onerror=alert(1)>"),
        "description as text"
    );

    // SVG: well-formed, names as text.
    let svg_path = out.join("graph.svg");
    export_to(ExportKind::GraphSvg, &checked, &[], &svg_path).expect("svg");
    let svg = std::fs::read_to_string(&svg_path).expect("svg");
    let svg_doc = parse_xml(&svg);
    assert!(
        svg_doc
            .descendants()
            .filter(|n| n.is_element())
            .all(|n| n.tag_name().name() != "script")
    );
    let comment = svg.lines().nth(1).expect("comment line");
    assert!(comment.starts_with("<!--") && comment.ends_with("-->"));
    assert!(!comment[4..comment.len() - 3].contains("--"), "{comment}");
    let png_path = out.join("graph.png");
    export_to(ExportKind::GraphPng, &checked, &[], &png_path).expect("png renders");

    // DOT: Graphviz accepts it and shows the names as text.
    let dot = String::from_utf8(report::render_graph(&checked, ExportKind::GraphDot).expect("dot"))
        .expect("UTF-8");
    if let Some(rendered) = graphviz_accepts(&dot, "hostile") {
        assert!(rendered.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!rendered.contains("<script>"));
    }

    // Mermaid: no user character that has a meaning there survives.
    let mmd = String::from_utf8(
        report::render_graph(&checked, ExportKind::GraphMermaid).expect("mermaid"),
    )
    .expect("UTF-8");
    for bad in ["<script", "\"];", "|`", "`tick`", "</g>"] {
        assert!(!mmd.contains(bad), "{bad} in Mermaid:\n{mmd}");
    }
    assert!(mmd.contains("#60;script#62;"), "{mmd}");

    // Markdown: no raw HTML, no unescaped backtick or pipe, tables intact.
    let md_path = out.join("report.md");
    let written = export_to(ExportKind::ReportMarkdown, &checked, &runs, &md_path).expect("md");
    let md = std::fs::read_to_string(&md_path).expect("md");
    assert!(!md.contains('<'), "raw HTML in Markdown");
    let chars: Vec<char> = md.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '`' {
            assert_eq!(
                chars.get(i.wrapping_sub(1)),
                Some(&'\\'),
                "unescaped backtick"
            );
        }
    }
    let mut columns: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let pipes = line.len() - line.replace('|', "").len() - line.matches("\\|").count();
            match columns {
                None => columns = Some(pipes),
                Some(n) => assert_eq!(pipes, n, "a table row of another width: {line}"),
            }
        } else {
            columns = None;
        }
    }
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        md.contains("\\[link\\](javascript:alert(1))"),
        "the link is text"
    );
    check_markdown(&md_path, &written);

    // CSV: names round-trip, formulas are defused.
    let csv_path = out.join("entrypoints.csv");
    export_to(ExportKind::EntrypointsCsv, &checked, &runs, &csv_path).expect("csv");
    let mut reader = csv::Reader::from_path(&csv_path).expect("csv");
    let names: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[1].to_owned())
        .collect();
    assert!(names.iter().all(|n| n == "entry <b>|</b> `1`"), "{names:?}");
    let csv_path = out.join("services.csv");
    export_to(ExportKind::ServicesCsv, &checked, &runs, &csv_path).expect("csv");
    let mut reader = csv::Reader::from_path(&csv_path).expect("csv");
    let names: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[1].to_owned())
        .collect();
    assert!(
        names.contains(&"pipe|`tick`--\n*star*".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"'=HYPERLINK(\"http://x\")".to_owned()),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.starts_with('=')));

    // Every file stays inside the output folder, with a safe name.
    for file in files_below(dir.path()) {
        let relative = file.strip_prefix(&out).expect("inside the output folder");
        for part in relative.components() {
            let part = part.as_os_str().to_string_lossy();
            assert!(
                part.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')),
                "unsafe file name {part:?}"
            );
            assert!(!part.starts_with('.') && part != "con" && !part.starts_with("con."));
        }
    }
}

#[test]
fn file_names_from_user_text_are_safe() {
    use report::escape::file_name;
    for hostile in [
        "../../etc/passwd",
        "..",
        "a/b\\c",
        "CON",
        "con.txt",
        "LPT1",
        "x\u{0}y\u{1f}z",
        "   ",
        "\u{202e}evil",
        &"long".repeat(100),
    ] {
        let name = file_name(hostile, "fallback");
        assert!(!name.is_empty());
        assert!(
            !name.contains(['/', '\\']) && !name.contains(".."),
            "{name}"
        );
        assert!(!name.chars().any(char::is_control), "{name:?}");
        assert!(
            name.len() <= report::escape::MAX_FILE_NAME_BYTES + 1,
            "{name}"
        );
        let base = name.split('.').next().unwrap_or_default();
        assert!(
            !["con", "prn", "aux", "nul", "lpt1", "com1"].contains(&base),
            "{name}"
        );
    }
    assert_eq!(
        report::assets_dir_name(Path::new("/tmp/My Report.md")),
        "my-report_files"
    );
}

#[test]
fn an_export_never_writes_over_its_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("topology.json");
    std::fs::copy(example("three-tier.json"), &input).expect("copy");
    let before = std::fs::read(&input).expect("read");
    let checked = load(&input);
    let runs = short_runs(&checked, 5.0);
    let options = options();
    let export = |kind, path: &Path| {
        let input = ExportInput {
            checked: &checked,
            runs: &runs,
            options: &options,
            source: Some(&input),
        };
        report::export(kind, &input, path)
    };
    for kind in [
        ExportKind::ReportHtml,
        ExportKind::GraphPng,
        ExportKind::TimeseriesCsv,
    ] {
        let error = export(kind, &input).expect_err("refuses");
        assert!(
            matches!(error, report::ReportError::WouldOverwriteInput { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("input"), "{error}");
    }
    // Through another spelling of the same path.
    let dotted = dir.path().join(".").join("topology.json");
    assert!(export(ExportKind::ReportHtml, &dotted).is_err());
    #[cfg(unix)]
    {
        let link = dir.path().join("link.html");
        std::os::unix::fs::symlink(&input, &link).expect("symlink");
        assert!(
            export(ExportKind::ReportHtml, &link).is_err(),
            "a link to the input"
        );
    }
    assert_eq!(
        std::fs::read(&input).expect("read"),
        before,
        "input unchanged"
    );

    // The CLI says so and exits 1.
    let output = archsim_env(
        &[
            "report",
            path_str(&input),
            "--format",
            "html",
            "--out",
            path_str(&input),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("refusing to write"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&input).expect("read"),
        before,
        "input unchanged"
    );
}

#[test]
fn runs_report_progress_to_the_end() {
    let checked = load(&example("three-tier.json"));
    let scenarios: Vec<Scenario> = checked
        .topology()
        .scenarios
        .iter()
        .take(2)
        .map(|s| scaled(s.clone(), 0.05))
        .collect();
    let mut seen = Vec::new();
    let runs = report::runs::run_scenarios(
        &checked,
        &scenarios,
        &mut |p| seen.push((p.index, p.total_done_s, p.total_s)),
        None,
    )
    .expect("runs");
    assert_eq!(runs.len(), 2);
    assert!(
        seen.windows(2).all(|w| w[1].1 >= w[0].1),
        "progress only grows"
    );
    let (index, done, total) = *seen.last().expect("progress");
    assert_eq!(index, 1);
    assert!((done - total).abs() < 1e-9);
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let cancelled = report::runs::run_scenarios(&checked, &scenarios, &mut |_| {}, Some(&cancel));
    assert!(matches!(cancelled, Err(report::ReportError::Cancelled)));
}

#[test]
fn the_cli_exports_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = example("three-tier.json");
    for name in ["g.svg", "g.png", "g.dot", "g.mmd"] {
        let out = dir.path().join(name);
        let output = archsim_env(&["export", path_str(&file), "--out", path_str(&out)], &[]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        assert!(
            std::fs::metadata(&out).expect("written").len() > 100,
            "{name}"
        );
    }
    let csv = dir.path().join("x.csv");
    let output = archsim_env(&["export", path_str(&file), "--out", path_str(&csv)], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("csv-timeseries"),
        "{}",
        stderr(&output)
    );

    let all = dir.path().join("all");
    let output = archsim_env(
        &[
            "export",
            path_str(&file),
            "--all-scenarios",
            "--duration-s",
            "25",
            "--format",
            "all",
            "--out",
            path_str(&all),
        ],
        &[("SOURCE_DATE_EPOCH", "0")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut names: Vec<String> = std::fs::read_dir(&all)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "edges.csv",
            "entrypoints.csv",
            "graph.dot",
            "graph.mmd",
            "graph.png",
            "graph.svg",
            "report.html",
            "report.md",
            "report_files",
            "services.csv",
            "summary-01-baseline.json",
            "summary-02-2x-peak.json",
            "summary-03-cache-down.json",
            "timeseries.csv",
        ]
    );
    let output = archsim_env(
        &[
            "report",
            path_str(&file),
            "--out",
            path_str(&dir.path().join("r.txt")),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(".html or .md"),
        "{}",
        stderr(&output)
    );
}

fn archsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("archsim runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The engine's refusals reached reports and exports as strings; a caller
/// could not tell an unknown scenario from one that cannot run.
#[test]
fn report_errors_about_scenarios_were_plain_strings() {
    let checked = load(&example("three-tier.json"));
    let unknown = report::runs::select_scenarios(checked.topology(), &["basline".into()], false)
        .expect_err("no such scenario");
    match &unknown {
        report::ReportError::UnknownScenario(diagnostic) => {
            assert!(diagnostic.message.contains("did you mean"), "{unknown}");
        }
        other => panic!("expected UnknownScenario, got {other:?}"),
    }

    let mut scenario = checked.topology().scenarios[0].clone();
    scenario.warmup_s = scenario.duration_s + 1.0;
    let name = scenario.name.clone();
    let refused = report::runs::run_scenarios(&checked, &[scenario], &mut |_| {}, None)
        .expect_err("warm-up longer than the run");
    match &refused {
        report::ReportError::Unrunnable { scenario, problems } => {
            assert_eq!(scenario, &name);
            assert!(!problems.is_empty());
            assert!(
                refused.to_string().contains("warmup_s"),
                "the message names the field: {refused}"
            );
        }
        other => panic!("expected Unrunnable, got {other:?}"),
    }
}

#[test]
fn a_metastable_failure_is_the_first_finding_of_the_report() {
    let checked = load(&example("metastable.json"));
    let scenarios =
        report::runs::select_scenarios(checked.topology(), &[], true).expect("scenarios");
    let runs = report::runs::run_scenarios(&checked, &scenarios, &mut |_| {}, None).expect("runs");
    assert!(runs[0].summary.findings[0].kind() == "metastable");
    assert!(
        runs[1..]
            .iter()
            .flat_map(|r| &r.summary.findings)
            .all(|f| f.kind() != "metastable")
    );
    let dir = tempfile::tempdir().expect("temp dir");

    let md_path = dir.path().join("metastable.md");
    export_to(ExportKind::ReportMarkdown, &checked, &runs, &md_path).expect("markdown");
    let md = std::fs::read_to_string(&md_path).expect("markdown");
    // Under each scenario's Findings, the run's findings come first.
    let sections: Vec<&str> = md.split("### Findings\n\n").skip(1).collect();
    assert_eq!(
        sections.len(),
        3,
        "unbudgeted retries, retry budget, no retries"
    );
    assert!(
        sections[0].starts_with("- **Metastable failure:** The slowdown of db from t = 60 to 70 s")
            || sections[0]
                .starts_with("- Metastable failure: The slowdown of db from t = 60 to 70 s"),
        "{}",
        &sections[0][..200.min(sections[0].len())]
    );
    assert!(
        sections[0]
            .split("###")
            .next()
            .is_some_and(|s| s.contains("never recovered"))
    );
    for recovered in &sections[1..] {
        let findings = recovered.split("###").next().unwrap_or("");
        assert!(!findings.contains("Metastable failure"), "{findings}");
    }

    let html_path = dir.path().join("metastable.html");
    export_to(ExportKind::ReportHtml, &checked, &runs, &html_path).expect("html");
    let html = std::fs::read_to_string(&html_path).expect("html");
    let findings = html
        .split("<h3>Findings</h3>")
        .nth(1)
        .expect("a findings section");
    let first_item = findings.split("</li>").next().expect("an item");
    assert!(first_item.contains("Metastable failure: "), "{first_item}");
    assert!(first_item.contains("never recovered"), "{first_item}");
    assert!(
        first_item.contains("(shaded amber on the charts)."),
        "{first_item}"
    );

    // Every chart of the storm shades its window amber, named by its kind
    // (as the app's charts do); the recovered runs' charts do not.
    let doc = parse_xml(&html);
    let charts_of = |run: &Run| -> Vec<roxmltree::Node<'_, '_>> {
        let scenario = run.summary.scenario.as_str();
        doc.descendants()
            .find(|n| n.has_tag_name("section") && n.attribute("data-scenario") == Some(scenario))
            .expect("a section per scenario")
            .descendants()
            .filter(|n| n.has_tag_name("svg") && class_is(n, "chart"))
            .collect()
    };
    let amber = |chart: &roxmltree::Node<'_, '_>| {
        chart
            .descendants()
            .any(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#de9614"))
    };
    let named = |chart: &roxmltree::Node<'_, '_>| {
        chart
            .descendants()
            .any(|n| n.has_tag_name("text") && text_of(n).contains("Metastable failure"))
    };
    let storm = charts_of(&runs[0]);
    assert!(storm.len() >= 3);
    for chart in &storm {
        assert!(amber(chart) && named(chart), "{}", text_of(*chart));
    }
    for run in &runs[1..] {
        for chart in charts_of(run) {
            assert!(!named(&chart), "{}", text_of(chart));
        }
    }
}

#[test]
fn long_service_names_wrap_between_words_in_the_html_report() {
    let checked = load(&example("shop.json"));
    let runs = short_runs(&checked, 10.0);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.html");
    export_to(ExportKind::ReportHtml, &checked, &runs, &path).expect("html");
    let html = std::fs::read_to_string(&path).expect("html");
    // "productcatalogse|rvice": names never break inside a word.
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .expect("the report's style");
    for rule in style.lines().filter(|l| {
        l.starts_with(".name ") || l.starts_with("td.name ") || l.starts_with("tbody th ")
    }) {
        assert!(!rule.contains("anywhere"), "{rule}");
        assert!(!rule.contains("break-all"), "{rule}");
    }
    let doc = parse_xml(&html);
    let cells: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_element() && class_is(n, "name"))
        .map(text_of)
        .collect();
    assert!(
        cells.iter().any(|c| c == "productcatalogservice"),
        "{cells:?}"
    );
}
