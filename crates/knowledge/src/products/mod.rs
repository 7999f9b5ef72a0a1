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

mod catalog;
mod epid;
mod file;
mod records;
#[cfg(test)]
mod tests;

pub use catalog::*;
pub use epid::*;
use file::*;
pub use records::*;

/// GUIDs (products, SKUs, KMS counted ids, host keys) are the wire crate's UUID type: one type
/// for one thing, with Microsoft's mixed-endian layout (`to_wire`/`from_wire`) beside the text form.
pub use kms_preflight_wire::dcerpc::Uuid;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

/// The embedded data file.
pub const PRODUCTS_YAML: &str = include_str!("../../../../knowledge/kms-products.yaml");

/// Slug of the Windows product [`ProductCatalog::default_products`] probes with.
///
/// `windows-10-enterprise` and `windows-11-enterprise` send byte-identical requests (same
/// application id, SKU id and KMS counted id `58e2134f-…`, N = 25), so either name describes
/// the probe; the Windows 10 name is used because every Windows 10-capable CSVLK covers it.
pub const DEFAULT_WINDOWS_PRODUCT: &str = "windows-10-enterprise";

/// Slug of the Office product [`ProductCatalog::default_products`] probes with.
pub const DEFAULT_OFFICE_PRODUCT: &str = "office-ltsc-2021-proplus";
