//! A model for the engine's own tests: string evidence and facts, unit settings, named sources.

use std::collections::BTreeMap;

use kms_preflight_message::{Arg, Message};
use serde::Serialize;

use crate::model::{EvidenceSet, FactSet, Model};

#[derive(Debug)]
pub struct TestModel;

/// Evidence as name → text (the tests only need to see what was attached).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TestEvidence(pub BTreeMap<String, String>);

impl TestEvidence {
    pub fn of(k: &str, v: &str) -> TestEvidence {
        TestEvidence(BTreeMap::from([(k.to_string(), v.to_string())]))
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
}

impl EvidenceSet for TestEvidence {
    fn from_recorded(_kind: &str, value: serde_json::Value) -> Result<Self, String> {
        let mut out = BTreeMap::new();
        if let Some(m) = value.as_object() {
            for (k, v) in m {
                out.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
        }
        Ok(TestEvidence(out))
    }
}

/// Facts as name → text; merging lets the later job win.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestFacts(pub BTreeMap<String, String>);

impl FactSet for TestFacts {
    fn merge(&mut self, other: &Self) {
        for (k, v) in &other.0 {
            self.0.insert(k.clone(), v.clone());
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestSource(pub String);

/// Settings with a per-run memory (marks), like the checks crate's memo: a fresh one per run.
#[derive(Debug, Clone, Default)]
pub struct TestSettings {
    pub marks: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl TestSettings {
    /// Marks `what`; true when this run had marked it before.
    pub fn mark(&self, what: &str) -> bool {
        let mut m = self.marks.lock().unwrap();
        let known = m.iter().any(|x| x == what);
        m.push(what.to_string());
        known
    }
}

impl Model for TestModel {
    type Evidence = TestEvidence;
    type Facts = TestFacts;
    type Settings = TestSettings;
    type Source = TestSource;
    type Declaration = ();
    fn source_label(s: &TestSource) -> String {
        s.0.clone()
    }
    fn fresh_run(_: &TestSettings) -> TestSettings {
        TestSettings::default()
    }
}

/// The text of a message for assertions: its `text` argument when it has one, else its id and
/// arguments (the engine does not render catalogs).
pub fn text(m: &Message) -> String {
    match m.get("text") {
        Some(Arg::Text(t)) => t.clone(),
        _ => format!("{} {:?}", m.id, m.args),
    }
}
