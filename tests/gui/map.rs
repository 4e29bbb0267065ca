//! The map of a large system in the app: far out, groups are cards that a
//! click selects and a double-click opens; zoomed in, the same spot is a
//! service.

use archsim::gui::Selection;
use archsim::report::scene::OVERVIEW_ZOOM;
use egui::{Modifiers, Pos2};

use super::{harness, open, scenario};

fn click(harness: &mut egui_kittest::Harness<'static, archsim::gui::App>, at: Pos2) {
    harness.event(egui::Event::PointerMoved(at));
    harness.step();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    harness.step();
    harness.step();
}

#[test]
fn the_fitted_large_example_is_a_map_of_group_cards() {
    let mut harness = harness();
    open(&mut harness, &scenario("large-1000.json"));
    let (zoom, at) = {
        let app = harness.state();
        let scene = app.scene().unwrap();
        let payments = scene
            .group_boxes
            .iter()
            .find(|b| b.label == "payments")
            .unwrap();
        let camera = app.canvas.camera;
        (
            camera.zoom,
            camera
                .rect_to_screen(app.canvas.rect, payments.rect)
                .center(),
        )
    };
    assert!(
        f64::from(zoom) < OVERVIEW_ZOOM,
        "the whole graph fits only far out (zoom {zoom})"
    );
    click(&mut harness, at);
    assert_eq!(
        harness.state().selection,
        Selection::Group("payments".into()),
        "a click on a card selects its group"
    );
    // A double-click opens the card: the view zooms in far enough to draw
    // its services. (Both clicks in one frame: the harness advances the
    // clock a quarter second per frame, longer than a double-click takes.)
    for pressed in [true, false, true, false] {
        harness.input_mut().events.push(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    harness.step();
    harness.step();
    let camera = harness.state().canvas.camera;
    assert!(
        f64::from(camera.zoom) >= OVERVIEW_ZOOM,
        "zoomed in to {}",
        camera.zoom
    );
}

#[test]
fn zooming_in_past_the_threshold_turns_a_card_into_its_services() {
    let mut harness = harness();
    open(&mut harness, &scenario("large-1000.json"));
    let (service, centre) = {
        let app = harness.state();
        let scene = app.scene().unwrap();
        let node = scene
            .nodes
            .iter()
            .find(|n| n.name() == "payments-api")
            .unwrap();
        (node.clone(), app.canvas.rect.center())
    };
    for (zoom, expected) in [
        (OVERVIEW_ZOOM * 0.8, Selection::Group("payments".into())),
        (
            OVERVIEW_ZOOM * 1.5,
            Selection::Service("payments-api".into()),
        ),
        (OVERVIEW_ZOOM * 0.5, Selection::Group("payments".into())),
    ] {
        {
            let camera = &mut harness.state_mut().canvas.camera;
            camera.centre = service.pos;
            camera.zoom = zoom as f32;
        }
        harness.step();
        click(&mut harness, centre);
        assert_eq!(harness.state().selection, expected, "at zoom {zoom}");
    }
}
