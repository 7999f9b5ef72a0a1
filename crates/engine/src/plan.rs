//! The traffic plan (`--plan`): every probe the loaded rules would send, derived from the rule
//! set and the run's settings without sending anything. A network engineer files it with the
//! firewall/IDS change request. Each kind says what it sends through [`Check::plan`]; this
//! module multiplies that by the rule's scope (sources) and names the check and how to turn it
//! off. Hosts found by SRV discovery are not known before the run, so they stay symbolic:
//! "each address of each KMS host".

use std::net::IpAddr;

use serde::Serialize;

use kms_preflight_message::Message;

use crate::model::Model;
use crate::rules::template::Vars;
use crate::target::Target;

/// The protocol of a probe, as a firewall rule names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    /// ICMP (v4) or ICMPv6 echo request.
    Icmp,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Icmp => "icmp",
        }
    }
}

/// Where a probe goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Destination {
    /// One known address: a DNS server, a reference clock given by address.
    Address { address: IpAddr },
    /// Each address of each KMS host the run checks: the hosts named on the command line and
    /// every SRV target the run discovers (not known before it runs).
    KmsHosts,
    /// Each address of a host a rule names (the reference clock, the retired host).
    Host { name: String },
    /// Every address of a range a sweep covers (`10.1.2.0/24`, `10.1.2.5-50`).
    Range { range: String },
    /// The servers of the system's resolver configuration; [`plan`] expands them into
    /// addresses from the list it is given.
    SystemResolver,
}

/// The destination port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "port", rename_all = "kebab-case")]
pub enum PlannedPort {
    Number(u16),
    /// The KMS host's own port: the one given with the host, or the one its SRV record
    /// advertises (the rules' `port`, 1688, when neither says).
    KmsHost(u16),
    /// Another port an SRV record advertises, not this one (the client uses it).
    OtherSrvPort(u16),
}

impl PlannedPort {
    /// The port number when it is known before the run.
    pub fn number(self) -> Option<u16> {
        match self {
            PlannedPort::Number(p) | PlannedPort::KmsHost(p) => Some(p),
            PlannedPort::OtherSrvPort(_) => None,
        }
    }
}

/// One kind of packet exchange a check sends.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedProbe {
    pub transport: Transport,
    pub destination: Destination,
    /// `None` for ICMP.
    pub port: Option<PlannedPort>,
    /// What is sent, in words.
    pub what: Message,
    /// When it is sent only under a condition (TCP after a truncated UDP answer, a clock
    /// method tried only when the one before gave no reading); `None`: always.
    pub only_when: Option<Message>,
    /// How to turn it off, when it is not "leave this check out".
    pub off: Option<Message>,
}

impl PlannedProbe {
    pub fn new(
        transport: Transport,
        destination: Destination,
        port: Option<PlannedPort>,
        what: Message,
    ) -> PlannedProbe {
        PlannedProbe {
            transport,
            destination,
            port,
            what,
            only_when: None,
            off: None,
        }
    }
    pub fn only_when(mut self, m: Message) -> PlannedProbe {
        self.only_when = Some(m);
        self
    }
    pub fn off(mut self, m: Message) -> PlannedProbe {
        self.off = Some(m);
        self
    }
}

/// What a kind may read to say what it would send.
pub struct PlanContext<'a, M: Model> {
    pub vars: &'a Vars,
    pub settings: &'a M::Settings,
    /// The domains searched (the `each-domain` scopes).
    pub domains: &'a [String],
    /// The hosts named before the run (`--host`, `--new-host`).
    pub targets: &'a [Target],
}

/// One row of the plan: one probe from one source.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// The local source (`--source`/`--interface` label); `None`: the address the OS chooses.
    pub source: Option<String>,
    pub transport: Transport,
    pub destination: Destination,
    pub port: Option<PlannedPort>,
    /// The check (rule id) and its kind.
    pub check: String,
    pub kind: String,
    pub what: Message,
    pub only_when: Option<Message>,
    /// How to turn it off; `None`: leave the check out (`--skip <check>`).
    pub off: Option<Message>,
}

/// The whole plan, with what [`Destination::KmsHosts`] stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficPlan {
    pub rows: Vec<PlanRow>,
    /// The KMS hosts named before the run (`host:port`).
    pub named_hosts: Vec<String>,
    /// The domains whose SRV targets are KMS hosts too.
    pub domains: Vec<String>,
}
