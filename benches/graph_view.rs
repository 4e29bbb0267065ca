//! CPU cost of the graph view on the 1,000-service example, without a GPU:
//! deriving the scene (validation, analysis, layout) and one frame of the
//! whole app while zooming (the app's UI code plus egui's tessellation into
//! triangles — everything the CPU does before the GPU draws); and one frame
//! with the Results or Charts tab of a finished run of the example open.
//! Then the same on a generated 10,023-service topology (written to
//! `target/large-10000.json` by `scripts/gen_large.py --services 10000` when
//! missing): deriving, a frame while panning the fitted view, a frame with a
//! service selected (its blast radius), and searching.
//!
//!     cargo bench --bench graph_view
//!     cargo bench --bench graph_view -- tab    (the simulation tabs only)
//!     cargo bench --bench graph_view -- 10,023 (the 10,000-service graph only)

// A benchmark that cannot load its input has nothing to measure.
#![allow(clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use archsim::gui::{
    App, AppCommand, BottomTab, DeriveRequest, Selection, Settings, SimCommand, derive,
};
use criterion::{Criterion, criterion_group, criterion_main};

const FILE: &str = "scenarios/large-1000.json";
/// The generated 10,000-service topology (not in the repository: 10 MB).
const FILE_10K: &str = "target/large-10000.json";

fn input(time: f64, zoom_in: Option<bool>) -> egui::RawInput {
    let mut input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        time: Some(time),
        ..Default::default()
    };
    input
        .events
        .push(egui::Event::PointerMoved(egui::pos2(700.0, 400.0)));
    if let Some(zoom_in) = zoom_in {
        input
            .events
            .push(egui::Event::Zoom(if zoom_in { 1.1 } else { 1.0 / 1.1 }));
    }
    input
}

/// An app with the example open and laid out, and the context it runs in.
fn open_app(zoom: f32) -> (egui::Context, App) {
    open_file(FILE, zoom)
}

/// An app with `file` open and laid out, and the context it runs in.
fn open_file(file: &str, zoom: f32) -> (egui::Context, App) {
    let ctx = egui::Context::default();
    let mut app = App::new(Settings::default());
    app.open_path(file);
    let started = Instant::now();
    let mut time = 0.0;
    while !app.is_idle() || app.scene().is_none_or(|s| s.nodes.is_empty()) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{file} did not open"
        );
        time += 0.016;
        let _ = ctx.run_ui(input(time, None), |ui| app.ui_root(ui));
        std::thread::sleep(Duration::from_millis(5));
    }
    // Two more frames: fit to the window, then a settled frame.
    for _ in 0..2 {
        time += 0.016;
        let _ = ctx.run_ui(input(time, None), |ui| app.ui_root(ui));
    }
    app.canvas.camera.zoom = zoom;
    (ctx, app)
}

fn bench(c: &mut Criterion) {
    let topology = archsim::model::load_file(Path::new(FILE)).expect("the example loads");
    let request = DeriveRequest {
        generation: 1,
        topology,
        options: Default::default(),
        previous: Default::default(),
    };
    c.bench_function(
        "derive: validate, analyse and lay out 1,044 services",
        |b| b.iter(|| derive(&request)),
    );

    {
        let (ctx, mut app) = open_app(1.0);
        app.apply(archsim::gui::AppCommand::FitView);
        let _ = ctx.run_ui(input(100.0, None), |ui| app.ui_root(ui));
        let mut time = 200.0;
        let mut zoom_in = false;
        c.bench_function("frame while zooming, whole graph: ui only", |b| {
            b.iter(|| {
                time += 0.016;
                zoom_in = !zoom_in;
                ctx.run_ui(input(time, Some(zoom_in)), |ui| app.ui_root(ui))
            })
        });
    }

    for (name, zoom) in [
        ("whole graph", None),
        ("zoom 0.5", Some(0.5)),
        ("zoom 1.0", Some(1.0)),
    ] {
        let (ctx, mut app) = open_app(1.0);
        if let Some(zoom) = zoom {
            app.canvas.camera.zoom = zoom;
        } else {
            app.apply(archsim::gui::AppCommand::FitView);
            let _ = ctx.run_ui(input(100.0, None), |ui| app.ui_root(ui));
        }
        let mut time = 200.0;
        let mut zoom_in = false;
        c.bench_function(
            &format!("frame while zooming, {name}: ui + tessellation"),
            |b| {
                b.iter(|| {
                    time += 0.016;
                    zoom_in = !zoom_in;
                    let output = ctx.run_ui(input(time, Some(zoom_in)), |ui| app.ui_root(ui));
                    ctx.tessellate(output.shapes, output.pixels_per_point)
                })
            },
        );
    }
}

