//! `slmgr /dli`, `/dlv` (`/dlv all`) and `/xpr`.
//!
//! English lines are read by slmgr.vbs's own labels. slmgr prints the labels of the display
//! language (`slmgr\<LANGID>\slmgr.ini`), so a line whose label is not known is read by the
//! shape of its value and its place in the block: slmgr prints the product lines (name,
//! description, IDs, partial key) before the status line and the KMS client block after it,
//! always in the same order (`DisplayAllInformation` in slmgr.vbs).

use crate::detect::{is_channel_description, is_xpr_name, SLMGR_LABELS_JA};
use crate::model::{
    ActivationType, ActivationVia, App, Channel, DnsDiscovered, InputFormat, KmsIp, LicenseStatus,
    PinOrigin, PinnedHost, Product, OFFICE_2010_APP_ID, OFFICE_APP_ID, WINDOWS_APP_ID,
};
use crate::shape::{
    host_port, integer_only, integers, ip, is_domain, is_epid, is_partial_key, minutes, paren_note,
    split_label, uuid,
};
use crate::text::Line;

#[derive(Debug, Default)]
pub(crate) struct SlmgrOutput {
    pub products: Vec<Product>,
    pub not_in_use: Vec<String>,
}

pub(crate) fn parse(lines: &[Line]) -> SlmgrOutput {
    let text = |i: usize| lines[i].text.as_str();
    let next_nonblank = |i: usize| {
        (i + 1..lines.len())
            .map(text)
            .find(|l| !l.trim().is_empty())
    };
    let verbose = lines.iter().any(|l| {
        split_label(&l.text).is_some_and(|(label, _)| label == "Software licensing service version")
    });

    // Where each product block starts: a name line (the line before a description), an
    // English `Name:` line, or an `/xpr` product line.
    let mut starts: Vec<(usize, bool)> = Vec::new();
    for i in 0..lines.len() {
        let l = text(i);
        if l.trim().is_empty() {
            continue;
        }
        let next = next_nonblank(i);
        let own = split_label(l.trim());
        let xpr = is_xpr_name(l, next);
        let named = own.is_some_and(|(label, _)| label == "Name");
        let before_description = next
            .and_then(|n| split_label(n.trim()))
            .is_some_and(|(_, v)| is_channel_description(v))
            && !own.is_some_and(|(_, v)| is_channel_description(v));
        if xpr || named || before_description {
            if starts.last().is_some_and(|(s, _)| *s == i) {
                continue;
            }
            starts.push((i, xpr));
        }
    }
    let mut out = SlmgrOutput::default();
    for (k, (start, xpr)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |(s, _)| *s);
        let block = &lines[*start..end];
        if *xpr {
            out.products.push(parse_xpr(block));
        } else {
            let (p, in_use) = parse_block(block, verbose);
            if in_use {
                out.products.push(p);
            } else {
                out.not_in_use.push(p.label());
            }
        }
    }
    out
}

/// The channel in `Windows(R) Operating System, VOLUME_KMSCLIENT channel` (slmgr's own test
/// is `InStr(Description, "VOLUME_KMSCLIENT")`; its MAK test is `InStr(Description, "MAK")`).
pub(crate) fn channel_from_description(d: &str) -> Option<Channel> {
    let v = d.trim().trim_end_matches('.');
    let token = v.rsplit(',').next()?.trim();
    let token = token
        .strip_suffix("channel")
        .or_else(|| token.strip_suffix("Channel"))?
        .trim();
    if token.is_empty() {
        return None;
    }
    let up = token.to_ascii_uppercase();
    Some(if up.contains("VOLUME_KMSCLIENT") {
        Channel::KmsClient
    } else if up.contains("MAK") {
        Channel::Mak
    } else if up.starts_with("RETAIL") {
        Channel::Retail
    } else if up.starts_with("OEM") {
        Channel::Oem
    } else {
        Channel::Other(token.to_string())
    })
}

