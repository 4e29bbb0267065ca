//! The partial file one shard writes: a header, then its unit results.
//!
//! ```text
//! {"part":{"format":"archsim-sweep-part","version":1,"archsim_version":"0.1.0",
//!          "identity":"<sha-256>","shard":{"index":3,"count":10},
//!          "units":{"start":30,"end":40,"total":100,"replications":5},"sweep":{…}},
//!  "results":[
//! {…unit 30…},
//! …
//! {…unit 39…}
//! ]}
//! ```
//!
//! One JSON document (`jq` reads it), written unit by unit and moved into
//! place only when complete, so a part that exists is whole. The reader
//! streams it: [`read_header`] stops after the header, [`read_units`] hands the
//! results over one at a time, so neither holds a whole part in memory.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::{ClusterError, Shard};

/// The `format` tag of a part file.
pub const PART_FORMAT: &str = "archsim-sweep-part";
/// The version of the part format this archsim writes and reads.
pub const PART_VERSION: u32 = 1;

/// The units a part holds, `[start, end)` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitRange {
    pub start: u64,
    pub end: u64,
    /// Units in the whole sweep (points × replications).
    pub total: u64,
    /// Replications per point: unit `u` is replication `u % replications` of point `u / replications`.
    pub replications: u64,
}

/// What a part says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartHeader {
    pub format: String,
    pub version: u32,
    pub archsim_version: String,
    /// The sweep's identity ([`super::IdentityBuilder`]).
    pub identity: String,
    pub shard: Shard,
    pub units: UnitRange,
    /// The sweep as its writers need it to write the merged output.
    pub sweep: serde_json::Value,
}

impl PartHeader {
    /// The header of `shard` of a sweep of `points` × `replications` units.
    pub fn new(
        identity: String,
        shard: Shard,
        points: u64,
        replications: u64,
        sweep: serde_json::Value,
    ) -> Result<Self, ClusterError> {
        let total = points.checked_mul(replications).ok_or_else(|| {
            ClusterError::Shard(format!(
                "{points} points × {replications} replications is too many units to count"
            ))
        })?;
        if replications == 0 {
            return Err(ClusterError::Shard(
                "a sweep needs at least 1 replication".into(),
            ));
        }
        let units = shard.units(total);
        Ok(Self {
            format: PART_FORMAT.into(),
            version: PART_VERSION,
            archsim_version: env!("CARGO_PKG_VERSION").into(),
            identity,
            shard,
            units: UnitRange {
                start: units.start,
                end: units.end,
                total,
                replications,
            },
            sweep,
        })
    }

    /// Units this part holds.
    pub fn len(&self) -> u64 {
        self.units.end.saturating_sub(self.units.start)
    }

    /// True when the part holds no unit (more shards than units).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where shard `shard` writes its part given `--out OUT`: `OUT` itself when it
/// ends in `.json`, else `OUT/part-K-of-N.json` (K and N zero-padded to the same
/// width, so that names sort in shard order).
pub fn part_path(out: &Path, shard: Shard) -> PathBuf {
    if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return out.to_owned();
    }
    let width = shard.count.to_string().len().max(5);
    out.join(format!(
        "part-{:0width$}-of-{:0width$}.json",
        shard.index, shard.count
    ))
}

/// Writes a part unit by unit into `PATH.tmp`, renamed to `PATH` by [`PartWriter::finish`].
pub struct PartWriter {
    out: BufWriter<File>,
    temp: PathBuf,
    path: PathBuf,
    expected: u64,
    written: u64,
}

