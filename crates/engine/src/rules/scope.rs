//! What a check is run for: once, per domain or per host, and optionally per source.

/// What a check is run for: once, per DNS domain, or per KMS host; optionally per source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub over: Over,
    pub per_source: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Over {
    Once,
    Domain,
    Host,
}

impl Scope {
    pub const ONCE: Scope = Scope::new(Over::Once, false);
    pub const EACH_SOURCE: Scope = Scope::new(Over::Once, true);
    pub const EACH_DOMAIN: Scope = Scope::new(Over::Domain, false);
    pub const EACH_DOMAIN_AND_SOURCE: Scope = Scope::new(Over::Domain, true);
    pub const EACH_HOST: Scope = Scope::new(Over::Host, false);
    pub const EACH_HOST_AND_SOURCE: Scope = Scope::new(Over::Host, true);

    pub const fn new(over: Over, per_source: bool) -> Scope {
        Scope { over, per_source }
    }

    pub const NAMES: &'static [&'static str] = &[
        "once",
        "each-source",
        "each-domain",
        "each-domain-and-source",
        "each-host",
        "each-host-and-source",
    ];

    pub fn parse(s: &str) -> Option<Scope> {
        let (over, per_source) = match s {
            "once" => (Over::Once, false),
            "each-source" => (Over::Once, true),
            "each-domain" => (Over::Domain, false),
            "each-domain-and-source" => (Over::Domain, true),
            "each-host" => (Over::Host, false),
            "each-host-and-source" => (Over::Host, true),
            _ => return None,
        };
        Some(Scope { over, per_source })
    }

    pub fn name(&self) -> &'static str {
        match (self.over, self.per_source) {
            (Over::Once, false) => "once",
            (Over::Once, true) => "each-source",
            (Over::Domain, false) => "each-domain",
            (Over::Domain, true) => "each-domain-and-source",
            (Over::Host, false) => "each-host",
            (Over::Host, true) => "each-host-and-source",
        }
    }
}