/// slmgr /dlv's "Product Key Channel": `Volume:GVLK`, `Volume:MAK`, `Retail`, `OEM:DM`, ...
fn channel_from_key_channel(v: &str) -> Option<Channel> {
    let up = v.trim().to_ascii_uppercase();
    let known = ["VOLUME:", "RETAIL", "OEM:", "OEM"];
    if !known.iter().any(|k| up.starts_with(k)) || up.contains(' ') {
        return None;
    }
    Some(if up == "VOLUME:GVLK" {
        Channel::KmsClient
    } else if up.contains("MAK") {
        Channel::Mak
    } else if up.starts_with("RETAIL") {
        Channel::Retail
    } else if up.starts_with("OEM") {
        Channel::Oem
    } else {
        Channel::Other(v.trim().to_string())
    })
}

/// A status as slmgr prints it: its English resources, and Japanese words (only
/// `ライセンスされています` is confirmed by a public sample; the others are read by the
/// words Microsoft's Japanese documentation uses for each state).
pub(crate) fn status_word(v: &str) -> Option<LicenseStatus> {
    let v = v.trim().trim_end_matches('.');
    let l = v.to_ascii_lowercase();
    let en = [
        ("unlicensed", LicenseStatus::Unlicensed),
        ("licensed", LicenseStatus::Licensed),
        ("initial grace period", LicenseStatus::InitialGrace),
        ("additional grace period", LicenseStatus::AdditionalGrace),
        ("non-genuine grace period", LicenseStatus::NonGenuineGrace),
        ("notification", LicenseStatus::Notification),
        ("extended grace period", LicenseStatus::ExtendedGrace),
        ("unknown", LicenseStatus::Unknown),
    ];
    for (word, s) in en {
        if l == word || (word.contains("grace") && l.starts_with(word)) {
            return Some(s);
        }
    }
    if v.contains("ライセンスされていません") {
        return Some(LicenseStatus::Unlicensed);
    }
    if v.contains("ライセンスされています") {
        return Some(LicenseStatus::Licensed);
    }
    if v.contains("猶予") {
        return Some(if v.contains("非正規") {
            LicenseStatus::NonGenuineGrace
        } else if v.contains("追加") {
            LicenseStatus::AdditionalGrace
        } else if v.contains("延長") {
            LicenseStatus::ExtendedGrace
        } else {
            LicenseStatus::InitialGrace
        });
    }
    if v == "通知" || v.starts_with("通知") {
        return Some(LicenseStatus::Notification);
    }
    if v == "不明" {
        return Some(LicenseStatus::Unknown);
    }
    None
}

pub(crate) fn activation_type_word(v: &str) -> Option<ActivationType> {
    match v.trim().to_ascii_uppercase().as_str() {
        "ALL" => Some(ActivationType::All),
        "AD" => Some(ActivationType::Ad),
        "KMS" => Some(ActivationType::Kms),
        "TOKEN" => Some(ActivationType::Token),
        _ if v.contains("すべて") => Some(ActivationType::All),
        _ => None,
    }
}

fn app_of(p: &Product) -> Option<App> {
    if let Some(id) = &p.application_id {
        return match id.as_str() {
            WINDOWS_APP_ID => Some(App::Windows),
            OFFICE_APP_ID | OFFICE_2010_APP_ID => Some(App::Office),
            _ => None,
        };
    }
    let name = p.name.as_deref().unwrap_or("");
    let desc = p.description.as_deref().unwrap_or("");
    if name.starts_with("Office") || desc.starts_with("Office") {
        Some(App::Office)
    } else if name.starts_with("Windows") || desc.contains("Windows") {
        Some(App::Windows)
    } else {
        None
    }
}

fn sentence_has_caching(t: &str) -> Option<bool> {
    let l = t.to_ascii_lowercase();
    if l.contains("caching") {
        return Some(l.contains("enabled") && !l.contains("disabled"));
    }
    if t.contains("キャッシュ") {
        return Some(t.contains("有効") && !t.contains("無効"));
    }
    None
}

