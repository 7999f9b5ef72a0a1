//! KMS products, host keys (CSVLKs) and ePID decoding tables.
//!
//! The data is `knowledge/kms-products.yaml` at the top of the repository, compiled into the
//! binary with `include_str!` and parsed (and validated) once on first use by [`catalog`].
//! This module does no I/O.
//!
//! What a KMS client sends and what a host decides on:
//!
//! * a [`Product`] is one edition a client can be (`windows-11-enterprise`,
//!   `office-ltsc-2021-proplus`, …). It carries the application id, the SKU (activation) id, the
//!   **KMS counted id** the host grants or refuses, the client count N the client asks for
//!   (25 for Windows client editions, 5 for Windows Server and Office) and the GVLK
//!   (`slmgr /ipk`, `ospp.vbs /inpkey`);
//! * a [`KmsGroup`] is one KMS counted id (several products share one: Windows 10 and 11
//!   Pro/Enterprise/Education all send `58e2134f-…`);
//! * a [`HostKey`] is one CSVLK a KMS host can have installed: the ePID group id and key-id
//!   blocks that identify it, and the KMS counted ids it activates;
//! * [`OsBuild`] and [`Language`] decode the build and LCID fields of a host's ePID, and
//!   [`Epid`] / [`ProductCatalog::decode_epid`] put it all together.
//!
//! Lookups with unknown values return `None`; nothing here panics on input.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Deserialize;

/// The embedded data file.
pub const PRODUCTS_YAML: &str = include_str!("../../../knowledge/kms-products.yaml");

/// Slug of the Windows product [`ProductCatalog::default_products`] probes with.
///
/// `windows-10-enterprise` and `windows-11-enterprise` send byte-identical requests (same
/// application id, SKU id and KMS counted id `58e2134f-…`, N = 25), so either name describes
/// the probe; the Windows 10 name is used because every Windows 10-capable CSVLK covers it.
pub const DEFAULT_WINDOWS_PRODUCT: &str = "windows-10-enterprise";

/// Slug of the Office product [`ProductCatalog::default_products`] probes with.
pub const DEFAULT_OFFICE_PRODUCT: &str = "office-ltsc-2021-proplus";

// ---------------------------------------------------------------------------------------------
// GUIDs
// ---------------------------------------------------------------------------------------------

/// A GUID, stored in the order its text form is written (RFC 4122 byte order).
///
/// KMS and DCE/RPC put GUIDs on the wire in Microsoft's mixed-endian layout; use
/// [`Guid::guid_bytes_le`] and [`Guid::from_guid_bytes_le`] for that. The version nibble is
/// deliberately not checked: Office LTSC 2024's genuine KMS counted id has version 0.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid([u8; 16]);

/// A string that is not a GUID in `8-4-4-4-12` hex form (optionally in braces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseGuidError(String);

impl fmt::Display for ParseGuidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
            self.0
        )
    }
}

impl std::error::Error for ParseGuidError {}

impl Guid {
    /// The all-zero GUID.
    pub const NIL: Guid = Guid([0; 16]);

    /// A GUID from its 16 bytes in text (RFC 4122) order.
    pub const fn from_bytes(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }

    /// The 16 bytes in text (RFC 4122) order: `55c92734-d682-…` → `55 c9 27 34 d6 82 …`.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case, optionally in `{}`).
    pub fn parse(text: &str) -> Option<Guid> {
        let t = text.trim();
        let t = match t.strip_prefix('{') {
            Some(rest) => rest.strip_suffix('}')?,
            None => t,
        };
        let raw = t.as_bytes();
        if raw.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if raw[i] != b'-' {
                    return None;
                }
                i += 1;
                continue;
            }
            let hi = hex_value(raw[i])?;
            let lo = hex_value(*raw.get(i + 1)?)?;
            out[n] = (hi << 4) | lo;
            n += 1;
            i += 2;
        }
        Some(Guid(out))
    }

    /// Microsoft's GUID wire layout, as KMS and DCE/RPC send it: Data1 (u32), Data2 (u16) and
    /// Data3 (u16) little-endian, then the last 8 bytes as written.
    ///
    /// `51c82175-844e-4750-b0d8-ec255555bc06` → `75 21 c8 51 4e 84 50 47 b0 d8 ec 25 55 55 bc 06`.
    pub fn guid_bytes_le(&self) -> [u8; 16] {
        let b = self.0;
        [
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ]
    }

    /// The inverse of [`Guid::guid_bytes_le`]: reads 16 wire bytes.
    pub fn from_guid_bytes_le(wire: [u8; 16]) -> Guid {
        // The byte swap is its own inverse.
        Guid(wire).guid_bytes_le().into()
    }

    /// True for the all-zero GUID.
    pub fn is_nil(&self) -> bool {
        self.0 == [0; 16]
    }
}

impl From<[u8; 16]> for Guid {
    fn from(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

impl FromStr for Guid {
    type Err = ParseGuidError;

    fn from_str(s: &str) -> Result<Guid, ParseGuidError> {
        Guid::parse(s).ok_or_else(|| ParseGuidError(s.to_owned()))
    }
}

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

/// The KMS application a product belongs to (the request's ApplicationID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum Application {
    /// Windows client and server: `55c92734-d682-4d71-983e-d6ec3f16059f`.
    #[serde(rename = "windows")]
    Windows,
    /// Office 2010: `59a52881-a989-479d-af46-f275c6370663`.
    #[serde(rename = "office-2010")]
    Office2010,
    /// Office 2013 and later: `0ff1ce15-a989-479d-af46-f275c6370663`.
    #[serde(rename = "office-2013-plus")]
    Office2013Plus,
}

impl Application {
    /// Every application, in file order.
    pub const ALL: [Application; 3] = [
        Application::Windows,
        Application::Office2010,
        Application::Office2013Plus,
    ];

    /// The key used for this application in the data file.
    pub fn key(self) -> &'static str {
        match self {
            Application::Windows => "windows",
            Application::Office2010 => "office-2010",
            Application::Office2013Plus => "office-2013-plus",
        }
    }

    /// True for the two Office applications.
    pub fn is_office(self) -> bool {
        !matches!(self, Application::Windows)
    }
}

/// What kind of product an entry is; it decides N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Windows client editions (N = 25).
    WindowsClient,
    /// Windows Server editions (N = 5).
    WindowsServer,
    /// Office, Project, Visio (N = 5).
    Office,
}

impl Family {
    /// The client count N every product of this family asks for.
    pub fn required_client_count(self) -> u32 {
        match self {
            Family::WindowsClient => 25,
            Family::WindowsServer | Family::Office => 5,
        }
    }
}

/// How sure the data file is about an entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A Microsoft page, or two independent sources that agree.
    #[default]
    High,
    /// One source, or an inference the entry's note spells out.
    Medium,
}

// ---------------------------------------------------------------------------------------------
// Typed records
// ---------------------------------------------------------------------------------------------

