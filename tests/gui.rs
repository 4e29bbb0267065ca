//! UI tests of the desktop app with egui_kittest: no window and no GPU. The
//! app is driven through its own functions (`App::open_path`, `App::apply`)
//! and through its widgets, found by their labels as a screen reader would.

// Test helpers may panic: that is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archsim::gui::{App, AppCommand, Edit, Mark, NodeId, Selection, Settings};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod import_export;
mod map;
mod panels;
mod recovery;
mod traces;
mod unsaved;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(
            |ui, app: &mut App| app.ui_root(ui),
            App::new(Settings::default()),
        )
}

/// Runs frames until background work (loading, saving, layout) is done.
fn settle(harness: &mut Harness<'static, App>) {
    let started = Instant::now();
    loop {
        harness.step();
        if harness.state().is_idle() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the app did not settle"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Frames to apply what arrived (and fit the view).
    harness.step();
    harness.step();
}

fn open(harness: &mut Harness<'static, App>, file: &Path) {
    harness.state_mut().open_path(file);
    settle(harness);
}

fn service<'a>(app: &'a App, name: &str) -> &'a archsim::model::Service {
    app.doc
        .topology
        .services
        .iter()
        .find(|s| s.name == name)
        .expect("the service exists")
}

#[test]
fn opening_a_file_shows_its_graph() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    let app = harness.state();
    assert_eq!(app.doc.topology.name, "Online Boutique");
    assert!(!app.doc.is_dirty());
    let scene = app.scene().expect("a scene");
    assert_eq!(scene.nodes.len(), 11);
    assert!(
        scene.edges.iter().all(|e| e.rate_rps.is_some()),
        "every arrow has its calls per second"
    );
    assert!(app.problems().is_empty(), "{:?}", app.problems());
    assert!(app.analysis().is_some());
    // The window title names the document and the file.
    assert!(app.doc.title().starts_with("Online Boutique — shop.json"));
}

#[test]
fn search_finds_and_selects_a_service() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness.get_by_label("Find service").focus();
    harness.step();
    harness.get_by_label("Find service").type_text("cart");
    harness.step();
    harness.key_press(Key::Enter);
    harness.step();
    harness.step();
    assert_eq!(
        harness.state().selection,
        Selection::Service("cartservice".into())
    );
}

#[test]
fn editing_a_field_applies_it_and_undo_redo_restore_it() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .state_mut()
        .apply(AppCommand::Select(Selection::Service("cartservice".into())));
    harness.step();
    let before = service(harness.state(), "cartservice").replicas;
    assert_ne!(before, 7);

    harness.get_by_label("Replicas").focus();
    harness.step();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Replicas").type_text("7");
    harness.step();
    harness.step();
    assert_eq!(service(harness.state(), "cartservice").replicas, 7);
    assert!(harness.state().doc.is_dirty());
    assert!(
        harness.state().doc.title().ends_with("* — archsim"),
        "{}",
        harness.state().doc.title()
    );

    // A value that is not allowed is explained and not applied.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Replicas").type_text("0");
    harness.step();
    harness.step();
    assert_eq!(service(harness.state(), "cartservice").replicas, 7);
    harness.get_by_label("must be at least 1");

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.step();
    harness.step();
    assert_eq!(service(harness.state(), "cartservice").replicas, before);
    assert!(!harness.state().doc.is_dirty());

    harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    harness.step();
    assert_eq!(service(harness.state(), "cartservice").replicas, 7);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.step();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    harness.step();
    assert_eq!(service(harness.state(), "cartservice").replicas, 7);
}

#[test]
fn save_then_reload_gives_an_equal_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edited.json");
    let mut harness = harness();
    open(&mut harness, &scenario("payments.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::RenameService {
            from: "ledger".into(),
            to: "general-ledger".into(),
        }));
    harness.state_mut().apply(AppCommand::edit(Edit::AddCall {
        from: "payments-api".into(),
        to: "card-network".into(),
    }));
    settle(&mut harness);
    harness
        .state_mut()
        .apply(AppCommand::SaveAsPath(path.clone()));
    settle(&mut harness);
    let app = harness.state();
    assert!(!app.doc.is_dirty(), "saving clears the unsaved marker");
    assert_eq!(app.doc.path.as_deref(), Some(path.as_path()));

    let reloaded = archsim::model::load_file(&path).unwrap();
    assert_eq!(reloaded, app.doc.topology);
    let mut again = self::harness();
    open(&mut again, &path);
    assert_eq!(again.state().doc.topology, harness.state().doc.topology);
}

