//! edgeup: a bootstrapper that turns a Linux or Windows machine into a
//! working Azure IoT Edge device.
//!
//! The pipeline is detect → resolve → plan → apply → verify:
//! [`facts`] reads the machine, [`resolve`] maps it to a platform of the
//! support table and a requested version to component versions, [`plan`]
//! turns both into an ordered list of typed steps. Release and platform
//! knowledge is data ([`catalog`], from `data/*.toml`).

pub mod app;
pub mod backend;
pub mod bundle;
pub mod catalog;
pub mod cli;
pub mod daemon_config;
pub mod debversion;
pub mod error;
pub mod facts;
pub mod fetch;
pub mod install;
pub mod output;
pub mod plan;
pub mod provisioning;
pub mod receipt;
pub mod repodata;
pub mod report;
pub mod resolve;
pub mod settings;
pub mod system;
pub mod uninstall;
pub mod verify;
pub mod version;

pub use error::{Error, ExitCode, Result};
