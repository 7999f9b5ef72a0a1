//! What `--activation-probe` sends about this machine: its one stable CMID (generated once and
//! kept in the state directory), its host name, and the products to request.
//!
//! State file (first that applies):
//! 1. `$STATE_DIRECTORY/cmid` — set by systemd for a unit with `StateDirectory=`;
//! 2. `$XDG_STATE_HOME/kms-preflight/cmid`;
//! 3. as root: `/var/lib/kms-preflight/cmid`;
//! 4. `~/.local/state/kms-preflight/cmid`.
//!
//! The file holds one UUID and a newline. It is created once (atomically: a concurrent first
//! run reads the other run's file) and never rewritten: every later probe from this machine
//! reuses it, so the host counts this machine once however often it is probed.

use std::io::Write;
use std::path::{Path, PathBuf};

use kms_preflight_checks::ActivationSettings;
use kms_preflight_knowledge::products;
use kms_preflight_wire::dcerpc::Uuid;

use kms_preflight_engine::Message;
use kms_preflight_report::usage;

use super::UsageError;
use crate::cli::AuditArgs;

/// Name of the CMID file inside the state directory.
pub const CMID_FILE: &str = "cmid";

fn env_dir(name: &str) -> Option<PathBuf> {
    let v = std::env::var_os(name)?;
    // systemd may list several directories separated by ':'; the first is ours.
    let first = v.to_string_lossy().split(':').next()?.to_string();
    let p = PathBuf::from(first);
    (p.is_absolute()).then_some(p)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|v| v == "0"))
        })
        .unwrap_or(false)
}

/// Where this machine's CMID is kept, and which rule chose it (for messages).
pub fn cmid_path() -> Result<(PathBuf, &'static str), Message> {
    if let Some(d) = env_dir("STATE_DIRECTORY") {
        return Ok((d.join(CMID_FILE), "$STATE_DIRECTORY"));
    }
    if let Some(d) = env_dir("XDG_STATE_HOME") {
        return Ok((d.join("kms-preflight").join(CMID_FILE), "$XDG_STATE_HOME"));
    }
    if is_root() {
        return Ok((
            PathBuf::from("/var/lib/kms-preflight").join(CMID_FILE),
            "root's state directory",
        ));
    }
    match env_dir("HOME") {
        Some(h) => Ok((
            h.join(".local/state/kms-preflight").join(CMID_FILE),
            "~/.local/state",
        )),
        None => Err(usage::cmid_no_state_dir()),
    }
}

/// A fresh random (version 4) UUID.
pub fn new_cmid() -> Result<Uuid, Message> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| usage::cmid_no_randomness(e.to_string()))?;
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    Ok(Uuid::from_bytes(b))
}

fn read_cmid(path: &Path) -> Result<Uuid, Message> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage::cmid_unreadable(file.as_str(), e.to_string()))?;
    Uuid::parse(text.trim())
        .map_err(|_| usage::cmid_not_uuid(file.as_str(), format!("{:?}", text.trim())))
}

/// This machine's stored CMID, created on first use. Returns (CMID, file, created now).
pub fn stored_cmid(path: &Path) -> Result<(Uuid, bool), Message> {
    match read_cmid(path) {
        Ok(u) => return Ok((u, false)),
        Err(e) if path.exists() => return Err(e),
        Err(_) => {}
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let shown = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| usage::cmid_mkdir(shown.as_str(), e.to_string()))?;
    let cmid = new_cmid()?;
    // Write a temporary file, then link it into place: the CMID file is never seen half
    // written, and if another run created it meanwhile, its CMID wins.
    let tmp = dir.join(format!(".{CMID_FILE}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(format!("{cmid}\n").as_bytes())
            .and(f.sync_all())
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(usage::cmid_write(shown.as_str(), e.to_string()));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok((cmid, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read_cmid(path).map(|u| (u, false))
        }
        Err(e) => Err(usage::cmid_link(path.display().to_string(), e.to_string())),
    }
}

/// This machine's host name, sent as the workstation name (the host logs it).
pub fn host_name() -> String {
    let from_kernel = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    from_kernel
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("COMPUTERNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "kms-preflight".to_string())
}

/// The run's activation settings: `None` without `--activation-probe`.
pub fn settings(args: &AuditArgs) -> Result<Option<ActivationSettings>, UsageError> {
    if !args.activation_probe {
        return Ok(None);
    }
    let (cmid, cmid_origin, cmid_new) = match &args.cmid {
        Some(c) => (c.clone(), "--cmid".to_string(), false),
        None => {
            let (path, why) =
                cmid_path().map_err(kms_preflight_report::usage::activation_no_state)?;
            let (cmid, created) =
                stored_cmid(&path).map_err(kms_preflight_report::usage::activation_cmid)?;
            (
                cmid.to_string(),
                format!(
                    "{} ({why}{})",
                    path.display(),
                    if created { ", created by this run" } else { "" }
                ),
                created,
            )
        }
    };
    let products = if args.products.is_empty() {
        let d = products::catalog().default_products();
        vec![d.windows.slug().to_string(), d.office.slug().to_string()]
    } else {
        let mut v: Vec<String> = Vec::new();
        for p in &args.products {
            if !v.contains(p) {
                v.push(p.clone());
            }
        }
        v
    };
    Ok(Some(ActivationSettings {
        cmid,
        cmid_origin,
        cmid_new,
        workstation: host_name(),
        products,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(m: &Message) -> String {
        kms_preflight_report::Catalog::get(kms_preflight_report::Lang::En).text(m)
    }

    #[test]
    fn cmid_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("kp-cmid-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("nested").join(CMID_FILE);
        let (a, created) = stored_cmid(&path).unwrap();
        assert!(created);
        let (b, created) = stored_cmid(&path).unwrap();
        assert!(!created);
        assert_eq!(a, b);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{a}\n"));
        // Version 4, RFC 4122 variant.
        let s = a.to_string();
        assert_eq!(&s[14..15], "4");
        assert!("89ab".contains(&s[19..20]), "{s}");
        std::fs::write(&path, "garbage\n").unwrap();
        let e = en(&stored_cmid(&path).unwrap_err());
        assert!(e.contains("does not hold a UUID"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unwritable_state_dir_is_a_clear_error() {
        let e = en(&stored_cmid(Path::new("/proc/kms-preflight-no/cmid")).unwrap_err());
        assert!(e.contains("cannot create the state directory"), "{e}");
        assert!(e.contains("--cmid"), "{e}");
    }
}
