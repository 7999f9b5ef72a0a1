//! kms-preflight: checks whether KMS volume activation would work from this machine.
pub mod knowledge;
pub mod wire;
