//! Experiments in reports and exports (issue 13, item 6): intervals of
//! replicated runs in the tables and charts, the sweep and capacity
//! sections in HTML and Markdown, byte-identical reports whatever
//! `--jobs`, and `archsim export --sweep` writing what `archsim sweep` writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795737600")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("archsim runs")
}

fn ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn three_tier() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/three-tier.json")
        .to_string_lossy()
        .into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Short runs: 30 s of the baseline, of which 20 s are warm-up.
const SHORT: [&str; 4] = ["--scenario", "baseline", "--duration-s", "30"];

fn report(out: &Path, extra: &[&str]) -> Vec<u8> {
    let file = three_tier();
    let mut args = vec!["report", file.as_str()];
    args.extend(SHORT);
    args.extend(extra);
    args.extend(["--out", s(out)]);
    ok(&archsim(&args));
    std::fs::read(out).expect("report written")
}

fn files_below(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("file");
            (p.file_name().map(PathBuf::from).unwrap_or_default(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_replicated_report_shows_intervals_and_is_the_same_whatever_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reps = ["--replications", "4", "--confidence", "0.9"];
    let one = report(
        &dir.path().join("one.html"),
        &[&reps[..], &["--jobs", "1"]].concat(),
    );
    let two = report(
        &dir.path().join("two.html"),
        &[&reps[..], &["--jobs", "2"]].concat(),
    );
    assert!(one == two, "the HTML report depends on --jobs");
    let html = String::from_utf8(one).expect("UTF-8");

    // The means and intervals are those of `archsim run --replications`.
    let file = three_tier();
    let mut args = vec!["run", file.as_str()];
    args.extend(SHORT);
    args.extend(reps);
    args.extend(["--jobs", "2", "--json", "-"]);
    let run = archsim(&args);
    ok(&run);
    let summary: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    for entry in summary["entrypoints"].as_array().expect("entries") {
        let p99 = entry["latency_ms"]["p99"].as_f64().expect("p99");
        let ci = &entry["ci"]["latency_ms.p99"];
        let (lo, hi) = (ci[0].as_f64().expect("lo"), ci[1].as_f64().expect("hi"));
        assert!(lo < p99 && p99 < hi, "{entry}");
        let cell = format!(
            "data-value=\"{}\"",
            serde_json::to_string(&p99).expect("number")
        );
        let at = html.find(&cell).unwrap_or_else(|| panic!("no cell {cell}"));
        let rest = &html[at..at + 400];
        assert!(rest.contains("<span class=\"sub\">± "), "{rest}");
        let half = archsim::report::format::ms((hi - lo) / 2.0);
        assert!(
            rest.contains(&format!("± {half}<")),
            "half-width {half} in {rest}"
        );
    }
    assert!(html.contains("4 per scenario, 90% intervals"));
    assert!(html.contains("Latency per entry: mean of 4 replications, 90% interval"));
    assert!(html.contains("Every figure is the mean of 4 independent replications"));

    // Markdown: the same for any --jobs, the report and its images.
    for jobs in ["1", "2"] {
        let folder = dir.path().join(format!("md{jobs}"));
        std::fs::create_dir(&folder).expect("folder");
        report(
            &folder.join("r.md"),
            &[&reps[..], &["--jobs", jobs]].concat(),
        );
    }
    let (md1, md2) = (
        files_below(&dir.path().join("md1")),
        files_below(&dir.path().join("md2")),
    );
    assert!(md1 == md2, "the Markdown report depends on --jobs");
    assert!(
        files_below(&dir.path().join("md1/r_files"))
            == files_below(&dir.path().join("md2/r_files")),
        "the Markdown images depend on --jobs"
    );
    let text = String::from_utf8(md1[0].1.clone()).expect("UTF-8");
    assert!(text.contains("· ± "), "intervals in the Markdown tables");
    let images = files_below(&dir.path().join("md1/r_files"));
    assert!(
        images
            .iter()
            .any(|(name, _)| name.to_string_lossy().ends_with("-intervals.svg")),
        "{images:?}"
    );
}

#[test]
fn sweep_and_capacity_sections_match_their_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let extra = [
        "--replications",
        "3",
        "--sweep",
        "load=0.5,1,1.5",
        "--capacity",
        "max-load",
        "--slo",
        "latency_p99_ms=150",
    ];
    let html = report(
        &dir.path().join("r.html"),
        &[&extra[..], &["--jobs", "2"]].concat(),
    );
    let again = report(
        &dir.path().join("r1.html"),
        &[&extra[..], &["--jobs", "1"]].concat(),
    );
    assert!(html == again, "the report depends on --jobs");
    let html = String::from_utf8(html).expect("UTF-8");
    let doc = roxmltree::Document::parse_with_options(
        html.trim_start_matches("<!DOCTYPE html>\n"),
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("the report parses as XML");

    // The sweep table: one row per point and entry, the values of `archsim sweep`.
    let file = three_tier();
    let csv_out = dir.path().join("sweep.csv");
    let mut args = vec!["sweep", file.as_str()];
    args.extend(SHORT);
    args.extend([
        "--vary",
        "load=0.5,1,1.5",
        "--replications",
        "3",
        "--out",
        s(&csv_out),
    ]);
    ok(&archsim(&args));
    let csv = std::fs::read_to_string(&csv_out).expect("CSV");
    let table = doc
        .descendants()
        .find(|n| n.attribute("data-table") == Some("sweep"))
        .expect("sweep table");
    let rows: Vec<_> = table
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .skip(1)
        .collect();
    assert_eq!(
        rows.len(),
        csv.lines().count() - 1,
        "a row per point and entry"
    );
    for (row, line) in rows.iter().zip(csv.lines().skip(1)) {
        // load, entry, then each metric with its .lo and .hi: p99 is the 15th.
        let p99 = line.split(',').nth(14).expect("latency_ms.p99 column");
        let cell = row
            .descendants()
            .filter_map(|n| n.attribute("data-value"))
            .nth(4)
            .expect("p99 cell");
        assert_eq!(cell.parse::<f64>().ok(), p99.parse::<f64>().ok(), "{line}");
    }
    assert!(html.contains("p99 latency of browse against load"));
    assert!(html.contains("SLO p99 100 ms"), "the file's SLO line");

    // The capacity answer is `archsim capacity`'s.
    let mut args = vec!["capacity", file.as_str()];
    args.extend(SHORT);
    args.extend([
        "--find",
        "max-load",
        "--slo",
        "latency_p99_ms=150",
        "--replications",
        "3",
        "--json",
        "-",
    ]);
    let capacity = archsim(&args);
    ok(&capacity);
    let found: Value = serde_json::from_slice(&capacity.stdout).expect("JSON");
    let x = found["answer"]["load_multiplier"].as_f64().expect("answer");
    let shown = archsim::report::format::trim(x);
    assert!(
        html.contains(&format!("{shown}× the workload")),
        "max load {shown} in the report"
    );
    let evaluations = doc
        .descendants()
        .find(|n| n.attribute("data-table") == Some("capacity"))
        .expect("capacity table")
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .count()
        - 1;
    assert_eq!(
        evaluations,
        found["evaluations"].as_array().expect("list").len()
    );

    // Markdown has the same sections.
    let md = dir.path().join("r.md");
    let text = String::from_utf8(report(&md, &extra)).expect("UTF-8");
    assert!(text.contains("## Sweep") && text.contains("## Capacity (max-load)"));
    assert!(text.contains(&format!("{shown}× the workload")));
}

#[test]
fn export_writes_the_bytes_of_archsim_sweep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = three_tier();
    for ext in ["csv", "json"] {
        let a = dir.path().join(format!("sweep.{ext}"));
        let b = dir.path().join(format!("export.{ext}"));
        let vary = ["load=0.5,1", "replicas.app=1,2"];
        let mut sweep = vec!["sweep", file.as_str()];
        sweep.extend(SHORT);
        sweep.extend(["--vary", vary[0], "--vary", vary[1], "--replications", "2"]);
        sweep.extend(["--jobs", "1", "--out", s(&a)]);
        ok(&archsim(&sweep));
        let mut export = vec!["export", file.as_str()];
        export.extend(SHORT);
        export.extend([
            "--sweep",
            vary[0],
            "--sweep",
            vary[1],
            "--replications",
            "2",
        ]);
        export.extend(["--jobs", "2", "--out", s(&b)]);
        ok(&archsim(&export));
        let (a, b) = (
            std::fs::read(&a).expect("sweep"),
            std::fs::read(&b).expect("export"),
        );
        assert!(a == b, "export --sweep differs from sweep --out ({ext})");
        assert!(a.len() > 100);
    }
    // A bad SPEC is refused before anything runs, with the place and a fix.
    let out = dir.path().join("bad.csv");
    let bad = archsim(&[
        "export",
        file.as_str(),
        "--sweep",
        "replicas.ap=1,2",
        "--out",
        s(&out),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("did you mean \"app\""), "{err}");
    assert!(!out.exists());
}
