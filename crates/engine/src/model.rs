//! What the engine is generic over: the [`Model`] a user of the engine (the checks crate) plugs
//! in. The engine runs jobs and collects findings without knowing what a source address is,
//! what a DNS server is, or what evidence a kind measures: it moves these types around and
//! asks them the few things it must know (a source's label, a fresh per-run state, the empty
//! evidence of a kind).

use std::fmt::Debug;

use serde::Serialize;

/// The types one application of the engine uses.
pub trait Model: Send + Sync + 'static {
    /// Evidence of one finding: a type per kind (the checks crate's enum).
    type Evidence: EvidenceSet;
    /// Facts a job publishes for the jobs that require it (addresses, reachable ports, …).
    type Facts: FactSet;
    /// Settings from the command line that checks need and the engine only passes along.
    type Settings: Send + Sync + Clone + Debug + 'static;
    /// Where probes leave from (a source address or interface).
    type Source: Clone + Debug + PartialEq + Send + Sync + 'static;
    /// What a kind declares about its parameters for other parts of the program (read through
    /// [`crate::Check::declaration`], never by casting a kind to its concrete type).
    type Declaration: Default + Clone + Debug + Send + Sync + 'static;

    /// The source as reports show it (`10.1.2.3`, `%eth1`).
    fn source_label(source: &Self::Source) -> String;
    /// The settings for one run: what a run learns about the network (a dead DNS server) must
    /// not leak into the next one.
    fn fresh_run(settings: &Self::Settings) -> Self::Settings;
}

/// The evidence of every kind, as one type (an enum with a variant per kind). `Default` is
/// "nothing measured": the results the engine makes itself (a skip for a failed prerequisite,
/// a job stopped at the deadline) carry it.
pub trait EvidenceSet: Serialize + Default + Clone + Debug + Send + Sync + 'static {
    /// Evidence of `kind` as a report file recorded it.
    fn from_recorded(kind: &str, value: serde_json::Value) -> Result<Self, String>;
}

/// What jobs publish for their dependents.
pub trait FactSet: Default + Clone + PartialEq + Debug + Send + Sync + 'static {
    /// Adds what `other` knows; where both know a fact, `other` wins.
    fn merge(&mut self, other: &Self);
}