/// One `/dli` or `/dlv` product block; `false` when slmgr said the license is not in use.
fn parse_block(block: &[Line], verbose: bool) -> (Product, bool) {
    let mut p = Product::new(InputFormat::SlmgrDli);
    let mut in_use = true;
    let mut after_status = false;
    let mut kms_host_block = false;
    let mut dlv_line = verbose;
    let mut prev_partial_key = false;
    for (n, line) in block.iter().enumerate() {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        if n == 0 {
            p.name = Some(match split_label(t) {
                Some((_, v)) if !v.is_empty() => v.to_string(),
                _ => t.to_string(),
            });
            continue;
        }
        if kms_host_block {
            // "Key Management Service is enabled on this machine": the host's own counters.
            continue;
        }
        let (label, value) = match split_label(t) {
            Some((l, v)) => (Some(l), v),
            None => (None, t),
        };
        let lower = label.map(str::to_ascii_lowercase);
        match lower.as_deref() {
            Some("name") => p.name = Some(value.to_string()),
            Some("description") => set_description(&mut p, value),
            Some("activation id") => {
                p.activation_id = uuid(value);
                dlv_line = true;
            }
            Some("application id") => {
                p.application_id = uuid(value);
                dlv_line = true;
            }
            Some("extended pid") => {
                p.extended_pid = Some(value.to_string());
                dlv_line = true;
            }
            Some("product key channel") => {
                dlv_line = true;
                if p.channel.is_none() {
                    p.channel = channel_from_key_channel(value);
                }
            }
            Some("partial product key") => p.partial_key = Some(value.to_string()),
            Some("license status") => {
                set_status(&mut p, value);
                after_status = true;
            }
            Some("notification reason") => set_error(&mut p, value),
            Some(
                "time remaining"
                | "volume activation expiration"
                | "timebased activation expiration"
                | "automatic vm activation expiration",
            ) => p.grace_minutes_left = minutes(value),
            Some("remaining windows rearm count" | "remaining app rearm count") => {
                p.remaining_rearm_count = integer_only(value).and_then(|v| u32::try_from(v).ok());
                dlv_line = true;
            }
            Some("configured activation type") => p.activation_type = activation_type_word(value),
            Some("client machine id (cmid)") => p.cmid = uuid(value),
            Some("registered kms srv record lookup domain") => {
                p.lookup_domain = (!value.is_empty()).then(|| value.to_string())
            }
            Some("registered kms machine name") => {
                p.pinned = host_port(value).map(|hp| PinnedHost {
                    host: hp.host,
                    port: hp.port,
                    origin: PinOrigin::SlmgrRegistered,
                })
            }
            Some("kms machine name from dns") => {
                p.kms_from_dns = host_port(value).map(DnsDiscovered::Host)
            }
            Some("dns auto-discovery") => p.kms_from_dns = Some(DnsDiscovered::NotAvailable),
            Some("kms machine ip address") => {
                p.kms_ip = Some(match ip(value) {
                    Some(a) => KmsIp::Address(a),
                    None => KmsIp::NotAvailable,
                })
            }
            Some("kms machine extended pid") => p.kms_host_epid = Some(value.to_string()),
            Some("activation interval") => {
                p.activation_interval_minutes = first_u32(value);
            }
            Some("renewal interval") => p.renewal_interval_minutes = first_u32(value),
            Some(
                "installation id"
                | "processor certificate url"
                | "machine certificate url"
                | "use license url"
                | "product key certificate url"
                | "validation url"
                | "evaluation end date"
                | "remaining sku rearm count"
                | "trusted time"
                | "software licensing service version"
                | "most recent activation information"
                | "warning"
                | "error"
                // AD-based, token-based and automatic VM activation blocks: their IDs are not
                // the CMID or the Activation ID.
                | "activation object name"
                | "ao dn"
                | "ao extended pid"
                | "ao activation id"
                | "license id (ilid)"
                | "version id (ilvid)"
                | "grant number"
                | "certificate thumbprint"
                | "additional information"
                | "guest iaid"
                | "host machine name"
                | "activation time"
                | "host digital pid2",
            ) => {}
            _ => {
                if t.starts_with("This license is not in use") {
                    in_use = false;
                } else if t.contains("slmgr.vbs /ato") || t.contains("slmgr /ato") {
                    p.kms_info_withheld = true;
                } else if t.starts_with("Key Management Service is enabled on this machine") {
                    kms_host_block = true;
                } else if t.starts_with("Key Management Service client information") {
                    p.last_activation_via = Some(ActivationVia::Kms);
                } else if t.starts_with("AD Activation client information") {
                    p.last_activation_via = Some(ActivationVia::ActiveDirectory);
                } else if t.starts_with("Token-based Activation information") {
                    p.last_activation_via = Some(ActivationVia::Token);
                } else if let Some(c) = sentence_has_caching(t) {
                    p.host_caching = Some(c);
                } else if let Some(label) = label {
                    let status_label = label.contains(SLMGR_LABELS_JA[0]);
                    if status_label {
                        set_status(&mut p, value);
                    } else if !by_shape(&mut p, label, value, after_status)
                        && prev_partial_key
                        && p.license_status_text.is_none()
                    {
                        // slmgr prints the status right after the partial key: a line there
                        // that nothing else explains is the status, in words not known here.
                        set_status(&mut p, value);
                    }
                    if status_label || p.license_status_text.is_some() {
                        after_status = true;
                    }
                    if p.activation_id.is_some() || p.extended_pid.is_some() {
                        dlv_line = true;
                    }
                }
            }
        }
        prev_partial_key = p.partial_key.is_some() && p.license_status_text.is_none();
    }
    p.format = if dlv_line {
        InputFormat::SlmgrDlv
    } else {
        InputFormat::SlmgrDli
    };
    p.app = app_of(&p);
    (p, in_use)
}

