//! The client model: what one input (or one machine) says about its licensing products and
//! its DNS configuration. Every field that an input may simply not print is an `Option`:
//! `None` means "not in the input", never "false" or "empty".

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Windows' licensing application ID (slmgr's `WindowsAppId`).
pub const WINDOWS_APP_ID: &str = "55c92734-d682-4d71-983e-d6ec3f16059f";
/// Office 2013 and later (ospp.vbs's `OfficeAppId`).
pub const OFFICE_APP_ID: &str = "0ff1ce15-a989-479d-af46-f275c6370663";
/// Office 2010.
pub const OFFICE_2010_APP_ID: &str = "59a52881-a989-479d-af46-f275c6370663";
/// The port a client uses when none is configured (slmgr.vbs `DefaultPort`).
pub const DEFAULT_KMS_PORT: u16 = 1688;

/// How the input bytes were decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    #[serde(rename = "utf-16le-bom")]
    Utf16LeBom,
    #[serde(rename = "utf-16be-bom")]
    Utf16BeBom,
    /// Windows code page 932 (Shift_JIS with Microsoft's extensions), what `cmd.exe` writes
    /// on Japanese Windows; tried when the bytes are not valid UTF-8.
    #[serde(rename = "cp932")]
    Cp932,
    /// Lines of both: UTF-8 lines and CP932 lines in one file (two outputs joined).
    #[serde(rename = "utf-8+cp932")]
    Utf8AndCp932,
}

impl TextEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16LeBom => "UTF-16LE with BOM",
            TextEncoding::Utf16BeBom => "UTF-16BE with BOM",
            TextEncoding::Cp932 => "CP932 (Shift_JIS)",
            TextEncoding::Utf8AndCp932 => "UTF-8 and CP932 lines",
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which command printed (part of) an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// `slmgr /dli`
    SlmgrDli,
    /// `slmgr /dlv` (also `/dlv all`)
    SlmgrDlv,
    /// `slmgr /xpr`
    SlmgrXpr,
    /// `cscript ospp.vbs /dstatus` or `/dstatusall` (or `/dcmid`)
    OsppDstatus,
    /// `reg query` of a SoftwareProtectionPlatform key
    RegQuery,
    /// `ipconfig /all`
    IpconfigAll,
}

impl InputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::SlmgrDli => "slmgr /dli",
            InputFormat::SlmgrDlv => "slmgr /dlv",
            InputFormat::SlmgrXpr => "slmgr /xpr",
            InputFormat::OsppDstatus => "ospp.vbs /dstatus",
            InputFormat::RegQuery => "reg query",
            InputFormat::IpconfigAll => "ipconfig /all",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language of the labels (values such as product names stay English on every Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    English,
    Japanese,
    /// Labels that are neither ASCII nor Japanese (another Windows display language).
    Other,
}

/// What one input (one file, or stdin) says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientState {
    /// The name the caller gave the input (a file name, or `-` for stdin).
    pub source: String,
    pub encoding: TextEncoding,
    /// Every format found in the input, in the order first seen.
    pub formats: Vec<InputFormat>,
    pub language: Language,
    pub machine: Machine,
    pub products: Vec<Product>,
    /// Products `slmgr /dlv all` lists with "This license is not in use." (no key installed).
    pub licenses_not_in_use: Vec<String>,
    /// Fields the input's formats print but that were not found (a truncated paste), as
    /// `machine.host_name` or `products[0].cmid`.
    pub missing: Vec<String>,
}

impl ClientState {
    /// Every CMID this input shows (products' and ospp's `/dcmid`), lower-case.
    pub fn cmids(&self) -> BTreeSet<String> {
        cmids_of(&self.products, &self.machine)
    }
}

pub(crate) fn cmids_of(products: &[Product], machine: &Machine) -> BTreeSet<String> {
    products
        .iter()
        .filter_map(|p| p.cmid.clone())
        .chain(machine.office_cmid.clone())
        .collect()
}

