//! `cscript ospp.vbs /dstatus`, `/dstatusall` and `/dcmid`. ospp.vbs's labels are English
//! constants in the script on every Windows; only cscript's banner is localised.

use crate::detect::is_dash_separator;
use crate::model::{
    ActivationVia, App, DnsDiscovered, InputFormat, LicenseStatus, PinOrigin, PinnedHost, Product,
};
use crate::shape::{host_port, integers, minutes, paren_note, split_label, uuid};
use crate::slmgr::{activation_type_word, channel_from_description};
use crate::text::Line;

#[derive(Debug, Default)]
pub(crate) struct OsppOutput {
    pub products: Vec<Product>,
    pub cmid: Option<String>,
}

pub(crate) fn parse(lines: &[Line]) -> OsppOutput {
    let mut out = OsppOutput::default();
    let mut block: Vec<&str> = Vec::new();
    let flush = |block: &mut Vec<&str>, out: &mut OsppOutput| {
        if !block.is_empty() {
            parse_block(block, out);
            block.clear();
        }
    };
    for l in lines {
        let t = l.text.trim();
        if is_dash_separator(t) || t.starts_with("---Processing") || t.starts_with("---Exiting") {
            flush(&mut block, &mut out);
        } else if !t.is_empty() {
            block.push(t);
        }
    }
    flush(&mut block, &mut out);
    out
}

/// ospp's `MSG_LICSTATUS` tokens (` ---LICENSED--- ` and so on; spaces are ignored).
fn status_token(v: &str) -> Option<LicenseStatus> {
    let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match compact.as_str() {
        "---LICENSED---" => LicenseStatus::Licensed,
        "---UNLICENSED---" => LicenseStatus::Unlicensed,
        "---OOB_GRACE---" => LicenseStatus::InitialGrace,
        "---OOT_GRACE---" => LicenseStatus::AdditionalGrace,
        "---NON_GENUINE_GRACE---" => LicenseStatus::NonGenuineGrace,
        "---NOTIFICATIONS---" => LicenseStatus::Notification,
        "---EXTENDEDGRACE---" => LicenseStatus::ExtendedGrace,
        "---UNKNOWN---" => LicenseStatus::Unknown,
        _ => return None,
    })
}

fn parse_block(block: &[&str], out: &mut OsppOutput) {
    let is_product = block
        .iter()
        .any(|t| t.starts_with("SKU ID:") || t.starts_with("LICENSE NAME:"));
    if !is_product {
        for t in block {
            if let Some(("Client Machine ID (CMID)", v)) = split_label(t) {
                out.cmid = uuid(v);
            }
        }
        return;
    }
    let mut p = Product::new(InputFormat::OsppDstatus);
    p.app = Some(App::Office);
    for t in block {
        let Some((label, v)) = split_label(t) else {
            continue;
        };
        match label {
            "PRODUCT ID" => p.product_id = Some(v.to_string()),
            "SKU ID" => p.activation_id = uuid(v),
            "LICENSE NAME" => p.name = Some(v.to_string()),
            "LICENSE DESCRIPTION" => {
                p.description = Some(v.to_string());
                p.channel = channel_from_description(v);
            }
            "LICENSE STATUS" => {
                p.license_status_text = Some(v.to_string());
                p.license_status = status_token(v);
            }
            "ERROR CODE" => {
                p.error_code = crate::shape::hex_code(v);
                p.error_note = paren_note(v);
            }
            "ERROR DESCRIPTION" => p.error_description = Some(v.to_string()),
            "REMAINING GRACE" => p.grace_minutes_left = minutes(v),
            "Last 5 characters of installed product key" => p.partial_key = Some(v.to_string()),
            "Activation Type Configuration" => p.activation_type = activation_type_word(v),
            "Most recent successful activation client information"
                if v.eq_ignore_ascii_case("AD") =>
            {
                p.last_activation_via = Some(ActivationVia::ActiveDirectory)
            }
            "KMS machine name from DNS" => p.kms_from_dns = host_port(v).map(DnsDiscovered::Host),
            "DNS auto-discovery" => p.kms_from_dns = Some(DnsDiscovered::NotAvailable),
            "KMS machine registry override defined" => {
                p.pinned = host_port(v).map(|hp| PinnedHost {
                    host: hp.host,
                    port: hp.port,
                    origin: PinOrigin::OsppRegistryOverride,
                })
            }
            "Activation Interval" => {
                p.activation_interval_minutes =
                    integers(v).first().and_then(|n| u32::try_from(*n).ok())
            }
            "Renewal Interval" => {
                p.renewal_interval_minutes =
                    integers(v).first().and_then(|n| u32::try_from(*n).ok())
            }
            "KMS host caching" => {
                p.host_caching = match v.to_ascii_lowercase().as_str() {
                    "enabled" => Some(true),
                    "disabled" => Some(false),
                    _ => None,
                }
            }
            "KMS Lookup Domain" => p.lookup_domain = (!v.is_empty()).then(|| v.to_string()),
            "Client Machine ID (CMID)" => p.cmid = uuid(v),
            _ => {}
        }
    }
    out.products.push(p);
}