fn first_u32(v: &str) -> Option<u32> {
    integers(v).first().and_then(|n| u32::try_from(*n).ok())
}

fn set_description(p: &mut Product, value: &str) {
    p.description = Some(value.to_string());
    if let Some(c) = channel_from_description(value) {
        p.channel = Some(c);
    }
}

fn set_status(p: &mut Product, value: &str) {
    p.license_status_text = Some(value.trim().to_string());
    p.license_status = status_word(value);
}

fn set_error(p: &mut Product, value: &str) {
    p.error_code = crate::shape::hex_code(value);
    p.error_note = paren_note(value);
}

/// A line whose label this parser does not know, read by its value's shape and its place.
/// Returns whether a field was set.
fn by_shape(p: &mut Product, label: &str, v: &str, after_status: bool) -> bool {
    if v.is_empty() {
        return false;
    }
    let kms_block_possible = p.channel.as_ref().is_none_or(Channel::is_kms_client);
    if label.contains("説明") || is_channel_description(v) {
        set_description(p, v);
        return true;
    }
    if label.contains(SLMGR_LABELS_JA[1]) {
        p.kms_from_dns = host_port(v).map(DnsDiscovered::Host);
        return true;
    }
    if label.contains(SLMGR_LABELS_JA[2]) {
        p.remaining_rearm_count = integer_only(v).and_then(|n| u32::try_from(n).ok());
        return true;
    }
    if let Some(id) = uuid(v) {
        if [WINDOWS_APP_ID, OFFICE_APP_ID, OFFICE_2010_APP_ID].contains(&id.as_str()) {
            p.application_id.get_or_insert(id);
        } else if !after_status && p.activation_id.is_none() {
            p.activation_id = Some(id);
        } else if after_status && p.cmid.is_none() {
            p.cmid = Some(id);
        } else {
            return false;
        }
        return true;
    }
    if is_epid(v) {
        if !after_status && p.extended_pid.is_none() {
            p.extended_pid = Some(v.to_string());
        } else if after_status && kms_block_possible {
            p.kms_host_epid = Some(v.to_string());
        } else {
            return false;
        }
        return true;
    }
    if v.starts_with("0x") || v.starts_with("0X") {
        if crate::shape::hex_code(v).is_some() {
            set_error(p, v);
            return true;
        }
        return false;
    }
    if let Some(hp) = host_port(v) {
        if !after_status || !kms_block_possible {
            return false;
        }
        if label.contains("DNS") {
            p.kms_from_dns = Some(DnsDiscovered::Host(hp));
        } else {
            p.pinned = Some(PinnedHost {
                host: hp.host,
                port: hp.port,
                origin: PinOrigin::SlmgrRegistered,
            });
        }
        return true;
    }
    if let Some(a) = ip(v) {
        if after_status && kms_block_possible {
            p.kms_ip = Some(KmsIp::Address(a));
            return true;
        }
        return false;
    }
    if p.license_status_text.is_none() && status_word(v).is_some() {
        set_status(p, v);
        return true;
    }
    if !after_status && p.partial_key.is_none() && is_partial_key(v) {
        p.partial_key = Some(v.to_string());
        return true;
    }
    if let Some(c) = channel_from_key_channel(v) {
        p.channel.get_or_insert(c);
        return true;
    }
    if let Some(a) = activation_type_word(v) {
        p.activation_type = Some(a);
        return true;
    }
    let nums = integers(v);
    if nums.len() >= 2 && v.contains('(') && p.grace_minutes_left.is_none() {
        p.grace_minutes_left = minutes(v);
        return true;
    }
    if nums.len() == 1 && integer_only(v).is_none() && after_status && kms_block_possible {
        let n = u32::try_from(nums[0]).ok();
        if p.activation_interval_minutes.is_none() {
            p.activation_interval_minutes = n;
        } else if p.renewal_interval_minutes.is_none() {
            p.renewal_interval_minutes = n;
        } else {
            return false;
        }
        return true;
    }
    if let Some(n) = integer_only(v) {
        if p.remaining_rearm_count.is_none() {
            p.remaining_rearm_count = u32::try_from(n).ok();
            return true;
        }
        return false;
    }
    if after_status && kms_block_possible && p.lookup_domain.is_none() && is_domain(v) {
        p.lookup_domain = Some(v.trim_end_matches('.').to_string());
        return true;
    }
    if after_status && kms_block_possible && label.contains("DNS") && p.kms_from_dns.is_none() {
        p.kms_from_dns = Some(DnsDiscovered::NotAvailable);
        return true;
    }
    if after_status && kms_block_possible && label.contains("IP") && p.kms_ip.is_none() {
        p.kms_ip = Some(KmsIp::NotAvailable);
        return true;
    }
    false
}