impl PartWriter {
    /// Starts the part at `path` with `header`.
    pub fn create(path: &Path, header: &PartHeader) -> Result<Self, ClusterError> {
        let mut temp = path.as_os_str().to_owned();
        temp.push(".tmp");
        let temp = PathBuf::from(temp);
        let io = |source| ClusterError::Io {
            path: temp.clone(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| ClusterError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        let mut out = BufWriter::new(File::create(&temp).map_err(io)?);
        out.write_all(b"{\"part\":").map_err(io)?;
        serde_json::to_writer(&mut out, header).map_err(|e| io(e.into()))?;
        out.write_all(b",\n\"results\":[").map_err(io)?;
        Ok(Self {
            out,
            path: path.to_owned(),
            temp,
            expected: header.len(),
            written: 0,
        })
    }

    /// Appends the next unit's result.
    pub fn push<U: Serialize>(&mut self, unit: &U) -> Result<(), ClusterError> {
        let io = |source| ClusterError::Io {
            path: self.temp.clone(),
            source,
        };
        let lead: &[u8] = if self.written == 0 { b"\n" } else { b",\n" };
        self.out.write_all(lead).map_err(io)?;
        serde_json::to_writer(&mut self.out, unit).map_err(|e| io(e.into()))?;
        self.written += 1;
        Ok(())
    }

    /// Gives the part up: the temporary file is removed, nothing appears at the part's path.
    pub fn abandon(self) {
        let PartWriter { out, temp, .. } = self;
        drop(out);
        // Nothing to do if it is already gone.
        let _ = std::fs::remove_file(&temp);
    }

    /// Closes the part and moves it into place; fails if it holds fewer or more
    /// units than its header says.
    pub fn finish(mut self) -> Result<PathBuf, ClusterError> {
        if self.written != self.expected {
            let _ = std::fs::remove_file(&self.temp);
            return Err(ClusterError::Shard(format!(
                "{}: {} unit results written, the shard has {}",
                self.path.display(),
                self.written,
                self.expected
            )));
        }
        let io = |source| ClusterError::Io {
            path: self.temp.clone(),
            source,
        };
        self.out.write_all(b"\n]}\n").map_err(io)?;
        self.out.flush().map_err(io)?;
        self.out.get_ref().sync_all().map_err(io)?;
        std::fs::rename(&self.temp, &self.path).map_err(|source| ClusterError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.path)
    }
}

/// Reads the header of the part at `path` (the results are not read).
pub fn read_header(path: &Path) -> Result<PartHeader, ClusterError> {
    let mut header = None;
    read_part(
        path,
        &mut |h: &PartHeader| {
            header = Some(h.clone());
            Ok(())
        },
        None::<&mut fn(()) -> Result<(), ClusterError>>,
    )?;
    header.ok_or_else(|| not_a_part(path, "it has no \"part\" header"))
}

/// Reads the part at `path`: hands its header to `on_header` (which may refuse
/// it), then each unit result to `on_unit`, in order. Fails when the part holds
/// another number of units than its header says.
pub fn read_units<U: DeserializeOwned>(
    path: &Path,
    mut on_header: impl FnMut(&PartHeader) -> Result<(), ClusterError>,
    mut on_unit: impl FnMut(U) -> Result<(), ClusterError>,
) -> Result<PartHeader, ClusterError> {
    let mut header = None;
    let mut count = 0_u64;
    read_part(
        path,
        &mut |h: &PartHeader| {
            header = Some(h.clone());
            on_header(h)
        },
        Some(&mut |unit: U| {
            count += 1;
            on_unit(unit)
        }),
    )?;
    let header = header.ok_or_else(|| not_a_part(path, "it has no \"part\" header"))?;
    if count != header.len() {
        return Err(not_a_part(
            path,
            &format!(
                "it holds {count} unit results where its header says {} (units {}..{}): \
                 the file is cut short or was edited; run shard {} again",
                header.len(),
                header.units.start,
                header.units.end,
                header.shard
            ),
        ));
    }
    Ok(header)
}

fn not_a_part(path: &Path, why: &str) -> ClusterError {
    ClusterError::Part {
        path: path.to_owned(),
        message: why.to_owned(),
    }
}

/// What a callback refused, kept aside while serde unwinds.
type Failure = Option<ClusterError>;

/// Why a read stopped early on purpose (not an error of the file).
const HEADER_READ: &str = "archsim: header read";

type OnHeader<'a> = dyn FnMut(&PartHeader) -> Result<(), ClusterError> + 'a;

/// Streams the part at `path`: hands its header to `on_header`, then, with
/// `on_unit`, every unit; without it, stops right after the header.
fn read_part<U, F>(
    path: &Path,
    on_header: &mut OnHeader<'_>,
    on_unit: Option<&mut F>,
) -> Result<(), ClusterError>
where
    U: DeserializeOwned,
    F: FnMut(U) -> Result<(), ClusterError>,
{
    let file = File::open(path).map_err(|source| ClusterError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(file));
    let mut failure: Failure = None;
    let seed = PartSeed {
        on_header,
        on_unit,
        failure: &mut failure,
        _unit: PhantomData,
    };
    let result = seed.deserialize(&mut de).and_then(|()| de.end());
    if let Some(failure) = failure {
        return Err(failure);
    }
    match result {
        Ok(()) => Ok(()),
        Err(err) if err.to_string().starts_with(HEADER_READ) => Ok(()),
        Err(err) => Err(not_a_part(
            path,
            &format!("it is not a whole archsim sweep part ({err})"),
        )),
    }
}

struct PartSeed<'a, 'h, U, F> {
    on_header: &'a mut OnHeader<'h>,
    on_unit: Option<&'a mut F>,
    failure: &'a mut Failure,
    _unit: PhantomData<U>,
}

impl<'de, U, F> DeserializeSeed<'de> for PartSeed<'_, '_, U, F>
where
    U: DeserializeOwned,
    F: FnMut(U) -> Result<(), ClusterError>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, U, F> Visitor<'de> for PartSeed<'_, '_, U, F>
where
    U: DeserializeOwned,
    F: FnMut(U) -> Result<(), ClusterError>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an archsim sweep part: {\"part\": {…}, \"results\": […]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let PartSeed {
            on_header,
            mut on_unit,
            failure,
            ..
        } = self;
        let mut header_seen = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "part" => {
                    let read: PartHeader = map.next_value()?;
                    if read.format != PART_FORMAT || read.version != PART_VERSION {
                        return Err(de::Error::custom(format!(
                            "format \"{}\" version {}, where this archsim reads \"{PART_FORMAT}\" version {PART_VERSION}",
                            read.format, read.version
                        )));
                    }
                    header_seen = true;
                    if let Err(refused) = on_header(&read) {
                        *failure = Some(refused);
                        return Err(de::Error::custom("header refused"));
                    }
                    if on_unit.is_none() {
                        return Err(de::Error::custom(HEADER_READ));
                    }
                }
                "results" => {
                    let Some(on_unit) = on_unit.as_deref_mut() else {
                        return Err(de::Error::custom(HEADER_READ));
                    };
                    if !header_seen {
                        return Err(de::Error::custom("\"results\" comes before \"part\""));
                    }
                    map.next_value_seed(UnitsSeed {
                        on_unit,
                        failure: &mut *failure,
                        _unit: PhantomData,
                    })?;
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key \"{other}\" (a part has \"part\" and \"results\")"
                    )));
                }
            }
        }
        Ok(())
    }
}

struct UnitsSeed<'a, U, F> {
    on_unit: &'a mut F,
    failure: &'a mut Failure,
    _unit: PhantomData<U>,
}

impl<'de, U, F> DeserializeSeed<'de> for UnitsSeed<'_, U, F>
where
    U: DeserializeOwned,
    F: FnMut(U) -> Result<(), ClusterError>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, U, F> Visitor<'de> for UnitsSeed<'_, U, F>
where
    U: DeserializeOwned,
    F: FnMut(U) -> Result<(), ClusterError>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of unit results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(unit) = seq.next_element::<U>()? {
            if let Err(refused) = (self.on_unit)(unit) {
                *self.failure = Some(refused);
                return Err(de::Error::custom("unit refused"));
            }
        }
        Ok(())
    }
}
