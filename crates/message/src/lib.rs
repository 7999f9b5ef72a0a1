//! What kms-preflight says, as data: a [`Message`] is a stable id (`tcp-refused`) with typed
//! arguments. Producers (the net, engine and checks crates, the binary) build messages; only the
//! report crate turns them into sentences, from its catalogs (English, Japanese). Nothing
//! below the renderers formats prose, so every sentence can be rendered shorter, or in another
//! language, and a JSON consumer can match `message_id` without parsing English.
//!
//! A module declares the messages it produces with [`messages!`]: one typed constructor per
//! id, and a [`MessageSpec`] list that the catalog tests walk (every id has a text in every
//! language, with exactly the declared arguments).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A message id and its arguments, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: Cow<'static, str>,
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

/// One argument value. Numbers stay numbers (the catalog decides how many decimals a
/// language shows); a nested message is rendered in the same language as its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
    List(Vec<Arg>),
    Message(Box<Message>),
}

/// An id and the names of its arguments, as a module declared them with [`messages!`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSpec {
    pub id: &'static str,
    pub args: &'static [&'static str],
}

/// The id of a message recorded without one (a report written before message ids existed):
/// its only argument, `text`, is the sentence as it was recorded.
pub const RECORDED: &str = "recorded";

/// The id of text the user wrote (a rule's `remediation`, with its variables filled in): shown
/// as written, in every language. Its only argument is `text`.
pub const USER_TEXT: &str = "user-text";

/// The messages of this crate itself.
pub const MESSAGES: &[MessageSpec] = &[
    MessageSpec {
        id: RECORDED,
        args: &["text"],
    },
    MessageSpec {
        id: USER_TEXT,
        args: &["text"],
    },
];

impl Message {
    /// A message with no arguments.
    pub fn new(id: &'static str) -> Message {
        Message {
            id: Cow::Borrowed(id),
            args: Vec::new(),
        }
    }

    /// Adds (or replaces) an argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Message {
        self.set(name, value);
        self
    }

    /// Sets an argument in place.
    pub fn set(&mut self, name: &'static str, value: impl Into<Arg>) {
        let value = value.into();
        match self.args.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.args.push((Cow::Borrowed(name), value)),
        }
    }

    /// The argument called `name`, if given.
    pub fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// A sentence recorded without an id (see [`RECORDED`]).
    pub fn recorded(text: impl Into<String>) -> Message {
        Message::new(RECORDED).arg("text", text.into())
    }

    /// Text the user wrote (see [`USER_TEXT`]).
    pub fn user_text(text: impl Into<String>) -> Message {
        Message::new(USER_TEXT).arg("text", text.into())
    }

    /// True for [`Message::recorded`] and [`Message::user_text`]: text not from a catalog.
    pub fn is_verbatim(&self) -> bool {
        self.id == RECORDED || self.id == USER_TEXT
    }

    /// The text of a verbatim message ([`Message::is_verbatim`]).
    pub fn verbatim_text(&self) -> Option<&str> {
        match (self.is_verbatim(), self.get("text")) {
            (true, Some(Arg::Text(t))) => Some(t),
            _ => None,
        }
    }

    /// The arguments as a JSON-like map, for `args` in reports.
    pub fn args_map(&self) -> ArgsMap<'_> {
        ArgsMap(&self.args)
    }
}

/// Serializes a message's arguments as one object, in declaration order.
pub struct ArgsMap<'a>(&'a [(Cow<'static, str>, Arg)]);

impl Serialize for ArgsMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A message serializes as `{"message_id": …, "args": {…}}` (nested messages, verdict
/// reasons); results put the same two keys beside their rendered `message`.
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("message_id", &self.id)?;
        m.serialize_entry("args", &self.args_map())?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Message, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Message;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a message: {\"message_id\": …, \"args\": {…}}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
                let mut id: Option<String> = None;
                let mut args: Option<Args> = None;
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "message_id" => id = Some(map.next_value()?),
                        "args" => args = Some(map.next_value()?),
                        _ => {
                            let _: de::IgnoredAny = map.next_value()?;
                        }
                    }
                }
                let id = id.ok_or_else(|| de::Error::missing_field("message_id"))?;
                Ok(Message {
                    id: Cow::Owned(id),
                    args: args.map(|a| a.0).unwrap_or_default(),
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// The `args` object of a recorded message, in its order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(pub Vec<(Cow<'static, str>, Arg)>);

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Args, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Args;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of message arguments")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Args, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Arg>()? {
                    out.push((Cow::Owned(k), v));
                }
                Ok(Args(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl schemars::JsonSchema for Message {
    fn schema_name() -> Cow<'static, str> {
        "Message".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A catalog message: its id and typed arguments (a consumer renders it in any language of the catalog).",
            "type": "object",
            "required": ["message_id", "args"],
            "properties": {
                "message_id": {"type": "string"},
                "args": {"type": "object"}
            }
        })
    }
}

macro_rules! arg_from {
    ($variant:ident: $($t:ty => $conv:expr),* $(,)?) => {
        $(impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                #[allow(clippy::redundant_closure_call)]
                Arg::$variant(($conv)(v))
            }
        })*
    };
}

