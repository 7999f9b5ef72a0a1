//! The parsed, validated catalog and its queries.

use super::*;

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
    pub(super) version: u32,
    pub(super) sources: BTreeMap<String, String>,
    pub(super) applications: Vec<(Application, String, Uuid)>,
    pub(super) kms_groups: Vec<KmsGroup>,
    pub(super) products: Vec<Product>,
    pub(super) host_keys: Vec<HostKey>,
    pub(super) os_builds: Vec<OsBuild>,
    pub(super) languages: Vec<Language>,
    pub(super) by_slug: HashMap<String, usize>,
    pub(super) by_build: HashMap<u32, usize>,
    pub(super) by_lcid: HashMap<u32, usize>,
    pub(super) default_windows: usize,
    pub(super) default_office: usize,
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
    pub fn application_id(&self, app: Application) -> Uuid {
        self.applications
            .iter()
            .find(|(a, _, _)| *a == app)
            .map_or(Uuid::NIL, |(_, _, id)| *id)
    }

    /// Display name of `app`.
    pub fn application_name(&self, app: Application) -> &str {
        self.applications
            .iter()
            .find(|(a, _, _)| *a == app)
            .map_or("", |(_, name, _)| name.as_str())
    }

    /// The application an ApplicationID names.
    pub fn application_for_id(&self, id: Uuid) -> Option<Application> {
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
    pub fn products_with_sku(&self, sku_id: Uuid) -> impl Iterator<Item = &Product> + '_ {
        self.products.iter().filter(move |p| p.sku_id == sku_id)
    }

    /// Products whose request carries this KMS counted id.
    pub fn products_with_kms_id(&self, kms_id: Uuid) -> impl Iterator<Item = &Product> + '_ {
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
    pub fn kms_group_by_id(&self, kms_id: Uuid) -> Option<&KmsGroup> {
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
    pub fn host_key_by_activation_id(&self, activation_id: Uuid) -> Option<&HostKey> {
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
        let epid = parse_epid(text.trim()).ok()?;
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
