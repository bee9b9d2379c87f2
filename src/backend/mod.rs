//! Package-manager backends: the commands edgeup runs for each family.

pub mod apt;
pub mod powershell;