/// One KMS counted id ("KMS ID"): the product group a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsGroup {
    key: String,
    name: String,
    id: Guid,
    application: Application,
    required_client_count: u32,
    protocol: u8,
    confidence: Confidence,
    note: Option<String>,
    sources: Vec<String>,
}

impl KmsGroup {
    /// The data-file key, e.g. `windows-10-2015`.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// Display name, e.g. `Windows 10/11 2015 (Volume)`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The KMS counted id.
    pub fn id(&self) -> Guid {
        self.id
    }
    /// The application this group belongs to.
    pub fn application(&self) -> Application {
        self.application
    }
    /// N: the minimum count the client needs (25 or 5).
    pub fn required_client_count(&self) -> u32 {
        self.required_client_count
    }
    /// KMS protocol major version a genuine client of this group uses (4, 5 or 6).
    pub fn protocol_version(&self) -> u8 {
        self.protocol
    }
    /// How sure the data is.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }
    /// A caveat, if the data file has one.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
    /// Source tags (keys of [`ProductCatalog::sources`]).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// One product edition a KMS client can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    slug: String,
    name: String,
    family: Family,
    application: Application,
    application_id: Guid,
    sku_id: Guid,
    kms_group: String,
    kms_id: Guid,
    required_client_count: u32,
    protocol: u8,
    gvlk: Option<String>,
    confidence: Confidence,
    note: Option<String>,
    sources: Vec<String>,
}

impl Product {
    /// Kebab-case slug, e.g. `windows-server-2022-standard`.
    pub fn slug(&self) -> &str {
        &self.slug
    }
    /// Display name, e.g. `Windows Server 2022 Standard`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Windows client, Windows Server or Office.
    pub fn family(&self) -> Family {
        self.family
    }
    /// The KMS application.
    pub fn application(&self) -> Application {
        self.application
    }
    /// The request's ApplicationID.
    pub fn application_id(&self) -> Guid {
        self.application_id
    }
    /// The request's SKU id (VOLUME_KMSCLIENT activation id). Not unique: Windows 10 and 11
    /// editions share theirs.
    pub fn sku_id(&self) -> Guid {
        self.sku_id
    }
    /// The request's KMS counted id: what the host grants or refuses.
    pub fn kms_id(&self) -> Guid {
        self.kms_id
    }
    /// Key of this product's [`KmsGroup`] (look it up with [`ProductCatalog::kms_group`]).
    pub fn kms_group_key(&self) -> &str {
        &self.kms_group
    }
    /// N: the request's RequiredClientCount (25 Windows client, 5 server and Office).
    pub fn required_client_count(&self) -> u32 {
        self.required_client_count
    }
    /// KMS protocol major version a genuine client of this product uses (4, 5 or 6).
    pub fn protocol_version(&self) -> u8 {
        self.protocol
    }
    /// The public KMS client setup key (GVLK), for `slmgr /ipk` or `ospp.vbs /inpkey`.
    pub fn gvlk(&self) -> Option<&str> {
        self.gvlk.as_deref()
    }
    /// How sure the data is.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }
    /// A caveat, if the data file has one.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
    /// Source tags (keys of [`ProductCatalog::sources`]).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// An inclusive block of CSVLK key ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyRange {
    /// First key id in the block.
    pub first: u32,
    /// Last key id in the block (inclusive).
    pub last: u32,
}

impl KeyRange {
    /// True when `key_id` lies in this block.
    pub fn contains(&self, key_id: u32) -> bool {
        (self.first..=self.last).contains(&key_id)
    }

    fn overlaps(&self, other: &KeyRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// One host key (CSVLK) a KMS host can have installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    key: String,
    name: String,
    activation_id: Guid,
    group_id: u32,
    key_ranges: Vec<KeyRange>,
    activates: Vec<Guid>,
    activates_groups: Vec<String>,
    confidence: Confidence,
    note: Option<String>,
    sources: Vec<String>,
}

impl HostKey {
    /// The data-file key, e.g. `windows-server-2019`.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// Display name, e.g. `Windows Server 2019 (CSVLK)`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The CSVLK's own activation (SKU) id, as `slmgr /dlv` shows it on the host.
    pub fn activation_id(&self) -> Guid {
        self.activation_id
    }
    /// The ePID group id (GGGGG) this CSVLK produces.
    pub fn group_id(&self) -> u32 {
        self.group_id
    }
    /// The key-id blocks (KKK-KKKKKK of the ePID) this CSVLK produces.
    pub fn key_ranges(&self) -> &[KeyRange] {
        &self.key_ranges
    }
    /// True when an ePID with this group id and key id comes from this CSVLK.
    pub fn matches_epid(&self, group_id: u32, key_id: u32) -> bool {
        self.group_id == group_id && self.key_ranges.iter().any(|r| r.contains(key_id))
    }
    /// True when a host with this CSVLK grants requests for `product`'s KMS counted id.
    pub fn activates(&self, product: &Product) -> bool {
        self.activates_kms_id(product.kms_id())
    }
    /// True when a host with this CSVLK grants requests naming `kms_id`.
    pub fn activates_kms_id(&self, kms_id: Guid) -> bool {
        self.activates.contains(&kms_id)
    }
    /// The KMS counted ids this CSVLK activates.
    pub fn activated_kms_ids(&self) -> &[Guid] {
        &self.activates
    }
    /// The same, as [`KmsGroup`] keys.
    pub fn activated_group_keys(&self) -> &[String] {
        &self.activates_groups
    }
    /// How sure the data is.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }
    /// A caveat, if the data file has one.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
    /// Source tags (keys of [`ProductCatalog::sources`]).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

/// A Windows build a KMS host can run (the ePID's BBBBB field).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsBuild {
    build: u32,
    name: String,
    platform_id: u32,
    server: bool,
}

impl OsBuild {
    /// The build number, e.g. `9600`.
    pub fn build(&self) -> u32 {
        self.build
    }
    /// OS name(s) on this build, server first, e.g. `Windows Server 2012 R2 / Windows 8.1`.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The ePID platform id (PPPPP) a genuine host on this build reports.
    pub fn platform_id(&self) -> u32 {
        self.platform_id
    }
    /// True when a Windows Server release exists on this build.
    pub fn may_be_server(&self) -> bool {
        self.server
    }
}

/// A Windows LCID (the ePID's LLLL field).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    lcid: u32,
    tag: String,
    name: String,
}

impl Language {
    /// The LCID, e.g. `1041`.
    pub fn lcid(&self) -> u32 {
        self.lcid
    }
    /// BCP 47 language tag, e.g. `ja-JP`.
    pub fn tag(&self) -> &str {
        &self.tag
    }
    /// English name, e.g. `Japanese (Japan)`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

// ---------------------------------------------------------------------------------------------
// ePID
// ---------------------------------------------------------------------------------------------

/// The fields of a KMS host ePID, `PPPPP-GGGGG-KKK-KKKKKK-CC-LLLL-BBBBB.0000-DDDYYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Epid {
    /// PPPPP: host OS platform id (55041, 5426, 6401, 3612).
    pub platform_id: u32,
    /// GGGGG: CSVLK group id.
    pub group_id: u32,
    /// KKK-KKKKKK as one number: CSVLK key id.
    pub key_id: u32,
    /// CC: license channel (03 = volume).
    pub channel: u8,
    /// LLLL: host LCID.
    pub lcid: u32,
    /// BBBBB: host OS build.
    pub build: u32,
    /// DDD: day of year of the host key's activation (1-based; 0 means the emitter is broken).
    pub day_of_year: u16,
    /// YYYY: year of that activation.
    pub year: u16,
}