#[test]
fn an_invalid_file_shows_its_errors_and_keeps_the_open_document() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        r#"{"name": "broken", "services": [
            {"name": "a", "service_time": {"dist": "constant", "ms": 1}, "calls": [{"to": "nowhere"}]},
            {"name": "b", "replicas": 0, "service_time": {"dist": "constant", "ms": 1}}]}"#,
    )
    .unwrap();
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    open(&mut harness, &path);
    let app = harness.state();
    assert_eq!(
        app.doc.topology.name, "Online Boutique",
        "the previous document stays open"
    );
    let failure = app.open_failure.as_ref().expect("the failure is shown");
    assert!(failure.problems.len() >= 2, "{:?}", failure.problems);
    assert!(
        failure
            .problems
            .iter()
            .any(|p| p.message.contains("nowhere"))
    );
    assert!(
        failure.problems.iter().all(|p| p.line.is_some()),
        "problems are located by line"
    );
    // In the problems panel (and the status bar).
    assert!(harness.get_all_by_label_contains("Could not open").count() >= 1);
    assert!(harness.get_all_by_label_contains("nowhere").count() >= 1);

    // Not even JSON: one located syntax error.
    std::fs::write(&path, "{\"name\": \"x\",\n  \"services\": [}").unwrap();
    open(&mut harness, &path);
    let failure = harness
        .state()
        .open_failure
        .as_ref()
        .expect("the failure is shown");
    assert_eq!(failure.problems.len(), 1);
    assert_eq!(failure.problems[0].line, Some(2));
    assert_eq!(harness.state().doc.topology.name, "Online Boutique");
}

#[test]
fn opening_another_file_with_unsaved_changes_asks_first() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("changed".into())));
    harness.state_mut().open_path(scenario("three-tier.json"));
    harness.run_steps(3);
    harness.get_by_label_contains("Save the changes");
    assert_eq!(harness.state().doc.topology.name, "changed");
    harness.get_by_label("Don't save").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_ne!(harness.state().doc.topology.name, "changed");
    assert!(!harness.state().doc.is_dirty());
}

