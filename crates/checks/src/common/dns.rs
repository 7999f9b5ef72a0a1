//! What DNS said, as messages and typed evidence, for every kind that asks DNS: the answer
//! classes and failures (`NXDOMAIN`, `timeout`, …), the servers' attempts of a stub-style
//! lookup (`attempts` evidence, and the sentence when none answered), and the errors for a
//! name that cannot be asked.

use crate::Finding;

use kms_preflight_engine::{Message, Status};
use kms_preflight_net::dns::{self, AnswerClass, Attempt, DnsFailure};
use serde::{Deserialize, Serialize};

/// One server's part in a stub-resolver style lookup (`attempts` evidence; the keys of
/// `kms_preflight_net::dns::attempts_json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct DnsAttempt {
    pub server: String,
    /// The answer class (`records`, `NXDOMAIN`, …) or the failure (`timeout`, …).
    pub result: String,
    pub elapsed_ms: f64,
    /// The server timed out earlier in this run and was not asked again (written only when
    /// true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remembered: bool,
}

/// The attempts of a lookup as evidence, in server order.
pub fn attempts(list: &[Attempt]) -> Vec<DnsAttempt> {
    list.iter()
        .map(|a| DnsAttempt {
            server: a.server.to_string(),
            result: match &a.result {
                Ok(c) => c.label(),
                Err(f) => f.label(),
            },
            elapsed_ms: kms_preflight_net::ms(a.elapsed),
            remembered: a.remembered,
        })
        .collect()
}

/// An answer class as a message (`NXDOMAIN`, `rcode 9 (NotAuth)`, …).
pub fn class(c: &AnswerClass) -> Message {
    match c {
        AnswerClass::Records => super::dns_records(),
        AnswerClass::NxDomain => super::dns_nxdomain(),
        AnswerClass::NoData => super::dns_nodata(),
        AnswerClass::ServFail => super::dns_servfail(),
        AnswerClass::Refused => super::dns_refused(),
        AnswerClass::Other(code, name) => super::dns_rcode(*code, name),
    }
}

/// Why no response came from a server, as a message (`timeout`, `connection refused (…)`).
pub fn failure(f: &DnsFailure) -> Message {
    match f {
        DnsFailure::Timeout => super::dns_timeout(),
        DnsFailure::Refused(e) => super::dns_connection_refused(e),
        DnsFailure::Unreachable(e) => super::dns_unreachable(e),
        DnsFailure::Malformed(e) => super::dns_malformed(e),
        DnsFailure::Io(e) => super::dns_io_error(e),
        DnsFailure::MovedOn(w) if w.is_zero() => super::dns_moved_on_unwaited(),
        DnsFailure::MovedOn(w) => super::dns_moved_on(w.as_millis() as u64),
    }
}

/// A server's answer class or failure.
pub fn outcome<T>(r: &Result<T, DnsFailure>, class_of: impl Fn(&T) -> &AnswerClass) -> Message {
    match r {
        Ok(c) => class(class_of(c)),
        Err(f) => failure(f),
    }
}

/// What each server said when none gave an answer: `198.18.0.2:53: timeout; …`.
pub fn no_answer(list: &[Attempt]) -> Message {
    if list.is_empty() {
        return super::dns_no_server_listed();
    }
    let each: Vec<Message> = list
        .iter()
        .map(|a| {
            let result = outcome(&a.result, |c| c);
            if a.remembered {
                super::dns_attempt_remembered(a.server, result)
            } else {
                super::dns_attempt(a.server, result)
            }
        })
        .collect();
    super::dns_attempts(each)
}

/// The error finding for a name `kms_preflight_net::dns::fqdn` refused (`error` is its text).
pub fn name_error(text: &str, error: &str) -> Finding {
    Finding::new(Status::Error, name_error_message(text, error))
}

/// Why `text` is not a DNS name, as a message (`error` is what `dns::fqdn` refused it with):
/// for a check's result and for a command-line or site-config value alike.
pub fn name_error_message(text: &str, error: &str) -> Message {
    if text.trim().trim_end_matches('.').is_empty() {
        return super::dns_name_empty();
    }
    // The parser's own reason, without the prefix fqdn puts before it.
    let quoted = format!("{text:?}");
    let prefix = format!("invalid DNS name {quoted}: ");
    super::dns_name_invalid(quoted, error.strip_prefix(&prefix).unwrap_or(error))
}

/// Why `kms_preflight_net::dns::resolve_host` could not ask anything about `host`: the name
/// is not a DNS name, or no server is configured.
pub fn resolve_error(host: &str, error: &str) -> Message {
    match dns::fqdn(host) {
        Err(_) => name_error_message(host, error),
        Ok(_) => super::no_dns_server(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::en;
    use std::time::Duration;

    #[test]
    fn attempts_write_the_keys_of_attempts_json() {
        let list = vec![
            Attempt {
                server: "198.18.0.2:53".parse().unwrap(),
                result: Err(DnsFailure::Timeout),
                remembered: true,
                elapsed: Duration::from_millis(2000),
            },
            Attempt {
                server: "198.18.0.3:53".parse().unwrap(),
                result: Ok(AnswerClass::NxDomain),
                remembered: false,
                elapsed: Duration::from_micros(2500),
            },
        ];
        assert_eq!(
            serde_json::to_value(attempts(&list)).unwrap(),
            dns::attempts_json(&list)
        );
        assert_eq!(en(&no_answer(&list)), dns::no_answer_message(&list));
        assert_eq!(en(&no_answer(&[])), dns::no_answer_message(&[]));
    }

    #[test]
    fn classes_and_failures_read_as_their_labels() {
        for c in [
            AnswerClass::Records,
            AnswerClass::NxDomain,
            AnswerClass::NoData,
            AnswerClass::ServFail,
            AnswerClass::Refused,
            AnswerClass::Other(9, "NotAuth".into()),
        ] {
            assert_eq!(en(&class(&c)), c.label());
        }
        for f in [
            DnsFailure::Timeout,
            DnsFailure::Refused("os error 111".into()),
            DnsFailure::Unreachable("no route".into()),
            DnsFailure::Malformed("short".into()),
            DnsFailure::Io("x".into()),
        ] {
            assert_eq!(en(&failure(&f)), f.label());
        }
    }

    #[test]
    fn name_errors_read_as_fqdn_writes_them() {
        for text in ["", " . ", &"a".repeat(70)] {
            let e = dns::fqdn(text).unwrap_err();
            assert_eq!(en(&name_error(text, &e).message), e, "{text:?}");
        }
    }
}