impl Epid {
    /// Parses an ePID; `None` when it does not have the shape above.
    pub fn parse(text: &str) -> Option<Epid> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let [platform, group, key_hi, key_lo, channel, lcid, build, date] = parts.as_slice() else {
            return None;
        };
        let (build, build_tail) = build.split_once('.')?;
        if build_tail.len() != 4 || !all_digits(build_tail) {
            return None;
        }
        if key_hi.len() != 3 || key_lo.len() != 6 || channel.len() != 2 || date.len() != 7 {
            return None;
        }
        let key_hi: u32 = number(key_hi, 3)?;
        let key_lo: u32 = number(key_lo, 6)?;
        Some(Epid {
            platform_id: number(platform, 5)?,
            group_id: number(group, 5)?,
            key_id: key_hi * 1_000_000 + key_lo,
            channel: number(channel, 2)?,
            lcid: number(lcid, 5)?,
            build: number(build, 5)?,
            day_of_year: number(&date[..3], 3)?,
            year: number(&date[3..], 4)?,
        })
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn number<T: FromStr>(s: &str, max_len: usize) -> Option<T> {
    if s.len() > max_len || !all_digits(s) {
        return None;
    }
    s.parse().ok()
}

/// An ePID with its fields looked up in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct DecodedEpid<'a> {
    /// The raw fields.
    pub epid: Epid,
    /// The CSVLK the group id and key id belong to.
    pub host_key: Option<&'a HostKey>,
    /// The host OS build.
    pub os_build: Option<&'a OsBuild>,
    /// The host language.
    pub language: Option<&'a Language>,
}

impl DecodedEpid<'_> {
    /// `Some(false)` when the platform id contradicts the build (a genuine host never does
    /// that); `None` when the build is not in the table.
    pub fn platform_matches_build(&self) -> Option<bool> {
        self.os_build
            .map(|b| b.platform_id() == self.epid.platform_id)
    }
}

// ---------------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------------

/// Why a products document was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductCatalogError {
    /// The YAML did not parse into the schema.
    Yaml(String),
    /// `version:` is not 1.
    Version(u32),
    /// An entry broke a rule.
    Entry {
        /// Section of the file (`products`, `host_keys`, …).
        section: &'static str,
        /// The entry's key, slug, build or LCID.
        entry: String,
        /// What is wrong.
        problem: String,
    },
}

impl fmt::Display for ProductCatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductCatalogError::Yaml(e) => write!(f, "products YAML: {e}"),
            ProductCatalogError::Version(v) => {
                write!(f, "products: unsupported version {v} (expected 1)")
            }
            ProductCatalogError::Entry {
                section,
                entry,
                problem,
            } => write!(f, "products: {section} entry {entry}: {problem}"),
        }
    }
}

impl std::error::Error for ProductCatalogError {}

/// The Windows and Office products a probe uses when the user names none.
#[derive(Debug, Clone, Copy)]
pub struct DefaultProducts<'a> {
    /// [`DEFAULT_WINDOWS_PRODUCT`].
    pub windows: &'a Product,
    /// [`DEFAULT_OFFICE_PRODUCT`].
    pub office: &'a Product,
}

/// The parsed, validated products document.
#[derive(Debug, Clone)]
pub struct ProductCatalog {
    version: u32,
    sources: BTreeMap<String, String>,
    applications: Vec<(Application, String, Guid)>,
    kms_groups: Vec<KmsGroup>,
    products: Vec<Product>,
    host_keys: Vec<HostKey>,
    os_builds: Vec<OsBuild>,
    languages: Vec<Language>,
    by_slug: HashMap<String, usize>,
    by_build: HashMap<u32, usize>,
    by_lcid: HashMap<u32, usize>,
    default_windows: usize,
    default_office: usize,
}

impl ProductCatalog {
    /// Parses and validates a products document (the embedded one, or another).
    pub fn from_yaml(text: &str) -> Result<ProductCatalog, ProductCatalogError> {
        let file: FileDoc =
            serde_saphyr::from_str(text).map_err(|e| ProductCatalogError::Yaml(e.to_string()))?;
        if file.version != 1 {
            return Err(ProductCatalogError::Version(file.version));
        }
        build_catalog(file)
    }

    /// The document's `version:` (1).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Source tags and their citations.
    pub fn sources(&self) -> &BTreeMap<String, String> {
        &self.sources
    }

    /// The ApplicationID of `app`.
    pub fn application_id(&self, app: Application) -> Guid {
        self.applications
            .iter()
            .find(|(a, _, _)| *a == app)
            .map_or(Guid::NIL, |(_, _, id)| *id)
    }

    /// Display name of `app`.
    pub fn application_name(&self, app: Application) -> &str {
        self.applications
            .iter()
            .find(|(a, _, _)| *a == app)
            .map_or("", |(_, name, _)| name.as_str())
    }

    /// The application an ApplicationID names.
    pub fn application_for_id(&self, id: Guid) -> Option<Application> {
        self.applications
            .iter()
            .find(|(_, _, g)| *g == id)
            .map(|(a, _, _)| *a)
    }

    /// Every product, in file order.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The product with this slug.
    pub fn product(&self, slug: &str) -> Option<&Product> {
        self.by_slug.get(slug).map(|&i| &self.products[i])
    }

    /// Every slug, in file order (for shell completion and `--help`).
    pub fn product_slugs(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.products.iter().map(|p| p.slug.as_str())
    }

