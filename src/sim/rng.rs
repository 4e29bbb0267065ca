//! Random streams: one explicitly seeded `Pcg64Mcg` per (service or entry, purpose).
//!
//! A stream's state is derived from the run seed, a stable hash of the
//! service's or entry's *name* and a purpose tag, so adding or removing a
//! service never reshuffles the samples of the others, and the derivation does
//! not depend on any library's hashing (which may change between versions).

use rand_pcg::Pcg64Mcg;

/// What a stream is used for; part of the stream's seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Inter-arrival times and thinning draws of an entry.
    Arrivals = 1,
    /// Own-work samples of a service.
    ServiceTime = 2,
    /// Replica choice of the `random` load balancer.
    Balancer = 3,
    /// Call probability draws of a service's operations.
    Calls = 4,
    /// Backoff jitter of a service's retries.
    Retries = 5,
    /// Error-fault draws at a service.
    Faults = 6,
}

/// 64-bit FNV-1a hash of `bytes`: stable across platforms and versions.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// One step of splitmix64: a well-mixed 64-bit value from `x`.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream for `name` (with `occurrence` telling apart equal names) and
/// `purpose` in a run seeded with `seed`.
pub(crate) fn stream(seed: u64, name: &str, occurrence: u64, purpose: Purpose) -> Pcg64Mcg {
    let a = splitmix64(seed ^ splitmix64(fnv1a(name.as_bytes()) ^ splitmix64(occurrence)));
    let b = splitmix64(a ^ splitmix64(purpose as u64));
    let c = splitmix64(b ^ 0x5851_f42d_4c95_7f2d);
    Pcg64Mcg::new((u128::from(b) << 64) | u128::from(c))
}

/// The streams of the engine's draws that are not on a service's hot
/// cache lines (own work and call draws live in its `ServiceState`): one
/// per entry for arrivals and one per service for balancing, retry jitter
/// and error faults. Built once from the seed; nothing else makes them.
#[derive(Debug)]
pub(super) struct Streams {
    arrivals: Vec<Pcg64Mcg>,
    balancers: Vec<Pcg64Mcg>,
    retries: Vec<Pcg64Mcg>,
    faults: Vec<Pcg64Mcg>,
}

impl Streams {
    /// The streams of a run seeded with `seed`, for services and entries
    /// with these names (in the plan's order).
    pub fn new<'a>(
        seed: u64,
        services: impl ExactSizeIterator<Item = &'a str> + Clone,
        entries: impl ExactSizeIterator<Item = &'a str>,
    ) -> Self {
        let per_service = |purpose| {
            services
                .clone()
                .map(|name| stream(seed, name, 0, purpose))
                .collect()
        };
        Streams {
            arrivals: entries
                .map(|name| stream(seed, name, 0, Purpose::Arrivals))
                .collect(),
            balancers: per_service(Purpose::Balancer),
            retries: per_service(Purpose::Retries),
            faults: per_service(Purpose::Faults),
        }
    }

    /// Inter-arrival times of entry `entry`.
    #[inline]
    pub fn arrivals(&mut self, entry: usize) -> &mut Pcg64Mcg {
        &mut self.arrivals[entry]
    }

    /// Replica choice of service `service`'s `random` balancer.
    #[inline]
    pub fn balancer(&mut self, service: usize) -> &mut Pcg64Mcg {
        &mut self.balancers[service]
    }

    /// Backoff jitter of caller service `service`.
    #[inline]
    pub fn retries(&mut self, service: usize) -> &mut Pcg64Mcg {
        &mut self.retries[service]
    }

    /// Error-fault draws at service `service`.
    #[inline]
    pub fn faults(&mut self, service: usize) -> &mut Pcg64Mcg {
        &mut self.faults[service]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn fnv1a_matches_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn streams_differ_by_name_and_purpose_and_repeat_by_seed() {
        let mut a = stream(7, "cart", 0, Purpose::ServiceTime);
        let mut b = stream(7, "cart", 0, Purpose::ServiceTime);
        let mut c = stream(7, "cart", 0, Purpose::Balancer);
        let mut d = stream(7, "carts", 0, Purpose::ServiceTime);
        let mut e = stream(8, "cart", 0, Purpose::ServiceTime);
        let x = a.next_u64();
        assert_eq!(x, b.next_u64());
        assert_ne!(x, c.next_u64());
        assert_ne!(x, d.next_u64());
        assert_ne!(x, e.next_u64());
    }
}
