//! The typed records of the data file: applications, families, KMS groups, products, host keys, builds, languages.

use super::*;

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
    pub(super) key: String,
    pub(super) name: String,
    pub(super) id: Uuid,
    pub(super) application: Application,
    pub(super) required_client_count: u32,
    pub(super) protocol: u8,
    pub(super) confidence: Confidence,
    pub(super) note: Option<String>,
    pub(super) sources: Vec<String>,
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
    pub fn id(&self) -> Uuid {
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
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) family: Family,
    pub(super) application: Application,
    pub(super) application_id: Uuid,
    pub(super) sku_id: Uuid,
    pub(super) kms_group: String,
    pub(super) kms_id: Uuid,
    pub(super) required_client_count: u32,
    pub(super) protocol: u8,
    pub(super) gvlk: Option<String>,
    pub(super) confidence: Confidence,
    pub(super) note: Option<String>,
    pub(super) sources: Vec<String>,
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
    pub fn application_id(&self) -> Uuid {
        self.application_id
    }
    /// The request's SKU id (VOLUME_KMSCLIENT activation id). Not unique: Windows 10 and 11
    /// editions share theirs.
    pub fn sku_id(&self) -> Uuid {
        self.sku_id
    }
    /// The request's KMS counted id: what the host grants or refuses.
    pub fn kms_id(&self) -> Uuid {
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

    pub(super) fn overlaps(&self, other: &KeyRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// One host key (CSVLK) a KMS host can have installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) activation_id: Uuid,
    pub(super) group_id: u32,
    pub(super) key_ranges: Vec<KeyRange>,
    pub(super) activates: Vec<Uuid>,
    pub(super) activates_groups: Vec<String>,
    pub(super) confidence: Confidence,
    pub(super) note: Option<String>,
    pub(super) sources: Vec<String>,
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
    pub fn activation_id(&self) -> Uuid {
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
    pub fn activates_kms_id(&self, kms_id: Uuid) -> bool {
        self.activates.contains(&kms_id)
    }
    /// The KMS counted ids this CSVLK activates.
    pub fn activated_kms_ids(&self) -> &[Uuid] {
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
    pub(super) build: u32,
    pub(super) name: String,
    pub(super) platform_id: u32,
    pub(super) server: bool,
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
    pub(super) lcid: u32,
    pub(super) tag: String,
    pub(super) name: String,
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
