//! The search box: finds services by name as you type, Enter centres the
//! best match. Matching is case-insensitive: names that start with the query
//! first, then names that contain it, then close misspellings.

use egui::{Key, RichText, Ui};

use crate::model::Topology;

use super::command::AppCommand;

/// Matches shown under the box.
const SHOWN: usize = 8;

#[derive(Debug, Default)]
pub struct SearchState {
    pub query: String,
    pub focus_requested: bool,
    /// The list of matches is showing.
    list_open: bool,
    /// The matches of the last query, and the document version they were
    /// found in: scoring 10,000 names every frame would cost more than
    /// drawing them.
    found: Option<Found>,
}

/// Matches of `query` in version `document` of a document: each name with
/// its group.
#[derive(Debug)]
struct Found {
    query: String,
    document: (u64, u64),
    names: Vec<(String, String)>,
}

impl SearchState {
    /// The matches of the query in `topology`, version `document` (the
    /// document's serial and revision), found again only when either
    /// changed.
    fn found(&mut self, topology: &Topology, document: (u64, u64)) -> &[(String, String)] {
        let fresh = self
            .found
            .as_ref()
            .is_some_and(|f| f.query == self.query && f.document == document);
        if !fresh {
            let names = matches(topology, &self.query, SHOWN)
                .into_iter()
                .map(|name| {
                    let group = topology
                        .services
                        .iter()
                        .find(|s| s.name == name)
                        .and_then(|s| s.group.clone())
                        .unwrap_or_default();
                    (name, group)
                })
                .collect();
            self.found = Some(Found {
                query: self.query.clone(),
                document,
                names,
            });
        }
        self.found.as_ref().map_or(&[], |f| &f.names)
    }
}

/// Service names matching `query`, best first.
pub fn matches(topology: &Topology, query: &str, limit: usize) -> Vec<String> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(u8, f64, usize)> = Vec::new();
    for (i, service) in topology.services.iter().enumerate() {
        let name = service.name.to_lowercase();
        if name == query {
            scored.push((0, 0.0, i));
        } else if name.starts_with(&query) {
            scored.push((1, 0.0, i));
        } else if name.contains(&query) {
            scored.push((2, 0.0, i));
        } else {
            let similarity = strsim::jaro_winkler(&name, &query);
            if similarity >= 0.85 {
                scored.push((3, -similarity, i));
            }
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, i)| topology.services[i].name.clone())
        .collect()
}

/// The search box with its list of matches. `document` is the open
/// document's serial and revision (the matches are kept until either
/// changes).
pub fn search_ui(
    ui: &mut Ui,
    state: &mut SearchState,
    topology: &Topology,
    document: (u64, u64),
    out: &mut Vec<AppCommand>,
) {
    let edit = egui::TextEdit::singleline(&mut state.query)
        .hint_text("Find service  (Ctrl+F)")
        .desired_width(220.0)
        .id_salt("search");
    let response = ui.add(edit).accessible_name("Find service");
    if state.focus_requested {
        response.request_focus();
        state.focus_requested = false;
    }
    let found = state.found(topology, document).to_vec();
    let entered = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
    if entered {
        match found.first() {
            Some((name, _)) => out.push(AppCommand::Reveal(name.clone())),
            None if !state.query.trim().is_empty() => out.push(AppCommand::Status(format!(
                "No service matches \"{}\"",
                state.query.trim()
            ))),
            None => {}
        }
    }
    if response.changed() || response.gained_focus() {
        state.list_open = !state.query.trim().is_empty();
    }
    if entered || ui.input(|i| i.key_pressed(Key::Escape)) {
        state.list_open = false;
    }
    if state.list_open {
        egui::Popup::from_response(&response)
            .id(egui::Id::unique("search-results"))
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .open_bool(&mut state.list_open)
            .show(|ui| {
                ui.set_min_width(220.0);
                if found.is_empty() {
                    ui.weak("No service matches");
                }
                for (name, group) in &found {
                    let clicked = ui
                        .horizontal(|ui| {
                            let clicked = ui.selectable_label(false, name).clicked();
                            ui.label(RichText::new(group).weak().small());
                            clicked
                        })
                        .inner;
                    if clicked {
                        out.push(AppCommand::Reveal(name.clone()));
                        ui.close();
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_beats_contains_beats_misspelling() {
        let topology = crate::model::from_json_str(
            r#"{"name": "t", "services": [
                {"name": "shoppingcart", "service_time": {"dist": "constant", "ms": 1}},
                {"name": "cartservice", "service_time": {"dist": "constant", "ms": 1}},
                {"name": "catservice", "service_time": {"dist": "constant", "ms": 1}},
                {"name": "db", "service_time": {"dist": "constant", "ms": 1}}]}"#,
        )
        .unwrap();
        assert_eq!(
            matches(&topology, "CART", 8),
            vec!["cartservice", "shoppingcart"]
        );
        assert_eq!(
            matches(&topology, "cartsevrice", 8),
            vec!["cartservice", "catservice"]
        );
        assert!(matches(&topology, "  ", 8).is_empty());
    }

    #[test]
    fn matches_are_found_again_when_the_query_or_the_document_changes() {
        let one = crate::model::from_json_str(
            r#"{"name": "t", "services": [
                {"name": "cart", "group": "shop", "service_time": {"dist": "constant", "ms": 1}}]}"#,
        )
        .unwrap();
        let mut two = one.clone();
        two.services[0].name = "carts".into();
        let mut state = SearchState {
            query: "car".into(),
            ..SearchState::default()
        };
        let names = |found: &[(String, String)]| found.to_vec();
        assert_eq!(
            names(state.found(&one, (1, 0))),
            vec![("cart".to_owned(), "shop".to_owned())]
        );
        // The same version: the kept answer, even given another topology.
        assert_eq!(state.found(&two, (1, 0))[0].0, "cart");
        assert_eq!(state.found(&two, (1, 1))[0].0, "carts");
        state.query = "nothing like it".into();
        assert!(state.found(&two, (1, 1)).is_empty());
    }
}
