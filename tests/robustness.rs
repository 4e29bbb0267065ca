//! No input makes loading, checking, analysing or writing a topology panic:
//! hand-picked malformed inputs and mutations of the example files.

use archsim::model;

mod deep;
mod limits;
mod outputs;
mod scale;

/// A tiny deterministic generator for the mutation tests.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Load, check and analyse: must never panic, whatever the input.
fn exercise(text: &str) {
    if let Ok(checked) = model::load_checked_str(text, "fuzz.json") {
        let analysis = archsim::graph::analyze(&checked);
        let document = archsim::graph::GraphDocument::new(&checked, &analysis);
        let _ = archsim::report::dot::to_dot(&document);
        let _ = archsim::report::mermaid::to_mermaid(&document);
        let _ = model::to_json_string(checked.topology());
    }
}

#[test]
fn malformed_inputs_never_panic() {
    let deep_array = "[".repeat(100_000);
    let deep_object = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let deep_value = format!(
        "{{\"name\": \"x\", \"services\": [{{\"name\": \"a\", \"service_time\": {}}}]}}",
        "[".repeat(120) + &"]".repeat(120)
    );
    let fixed = [
        "",
        " ",
        "null",
        "0",
        "\"text\"",
        "[]",
        "{}",
        "{\"name\": 1}",
        "{\"name\": \"x\", \"services\": {}}",
        "{\"name\": \"x\", \"services\": [1, \"a\", null, [], {}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"replicas\": 1e400}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"replicas\": 18446744073709551616}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"replicas\": -1}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"constant\", \"ms\": \"NaN\"}}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"constant\", \"ms\": 1.7976931348623157e308}}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 1e-300, \"p99_ms\": 1e300}}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"calls\": [{\"parallel\": {}}]}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"calls\": [{\"parallel\": [], \"to\": \"b\"}]}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"calls\": [1, [], null]}]}",
        "{\"archsim\": -1}",
        "{\"archsim\": 1.5, \"name\": \"x\", \"services\": []}",
        "\u{0}\u{1}\u{2}\u{fffd}\u{fffd}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"constant\", \"ms\": 1}}], \"layout\": {\"nodes\": {\"a\": {\"x\": 1e308, \"y\": -1e308}}}}",
        &deep_array,
        &deep_object,
        &deep_value,
    ];
    for text in fixed {
        exercise(text);
    }
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    exercise(&String::from_utf8_lossy(&garbage));
}

#[test]
fn mutated_examples_never_panic() {
    let replacements = [
        "-1",
        "0",
        "1e308",
        "-1e308",
        "1e-308",
        "18446744073709551615",
        "0.5",
        "\"x\"",
        "null",
        "[]",
        "{}",
        "true",
        "\"\"",
        "[1, 2]",
        "{\"parallel\": []}",
    ];
    let mut rng = Lcg(7);
    for path in super::format::example_paths() {
        if path.ends_with("large-1000.json") {
            continue; // large: one mutation run takes long; the small ones cover the same code
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..120 {
            let mutated = match rng.below(5) {
                0 => {
                    // truncate at a character boundary
                    let mut cut = rng.below(text.len());
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text[..cut].to_owned()
                }
                1 => {
                    let mut copy = lines.clone();
                    copy.remove(rng.below(copy.len()));
                    copy.join("\n")
                }
                2 => {
                    let mut copy = lines.clone();
                    let i = rng.below(copy.len());
                    copy.insert(i, lines[i]);
                    copy.join("\n")
                }
                _ => {
                    // replace one value after a key with something else
                    let mut copy: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                    let i = rng.below(copy.len());
                    if let Some(colon) = copy[i].find(": ") {
                        let comma = if copy[i].ends_with(',') { "," } else { "" };
                        let value = replacements[rng.below(replacements.len())];
                        copy[i] = format!("{}: {value}{comma}", &copy[i][..colon]);
                    }
                    copy.join("\n")
                }
            };
            exercise(&mutated);
        }
    }
}