#[test]
fn dragging_from_a_node_handle_to_another_node_adds_a_call() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    let (from, to) = {
        let app = harness.state();
        let scene = app.scene().unwrap();
        // Two services where the first does not call the second yet.
        let pair = scene
            .nodes
            .iter()
            .enumerate()
            .flat_map(|(a, _)| (0..scene.nodes.len()).map(move |b| (a, b)))
            .find(|&(a, b)| a != b && !scene.edges.iter().any(|e| e.from == a && e.to == b))
            .unwrap();
        (scene.nodes[pair.0].clone(), scene.nodes[pair.1].clone())
    };
    let (start, end) = {
        let app = harness.state();
        let canvas = app.canvas.rect;
        let camera = app.canvas.camera;
        let right = archsim::graph::layout::Point {
            x: from.pos.x + from.width / 2.0,
            y: from.pos.y,
        };
        (
            camera.to_screen(canvas, right),
            camera.to_screen(canvas, to.pos),
        )
    };
    harness.event(egui::Event::PointerMoved(start));
    harness.step();
    harness.event(egui::Event::PointerButton {
        pos: start,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    harness.step();
    for k in 1..=5 {
        harness.event(egui::Event::PointerMoved(
            start + (end - start) * (k as f32 / 5.0),
        ));
        harness.step();
    }
    harness.event(egui::Event::PointerButton {
        pos: end,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.step();
    settle(&mut harness);
    let (NodeId::Service(a), NodeId::Service(b)) = (&from.id, &to.id) else {
        panic!("services")
    };
    let caller = service(harness.state(), a);
    let calls = caller
        .calls
        .iter()
        .chain(caller.operations.iter().flat_map(|op| &op.calls));
    assert!(
        calls
            .flat_map(|spec| spec.calls())
            .any(|call| call.to == *b),
        "{a} now calls {b}"
    );
    assert_eq!(
        harness.state().selection,
        Selection::Edge {
            from: a.clone(),
            to: b.clone()
        }
    );
}

#[test]
fn dragging_a_node_saves_its_position_in_the_layout() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    let node = harness.state().scene().unwrap().nodes[0].clone();
    let start = {
        let app = harness.state();
        app.canvas.camera.to_screen(app.canvas.rect, node.pos)
    };
    let end = start + egui::vec2(0.0, 120.0);
    harness.event(egui::Event::PointerMoved(start));
    harness.step();
    harness.event(egui::Event::PointerButton {
        pos: start,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    harness.step();
    for k in 1..=4 {
        harness.event(egui::Event::PointerMoved(
            start + (end - start) * (k as f32 / 4.0),
        ));
        harness.step();
    }
    harness.event(egui::Event::PointerButton {
        pos: end,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.step();
    settle(&mut harness);
    let app = harness.state();
    let layout = app
        .doc
        .topology
        .layout
        .as_ref()
        .expect("positions are saved");
    let saved = layout.nodes[node.id.name()];
    assert!(
        saved.y > node.pos.y + 50.0,
        "moved down: {saved:?} from {:?}",
        node.pos
    );
    let scene = app.scene().unwrap();
    let drawn = scene.nodes.iter().find(|n| n.id == node.id).unwrap();
    assert_eq!(drawn.pos, saved, "the scene shows the saved position");
    assert!(drawn.pinned);
    // An edit elsewhere keeps it where it was put.
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("moved".into())));
    settle(&mut harness);
    let scene = harness.state().scene().unwrap();
    assert_eq!(
        scene.nodes.iter().find(|n| n.id == node.id).unwrap().pos,
        saved
    );
}

/// A file dropped onto the window, as the windowing integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_file_onto_the_window_opens_it() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(scenario("social.json"))));
    harness.step();
    settle(&mut harness);
    let app = harness.state();
    assert_ne!(app.doc.topology.name, "Online Boutique");
    assert_eq!(
        app.doc.path.as_deref(),
        Some(scenario("social.json").as_path())
    );
    assert_eq!(
        app.settings.recent_files.first(),
        Some(&scenario("social.json"))
    );
}

#[test]
fn selecting_a_service_highlights_what_it_calls_and_what_calls_it() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .state_mut()
        .apply(AppCommand::Select(Selection::Service("cartservice".into())));
    harness.step();
    let app = harness.state();
    let scene = app.scene().unwrap();
    let marks = app.marks();
    let mark = |name: &str| {
        let i = scene.find(&NodeId::Service(name.into())).unwrap();
        marks.nodes[i]
    };
    assert_eq!(mark("cartservice"), Mark::Selected);
    assert_eq!(
        mark("redis-cart"),
        Mark::Downstream,
        "cartservice depends on redis-cart"
    );
    assert_eq!(
        mark("frontend"),
        Mark::Upstream,
        "frontend depends on cartservice"
    );
    assert_eq!(mark("checkoutservice"), Mark::Upstream);
    assert_eq!(mark("adservice"), Mark::Faded, "unrelated services fade");
}

#[test]
fn an_entry_highlights_its_critical_path() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    let entry = harness
        .state()
        .doc
        .topology
        .workload
        .iter()
        .position(|e| e.name.as_deref() == Some("checkout"))
        .unwrap();
    harness
        .state_mut()
        .apply(AppCommand::HighlightEntry(Some(entry)));
    harness.step();
    let app = harness.state();
    let path = app.analysis().unwrap().critical_path(entry);
    assert!(path.len() >= 2, "{path:?}");
    let scene = app.scene().unwrap();
    let marks = app.marks();
    for name in &path {
        let i = scene.find(&NodeId::Service(name.clone())).unwrap();
        assert_eq!(marks.nodes[i], Mark::Critical, "{name} is on the path");
    }
    let critical_edges = marks.edges.iter().filter(|m| **m == Mark::Critical).count();
    assert_eq!(critical_edges, path.len() - 1);
}

#[test]
fn collapsing_a_group_draws_it_as_one_node_and_hiding_removes_it() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetGroupCollapsed {
            group: "checkout".into(),
            collapsed: true,
        }));
    settle(&mut harness);
    let scene = harness.state().scene().unwrap();
    let group = scene
        .find(&NodeId::Group("checkout".into()))
        .expect("one node for the group");
    assert_eq!(scene.nodes[group].members, 5);
    assert_eq!(scene.nodes.len(), 11 - 5 + 1);
    assert!(
        scene
            .find(&NodeId::Service("paymentservice".into()))
            .is_none()
    );
    assert!(
        scene.edges.iter().any(|e| e.to == group),
        "calls into the group are kept"
    );
    assert!(
        harness.state().doc.is_dirty(),
        "collapsed groups are saved in the file"
    );

    harness.state_mut().apply(AppCommand::SetGroupHidden {
        group: "checkout".into(),
        hidden: true,
    });
    settle(&mut harness);
    let scene = harness.state().scene().unwrap();
    assert_eq!(scene.nodes.len(), 6);
    assert_eq!(scene.hidden_services, 5);
}