/// One frame with a simulation tab open, after a run of the example's
/// first scenario (120 s, 1,044 services).
fn bench_tabs(c: &mut Criterion) {
    let (ctx, mut app) = open_app(1.0);
    app.apply(AppCommand::FitView);
    app.apply(SimCommand::Run.into());
    let started = Instant::now();
    let mut time = 100.0;
    while app.sim.is_running() || app.sim.runs.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the run did not finish"
        );
        time += 0.016;
        let _ = ctx.run_ui(input(time, None), |ui| app.ui_root(ui));
        std::thread::sleep(Duration::from_millis(20));
    }
    for (name, tab, all_rows) in [
        // The graph with the run's figures and a light tab: the baseline.
        ("Problems tab", BottomTab::Problems, false),
        ("Results tab (first rows)", BottomTab::Results, false),
        ("Results tab (all rows)", BottomTab::Results, true),
        ("Charts tab", BottomTab::Charts, false),
    ] {
        app.apply(AppCommand::ShowBottomTab(tab));
        if all_rows {
            // What "Show all" under each table does.
            for id in ["sim-results-entry-rows", "sim-results-service-rows"] {
                ctx.data_mut(|d| d.insert_temp(egui::Id::unique(id), usize::MAX));
            }
        }
        for _ in 0..3 {
            time += 0.016;
            let _ = ctx.run_ui(input(time, None), |ui| app.ui_root(ui));
        }
        c.bench_function(
            &format!("frame with the {name} of a 1,044-service run: ui + tessellation"),
            |b| {
                b.iter(|| {
                    time += 0.016;
                    let output = ctx.run_ui(input(time, None), |ui| app.ui_root(ui));
                    ctx.tessellate(output.shapes, output.pixels_per_point)
                })
            },
        );
    }
}

/// Writes the 10,000-service topology with the generator unless it is there.
fn generate_10k() {
    if Path::new(FILE_10K).exists() {
        return;
    }
    let output = std::process::Command::new("python3")
        .args(["scripts/gen_large.py", "--services", "10000"])
        .output()
        .expect("python3 runs scripts/gen_large.py");
    assert!(output.status.success(), "scripts/gen_large.py failed");
    std::fs::write(FILE_10K, output.stdout).expect("target/ is writable");
}

/// The 10,000-service graph: layout, panning the fitted view, blast radius
/// and search.
fn bench_10k(c: &mut Criterion) {
    generate_10k();
    let topology = archsim::model::load_file(Path::new(FILE_10K)).expect("the file loads");
    let services = topology.services.len();
    let request = DeriveRequest {
        generation: 1,
        topology,
        options: Default::default(),
        previous: Default::default(),
    };
    c.bench_function(
        &format!("derive: validate, analyse and lay out {services} services (10,023)"),
        |b| b.iter(|| derive(&request)),
    );

    let (ctx, mut app) = open_file(FILE_10K, 1.0);
    app.apply(AppCommand::FitView);
    let mut time = 100.0;
    let _ = ctx.run_ui(input(time, None), |ui| app.ui_root(ui));
    let frame = |app: &mut App, ctx: &egui::Context, time: &mut f64| {
        *time += 0.016;
        let output = ctx.run_ui(input(*time, None), |ui| app.ui_root(ui));
        ctx.tessellate(output.shapes, output.pixels_per_point)
    };
    // What the GPU (or, without one, the software rasteriser) is given.
    let (vertices, triangles) = frame(&mut app, &ctx, &mut time)
        .iter()
        .filter_map(|clipped| match &clipped.primitive {
            egui::epaint::Primitive::Mesh(mesh) => {
                Some((mesh.vertices.len(), mesh.indices.len() / 3))
            }
            egui::epaint::Primitive::Callback(_) => None,
        })
        .fold((0, 0), |(v, t), (mv, mt)| (v + mv, t + mt));
    eprintln!("fitted view of 10,023 services: {vertices} vertices, {triangles} triangles a frame");
    let mut step = 0u32;
    c.bench_function(
        "frame while panning the fitted view of 10,023 services: ui + tessellation",
        |b| {
            b.iter(|| {
                // Back and forth by 40 points a frame, as a drag would.
                step += 1;
                let sign = if (step / 20).is_multiple_of(2) {
                    1.0
                } else {
                    -1.0
                };
                let zoom = f64::from(app.canvas.camera.zoom);
                app.canvas.camera.centre.x += sign * 40.0 / zoom;
                frame(&mut app, &ctx, &mut time)
            })
        },
    );

    let name = app.doc.topology.services[services / 2].name.clone();
    app.apply(AppCommand::Select(Selection::Service(name.clone())));
    c.bench_function(
        "frame with a service selected (blast radius), fitted view of 10,023 services",
        |b| b.iter(|| frame(&mut app, &ctx, &mut time)),
    );
    app.apply(AppCommand::Select(Selection::None));

    app.search.query = name[..name.len() - 2].to_owned();
    c.bench_function(
        "frame with a search typed (matches listed), 10,023 services",
        |b| b.iter(|| frame(&mut app, &ctx, &mut time)),
    );
    c.bench_function(
        "search: reveal a service and draw it, 10,023 services",
        |b| {
            b.iter(|| {
                app.apply(AppCommand::Reveal(name.clone()));
                let shapes = frame(&mut app, &ctx, &mut time);
                app.apply(AppCommand::FitView);
                shapes
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(6));
    targets = bench, bench_tabs, bench_10k
}
criterion_main!(benches);
