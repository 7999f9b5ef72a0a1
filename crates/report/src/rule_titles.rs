//! The titles of the built-in rules in every language of the catalog. A rule keeps the title
//! its file gives; a renderer shows it in the output language only when it is the built-in
//! English title (the catalog's English text), so a title a user wrote is never replaced.

use std::borrow::Cow;

use kms_preflight_engine::Message;

use super::{Catalog, Lang};

kms_preflight_engine::messages! {
    /// KMS host would activate the products (real activation request, opt-in)
    kms_activation = "rule-title-kms-activation" ();
    /// Clock agrees with the KMS host (KMS limit 4 h, Kerberos 5 min)
    clock_kms_host = "rule-title-clock-kms-host" ();
    /// Clock agrees with the reference clock (--ntp)
    clock_reference = "rule-title-clock-reference" ();
    /// KMS SRV record is published
    srv_present = "rule-title-srv-present" ();
    /// KMS host name resolves
    resolve_host = "rule-title-resolve-host" ();
    /// KMS port accepts TCP connections
    tcp_port = "rule-title-tcp-port" ();
    /// KMS RPC endpoint accepts the bind (read-only)
    kms_rpc_bind = "rule-title-kms-rpc-bind" ();
    /// Host answers ICMP echo (informational; KMS needs only TCP)
    icmp_echo = "rule-title-icmp-echo" ();
    /// The client's suffix list reaches a KMS SRV record
    srv_discovery = "rule-title-srv-discovery" ();
    /// Every DNS server publishes the same KMS records
    srv_agreement = "rule-title-srv-agreement" ();
    /// SRV priority and weight do what they seem to (RFC 2782)
    srv_weights = "rule-title-srv-weights" ();
    /// Published KMS hosts match the inventory
    srv_inventory = "rule-title-srv-inventory" ();
    /// No published KMS host is dead (stale SRV record)
    srv_stale = "rule-title-srv-stale" ();
    /// Path to the KMS host (interface, VPN or direct)
    route_path = "rule-title-route-path" ();
    /// Proxy settings (KMS never uses them)
    proxy_env = "rule-title-proxy-env" ();
    /// Nothing else answers for the KMS host
    intercept_tcp = "rule-title-intercept-tcp" ();
    /// DNS servers on every interface agree on KMS records
    dns_split = "rule-title-dns-split" ();
    /// Old host is gone from every DNS server's SRV answer
    change_old_host_unpublished = "rule-title-change-old-host-unpublished" ();
    /// New host is published by every DNS server
    change_new_host_published = "rule-title-change-new-host-published" ();
    /// Old host no longer answers on the KMS port
    change_old_host_silent = "rule-title-change-old-host-silent" ();
    /// New host is not published yet (no client uses it before the switch)
    pre_new_host_unpublished = "rule-title-pre-new-host-unpublished" ();
}

/// The title of rule `id` in `lang`: the catalog's text when `title` is the built-in one.
pub fn title<'a>(id: &str, title: &'a str, lang: Lang) -> Cow<'a, str> {
    if lang == Lang::En {
        return Cow::Borrowed(title);
    }
    let m = Message {
        id: Cow::Owned(format!("rule-title-{}", id.replace('.', "-"))),
        args: Vec::new(),
    };
    match Catalog::get(Lang::En).try_text(&m) {
        Ok(en) if en == title => Catalog::get(lang)
            .try_text(&m)
            .map_or(Cow::Borrowed(title), Cow::Owned),
        _ => Cow::Borrowed(title),
    }
}

#[cfg(test)]
mod tests {
    use kms_preflight_checks::pack;

    use super::*;

    #[test]
    fn every_builtin_rule_title_is_in_the_catalog_as_the_rule_file_writes_it() {
        // Every built-in rule: the pack, the opt-in activation rule and every profile's own.
        let rules = pack::assemble(&pack::Assembly::every_builtin())
            .unwrap()
            .rules
            .checks;
        assert!(rules.len() >= 21, "{}", rules.len());
        for c in &rules {
            let ja = title(&c.id, &c.title, Lang::Ja);
            assert_ne!(ja, c.title, "{}: no Japanese title for {:?}", c.id, c.title);
            assert_eq!(title(&c.id, &c.title, Lang::En), c.title);
        }
        assert_eq!(title("tcp.port", "My own title", Lang::Ja), "My own title");
        assert_eq!(title("no.such", "x", Lang::Ja), "x");
    }
}
