//! The map of a system as laid out by the core (`report::scene`, drawn by
//! the app and the SVG writer): group boxes and their labels, edges kept off
//! nodes, collapsed groups laid out in layers, zone boxes, the overview.

use std::path::{Path, PathBuf};

use archsim::graph::layout::routes::{RouteEdge, crosses_a_node};
use archsim::graph::layout::{Point, Rect};
use archsim::report::scene::{
    GROUP_LABEL_ROOM, NodeId, OverviewEnd, Scene, SceneOptions, ZONE_NESTING,
};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// The scene the app draws for `file` (its expected figures included).
fn scene_of(file: &str, collapse_all_groups: bool) -> Scene {
    let topology = archsim::model::load_file(&scenario(file)).unwrap();
    let checked = archsim::model::check(topology).unwrap();
    let analysis = archsim::graph::analyze(&checked);
    Scene::of(checked.topology(), Some(&analysis), collapse_all_groups)
}

const EXAMPLES: [&str; 8] = [
    "shop.json",
    "social.json",
    "payments.json",
    "three-tier.json",
    "retry-storm.json",
    "autoscaling.json",
    "zones.json",
    "large-1000.json",
];

/// The strip above a group box where its label is drawn.
fn label_strip(rect: Rect) -> Rect {
    Rect {
        min: Point {
            x: rect.min.x,
            y: rect.min.y - GROUP_LABEL_ROOM,
        },
        max: Point {
            x: rect.max.x,
            y: rect.min.y,
        },
    }
}

#[test]
fn group_boxes_never_overlap_and_their_labels_cover_nothing() {
    for file in EXAMPLES {
        let scene = scene_of(file, false);
        let boxes = &scene.group_boxes;
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(
                    !a.rect.intersects(b.rect),
                    "{file}: {} and {} overlap",
                    a.label,
                    b.label
                );
            }
            let label = label_strip(a.rect);
            for (j, b) in boxes.iter().enumerate() {
                if j != i {
                    assert!(
                        !label.intersects(b.rect) && !label.intersects(label_strip(b.rect)),
                        "{file}: the label of {} runs into {}",
                        a.label,
                        b.label
                    );
                }
            }
            for node in &scene.nodes {
                assert!(
                    !label.intersects(node.rect()),
                    "{file}: the label of {} covers {}",
                    a.label,
                    node.name()
                );
            }
        }
    }
}

fn crossings(scene: &Scene) -> Vec<String> {
    let rects: Vec<Rect> = scene.nodes.iter().map(|n| n.rect()).collect();
    scene
        .edges
        .iter()
        .filter(|e| {
            let edge = RouteEdge {
                from: e.from,
                to: e.to,
                back: e.back,
            };
            crosses_a_node(&rects, edge, e.bend)
        })
        .map(|e| {
            format!(
                "{} → {}",
                scene.nodes[e.from].name(),
                scene.nodes[e.to].name()
            )
        })
        .collect()
}

#[test]
fn no_edge_of_the_examples_passes_through_a_node() {
    for file in [
        "shop.json",
        "social.json",
        "payments.json",
        "three-tier.json",
        "retry-storm.json",
        "autoscaling.json",
        "zones.json",
    ] {
        for collapsed in [false, true] {
            let scene = scene_of(file, collapsed);
            let crossing = crossings(&scene);
            assert!(crossing.is_empty(), "{file}: {crossing:?} cross nodes");
        }
    }
}

#[test]
fn shop_frontend_to_productcatalogservice_no_longer_crosses_recommendationservice() {
    let scene = scene_of("shop.json", false);
    let index = |name: &str| scene.find(&NodeId::Service(name.into())).unwrap();
    let (from, to) = (index("frontend"), index("productcatalogservice"));
    let edge = scene
        .edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .unwrap();
    let rects: Vec<Rect> = scene.nodes.iter().map(|n| n.rect()).collect();
    let route = RouteEdge {
        from,
        to,
        back: edge.back,
    };
    assert!(!crosses_a_node(&rects, route, edge.bend));
}

