//! The file schema (serde) and the validation that builds the catalog.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDoc {
    pub(super) version: u32,
    pub(super) sources: BTreeMap<String, String>,
    pub(super) applications: Vec<RawApplication>,
    pub(super) kms_groups: Vec<RawKmsGroup>,
    pub(super) products: Vec<RawProduct>,
    pub(super) host_keys: Vec<RawHostKey>,
    pub(super) os_builds: Vec<OsBuild>,
    pub(super) languages: Vec<Language>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApplication {
    pub(super) key: Application,
    pub(super) name: String,
    pub(super) id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKmsGroup {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) application: Application,
    pub(super) required_client_count: u32,
    pub(super) protocol: u8,
    #[serde(default)]
    pub(super) confidence: Confidence,
    #[serde(default)]
    pub(super) note: Option<String>,
    pub(super) sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProduct {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) family: Family,
    pub(super) kms_group: String,
    pub(super) sku_id: String,
    #[serde(default)]
    pub(super) gvlk: Option<String>,
    #[serde(default)]
    pub(super) confidence: Confidence,
    #[serde(default)]
    pub(super) note: Option<String>,
    pub(super) sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHostKey {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) activation_id: String,
    pub(super) group_id: u32,
    pub(super) key_ranges: Vec<[u32; 2]>,
    pub(super) activates: Vec<String>,
    #[serde(default)]
    pub(super) confidence: Confidence,
    #[serde(default)]
    pub(super) note: Option<String>,
    pub(super) sources: Vec<String>,
}

pub(super) fn entry_error(
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

pub(super) fn parse_guid(
    section: &'static str,
    entry: &str,
    field: &str,
    text: &str,
) -> Result<Uuid, ProductCatalogError> {
    Uuid::parse(text).map_err(|_| {
        entry_error(
            section,
            entry,
            format!("{field} `{text}` is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"),
        )
    })
}

/// The checks every entry shares: its key (`key_field`, e.g. `slug`) is kebab-case, it has a
/// name, declared sources, and no empty note.
pub(super) fn check_common(
    section: &'static str,
    key_field: &str,
    entry: &str,
    name: &str,
    sources: &[String],
    note: Option<&str>,
    known_sources: &BTreeMap<String, String>,
) -> Result<(), ProductCatalogError> {
    if !is_kebab_case(entry) {
        return Err(entry_error(
            section,
            entry,
            format!("{key_field} must be kebab-case"),
        ));
    }
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
pub(super) fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Five groups of five upper-case letters or digits.
pub(super) fn is_product_key(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().all(|g| {
            g.len() == 5
                && g.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// The platform id a genuine host reports for `build`, where the rule is known.
pub(super) fn expected_platform_id(build: u32) -> Option<u32> {
    match build {
        0..=7601 => Some(55041),
        9200 => Some(5426),
        9600 => Some(6401),
        10240.. => Some(3612),
        _ => None,
    }
}

pub(super) fn build_catalog(file: FileDoc) -> Result<ProductCatalog, ProductCatalogError> {
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
            .map_or(Uuid::NIL, |(_, _, g)| *g)
    };

    // KMS groups.
    let mut kms_groups: Vec<KmsGroup> = Vec::with_capacity(raw_groups.len());
    for g in raw_groups {
        const S: &str = "kms_groups";
        check_common(
            S,
            "key",
            &g.key,
            &g.name,
            &g.sources,
            g.note.as_deref(),
            &sources,
        )?;
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
        check_common(
            S,
            "slug",
            &p.slug,
            &p.name,
            &p.sources,
            p.note.as_deref(),
            &sources,
        )?;
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
        check_common(
            S,
            "key",
            &h.key,
            &h.name,
            &h.sources,
            h.note.as_deref(),
            &sources,
        )?;
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