arg_from!(Int: u8 => i64::from, u16 => i64::from, u32 => i64::from, i32 => i64::from, i64 => |v| v,
    u64 => |v: u64| i64::try_from(v).unwrap_or(i64::MAX),
    usize => |v: usize| i64::try_from(v).unwrap_or(i64::MAX));
arg_from!(Num: f64 => |v| v, f32 => f64::from);
arg_from!(Bool: bool => |v| v);
arg_from!(Text: String => |v| v, &str => |v: &str| v.to_string(), &String => |v: &String| v.clone(),
    Cow<'_, str> => |v: Cow<'_, str>| v.into_owned(),
    std::net::IpAddr => |v: std::net::IpAddr| v.to_string(),
    std::net::SocketAddr => |v: std::net::SocketAddr| v.to_string(),
    std::net::Ipv4Addr => |v: std::net::Ipv4Addr| v.to_string(),
    std::net::Ipv6Addr => |v: std::net::Ipv6Addr| v.to_string());

impl From<Message> for Arg {
    fn from(m: Message) -> Arg {
        Arg::Message(Box::new(m))
    }
}

impl<T: Into<Arg>> From<Vec<T>> for Arg {
    fn from(v: Vec<T>) -> Arg {
        Arg::List(v.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Arg> + Clone> From<&[T]> for Arg {
    fn from(v: &[T]) -> Arg {
        Arg::List(v.iter().cloned().map(Into::into).collect())
    }
}

/// Declares a module's messages: a typed constructor per id, and `MESSAGES`, the list the
/// catalog tests walk.
///
/// ```
/// kms_preflight_message::messages! {
///     /// connected to {addr} in {rtt_ms} ms
///     tcp_connected = "tcp-connected" (addr, rtt_ms);
///     tcp_none = "tcp-none" ();
/// }
/// let m = tcp_connected("192.0.2.1:1688", 0.5);
/// assert_eq!(m.id, "tcp-connected");
/// assert_eq!(MESSAGES.len(), 2);
/// ```
#[macro_export]
macro_rules! messages {
    ($( $(#[$m:meta])* $f:ident = $id:literal ( $($a:ident),* $(,)? ) ; )*) => {
        $(
            $(#[$m])*
            #[allow(clippy::too_many_arguments, dead_code)]
            pub fn $f($($a: impl Into<$crate::Arg>),*) -> $crate::Message {
                #[allow(unused_mut)]
                let mut m = $crate::Message::new($id);
                $( m.set(stringify!($a), $a); )*
                m
            }
        )*
        /// Every message this module declares, for the catalog tests.
        pub const MESSAGES: &[$crate::MessageSpec] = &[
            $( $crate::MessageSpec { id: $id, args: &[$(stringify!($a)),*] }, )*
        ];
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    messages! {
        demo = "demo-message" (host, rtt_ms, inner);
    }

    #[test]
    fn json_round_trip_keeps_order_types_and_nesting() {
        let m = demo("kms1", 0.25, Message::new("inner-one").arg("n", 3u32));
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"message_id":"demo-message","args":{"host":"kms1","rtt_ms":0.25,"inner":{"message_id":"inner-one","args":{"n":3}}}}"#
        );
        let back: Message = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
        assert_eq!(MESSAGES[0].args, &["host", "rtt_ms", "inner"]);
    }

    #[test]
    fn set_replaces_and_lists_convert() {
        let mut m = Message::new("x").arg("a", 1u8);
        m.set("a", "two");
        assert_eq!(m.get("a"), Some(&Arg::Text("two".into())));
        let l: Arg = vec!["a", "b"].into();
        assert_eq!(
            l,
            Arg::List(vec![Arg::Text("a".into()), Arg::Text("b".into())])
        );
    }
}