    /// Products whose request carries this SKU id (Windows 10 and 11 share SKU ids).
    pub fn products_with_sku(&self, sku_id: Guid) -> impl Iterator<Item = &Product> + '_ {
        self.products.iter().filter(move |p| p.sku_id == sku_id)
    }

    /// Products whose request carries this KMS counted id.
    pub fn products_with_kms_id(&self, kms_id: Guid) -> impl Iterator<Item = &Product> + '_ {
        self.products.iter().filter(move |p| p.kms_id == kms_id)
    }

    /// The default Windows and Office probe products.
    pub fn default_products(&self) -> DefaultProducts<'_> {
        DefaultProducts {
            windows: &self.products[self.default_windows],
            office: &self.products[self.default_office],
        }
    }

    /// Every KMS counted id group, in file order.
    pub fn kms_groups(&self) -> &[KmsGroup] {
        &self.kms_groups
    }

    /// The KMS group with this data-file key.
    pub fn kms_group(&self, key: &str) -> Option<&KmsGroup> {
        self.kms_groups.iter().find(|g| g.key == key)
    }

    /// The KMS group with this counted id.
    pub fn kms_group_by_id(&self, kms_id: Guid) -> Option<&KmsGroup> {
        self.kms_groups.iter().find(|g| g.id == kms_id)
    }

    /// Every host key (CSVLK), in file order (newest first).
    pub fn host_keys(&self) -> &[HostKey] {
        &self.host_keys
    }

    /// The host key with this data-file key.
    pub fn host_key(&self, key: &str) -> Option<&HostKey> {
        self.host_keys.iter().find(|h| h.key == key)
    }

    /// The host key with this CSVLK activation id.
    pub fn host_key_by_activation_id(&self, activation_id: Guid) -> Option<&HostKey> {
        self.host_keys
            .iter()
            .find(|h| h.activation_id == activation_id)
    }

    /// The CSVLK an ePID's group id (GGGGG) and key id (KKK-KKKKKK as one number) identify.
    pub fn host_key_for_epid(&self, group_id: u32, key_id: u32) -> Option<&HostKey> {
        self.host_keys
            .iter()
            .find(|h| h.matches_epid(group_id, key_id))
    }

    /// Host keys that activate `product`, newest first.
    pub fn host_keys_that_activate<'a>(
        &'a self,
        product: &'a Product,
    ) -> impl Iterator<Item = &'a HostKey> + 'a {
        self.host_keys.iter().filter(move |h| h.activates(product))
    }

    /// Every known host build, ascending.
    pub fn os_builds(&self) -> &[OsBuild] {
        &self.os_builds
    }

    /// The build entry for `build`.
    pub fn os_build(&self, build: u32) -> Option<&OsBuild> {
        self.by_build.get(&build).map(|&i| &self.os_builds[i])
    }

    /// OS name(s) on `build`, e.g. 9600 → `Windows Server 2012 R2 / Windows 8.1`.
    pub fn os_name_for_build(&self, build: u32) -> Option<&str> {
        self.os_build(build).map(OsBuild::name)
    }

    /// Every known LCID.
    pub fn languages(&self) -> &[Language] {
        &self.languages
    }

    /// The language entry for `lcid`.
    pub fn language(&self, lcid: u32) -> Option<&Language> {
        self.by_lcid.get(&lcid).map(|&i| &self.languages[i])
    }

    /// BCP 47 tag of `lcid`, e.g. 1041 → `ja-JP`.
    pub fn language_tag(&self, lcid: u32) -> Option<&str> {
        self.language(lcid).map(Language::tag)
    }

    /// Parses an ePID and looks up its host key, build and language.
    pub fn decode_epid(&self, text: &str) -> Option<DecodedEpid<'_>> {
        let epid = Epid::parse(text)?;
        Some(DecodedEpid {
            epid,
            host_key: self.host_key_for_epid(epid.group_id, epid.key_id),
            os_build: self.os_build(epid.build),
            language: self.language(epid.lcid),
        })
    }
}

/// The embedded catalog, parsed on first use.
///
/// The data is compiled in and parsed by a unit test, so the `expect` cannot fire in a built
/// binary.
pub fn catalog() -> &'static ProductCatalog {
    static CATALOG: OnceLock<ProductCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        ProductCatalog::from_yaml(PRODUCTS_YAML)
            .expect("embedded knowledge/kms-products.yaml is valid (unit-tested)")
    })
}

