//! Which fields an input's formats print that were not found: what a truncated paste lost.
//! A field is expected only where the tool prints it for that product (slmgr shows the KMS
//! client block only for a Licensed KMS client; ospp shows its KMS lines only for KMS
//! products; ipconfig omits an empty search list).

use crate::model::{ActivationVia, Channel, InputFormat, LicenseStatus, Machine, Product};

pub(crate) fn machine(m: &Machine, formats: &[InputFormat], out: &mut Vec<String>) {
    if !formats.contains(&InputFormat::IpconfigAll) {
        return;
    }
    let mut miss = |cond: bool, name: &str| {
        if cond {
            out.push(format!("machine.{name}"));
        }
    };
    miss(m.host_name.is_none(), "host_name");
    miss(m.primary_dns_suffix.is_none(), "primary_dns_suffix");
    miss(m.suffix_search_list.is_none(), "suffix_search_list");
    miss(m.adapters.is_empty(), "adapters");
}

pub(crate) fn product(i: usize, p: &Product, out: &mut Vec<String>) {
    let mut miss = |cond: bool, name: &str| {
        if cond {
            out.push(format!("products[{i}].{name}"));
        }
    };
    let kms_client = p.channel.as_ref().is_some_and(Channel::is_kms_client);
    let status = p.license_status;
    miss(p.name.is_none(), "name");
    miss(p.license_status_text.is_none(), "license_status");
    if p.format == InputFormat::SlmgrXpr {
        return;
    }
    miss(p.description.is_none(), "description");
    miss(p.channel.is_none(), "channel");
    miss(p.partial_key.is_none(), "partial_key");
    if status.is_some_and(LicenseStatus::is_grace) {
        miss(p.grace_minutes_left.is_none(), "grace_minutes_left");
    }
    if status == Some(LicenseStatus::Notification) {
        miss(p.error_code.is_none(), "error_code");
    }
    if p.format == InputFormat::SlmgrDlv {
        miss(p.activation_id.is_none(), "activation_id");
        miss(p.application_id.is_none(), "application_id");
        miss(p.extended_pid.is_none(), "extended_pid");
    }
    if p.format == InputFormat::OsppDstatus {
        miss(p.activation_id.is_none(), "activation_id");
    }
    if !kms_client {
        return;
    }
    // Windows 7 / Server 2008 R2 slmgr prints neither the activation type nor the KMS IP
    // address; a KMS block (its CMID) without the activation type line that comes before it
    // is that older output, not a cut one.
    let legacy_slmgr = matches!(p.format, InputFormat::SlmgrDli | InputFormat::SlmgrDlv)
        && p.cmid.is_some()
        && p.activation_type.is_none();
    miss(
        p.activation_type.is_none() && !legacy_slmgr,
        "activation_type",
    );
    let kms_block_printed = match p.format {
        // slmgr prints the block only for a Licensed product activated by KMS.
        InputFormat::SlmgrDli | InputFormat::SlmgrDlv => {
            status == Some(LicenseStatus::Licensed)
                && !p.kms_info_withheld
                && !matches!(
                    p.last_activation_via,
                    Some(ActivationVia::ActiveDirectory | ActivationVia::Token)
                )
        }
        InputFormat::OsppDstatus => p.last_activation_via != Some(ActivationVia::ActiveDirectory),
        _ => false,
    };
    if !kms_block_printed {
        return;
    }
    if matches!(p.format, InputFormat::SlmgrDli | InputFormat::SlmgrDlv) {
        miss(p.cmid.is_none(), "cmid");
        miss(p.kms_ip.is_none() && !legacy_slmgr, "kms_ip");
        miss(p.kms_host_epid.is_none(), "kms_host_epid");
    }
    // slmgr prints "Registered KMS machine name" instead of the DNS line; ospp prints both.
    if p.format == InputFormat::OsppDstatus {
        miss(p.kms_from_dns.is_none(), "kms_from_dns");
    } else {
        miss(
            p.pinned.is_none() && p.kms_from_dns.is_none(),
            "pinned_or_kms_from_dns",
        );
    }
    miss(
        p.activation_interval_minutes.is_none(),
        "activation_interval_minutes",
    );
    miss(
        p.renewal_interval_minutes.is_none(),
        "renewal_interval_minutes",
    );
    miss(p.host_caching.is_none(), "host_caching");
}