/// Machine-wide facts: names, DNS configuration, registry values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// ipconfig's "Host Name" (the computer's short name).
    pub host_name: Option<String>,
    /// ipconfig's "Primary Dns Suffix"; `Some("")` when printed without a value.
    pub primary_dns_suffix: Option<String>,
    /// ipconfig's "DNS Suffix Search List", in order. `Some(vec![])` when ipconfig's global
    /// block was complete and had no such line (ipconfig omits it when the list is empty).
    pub suffix_search_list: Option<Vec<String>>,
    /// ipconfig's adapters, in the order printed.
    pub adapters: Vec<Adapter>,
    /// Values from `reg query` output, in the order printed.
    pub registry: Vec<RegistryValue>,
    /// `ospp.vbs /dcmid`: the CMID of Office's licensing service.
    pub office_cmid: Option<String>,
}

impl Machine {
    /// The DNS servers of every adapter, in adapter order then server order, without repeats.
    pub fn dns_servers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for a in &self.adapters {
            for s in &a.dns_servers {
                if !out.iter().any(|o| o == s) {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    /// The domains a KMS client queries `_vlmcs._tcp.<domain>` in, in order, as far as this
    /// machine's `ipconfig /all` shows them: the primary DNS suffix (the membership zone) first,
    /// then the DNS suffix search list; when no search list is known, the connection-specific
    /// suffixes of the adapters that are not disconnected. Without repeats (case-insensitive),
    /// trailing dots removed. Empty when nothing is known.
    pub fn client_suffixes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: &str| {
            let s = s.trim().trim_end_matches('.');
            if !s.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                out.push(s.to_string());
            }
        };
        if let Some(p) = &self.primary_dns_suffix {
            push(p);
        }
        match &self.suffix_search_list {
            Some(list) if !list.is_empty() => list.iter().for_each(|s| push(s)),
            _ => self
                .adapters
                .iter()
                .filter(|a| !a.media_disconnected)
                .filter_map(|a| a.connection_dns_suffix.as_deref())
                .for_each(push),
        }
        out
    }
}

/// One `ipconfig /all` adapter block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adapter {
    /// The header line without its colon, e.g. `Ethernet adapter Ethernet`.
    pub name: String,
    pub description: Option<String>,
    /// "Connection-specific DNS Suffix"; `Some("")` when printed without a value.
    pub connection_dns_suffix: Option<String>,
    /// "DNS Servers", in order (IPv6 zone suffixes such as `%1` kept).
    pub dns_servers: Vec<String>,
    /// "IPv4 Address" values without the `(Preferred)` note.
    pub ipv4_addresses: Vec<String>,
    /// "Media State: Media disconnected".
    pub media_disconnected: bool,
}

/// A `reg query` value line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistryValue {
    /// The key as printed (`HKEY_LOCAL_MACHINE\SOFTWARE\...`).
    pub key: String,
    /// Which licensing key this is.
    pub scope: RegistryScope,
    pub name: String,
    /// The type token as printed: `REG_SZ`, `REG_DWORD`, ...
    pub kind: String,
    /// The data as printed (`0x78` for a DWORD, `a\0b` for a MULTI_SZ); empty when none.
    pub data: String,
    /// The number for `REG_DWORD`/`REG_QWORD` data.
    pub number: Option<u64>,
}

/// Which licensing registry key a value lives in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum RegistryScope {
    /// `...\SoftwareProtectionPlatform` (`HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\`)
    /// or `HKLM\SOFTWARE\Microsoft\OfficeSoftwareProtectionPlatform` itself.
    Global { tree: RegistryTree },
    /// `<tree>\<AppID>`.
    App { tree: RegistryTree, app_id: String },
    /// `<tree>\<AppID>\<SKU ID>`, the SKU-specific override.
    Sku {
        tree: RegistryTree,
        app_id: String,
        sku_id: String,
    },
    /// Any other key.
    Other,
}

/// The two licensing registry trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryTree {
    /// `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform` (sppsvc:
    /// Windows, and Office 2013+ on Windows 8 and later).
    Spp,
    /// `HKLM\SOFTWARE\Microsoft\OfficeSoftwareProtectionPlatform` (osppsvc: Office on
    /// Windows 7).
    Ospp,
}