#[test]
fn every_example_opens_without_problems_and_lays_out_without_overlaps() {
    for file in [
        "shop.json",
        "social.json",
        "payments.json",
        "three-tier.json",
        "large-1000.json",
    ] {
        let mut harness = harness();
        open(&mut harness, &scenario(file));
        let app = harness.state();
        assert!(app.open_failure.is_none(), "{file}");
        let scene = app.scene().unwrap();
        assert_eq!(scene.nodes.len(), app.doc.topology.services.len(), "{file}");
        let rects: Vec<_> = scene.nodes.iter().map(|n| n.rect()).collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.intersects(*b), "{file}: two nodes overlap");
            }
        }
        for (i, a) in scene.group_boxes.iter().enumerate() {
            for b in &scene.group_boxes[i + 1..] {
                assert!(
                    !a.rect.intersects(b.rect),
                    "{file}: groups {} and {} overlap",
                    a.label,
                    b.label
                );
            }
        }
    }
}

#[test]
fn the_large_example_opens_and_lays_out_every_node() {
    // Its speed is measured by `cargo bench --bench graph_view` (see
    // docs/performance.md), not asserted here: a loaded machine would fail it.
    let topology = archsim::gui::load_checked(&scenario("large-1000.json")).unwrap();
    let derived = archsim::gui::derive(&archsim::gui::DeriveRequest {
        generation: 1,
        topology,
        options: Default::default(),
        previous: Default::default(),
    });
    assert_eq!(derived.scene.nodes.len(), 1044);
    assert!(derived.analysis.is_some());
}

#[test]
fn closing_the_window_with_unsaved_changes_asks_first() {
    let mut harness = harness();
    open(&mut harness, &scenario("three-tier.json"));
    harness
        .state_mut()
        .apply(AppCommand::edit(Edit::SetName("edited".into())));
    harness.step();
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.step();
    let cancelled = harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::CancelClose));
    assert!(cancelled, "the close is held back");
    harness.run_steps(2);
    harness.get_by_label_contains("before closing?");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("before closing?").is_none());
    assert_eq!(
        harness.state().doc.topology.name,
        "edited",
        "nothing was lost"
    );
}

#[test]
fn renaming_a_service_by_typing_keeps_the_field_and_is_one_undo_step() {
    let mut harness = harness();
    open(&mut harness, &scenario("shop.json"));
    harness
        .state_mut()
        .apply(AppCommand::Select(Selection::Service("cartservice".into())));
    harness.step();
    harness.get_by_label("Name").focus();
    harness.step();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    for c in "basket".chars() {
        harness.get_by_label("Name").type_text(&c.to_string());
        harness.step();
    }
    harness.step();
    let app = harness.state();
    assert_eq!(app.selection, Selection::Service("basket".into()));
    assert!(app.doc.topology.services.iter().any(|s| s.name == "basket"));
    // Calls to it follow the rename.
    let frontend = service(app, "frontend");
    let calls = frontend
        .operations
        .iter()
        .flat_map(|op| &op.calls)
        .flat_map(|spec| spec.calls());
    assert!(
        calls.clone().any(|c| c.to == "basket") && !calls.clone().any(|c| c.to == "cartservice")
    );

    harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    harness.step();
    let app = harness.state();
    assert!(
        app.doc
            .topology
            .services
            .iter()
            .any(|s| s.name == "cartservice"),
        "one undo step"
    );
    assert!(!app.doc.is_dirty());
}
