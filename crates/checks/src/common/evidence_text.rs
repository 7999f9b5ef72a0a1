//! A sentence kept in evidence (`issues[].message` of `srv`, a suffix's `result` in
//! `srv-discovery`, …). Evidence values do not follow `--lang` (they are data a consumer
//! matches on), so such a value is a typed [`Message`] that the catalog writes as its English
//! sentence, the same in every report. Read back from a recorded report, it is that sentence.

use std::borrow::Cow;

use kms_preflight_catalog::{Catalog, Lang};
use kms_preflight_engine::Message;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A message in evidence, serialized as its English sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceText(pub Message);

impl EvidenceText {
    /// The sentence as evidence records it (English).
    pub fn english(&self) -> String {
        Catalog::get(Lang::En).text(&self.0)
    }

    pub fn message(&self) -> &Message {
        &self.0
    }
}

impl Default for EvidenceText {
    fn default() -> Self {
        EvidenceText(Message::recorded(""))
    }
}

impl From<Message> for EvidenceText {
    fn from(m: Message) -> Self {
        EvidenceText(m)
    }
}

impl Serialize for EvidenceText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.english())
    }
}

impl<'de> Deserialize<'de> for EvidenceText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(EvidenceText(Message::recorded(String::deserialize(d)?)))
    }
}

impl schemars::JsonSchema for EvidenceText {
    fn schema_name() -> Cow<'static, str> {
        "EvidenceText".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A sentence in evidence, in English whatever the report's language.",
            "type": "string"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_in_english_and_read_back_as_the_sentence() {
        let t = EvidenceText(crate::common::dns_no_answer_paren(
            crate::common::dns_timeout(),
        ));
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v, serde_json::json!("no answer (timeout)"));
        let back: EvidenceText = serde_json::from_value(v).unwrap();
        assert_eq!(back.english(), "no answer (timeout)");
    }
}