/// `slmgr /xpr`: a name line and one indented status line.
fn parse_xpr(block: &[Line]) -> Product {
    let mut p = Product::new(InputFormat::SlmgrXpr);
    let mut lines = block
        .iter()
        .map(|l| l.text.as_str())
        .filter(|l| !l.trim().is_empty());
    if let Some(name) = lines.next() {
        p.name = Some(
            name.trim()
                .trim_end_matches([':', '：'])
                .trim_end()
                .to_string(),
        );
    }
    if let Some(status) = lines.next() {
        let s = status.trim();
        p.license_status_text = Some(s.to_string());
        let after = |prefix: &str| {
            s.strip_prefix(prefix)
                .map(|rest| rest.trim().trim_end_matches('.').to_string())
                .filter(|r| !r.is_empty())
        };
        let table: [(&str, LicenseStatus); 8] = [
            ("Volume activation will expire", LicenseStatus::Licensed),
            ("Timebased activation will expire", LicenseStatus::Licensed),
            (
                "Automatic VM activation will expire",
                LicenseStatus::Licensed,
            ),
            ("Initial grace period ends", LicenseStatus::InitialGrace),
            (
                "Additional grace period ends",
                LicenseStatus::AdditionalGrace,
            ),
            (
                "Non-genuine grace period ends",
                LicenseStatus::NonGenuineGrace,
            ),
            ("Extended grace period ends", LicenseStatus::ExtendedGrace),
            ("Unlicensed", LicenseStatus::Unlicensed),
        ];
        for (prefix, st) in table {
            if s.starts_with(prefix) {
                p.license_status = Some(st);
                p.expiry_text = after(prefix);
            }
        }
        if s.contains("Notification mode") || s.contains("通知モード") {
            p.license_status = Some(LicenseStatus::Notification);
        } else if s.contains("Activated for the lifespan") || s.contains("permanently activated") {
            p.license_status = Some(LicenseStatus::Licensed);
        }
    }
    p.app = app_of(&p);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_activation_block_is_not_kms() {
        let t = "\nName: Windows(R), Enterprise edition\nDescription: Windows(R) Operating System, VOLUME_KMSCLIENT channel\nPartial Product Key: 2YT43\nLicense Status: Licensed\nVolume activation expiration: 259200 minute(s) (180 day(s))\nConfigured Activation Type: All\n\nMost recent activation information:\nAD Activation client information\n    Activation Object name: Win10Ent\n    AO DN: CN=Win10Ent,CN=Activation Objects,CN=Microsoft SPP,CN=Services,CN=Configuration,DC=corp,DC=example\n    AO extended PID: 03612-00206-568-381813-03-1033-17763.0000-2542023\n    AO activation ID: 2de67392-b7a7-462a-b1ca-108dd189f588\n\n";
        let out = parse(&crate::text::lines(t));
        let p = &out.products[0];
        assert_eq!(p.last_activation_via, Some(ActivationVia::ActiveDirectory));
        assert_eq!((p.cmid.as_ref(), p.kms_host_epid.as_ref()), (None, None));
        assert_eq!(p.activation_id, None);
        let mut missing = Vec::new();
        crate::missing::product(0, p, &mut missing);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn words() {
        assert_eq!(
            channel_from_description("Windows(R) Operating System, VOLUME_KMSCLIENT channel"),
            Some(Channel::KmsClient)
        );
        assert_eq!(
            channel_from_description("Office 24, RETAIL(MAK) channel"),
            Some(Channel::Mak)
        );
        assert_eq!(
            channel_from_description("Windows(R) Operating System, OEM_DM Channel"),
            Some(Channel::Oem)
        );
        assert_eq!(
            channel_from_description(
                "Windows Operating System - Windows(R) 7, TIMEBASED_EVAL channel"
            ),
            Some(Channel::Other("TIMEBASED_EVAL".into()))
        );
        assert_eq!(channel_from_description("no channel here at all"), None);
        assert_eq!(
            channel_from_key_channel("Volume:GVLK"),
            Some(Channel::KmsClient)
        );
        assert_eq!(channel_from_key_channel("Volume:MAK"), Some(Channel::Mak));
        assert_eq!(channel_from_key_channel("OEM:DM"), Some(Channel::Oem));
        assert_eq!(channel_from_key_channel("Licensed"), None);
        assert_eq!(
            status_word(
                "Additional grace period (KMS license expired or hardware out of tolerance)"
            ),
            Some(LicenseStatus::AdditionalGrace)
        );
        assert_eq!(
            status_word("Non-genuine grace period."),
            Some(LicenseStatus::NonGenuineGrace)
        );
        assert_eq!(
            status_word("ライセンスされています"),
            Some(LicenseStatus::Licensed)
        );
        assert_eq!(status_word("Licensed to someone"), None);
        assert_eq!(activation_type_word("Token"), Some(ActivationType::Token));
    }
}
