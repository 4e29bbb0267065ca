//! A sweep's identity: a SHA-256 over everything that decides its results.
//!
//! Parts of one sweep carry the same identity; the merge refuses parts whose
//! identities differ (another topology file, scenario, SPEC, seed, number of
//! replications or archsim version). The hash covers the topology's bytes as
//! read, so two files that differ only in whitespace are different sweeps:
//! shard a sweep from one copy of its file.

use sha2::{Digest, Sha256};

/// Builds a sweep identity from named fields, each hashed with its length so
/// that no two different lists of fields hash the same bytes.
#[derive(Debug, Clone)]
pub struct IdentityBuilder {
    hasher: Sha256,
}

impl IdentityBuilder {
    /// Starts with the format tag and the archsim version.
    pub fn new() -> Self {
        let mut builder = Self {
            hasher: Sha256::new(),
        };
        builder.add("format", b"archsim sweep identity 1");
        builder.add("archsim_version", env!("CARGO_PKG_VERSION").as_bytes());
        builder
    }

    /// Adds field `name` with `value`; the order of calls matters.
    pub fn add(&mut self, name: &str, value: &[u8]) -> &mut Self {
        for bytes in [name.as_bytes(), value] {
            self.hasher.update((bytes.len() as u64).to_le_bytes());
            self.hasher.update(bytes);
        }
        self
    }

    /// The identity as 64 lowercase hex digits.
    pub fn finish(self) -> String {
        let digest = self.hasher.finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push_str(&format!("{byte:02x}"));
        }
        hex
    }
}

impl Default for IdentityBuilder {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(fields: &[(&str, &str)]) -> String {
        let mut builder = IdentityBuilder::new();
        for (name, value) in fields {
            builder.add(name, value.as_bytes());
        }
        builder.finish()
    }

    #[test]
    fn same_fields_same_identity_any_change_another() {
        let base = identity(&[("topology", "{}"), ("vary", "load=1:2:1")]);
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            identity(&[("topology", "{}"), ("vary", "load=1:2:1")])
        );
        assert_ne!(
            base,
            identity(&[("topology", "{} "), ("vary", "load=1:2:1")])
        );
        assert_ne!(
            base,
            identity(&[("topology", "{}"), ("vary", "load=1:3:1")])
        );
        // Length prefixes: moving a byte from one field to the next changes it.
        assert_ne!(
            identity(&[("a", "xy"), ("b", "z")]),
            identity(&[("a", "x"), ("b", "yz")])
        );
    }
}