// ---------------------------------------------------------------------------------------------
// File schema and validation
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    version: u32,
    sources: BTreeMap<String, String>,
    applications: Vec<RawApplication>,
    kms_groups: Vec<RawKmsGroup>,
    products: Vec<RawProduct>,
    host_keys: Vec<RawHostKey>,
    os_builds: Vec<OsBuild>,
    languages: Vec<Language>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplication {
    key: Application,
    name: String,
    id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKmsGroup {
    key: String,
    name: String,
    id: String,
    application: Application,
    required_client_count: u32,
    protocol: u8,
    #[serde(default)]
    confidence: Confidence,
    #[serde(default)]
    note: Option<String>,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    slug: String,
    name: String,
    family: Family,
    kms_group: String,
    sku_id: String,
    #[serde(default)]
    gvlk: Option<String>,
    #[serde(default)]
    confidence: Confidence,
    #[serde(default)]
    note: Option<String>,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHostKey {
    key: String,
    name: String,
    activation_id: String,
    group_id: u32,
    key_ranges: Vec<[u32; 2]>,
    activates: Vec<String>,
    #[serde(default)]
    confidence: Confidence,
    #[serde(default)]
    note: Option<String>,
    sources: Vec<String>,
}

fn entry_error(
    section: &'static str,
    entry: impl fmt::Display,
    problem: String,
) -> ProductCatalogError {
    ProductCatalogError::Entry {
        section,
        entry: entry.to_string(),
        problem,
    }
}

fn parse_guid(
    section: &'static str,
    entry: &str,
    field: &str,
    text: &str,
) -> Result<Guid, ProductCatalogError> {
    Guid::parse(text).ok_or_else(|| {
        entry_error(
            section,
            entry,
            format!("{field} `{text}` is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"),
        )
    })
}

fn check_common(
    section: &'static str,
    entry: &str,
    name: &str,
    sources: &[String],
    note: Option<&str>,
    known_sources: &BTreeMap<String, String>,
) -> Result<(), ProductCatalogError> {
    if name.trim().is_empty() {
        return Err(entry_error(section, entry, "name is empty".into()));
    }
    if sources.is_empty() {
        return Err(entry_error(section, entry, "sources is empty".into()));
    }
    for s in sources {
        if !known_sources.contains_key(s) {
            return Err(entry_error(
                section,
                entry,
                format!("source tag `{s}` is not declared under `sources:`"),
            ));
        }
    }
    if note.is_some_and(|n| n.trim().is_empty()) {
        return Err(entry_error(section, entry, "note is empty".into()));
    }
    Ok(())
}

/// Lower-case ASCII letters and digits in `-`-separated words.
fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Five groups of five upper-case letters or digits.
fn is_product_key(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().all(|g| {
            g.len() == 5
                && g.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// The platform id a genuine host reports for `build`, where the rule is known.
fn expected_platform_id(build: u32) -> Option<u32> {
    match build {
        0..=7601 => Some(55041),
        9200 => Some(5426),
        9600 => Some(6401),
        10240.. => Some(3612),
        _ => None,
    }
}

fn build_catalog(file: FileDoc) -> Result<ProductCatalog, ProductCatalogError> {
    let FileDoc {
        version,
        sources,
        applications: raw_apps,
        kms_groups: raw_groups,
        products: raw_products,
        host_keys: raw_keys,
        os_builds,
        languages,
    } = file;

    for (tag, citation) in &sources {
        if !is_kebab_case(tag) || citation.trim().is_empty() {
            return Err(entry_error(
                "sources",
                tag,
                "tag must be kebab-case and its citation non-empty".into(),
            ));
        }
    }

    // Applications: each exactly once.
    let mut applications = Vec::with_capacity(raw_apps.len());
    for a in raw_apps {
        let id = parse_guid("applications", a.key.key(), "id", &a.id)?;
        if applications.iter().any(|(k, _, _)| *k == a.key) {
            return Err(entry_error(
                "applications",
                a.key.key(),
                "listed twice".into(),
            ));
        }
        if applications.iter().any(|(_, _, g)| *g == id) {
            return Err(entry_error(
                "applications",
                a.key.key(),
                format!("id {id} is used twice"),
            ));
        }
        applications.push((a.key, a.name, id));
    }
    for app in Application::ALL {
        if !applications.iter().any(|(k, _, _)| *k == app) {
            return Err(entry_error("applications", app.key(), "missing".into()));
        }
    }
    let app_id = |app: Application| {
        applications
            .iter()
            .find(|(k, _, _)| *k == app)
            .map_or(Guid::NIL, |(_, _, g)| *g)
    };

    // KMS groups.
    let mut kms_groups: Vec<KmsGroup> = Vec::with_capacity(raw_groups.len());
    for g in raw_groups {
        const S: &str = "kms_groups";
        if !is_kebab_case(&g.key) {
            return Err(entry_error(S, &g.key, "key must be kebab-case".into()));
        }
        check_common(S, &g.key, &g.name, &g.sources, g.note.as_deref(), &sources)?;
        let id = parse_guid(S, &g.key, "id", &g.id)?;
        if kms_groups.iter().any(|k| k.key == g.key) {
            return Err(entry_error(S, &g.key, "key is used twice".into()));
        }
        if let Some(other) = kms_groups.iter().find(|k| k.id == id) {
            return Err(entry_error(
                S,
                &g.key,
                format!("id {id} is also group {}", other.key),
            ));
        }
        if !matches!(g.required_client_count, 5 | 25) {
            return Err(entry_error(
                S,
                &g.key,
                "required_client_count must be 5 or 25".into(),
            ));
        }
        if g.application.is_office() && g.required_client_count != 5 {
            return Err(entry_error(S, &g.key, "Office groups need N = 5".into()));
        }
        if !matches!(g.protocol, 4..=6) {
            return Err(entry_error(S, &g.key, "protocol must be 4, 5 or 6".into()));
        }
        kms_groups.push(KmsGroup {
            key: g.key,
            name: g.name,
            id,
            application: g.application,
            required_client_count: g.required_client_count,
            protocol: g.protocol,
            confidence: g.confidence,
            note: g.note,
            sources: g.sources,
        });
    }

    // Products.
    let mut products: Vec<Product> = Vec::with_capacity(raw_products.len());
    let mut by_slug = HashMap::with_capacity(raw_products.len());
    for p in raw_products {
        const S: &str = "products";
        if !is_kebab_case(&p.slug) {
            return Err(entry_error(S, &p.slug, "slug must be kebab-case".into()));
        }
        check_common(S, &p.slug, &p.name, &p.sources, p.note.as_deref(), &sources)?;
        let sku_id = parse_guid(S, &p.slug, "sku_id", &p.sku_id)?;
        let group = kms_groups
            .iter()
            .find(|g| g.key == p.kms_group)
            .ok_or_else(|| {
                entry_error(
                    S,
                    &p.slug,
                    format!("kms_group `{}` is not defined", p.kms_group),
                )
            })?;
        let office = p.family == Family::Office;
        if office != group.application.is_office() {
            return Err(entry_error(
                S,
                &p.slug,
                format!(
                    "family {:?} does not fit group {} ({})",
                    p.family,
                    group.key,
                    group.application.key()
                ),
            ));
        }
        if group.required_client_count != p.family.required_client_count() {
            return Err(entry_error(
                S,
                &p.slug,
                format!(
                    "group {} asks N = {}, but {:?} products need N = {}",
                    group.key,
                    group.required_client_count,
                    p.family,
                    p.family.required_client_count()
                ),
            ));
        }
        if let Some(key) = &p.gvlk {
            if !is_product_key(key) {
                return Err(entry_error(
                    S,
                    &p.slug,
                    format!("gvlk `{key}` is not XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"),
                ));
            }
        }
        if by_slug.insert(p.slug.clone(), products.len()).is_some() {
            return Err(entry_error(S, &p.slug, "slug is used twice".into()));
        }
        products.push(Product {
            slug: p.slug,
            name: p.name,
            family: p.family,
            application: group.application,
            application_id: app_id(group.application),
            sku_id,
            kms_group: group.key.clone(),
            kms_id: group.id,
            required_client_count: group.required_client_count,
            protocol: group.protocol,
            gvlk: p.gvlk,
            confidence: p.confidence,
            note: p.note,
            sources: p.sources,
        });
    }

    // Host keys.
    let mut host_keys: Vec<HostKey> = Vec::with_capacity(raw_keys.len());
    for h in raw_keys {
        const S: &str = "host_keys";
        if !is_kebab_case(&h.key) {
            return Err(entry_error(S, &h.key, "key must be kebab-case".into()));
        }
        check_common(S, &h.key, &h.name, &h.sources, h.note.as_deref(), &sources)?;
        let activation_id = parse_guid(S, &h.key, "activation_id", &h.activation_id)?;
        if host_keys.iter().any(|k| k.key == h.key) {
            return Err(entry_error(S, &h.key, "key is used twice".into()));
        }
        if let Some(other) = host_keys.iter().find(|k| k.activation_id == activation_id) {
            return Err(entry_error(
                S,
                &h.key,
                format!("activation_id is also host key {}", other.key),
            ));
        }
        if h.key_ranges.is_empty() {
            return Err(entry_error(S, &h.key, "key_ranges is empty".into()));
        }
        let mut ranges: Vec<KeyRange> = Vec::with_capacity(h.key_ranges.len());
        for [first, last] in h.key_ranges {
            let range = KeyRange { first, last };
            if first > last || last > 999_999_999 {
                return Err(entry_error(
                    S,
                    &h.key,
                    format!("key range [{first}, {last}] is empty or wider than 9 digits"),
                ));
            }
            if ranges.iter().any(|r| r.overlaps(&range)) {
                return Err(entry_error(
                    S,
                    &h.key,
                    format!("key range [{first}, {last}] overlaps another of its blocks"),
                ));
            }
            if let Some(other) = host_keys.iter().find(|k| {
                k.group_id == h.group_id && k.key_ranges.iter().any(|r| r.overlaps(&range))
            }) {
                return Err(entry_error(
                    S,
                    &h.key,
                    format!(
                        "key range [{first}, {last}] of group {} overlaps host key {}",
                        h.group_id, other.key
                    ),
                ));
            }
            ranges.push(range);
        }
        if h.activates.is_empty() {
            return Err(entry_error(S, &h.key, "activates is empty".into()));
        }
        let mut activates = Vec::with_capacity(h.activates.len());
        let mut seen = HashSet::new();
        for key in &h.activates {
            let group = kms_groups.iter().find(|g| &g.key == key).ok_or_else(|| {
                entry_error(
                    S,
                    &h.key,
                    format!("activates `{key}`, which is not a kms_groups key"),
                )
            })?;
            if !seen.insert(key.as_str()) {
                return Err(entry_error(S, &h.key, format!("activates `{key}` twice")));
            }
            activates.push(group.id);
        }
        host_keys.push(HostKey {
            key: h.key,
            name: h.name,
            activation_id,
            group_id: h.group_id,
            key_ranges: ranges,
            activates,
            activates_groups: h.activates,
            confidence: h.confidence,
            note: h.note,
            sources: h.sources,
        });
    }

    // Builds.
    let mut by_build = HashMap::with_capacity(os_builds.len());
    for (i, b) in os_builds.iter().enumerate() {
        const S: &str = "os_builds";
        if b.name.trim().is_empty() {
            return Err(entry_error(S, b.build, "name is empty".into()));
        }
        if by_build.insert(b.build, i).is_some() {
            return Err(entry_error(S, b.build, "build is listed twice".into()));
        }
        if let Some(expected) = expected_platform_id(b.build) {
            if expected != b.platform_id {
                return Err(entry_error(
                    S,
                    b.build,
                    format!(
                        "platform_id {} contradicts the rule for this build ({expected})",
                        b.platform_id
                    ),
                ));
            }
        }
    }

    // Languages.
    let mut by_lcid = HashMap::with_capacity(languages.len());
    for (i, l) in languages.iter().enumerate() {
        const S: &str = "languages";
        if l.tag.trim().is_empty() || l.name.trim().is_empty() {
            return Err(entry_error(
                S,
                l.lcid,
                "tag and name must be non-empty".into(),
            ));
        }
        if by_lcid.insert(l.lcid, i).is_some() {
            return Err(entry_error(S, l.lcid, "lcid is listed twice".into()));
        }
    }

    let default_of = |slug: &str, family: Family| -> Result<usize, ProductCatalogError> {
        match by_slug.get(slug) {
            Some(&i) if products[i].family == family => Ok(i),
            _ => Err(entry_error(
                "products",
                slug,
                format!("default product is missing or not a {family:?} product"),
            )),
        }
    };
    let default_windows = default_of(DEFAULT_WINDOWS_PRODUCT, Family::WindowsClient)?;
    let default_office = default_of(DEFAULT_OFFICE_PRODUCT, Family::Office)?;

    Ok(ProductCatalog {
        version,
        sources,
        applications,
        kms_groups,
        products,
        host_keys,
        os_builds,
        languages,
        by_slug,
        by_build,
        by_lcid,
        default_windows,
        default_office,
    })
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn guid(s: &str) -> Guid {
        Guid::parse(s).expect("test GUID")
    }

    fn product(slug: &str) -> &'static Product {
        catalog().product(slug).expect("product in catalog")
    }

    fn host(key: &str) -> &'static HostKey {
        catalog().host_key(key).expect("host key in catalog")
    }

    #[test]
    fn embedded_document_loads() {
        let c = ProductCatalog::from_yaml(PRODUCTS_YAML).expect("embedded data is valid");
        assert_eq!(c.version(), 1);
        assert!(c.products().len() >= 40);
        assert!(c.host_keys().len() >= 20);
    }

    #[test]
    fn every_guid_in_the_file_parses() {
        // The loader parses them; this re-reads the raw text so a GUID-shaped value that the
        // schema does not route through the loader would still be caught.
        let mut count = 0;
        for line in PRODUCTS_YAML.lines() {
            let code = line.split('#').next().unwrap_or("");
            for word in code.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
                let w = word.trim_matches('-');
                if w.len() == 36 && w.matches('-').count() == 4 {
                    assert!(Guid::parse(w).is_some(), "bad GUID {w}");
                    count += 1;
                }
            }
        }
        assert!(count >= 100, "found only {count} GUIDs");
    }

    #[test]
    fn references_resolve_and_slugs_are_unique() {
        let c = catalog();
        let mut slugs = HashSet::new();
        for p in c.products() {
            assert!(slugs.insert(p.slug()), "duplicate slug {}", p.slug());
            assert!(is_kebab_case(p.slug()));
            let g = c.kms_group(p.kms_group_key()).expect("group resolves");
            assert_eq!(g.id(), p.kms_id());
            assert_eq!(c.application_id(p.application()), p.application_id());
            for s in p.sources() {
                assert!(c.sources().contains_key(s));
            }
        }
        for h in c.host_keys() {
            assert_eq!(h.activated_kms_ids().len(), h.activated_group_keys().len());
            for key in h.activated_group_keys() {
                assert!(
                    c.kms_group(key).is_some(),
                    "{} activates unknown {key}",
                    h.key()
                );
            }
        }
        assert_eq!(c.product_slugs().len(), c.products().len());
    }

    #[test]
    fn windows_10_and_11_share_the_kms_id() {
        let w10 = product("windows-10-enterprise");
        let w11 = product("windows-11-enterprise");
        let expected = guid("58e2134f-8e11-4d17-9cb2-91069c151148");
        assert_eq!(w10.kms_id(), expected);
        assert_eq!(w11.kms_id(), expected);
        assert_eq!(w10.sku_id(), w11.sku_id());
        assert_eq!(w10.sku_id(), guid("73111121-5638-40f6-bc11-f1d7b0d64300"));
        assert_eq!(w11.gvlk(), Some("NPPR9-FWDCX-D2C8J-H872K-2YT43"));
        assert_eq!(product("windows-11-pro").kms_id(), expected);
        assert_eq!(product("windows-10-education").kms_id(), expected);
        assert_eq!(catalog().products_with_kms_id(expected).count(), 7);
    }

    #[test]
    fn n_values_follow_the_family() {
        let c = catalog();
        for p in c.products() {
            let n = match p.family() {
                Family::WindowsClient => 25,
                Family::WindowsServer | Family::Office => 5,
            };
            assert_eq!(p.required_client_count(), n, "{}", p.slug());
        }
        assert_eq!(product("windows-11-enterprise").required_client_count(), 25);
        assert_eq!(
            product("windows-server-2022-standard").required_client_count(),
            5
        );
        assert_eq!(
            product("office-ltsc-2021-proplus").required_client_count(),
            5
        );
    }

    #[test]
    fn application_ids() {
        let c = catalog();
        assert_eq!(
            product("windows-server-2025-datacenter").application_id(),
            guid("55c92734-d682-4d71-983e-d6ec3f16059f")
        );
        assert_eq!(
            product("office-2010-proplus").application_id(),
            guid("59a52881-a989-479d-af46-f275c6370663")
        );
        assert_eq!(
            product("office-ltsc-2024-proplus").application_id(),
            guid("0ff1ce15-a989-479d-af46-f275c6370663")
        );
        assert_eq!(
            c.application_for_id(guid("0ff1ce15-a989-479d-af46-f275c6370663")),
            Some(Application::Office2013Plus)
        );
        assert_eq!(c.application_for_id(Guid::NIL), None);
    }

    #[test]
    fn known_counted_ids() {
        let cases = [
            (
                "windows-7-enterprise",
                "7fde5219-fbfa-484a-82c9-34d1ad53e856",
                4,
            ),
            ("windows-8-1-pro", "cb8fc780-2c05-495a-9710-85afffc904d7", 6),
            (
                "windows-server-2012-datacenter",
                "8665cb71-468c-4aa3-a337-cb9bc9d5eaac",
                5,
            ),
            (
                "windows-server-2019-standard",
                "8449b1fb-f0ea-497a-99ab-66ca96e9a0f5",
                6,
            ),
            (
                "windows-server-2022-standard",
                "b74263e4-0f92-46c6-bcf8-c11d5efe2959",
                6,
            ),
            (
                "windows-server-2025-standard",
                "907f1f65-adcd-4a2e-95bc-4bf500bc6e58",
                6,
            ),
            (
                "office-2016-proplus",
                "85b5f61b-320b-4be3-814a-b76b2bfafc82",
                6,
            ),
            (
                "office-ltsc-2021-proplus",
                "86d50b16-4808-41af-b83b-b338274318b2",
                6,
            ),
            (
                "office-ltsc-2024-proplus",
                "a8973cb5-bf03-0a4c-9cef-703099645ab3",
                6,
            ),
        ];
        for (slug, kms, proto) in cases {
            let p = product(slug);
            assert_eq!(p.kms_id(), guid(kms), "{slug}");
            assert_eq!(p.protocol_version(), proto, "{slug}");
        }
        assert_eq!(
            product("office-ltsc-2021-proplus").sku_id(),
            guid("fbdb3e18-a8ef-4fb3-9183-dffd60bd0984")
        );
    }

    #[test]
    fn os_builds_and_languages() {
        let c = catalog();
        assert!(c
            .os_name_for_build(9600)
            .unwrap()
            .contains("Windows Server 2012 R2"));
        assert!(c
            .os_name_for_build(17763)
            .unwrap()
            .contains("Windows Server 2019"));
        assert!(c
            .os_name_for_build(20348)
            .unwrap()
            .contains("Windows Server 2022"));
        assert!(c
            .os_name_for_build(26100)
            .unwrap()
            .contains("Windows Server 2025"));
        assert_eq!(c.os_build(9600).map(OsBuild::platform_id), Some(6401));
        assert_eq!(c.os_build(14393).map(OsBuild::platform_id), Some(3612));
        assert_eq!(c.os_name_for_build(1), None);
        assert_eq!(c.os_name_for_build(u32::MAX), None);
        assert_eq!(c.language_tag(1041), Some("ja-JP"));
        assert_eq!(c.language_tag(1033), Some("en-US"));
        assert_eq!(c.language_tag(2057), Some("en-GB"));
        assert_eq!(c.language_tag(0), None);
        assert_eq!(c.language_tag(u32::MAX), None);
    }

    #[test]
    fn host_key_for_epid_ranges() {
        let c = catalog();
        // protocol-notes §3 example: group 206, key id 560 594 696 → Server 2019 CSVLK.
        assert_eq!(
            c.host_key_for_epid(206, 560_594_696).map(HostKey::key),
            Some("windows-server-2019")
        );
        assert_eq!(
            c.host_key_for_epid(206, 551_000_000).map(HostKey::key),
            Some("windows-server-2019")
        );
        assert_eq!(
            c.host_key_for_epid(206, 570_999_999).map(HostKey::key),
            Some("windows-server-2019")
        );
        assert_eq!(
            c.host_key_for_epid(206, 571_000_000).map(HostKey::key),
            Some("office-ltsc-2021")
        );
        assert_eq!(
            c.host_key_for_epid(96, 208_497_764).map(HostKey::key),
            Some("office-2010")
        );
        assert_eq!(
            c.host_key_for_epid(3858, 320_801_028).map(HostKey::key),
            Some("windows-10-china-gov")
        );
        assert_eq!(
            c.host_key_for_epid(4573, 586_025).map(HostKey::key),
            Some("windows-server-2022")
        );
        // The hole in the Server 2022 CSVLK's key ids.
        assert_eq!(c.host_key_for_epid(4573, 25_000), None);
        assert_eq!(
            c.host_key_for_epid(4919, 20_019_999).map(HostKey::key),
            Some("windows-server-2025")
        );
        // Same key id, wrong group; unknown group; out of range.
        assert_eq!(c.host_key_for_epid(96, 560_594_696), None);
        assert_eq!(c.host_key_for_epid(0, 0), None);
        assert_eq!(c.host_key_for_epid(206, 999_999_999), None);
        assert_eq!(c.host_key_for_epid(u32::MAX, u32::MAX), None);
    }

    #[test]
    fn key_ranges_do_not_overlap_within_a_group() {
        let keys = catalog().host_keys();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                if a.group_id() != b.group_id() {
                    continue;
                }
                for ra in a.key_ranges() {
                    for rb in b.key_ranges() {
                        assert!(!ra.overlaps(rb), "{} and {} overlap", a.key(), b.key());
                    }
                }
            }
        }
    }

    #[test]
    fn which_host_keys_activate_what() {
        let w10 = product("windows-10-enterprise");
        let w11 = product("windows-11-enterprise");
        assert!(host("windows-server-2019").activates(w10));
        assert!(host("windows-server-2019").activates(w11));
        assert!(host("windows-server-2016").activates(w10));
        assert!(host("windows-10-2015").activates(w10));
        // Windows 7-era host keys do not cover Windows 10.
        for key in [
            "windows-7",
            "windows-server-2008-r2-b",
            "windows-server-2008-r2-c",
            "windows-server-2012",
        ] {
            assert!(!host(key).activates(w10), "{key}");
        }
        assert!(host("windows-7").activates(product("windows-7-enterprise")));
        // Server editions need a server CSVLK of at least their own version.
        let s2022 = product("windows-server-2022-datacenter");
        assert!(!host("windows-server-2019").activates(s2022));
        assert!(host("windows-server-2022").activates(s2022));
        assert!(host("windows-server-2025").activates(s2022));
        assert!(!host("windows-10-2019").activates(product("windows-server-2019-standard")));
        // Windows host keys never activate Office, and Office keys only their own version.
        let office = product("office-ltsc-2021-proplus");
        assert!(!host("windows-server-2025").activates(office));
        assert!(host("office-ltsc-2021").activates(office));
        assert!(!host("office-2019").activates(office));
        let names: Vec<&str> = catalog()
            .host_keys_that_activate(office)
            .map(HostKey::key)
            .collect();
        assert_eq!(names, ["office-ltsc-2021"]);
        let for_2025: Vec<&str> = catalog()
            .host_keys_that_activate(product("windows-server-2025-standard"))
            .map(HostKey::key)
            .collect();
        assert_eq!(for_2025, ["windows-server-2025"]);
        // Every product can be activated by some listed host key.
        for p in catalog().products() {
            assert!(
                catalog().host_keys_that_activate(p).next().is_some(),
                "nothing activates {}",
                p.slug()
            );
        }
    }

    #[test]
    fn default_products() {
        let d = catalog().default_products();
        assert_eq!(d.windows.slug(), DEFAULT_WINDOWS_PRODUCT);
        assert_eq!(d.windows.family(), Family::WindowsClient);
        assert_eq!(
            d.windows.kms_id(),
            product("windows-11-enterprise").kms_id()
        );
        assert_eq!(d.office.slug(), "office-ltsc-2021-proplus");
        assert_eq!(d.office.application(), Application::Office2013Plus);
    }

    #[test]
    fn unknown_values_are_none() {
        let c = catalog();
        assert!(c.product("windows-12-enterprise").is_none());
        assert!(c.product("").is_none());
        assert!(c.product("Windows-10-Enterprise").is_none());
        assert!(c.kms_group("nope").is_none());
        assert!(c.kms_group_by_id(Guid::NIL).is_none());
        assert!(c.host_key("nope").is_none());
        assert!(c.host_key_by_activation_id(Guid::NIL).is_none());
        assert_eq!(c.products_with_sku(Guid::NIL).count(), 0);
        assert!(c.decode_epid("not an epid").is_none());
    }

    #[test]
    fn guid_text_and_wire_forms() {
        let g = guid("51c82175-844e-4750-b0d8-ec255555bc06");
        assert_eq!(
            g.guid_bytes_le(),
            [
                0x75, 0x21, 0xc8, 0x51, 0x4e, 0x84, 0x50, 0x47, 0xb0, 0xd8, 0xec, 0x25, 0x55, 0x55,
                0xbc, 0x06
            ]
        );
        assert_eq!(Guid::from_guid_bytes_le(g.guid_bytes_le()), g);
        assert_eq!(
            guid("8a885d04-1ceb-11c9-9fe8-08002b104860").guid_bytes_le(),
            [
                0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10,
                0x48, 0x60
            ]
        );
        assert_eq!(g.to_string(), "51c82175-844e-4750-b0d8-ec255555bc06");
        assert_eq!(
            guid("{55C92734-D682-4D71-983E-D6EC3F16059F}"),
            guid("55c92734-d682-4d71-983e-d6ec3f16059f")
        );
        assert_eq!(
            "0ff1ce15-a989-479d-af46-f275c6370663"
                .parse::<Guid>()
                .map(|g| g.as_bytes()[0]),
            Ok(0x0f)
        );
        for bad in [
            "",
            "55c92734-d682-4d71-983e-d6ec3f16059",
            "55c92734-d682-4d71-983e-d6ec3f16059f0",
            "55c92734d6824d71983ed6ec3f16059f",
            "55c92734-d682-4d71-983e-d6ec3f16059g",
            "{55c92734-d682-4d71-983e-d6ec3f16059f",
            "55c92734+d682-4d71-983e-d6ec3f16059f",
            "5５c92734-d682-4d71-983e-d6ec3f16059",
        ] {
            assert!(Guid::parse(bad).is_none(), "{bad:?}");
            assert!(bad.parse::<Guid>().is_err());
        }
    }

    #[test]
    fn epid_decoding() {
        let d = catalog()
            .decode_epid("06401-00206-560-594696-03-1033-9600.0000-2962018")
            .expect("example ePID");
        assert_eq!(d.epid.platform_id, 6401);
        assert_eq!(d.epid.group_id, 206);
        assert_eq!(d.epid.key_id, 560_594_696);
        assert_eq!(d.epid.channel, 3);
        assert_eq!((d.epid.day_of_year, d.epid.year), (296, 2018));
        assert_eq!(d.host_key.map(HostKey::key), Some("windows-server-2019"));
        assert!(d
            .os_build
            .unwrap()
            .name()
            .contains("Windows Server 2012 R2"));
        assert_eq!(d.language.map(Language::tag), Some("en-US"));
        assert_eq!(d.platform_matches_build(), Some(true));

        let d = catalog()
            .decode_epid("03612-04573-000-586025-03-1041-20348.0000-2302021")
            .expect("5-digit build");
        assert_eq!(d.host_key.map(HostKey::key), Some("windows-server-2022"));
        assert_eq!(d.language.map(Language::tag), Some("ja-JP"));

        // A platform id that contradicts the build (emulator tell).
        let d = catalog()
            .decode_epid("03612-00206-560-594696-03-1033-6002.0000-2962018")
            .unwrap();
        assert_eq!(d.platform_matches_build(), Some(false));

        for bad in [
            "",
            "06401-00206-560-594696-03-1033-9600-2962018",
            "06401-00206-560-594696-03-1033-9600.0000-296201",
            "06401-00206-56-594696-03-1033-9600.0000-2962018",
            "06401-00206-560-594696-03-1033-9600.0000-2962018-1",
            "0640x-00206-560-594696-03-1033-9600.0000-2962018",
            "06401-00206-560-594696-03-99999999-9600.0000-2962018",
            "-----------",
        ] {
            assert!(Epid::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_broken_documents() {
        let broken_ref =
            PRODUCTS_YAML.replacen("kms_group: windows-7,", "kms_group: windows-70,", 1);
        assert!(matches!(
            ProductCatalog::from_yaml(&broken_ref),
            Err(ProductCatalogError::Entry {
                section: "products",
                ..
            })
        ));
        let dup_slug = PRODUCTS_YAML.replacen(
            "slug: windows-7-enterprise,",
            "slug: windows-7-professional,",
            1,
        );
        assert!(ProductCatalog::from_yaml(&dup_slug).is_err());
        let bad_guid = PRODUCTS_YAML.replacen(
            "b92e9980-b9d5-4821-9c94-140f632f6312",
            "b92e9980-b9d5-4821-9c94-140f632f631",
            1,
        );
        assert!(ProductCatalog::from_yaml(&bad_guid).is_err());
        let bad_activates = PRODUCTS_YAML.replacen(
            "activates: [windows-vista, windows-7]",
            "activates: [windows-vista, windows-77]",
            1,
        );
        assert!(ProductCatalog::from_yaml(&bad_activates).is_err());
        let overlap =
            PRODUCTS_YAML.replacen("[[437000000, 458999999]]", "[[437000000, 591000000]]", 1);
        assert!(ProductCatalog::from_yaml(&overlap).is_err());
        let version = PRODUCTS_YAML.replacen("\nversion: 1\n", "\nversion: 2\n", 1);
        assert_eq!(
            ProductCatalog::from_yaml(&version).err(),
            Some(ProductCatalogError::Version(2))
        );
        assert!(matches!(
            ProductCatalog::from_yaml("{"),
            Err(ProductCatalogError::Yaml(_))
        ));
        let unknown_key = PRODUCTS_YAML.replacen("\nversion: 1\n", "\nversion: 1\nextra: 1\n", 1);
        assert!(ProductCatalog::from_yaml(&unknown_key).is_err());
    }
}