/// Windows or Office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum App {
    Windows,
    Office,
}

/// The product key channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// `VOLUME_KMSCLIENT` (a GVLK): the only channel that uses a KMS host.
    KmsClient,
    /// A Multiple Activation Key (`VOLUME_MAK`, Office's `RETAIL(MAK)`).
    Mak,
    Retail,
    Oem,
    /// Anything else, as printed (e.g. `VOLUME_KMS` for a KMS host key, `TIMEBASED_EVAL`).
    Other(String),
}

impl Channel {
    pub fn is_kms_client(&self) -> bool {
        matches!(self, Channel::KmsClient)
    }
}

/// The license status (SoftwareLicensingProduct.LicenseStatus, as slmgr and ospp print it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseStatus {
    Unlicensed,
    Licensed,
    /// Out-of-box grace (ospp `---OOB_GRACE---`).
    InitialGrace,
    /// Out-of-tolerance grace: KMS license expired or hardware changed (`---OOT_GRACE---`).
    AdditionalGrace,
    NonGenuineGrace,
    Notification,
    ExtendedGrace,
    /// Printed as "Unknown" / `---UNKNOWN---`.
    Unknown,
}

impl LicenseStatus {
    /// A status with a grace countdown.
    pub fn is_grace(self) -> bool {
        matches!(
            self,
            LicenseStatus::InitialGrace
                | LicenseStatus::AdditionalGrace
                | LicenseStatus::NonGenuineGrace
                | LicenseStatus::ExtendedGrace
        )
    }
}

/// "Configured Activation Type" / ospp "Activation Type Configuration".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationType {
    All,
    Ad,
    Kms,
    Token,
}

/// How the product was last activated, when the output says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationVia {
    Kms,
    ActiveDirectory,
    Token,
}

/// A host and port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostPort {
    /// A DNS name or an address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// A KMS host set by hand, with where that setting was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedHost {
    pub host: String,
    pub port: u16,
    pub origin: PinOrigin,
}

impl PinnedHost {
    pub fn host_port(&self) -> HostPort {
        HostPort {
            host: self.host.clone(),
            port: self.port,
        }
    }
}

/// Where a pinned host was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinOrigin {
    /// slmgr "Registered KMS machine name" (set by `slmgr /skms` or the registry).
    SlmgrRegistered,
    /// ospp.vbs "KMS machine registry override defined" (set by `ospp.vbs /sethst`).
    OsppRegistryOverride,
    /// `reg query`: `<tree>\<AppID>\<SKU ID>\KeyManagementServiceName`.
    RegistrySku,
    /// `reg query`: `<tree>\<AppID>\KeyManagementServiceName`.
    RegistryApp,
    /// `reg query`: `<tree>\KeyManagementServiceName`.
    RegistryGlobal,
}

impl PinOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            PinOrigin::SlmgrRegistered => "slmgr: Registered KMS machine name",
            PinOrigin::OsppRegistryOverride => "ospp.vbs: KMS machine registry override",
            PinOrigin::RegistrySku => "registry: SKU-specific KeyManagementServiceName",
            PinOrigin::RegistryApp => "registry: application-specific KeyManagementServiceName",
            PinOrigin::RegistryGlobal => "registry: KeyManagementServiceName",
        }
    }
}

/// "KMS machine name from DNS", the host the client last found through DNS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsDiscovered {
    Host(HostPort),
    /// "DNS auto-discovery: KMS name not available".
    NotAvailable,
}

/// "KMS machine IP address".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KmsIp {
    Address(String),
    /// "KMS machine IP address: not available".
    NotAvailable,
}

