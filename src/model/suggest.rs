//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate closest to `word`, if one is close enough to be a likely
/// typo (Jaro-Winkler similarity ≥ 0.8, or equal ignoring case).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let score = if candidate.to_lowercase() == lower {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &candidate.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names() {
        let names = ["payment", "cart", "checkout"];
        assert_eq!(did_you_mean("paymnt", names), Some("payment"));
        assert_eq!(did_you_mean("Cart", names), Some("cart"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(
            did_you_mean("replcas", ["replicas", "workers"]),
            Some("replicas")
        );
    }
}
