//! The bottom panel at the default window (1440×900), a large one
//! (1600×1000) and a small one (1024×700): every tab shows the whole of its
//! content or a scroll bar that is drawn (solid, not egui's floating bars
//! that appear only under the pointer), and the Charts tab shows its first
//! two rows whole.

use archsim::gui::{App, AppCommand, BottomTab, Settings, SimCommand};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use super::{scenario, settle};

const SIZES: [(f32, f32); 3] = [(1440.0, 900.0), (1600.0, 1000.0), (1024.0, 700.0)];

const TABS: [BottomTab; 7] = [
    BottomTab::Problems,
    BottomTab::Analysis,
    BottomTab::Scenario,
    BottomTab::Charts,
    BottomTab::Results,
    BottomTab::Compare,
    BottomTab::Experiments,
];

/// The app at `size`, without the side panels: every widget at the
/// bottom of the window is then the bottom panel's.
fn harness_at(size: (f32, f32)) -> Harness<'static, App> {
    let settings = Settings {
        show_outline: false,
        show_inspector: false,
        ..Settings::default()
    };
    Harness::builder()
        .with_size(egui::vec2(size.0, size.1))
        .build_ui_state(|ui, app: &mut App| app.ui_root(ui), App::new(settings))
}

/// The words a widget shows: a label's text (AccessKit keeps it as the
/// value), another widget's label.
fn words(node: &egui_kittest::kittest::AccessKitNode<'_>) -> Option<String> {
    if node.role() == Role::Label {
        node.value()
    } else {
        node.label()
    }
}

fn run_to_end(harness: &mut Harness<'static, App>) {
    let before = harness.state().sim.runs.len();
    harness.state_mut().apply(SimCommand::Run.into());
    let started = std::time::Instant::now();
    while harness.state().sim.is_running() || harness.state().sim.runs.len() == before {
        harness.step();
        assert!(started.elapsed().as_secs() < 120, "the run did not end");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    settle(harness);
}

#[test]
fn every_bottom_tab_shows_all_of_its_content_or_a_scroll_bar_at_every_window_size() {
    for size in SIZES {
        let mut harness = harness_at(size);
        harness.state_mut().open_path(scenario("shop.json"));
        settle(&mut harness);
        // Two runs, so that the Compare tab compares.
        run_to_end(&mut harness);
        run_to_end(&mut harness);
        let style = harness.ctx.global_style();
        assert!(
            !style.spacing.scroll.floating,
            "scroll bars are drawn, not only under the pointer"
        );
        for tab in TABS {
            harness.state_mut().queue(AppCommand::ShowBottomTab(tab));
            harness.run_steps(4);
            // The panel: from its row of tabs down to the status bar.
            let top = harness.get_by_label("Analysis").rect().top();
            let status = harness.get_by_label_contains("laid out in").rect();
            let bottom = status.top();
            let right = size.0;
            let bars = harness
                .query_all_by_role(Role::ScrollBar)
                .filter(|bar| {
                    let r = bar.rect();
                    r.top() >= top && r.bottom() <= bottom + 1.0
                })
                .count();
            // Widgets with words, below the tabs, reaching past the panel's
            // bottom or the window's right edge; the status bar's own row
            // (under the panel) is not the panel's.
            let hidden: Vec<String> = harness
                .query_all_by(|node| {
                    node.role() != Role::ScrollBar
                        && words(node).is_some_and(|l| !l.is_empty())
                        && node.bounding_box().is_some_and(|b| {
                            let (y0, y1, x1) = (b.y0 as f32, b.y1 as f32, b.x1 as f32);
                            let in_status_row =
                                y0 >= status.top() - 2.0 && y1 <= status.bottom() + 2.0;
                            y0 >= top && !in_status_row && (y1 > bottom + 1.0 || x1 > right + 1.0)
                        })
                })
                .map(|node| format!("{:?}", words(&node.accesskit_node())))
                .collect();
            assert!(
                hidden.is_empty() || bars > 0,
                "{size:?} {tab:?}: {} widgets out of view and no scroll bar, e.g. {:?}",
                hidden.len(),
                &hidden[..hidden.len().min(3)]
            );
            // At the default size and above, the first two rows of charts
            // are whole; a small window scrolls to them.
            if tab == BottomTab::Charts && size.1 >= 900.0 {
                // The first two rows of charts are whole: the third row's
                // first title starts above the panel's bottom.
                let columns = harness
                    .query_all_by_label_contains(": throughput")
                    .map(|n| n.rect().top())
                    .collect::<Vec<_>>();
                assert_eq!(columns.len(), 2, "the entries' and the service's");
                let mut rows: Vec<f32> = harness
                    .query_all_by(|node| {
                        words(node).is_some_and(|l| {
                            l.starts_with("Entries: ") || l.starts_with("productcatalogservice: ")
                        })
                    })
                    .map(|n| n.rect().top())
                    .collect();
                rows.sort_by(f32::total_cmp);
                rows.dedup_by(|a, b| (*a - *b).abs() < 2.0);
                assert!(rows.len() >= 3, "{size:?}: rows of charts at {rows:?}");
                // The third row starts just under the second one's plot.
                assert!(
                    rows[2] - 4.0 <= bottom,
                    "{size:?}: the second row of charts is cut off: rows at {rows:?}, panel ends at {bottom}"
                );
            }
        }
    }
}
