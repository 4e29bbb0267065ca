//! The scene seen from far out: each group box as one card with its
//! members' summed load and worst utilization, and the edges between cards
//! (and the nodes outside any group) bundled per pair, their rates summed.
//! The cards sit where the group boxes are, so zooming in opens a card into
//! its services in place.

use std::collections::BTreeMap;

use super::{NodeId, Scene, sum_opt};

/// One end of an overview edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OverviewEnd {
    /// A node outside any group box (ungrouped, or a collapsed group),
    /// drawn as itself.
    Node(usize),
    /// A group box (index into `Scene::group_boxes`), drawn as one card.
    Group(usize),
}

/// The edges between two ends, bundled.
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewEdge {
    pub from: OverviewEnd,
    pub to: OverviewEnd,
    /// Expected calls per second, summed.
    pub rate_rps: Option<f64>,
    /// Scene edges it stands for.
    pub edges: usize,
    /// Every edge it stands for is optional.
    pub optional: bool,
}

/// The figures of one group box, drawn on its card.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupCard {
    pub members: usize,
    /// Requests per second arriving at its services, summed (as on a
    /// collapsed group's node).
    pub load_rps: Option<f64>,
    /// The highest utilization among its services.
    pub utilization: Option<f64>,
    /// Traffic enters one of its services.
    pub entry: bool,
}

impl GroupCard {
    /// `12 services · 1.2k/s · 67%`.
    pub fn subline(&self) -> String {
        super::figures_line(
            super::count_line(self.members),
            self.load_rps,
            self.utilization,
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overview {
    /// The group box of each node (None: drawn as itself).
    pub box_of_node: Vec<Option<usize>>,
    /// One card per group box, in the same order.
    pub cards: Vec<GroupCard>,
    pub edges: Vec<OverviewEdge>,
}

impl Overview {
    pub fn of(scene: &Scene) -> Overview {
        let index: BTreeMap<&str, usize> = scene
            .group_boxes
            .iter()
            .enumerate()
            .map(|(i, b)| (b.label.as_str(), i))
            .collect();
        let mut cards = vec![GroupCard::default(); scene.group_boxes.len()];
        let box_of_node: Vec<Option<usize>> = scene
            .nodes
            .iter()
            .map(|node| match (&node.id, &node.group) {
                (NodeId::Service(_), Some(group)) => index.get(group.as_str()).copied(),
                _ => None,
            })
            .collect();
        for (node, at) in scene.nodes.iter().zip(&box_of_node) {
            if let Some(card) = at.and_then(|g| cards.get_mut(g)) {
                card.members += 1;
                card.entry |= node.entry;
                card.load_rps = sum_opt(card.load_rps, node.load_rps);
                card.utilization = match (card.utilization, node.utilization) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        let end = |i: usize| match box_of_node[i] {
            Some(g) => OverviewEnd::Group(g),
            None => OverviewEnd::Node(i),
        };
        let mut bundles: BTreeMap<(OverviewEnd, OverviewEnd), OverviewEdge> = BTreeMap::new();
        for edge in &scene.edges {
            let (from, to) = (end(edge.from), end(edge.to));
            if from == to && matches!(from, OverviewEnd::Group(_)) {
                continue; // inside one card
            }
            let bundle = bundles.entry((from, to)).or_insert(OverviewEdge {
                from,
                to,
                rate_rps: None,
                edges: 0,
                optional: true,
            });
            bundle.rate_rps = sum_opt(bundle.rate_rps, edge.rate_rps);
            bundle.edges += 1;
            bundle.optional &= edge.optional;
        }
        Overview {
            box_of_node,
            cards,
            edges: bundles.into_values().collect(),
        }
    }
}
