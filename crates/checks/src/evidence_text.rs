//! What typed evidence needs beyond plain values: a sentence kept as evidence
//! ([`EvidenceText`]) and a key that is present with `null` ([`nullable`]).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use kms_preflight_catalog::{Catalog, Lang};
use kms_preflight_engine::Message;

/// A sentence kept as evidence: an emulator sign, what the clock check said. Evidence values
/// do not follow the report's language (a consumer matches them), so it is written as its
/// English text, the text an English report shows; a recorded report reads it back as that
/// text. The message itself goes into the finding's message, rendered in the report's language.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceText(pub Message);

impl EvidenceText {
    /// The English text, as written into the evidence.
    pub fn text(&self) -> String {
        Catalog::get(Lang::En).text(&self.0)
    }

    pub fn message(&self) -> &Message {
        &self.0
    }
}

impl From<Message> for EvidenceText {
    fn from(m: Message) -> EvidenceText {
        EvidenceText(m)
    }
}

impl Serialize for EvidenceText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for EvidenceText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EvidenceText, D::Error> {
        String::deserialize(d).map(|t| EvidenceText(Message::recorded(t)))
    }
}

impl schemars::JsonSchema for EvidenceText {
    fn schema_name() -> Cow<'static, str> {
        "EvidenceText".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A sentence kept as evidence, in English whatever the report's language.",
            "type": "string"
        })
    }
}

/// Serde for an `Option<Option<T>>` field of a key that is absent (`None`), present and null
/// (`Some(None)`), or has a value; with `#[serde(default, skip_serializing_if =
/// "Option::is_none", with = "crate::nullable")]`.
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct E {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
        hint: Option<Option<i64>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        said: Option<EvidenceText>,
    }

    #[test]
    fn absent_null_and_value_survive_a_round_trip() {
        for (json, e) in [
            ("{}", E::default()),
            (
                r#"{"hint":null}"#,
                E {
                    hint: Some(None),
                    ..E::default()
                },
            ),
            (
                r#"{"hint":5,"said":"as recorded"}"#,
                E {
                    hint: Some(Some(5)),
                    said: Some(EvidenceText(Message::recorded("as recorded"))),
                },
            ),
        ] {
            let back: E = serde_json::from_str(json).unwrap();
            assert_eq!(back, e);
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
    }
}