#[test]
fn collapsed_groups_are_laid_out_in_layers_from_the_entries() {
    let scene = scene_of("large-1000.json", true);
    assert_eq!(
        scene.nodes.len(),
        42,
        "40 domains, the BFFs and the gateways"
    );
    let rects: Vec<Rect> = scene.nodes.iter().map(|n| n.rect()).collect();
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            assert!(!a.intersects(*b), "two groups overlap");
        }
    }
    // The entries' group is leftmost, and calls flow to the right.
    let edge = scene.find(&NodeId::Group("edge".into())).unwrap();
    let leftmost = scene
        .nodes
        .iter()
        .map(|n| n.pos.x)
        .fold(f64::INFINITY, f64::min);
    assert_eq!(scene.nodes[edge].pos.x, leftmost);
    // Every call points right, or down within one column of a folded layer
    // (the 40 domains all sit one call from the BFFs and call each other),
    // or is drawn as a back arc (it closes a cycle): none points left.
    let (mut forward, mut down, mut back) = (0, 0, 0);
    for e in &scene.edges {
        let (from, to) = (scene.nodes[e.from].pos, scene.nodes[e.to].pos);
        if e.back {
            back += 1;
        } else if from.x < to.x {
            forward += 1;
        } else if from.x == to.x && from.y < to.y {
            down += 1;
        }
    }
    assert_eq!(
        forward + down + back,
        scene.edges.len(),
        "{forward} right, {down} down, {back} back arcs"
    );
    // Not one column or one row: several columns, each of several groups.
    let mut columns: Vec<i64> = scene.nodes.iter().map(|n| n.pos.x.round() as i64).collect();
    columns.sort_unstable();
    columns.dedup();
    assert!(columns.len() >= 3, "{} columns", columns.len());
    // Calls between groups are bundled, one edge per pair, weighted by rate.
    let mut pairs: Vec<(usize, usize)> = scene.edges.iter().map(|e| (e.from, e.to)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    assert_eq!(pairs.len(), scene.edges.len());
    // Weighted: the calls per second between two groups are the sum of
    // those between their services (calls the workload never reaches have
    // no rate).
    let total = |scene: &Scene, between_groups: bool| -> f64 {
        scene
            .edges
            .iter()
            .filter(|e| !between_groups || scene.nodes[e.from].group != scene.nodes[e.to].group)
            .filter_map(|e| e.rate_rps)
            .sum()
    };
    let services = scene_of("large-1000.json", false);
    let (bundled, between) = (total(&scene, false), total(&services, true));
    assert!(between > 0.0);
    assert!(
        (bundled - between).abs() < 1e-6 * between,
        "{bundled} against {between}"
    );
}

#[test]
fn the_overview_has_one_card_per_group_with_its_figures() {
    let scene = scene_of("large-1000.json", false);
    let overview = &scene.overview;
    assert_eq!(overview.cards.len(), scene.group_boxes.len());
    let members: usize = overview.cards.iter().map(|c| c.members).sum();
    assert_eq!(members, scene.nodes.len(), "every service is on a card");
    let bff = scene
        .group_boxes
        .iter()
        .position(|b| b.label == "bff")
        .unwrap();
    let card = &overview.cards[bff];
    assert_eq!(card.members, 40);
    let worst = scene
        .nodes
        .iter()
        .filter(|n| n.group.as_deref() == Some("bff"))
        .filter_map(|n| n.utilization)
        .fold(0.0, f64::max);
    assert_eq!(card.utilization, Some(worst));
    assert!(
        card.subline().starts_with("40 services · "),
        "{}",
        card.subline()
    );
    // Bundled: at most one overview edge per pair of cards, none inside one.
    let mut pairs: Vec<(OverviewEnd, OverviewEnd)> =
        overview.edges.iter().map(|e| (e.from, e.to)).collect();
    let count = pairs.len();
    pairs.sort_unstable();
    pairs.dedup();
    assert_eq!(pairs.len(), count);
    assert!(overview.edges.iter().all(|e| e.from != e.to));
    let bundled: usize = overview.edges.iter().map(|e| e.edges).sum();
    assert!(
        bundled < scene.edges.len(),
        "calls inside a group are not drawn"
    );
    assert!(
        overview.edges.len() < bundled,
        "calls between two groups are one arrow"
    );
}

#[test]
fn zone_boxes_of_zones_with_the_same_services_are_nested_apart() {
    let topology = archsim::model::load_file(&scenario("payments.json")).unwrap();
    let scene = Scene::build(
        &topology,
        &SceneOptions::default(),
        &Default::default(),
        &Default::default(),
    );
    let zones = &scene.zone_boxes;
    let labels: Vec<&str> = zones.iter().map(|z| z.label.as_str()).collect();
    assert_eq!(labels, ["a", "b", "c"], "each zone has one box");
    for (i, a) in zones.iter().enumerate() {
        for b in &zones[i + 1..] {
            let (a, b) = (a.rect, b.rect);
            for (p, q) in [
                (a.min.x, b.min.x),
                (a.min.y, b.min.y),
                (a.max.x, b.max.x),
                (a.max.y, b.max.y),
            ] {
                assert!(
                    (p - q).abs() >= ZONE_NESTING - 1e-9,
                    "two zone boxes share an outline: {a:?} {b:?}"
                );
            }
        }
    }
}