/// One licensing product (one slmgr or ospp block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The command that printed this block.
    pub format: InputFormat,
    pub app: Option<App>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// SoftwareLicensingProduct.ID: slmgr's "Activation ID" and ospp's "SKU ID" (the same
    /// value; it is also the `<SKU ID>` of the SKU-specific registry key). Lower-case.
    pub activation_id: Option<String>,
    /// slmgr "Application ID", lower-case.
    pub application_id: Option<String>,
    /// ospp "PRODUCT ID".
    pub product_id: Option<String>,
    /// slmgr "Extended PID" of the installed key.
    pub extended_pid: Option<String>,
    pub channel: Option<Channel>,
    pub license_status: Option<LicenseStatus>,
    /// The status as printed (for a status word this parser does not know).
    pub license_status_text: Option<String>,
    /// GracePeriodRemaining in minutes: for a grace status the grace left, for a Licensed
    /// volume product the minutes until its activation expires.
    pub grace_minutes_left: Option<u64>,
    /// The end date `slmgr /xpr` prints, as printed (in the client's locale).
    pub expiry_text: Option<String>,
    /// LicenseStatusReason: slmgr "Notification Reason", ospp "ERROR CODE"; `0x` and 8
    /// upper-case hex digits.
    pub error_code: Option<String>,
    /// What follows the code: `non-genuine`, `grace time expired`, or ospp's "for information
    /// purposes only as the status is licensed".
    pub error_note: Option<String>,
    /// ospp "ERROR DESCRIPTION".
    pub error_description: Option<String>,
    /// slmgr "Partial Product Key", ospp "Last 5 characters of installed product key".
    pub partial_key: Option<String>,
    /// slmgr "Remaining Windows rearm count" (or App rearm count).
    pub remaining_rearm_count: Option<u32>,
    pub activation_type: Option<ActivationType>,
    pub last_activation_via: Option<ActivationVia>,
    /// slmgr printed "Please use slmgr.vbs /ato to activate and update KMS client information"
    /// instead of its KMS client block (it shows that block only when Licensed): the pinned
    /// host, lookup domain and cached host are then unknown from this input.
    pub kms_info_withheld: bool,
    /// "Client Machine ID (CMID)", lower-case.
    pub cmid: Option<String>,
    pub pinned: Option<PinnedHost>,
    /// slmgr "Registered KMS SRV record lookup domain" / ospp "KMS Lookup Domain" (set by
    /// `/skms-domain`).
    pub lookup_domain: Option<String>,
    pub kms_from_dns: Option<DnsDiscovered>,
    pub kms_ip: Option<KmsIp>,
    /// "KMS machine extended PID": the ePID of the host that activated this product.
    pub kms_host_epid: Option<String>,
    pub activation_interval_minutes: Option<u32>,
    pub renewal_interval_minutes: Option<u32>,
    pub host_caching: Option<bool>,
}

impl Product {
    pub(crate) fn new(format: InputFormat) -> Product {
        Product {
            format,
            app: None,
            name: None,
            description: None,
            activation_id: None,
            application_id: None,
            product_id: None,
            extended_pid: None,
            channel: None,
            license_status: None,
            license_status_text: None,
            grace_minutes_left: None,
            expiry_text: None,
            error_code: None,
            error_note: None,
            error_description: None,
            partial_key: None,
            remaining_rearm_count: None,
            activation_type: None,
            last_activation_via: None,
            kms_info_withheld: false,
            cmid: None,
            pinned: None,
            lookup_domain: None,
            kms_from_dns: None,
            kms_ip: None,
            kms_host_epid: None,
            activation_interval_minutes: None,
            renewal_interval_minutes: None,
            host_caching: None,
        }
    }

    /// The licensing application ID, printed or implied by the product.
    pub fn app_id(&self) -> Option<String> {
        if let Some(id) = &self.application_id {
            return Some(id.clone());
        }
        match self.app? {
            App::Windows => Some(WINDOWS_APP_ID.to_string()),
            App::Office => {
                let office14 = self
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Office 14"));
                Some(
                    if office14 {
                        OFFICE_2010_APP_ID
                    } else {
                        OFFICE_APP_ID
                    }
                    .to_string(),
                )
            }
        }
    }

    /// A short label for messages: the name, else the activation ID, else the format.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.activation_id.clone())
            .unwrap_or_else(|| format!("product from {}", self.format))
    }
}
