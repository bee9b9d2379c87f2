//! Plan rules: ordering, pinning, fixups, sources, asset names, Windows steps
//! and refusals, for platforms of every family.

use edgeup::ExitCode;
use edgeup::catalog::Catalog;
use edgeup::facts::{self, RootedHost};
use edgeup::plan::{self, Action, EngineChoice, Plan, PlanOptions, Target};
use edgeup::resolve::{self, VersionRequest};

fn plan_with(id: &str, version: &str, options: &PlanOptions) -> edgeup::Result<Plan> {
    plan::plan_for_platform(
        Catalog::embedded(),
        id,
        &VersionRequest::parse(version).unwrap(),
        options,
    )
}

fn plan_for(id: &str, version: &str) -> Plan {
    plan_with(id, version, &PlanOptions::default())
        .unwrap_or_else(|e| panic!("{id} {version}: {e}"))
}

fn kinds(plan: &Plan) -> Vec<String> {
    plan.steps.iter().map(|s| s.kind()).collect()
}

/// The position of the package transaction with this name.
fn transaction(plan: &Plan, name: &str) -> (usize, Vec<(String, Option<String>)>) {
    plan.steps
        .iter()
        .enumerate()
        .find_map(|(i, s)| match &s.action {
            Action::InstallPackages {
                transaction,
                packages,
                ..
            } if transaction == name => Some((
                i,
                packages
                    .iter()
                    .map(|p| (p.name.clone(), p.version.clone()))
                    .collect(),
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no '{name}' transaction in {:?}", kinds(plan)))
}

fn fixup_index(plan: &Plan) -> Option<usize> {
    plan.steps
        .iter()
        .position(|s| matches!(s.action, Action::Fixup { .. }))
}

fn files(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .flat_map(|s| match &s.action {
            Action::InstallPackages { packages, .. } => {
                packages.iter().filter_map(|p| p.file.clone()).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

fn pair(name: &str, version: &str) -> (String, Option<String>) {
    (name.to_string(), Some(version.to_string()))
}

#[test]
fn ubuntu_1804_release_108_orders_and_pins() {
    let plan = plan_for("ubuntu-18.04-amd64", "1.0.8");
    assert_eq!(
        kinds(&plan),
        [
            "add_repository",
            "install_packages",
            "install_packages",
            "write_config",
            "service",
            "verify"
        ]
    );
    let (engine_at, engine) = transaction(&plan, "engine");
    let (iotedge_at, iotedge) = transaction(&plan, "iotedge");
    assert!(
        engine_at < iotedge_at,
        "the engine has its own, earlier transaction"
    );
    assert_eq!(
        engine,
        vec![pair("moby-engine", "3.0.6"), pair("moby-cli", "3.0.6")]
    );
    assert_eq!(
        iotedge,
        vec![pair("libiothsm-std", "1.0.8"), pair("iotedge", "1.0.8")]
    );
    match &plan.steps[iotedge_at].action {
        Action::InstallPackages { dpkg_options, .. } => {
            assert_eq!(dpkg_options, &["--force-confdef", "--force-confold"])
        }
        other => panic!("{other:?}"),
    }
    match &plan.steps[3].action {
        Action::WriteConfig {
            path, agent_image, ..
        } => {
            assert_eq!(path, "/etc/iotedge/config.yaml");
            assert_eq!(agent_image, "mcr.microsoft.com/azureiotedge-agent:1.0.8.5");
        }
        other => panic!("{other:?}"),
    }
    match &plan.steps[0].action {
        Action::AddRepository {
            file,
            content,
            key_url,
            key_file,
            ..
        } => {
            assert_eq!(file, "/etc/apt/sources.list.d/microsoft-prod.list");
            assert_eq!(
                content,
                "deb [arch=amd64 signed-by=/usr/share/keyrings/microsoft-prod.gpg] https://packages.microsoft.com/ubuntu/18.04/multiarch/prod bionic main\n"
            );
            assert_eq!(key_url, "https://packages.microsoft.com/keys/microsoft.asc");
            assert_eq!(key_file, "/usr/share/keyrings/microsoft-prod.gpg");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn libssl_fixup_comes_before_iotedge_on_debian_10_family_only() {
    for id in [
        "raspbian-10-armhf",
        "raspbian-10-arm64",
        "debian-10-amd64",
        "debian-10-armhf",
    ] {
        let plan = plan_for(id, "latest");
        let fixup = fixup_index(&plan).unwrap_or_else(|| panic!("{id}: no fixup"));
        let (iotedge_at, _) = transaction(&plan, "iotedge");
        assert!(fixup < iotedge_at, "{id}: the fixup precedes IoT Edge");
    }
    for id in [
        "raspbian-9-armhf",
        "debian-9-amd64",
        "ubuntu-18.04-amd64",
        "centos-7-amd64",
    ] {
        assert_eq!(fixup_index(&plan_for(id, "latest")), None, "{id}");
    }
}

#[test]
fn libssl_fallback_url_comes_from_the_debian_archive_option() {
    let options = PlanOptions {
        debian_archive: Some("http://127.0.0.1:9/debian".into()),
        ..PlanOptions::default()
    };
    let plan = plan_with("raspbian-10-armhf", "1.0.9", &options).unwrap();
    match &plan.steps[fixup_index(&plan).unwrap()].action {
        Action::Fixup {
            fallback_url,
            packages,
            ..
        } => {
            assert_eq!(
                fallback_url.as_deref(),
                Some(
                    "http://127.0.0.1:9/debian/pool/main/o/openssl1.0/libssl1.0.2_1.0.2u-1~deb9u1_armhf.deb"
                )
            );
            assert_eq!(packages[0].name, "libssl1.0.2");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tier2_debian_family_installs_iotedge_from_release_assets() {
    let plan = plan_for("debian-9-amd64", "1.0.9");
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.2-1-1_debian9_amd64.deb",
            "iotedge_1.0.9.2-1_debian9_amd64.deb"
        ]
    );
    let plan = plan_for("ubuntu-18.04-armhf", "1.0.9.1");
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.1-1_ubuntu18.04_armhf.deb",
            "iotedge_1.0.9.1-1_ubuntu18.04_armhf.deb"
        ]
    );
    let plan = plan_for("raspbian-10-armhf", "1.0.8");
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.8-2_armhf.deb",
            "iotedge_1.0.8-2_armhf.deb"
        ]
    );
    let options = PlanOptions {
        assets_url: "http://127.0.0.1:8000/releases".into(),
        ..PlanOptions::default()
    };
    let plan = plan_with("debian-10-arm64", "1.0.9", &options).unwrap();
    let urls: Vec<String> = plan
        .steps
        .iter()
        .flat_map(|s| match &s.action {
            Action::InstallPackages { packages, .. } => {
                packages.iter().filter_map(|p| p.url.clone()).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(
        urls,
        [
            "http://127.0.0.1:8000/releases/1.0.9.2/libiothsm-std_1.0.9.2-1-1_debian10_arm64.deb",
            "http://127.0.0.1:8000/releases/1.0.9.2/iotedge_1.0.9.2-1_debian10_arm64.deb"
        ]
    );
}

#[test]
fn debian_8_has_no_signed_by_and_no_arm64_build() {
    let plan = plan_for("debian-8-amd64", "1.0.9");
    match &plan.steps[0].action {
        Action::AddRepository {
            content, key_file, ..
        } => {
            assert!(content.starts_with("deb [arch=amd64] "), "{content}");
            assert_eq!(key_file, "/etc/apt/trusted.gpg.d/microsoft-prod.gpg");
        }
        other => panic!("{other:?}"),
    }
    let err = plan_with("debian-8-arm64", "1.0.9", &PlanOptions::default()).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
}

#[test]
fn centos_uses_yum_and_el7_assets() {
    let plan = plan_for("centos-7-amd64", "1.0.9");
    match &plan.steps[0].action {
        Action::AddRepository { file, content, .. } => {
            assert_eq!(file, "/etc/yum.repos.d/microsoft-prod.repo");
            assert!(
                content.contains("baseurl=https://packages.microsoft.com/centos/7/prod/\n"),
                "{content}"
            );
            assert!(content.contains("gpgcheck=1"), "{content}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.2-1.el7.x86_64.rpm",
            "iotedge-1.0.9.2-1.el7.x86_64.rpm"
        ]
    );
    let plan = plan_for("rhel-7-arm64", "1.0.9");
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.2-1.el7.aarch64.rpm",
            "iotedge-1.0.9.2-1.el7.aarch64.rpm"
        ]
    );
    let err = plan_with("centos-7-amd64", "1.0.8", &PlanOptions::default()).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.hint().unwrap().contains("1.0.9"), "{err:?}");
}

#[test]
fn image_systems_are_refused_with_the_build_time_route() {
    for id in [
        "yocto-amd64",
        "wrlinux-8-amd64",
        "mel-flex-armhf",
        "mel-omni-arm64",
    ] {
        let err = plan_with(id, "latest", &PlanOptions::default()).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Unsupported, "{id}");
        assert!(
            err.hint().unwrap().contains("meta-iotedge"),
            "{id}: {err:?}"
        );
    }
}

/// A plan for an image-built fixture with `--force`, given a package
/// database and (or not) a container engine.
fn forced_image_plan(
    name: &str,
    package_manager: Option<facts::PackageManager>,
    engine: bool,
    version: &str,
) -> edgeup::Result<Plan> {
    let catalog = Catalog::embedded();
    let mut facts = facts::gather(&RootedHost::at(fixture(name)), None)?;
    facts.package_manager = package_manager;
    facts.engine = engine.then(|| facts::InstalledPackage {
        name: "docker-ce".into(),
        version: "19.03.13".into(),
    });
    let verdict = resolve::verdict(catalog, &facts);
    let (platform, _) = verdict.plannable(true)?;
    let resolution =
        resolve::resolve_version(catalog, &VersionRequest::parse(version).unwrap(), &platform)?;
    plan::plan(
        catalog,
        &Target {
            platform: &platform,
            facts: Some(&facts),
            forced_from: None,
            force: true,
        },
        &resolution,
        &PlanOptions::default(),
    )
}

#[test]
fn forced_image_plans_take_the_closest_release_assets() {
    use facts::PackageManager::{Dpkg, Rpm};
    // Yocto (armhf) with dpkg: the debian10 assets, dpkg alone, no engine
    // step and no repository; the image's engine is kept whatever it is.
    let plan = forced_image_plan("yocto", Some(Dpkg), true, "latest").unwrap();
    assert_eq!(plan.platform.id, "yocto-armhf");
    assert_eq!(
        kinds(&plan),
        ["install_packages", "write_config", "service", "verify"]
    );
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.2-1-1_debian10_armhf.deb",
            "iotedge_1.0.9.2-1_debian10_armhf.deb"
        ]
    );
    match &plan.steps[0].action {
        Action::InstallPackages {
            manager,
            dpkg_options,
            ..
        } => {
            assert_eq!(*manager, plan::PackageTool::Dpkg);
            assert!(!dpkg_options.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let warning = plan.warnings.join("\n");
    assert!(
        warning.contains("built for Debian 10 with dpkg alone")
            && warning.contains("not checked")
            && warning.contains("thud")
            && warning.contains("docker-ce 19.03.13 stays the container engine"),
        "{warning}"
    );
    // With rpm: the el7 RPMs, by rpm's arch name.
    let plan = forced_image_plan("yocto", Some(Rpm), true, "latest").unwrap();
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.2-1.el7.armv7hl.rpm",
            "iotedge-1.0.9.2-1.el7.armv7hl.rpm"
        ]
    );
    // Wind River Linux 8: the debian8 assets (its glibc is older than Debian 9's).
    let plan = forced_image_plan("wrlinux-8", Some(Dpkg), true, "1.0.9").unwrap();
    assert_eq!(
        files(&plan),
        [
            "libiothsm-std_1.0.9.2-1-1_debian8_amd64.deb",
            "iotedge_1.0.9.2-1_debian8_amd64.deb"
        ]
    );
    // Before 1.0.9 there were no el7 RPMs: refused with the way out.
    let err = forced_image_plan("mel-flex", Some(Rpm), true, "1.0.8").unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.hint().unwrap().contains("1.0.9"), "{err:?}");
    // No engine in the image: refused, naming how to get one.
    let err = forced_image_plan("mel-omni", Some(Dpkg), false, "latest").unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.to_string().contains("no container engine"), "{err}");
    assert!(
        err.hint().unwrap().contains("meta-virtualization"),
        "{err:?}"
    );
    // No package database: refused with the build-time route.
    let err = forced_image_plan("yocto", None, true, "latest").unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.hint().unwrap().contains("meta-iotedge"), "{err:?}");
}

#[test]
fn windows_plans_follow_the_powershell_script() {
    let plan = plan_for("windows-server-2019-amd64", "1.0.9");
    assert_eq!(
        kinds(&plan),
        [
            "enable_windows_feature",
            "install_vc_runtime",
            "install_windows_package",
            "add_to_path",
            "write_config",
            "service",
            "service",
            "verify"
        ]
    );
    match &plan.steps[2].action {
        Action::InstallWindowsPackage { url, method, .. } => {
            assert_eq!(
                url,
                "https://github.com/Azure/azure-iotedge/releases/download/1.0.9.2/Microsoft-Azure-IoTEdge-amd64.cab"
            );
            assert_eq!(method, "Add-WindowsPackage");
        }
        other => panic!("{other:?}"),
    }
    match &plan.steps[4].action {
        Action::WriteConfig { path, windows, .. } => {
            assert_eq!(path, r"C:\ProgramData\iotedge\config.yaml");
            let w = windows.as_ref().unwrap();
            assert_eq!(w, &plan::WindowsConfig::windows_containers());
            assert_eq!(w.moby_runtime_uri, "npipe://./pipe/iotedge_moby_engine");
            assert_eq!(w.network, "nat");
        }
        other => panic!("{other:?}"),
    }
    let core = plan_for("windows-10-iot-core-amd64", "1.0.8");
    assert!(
        core.steps[0].skip.is_some(),
        "IoT Core has the containers package"
    );
    match &core.steps[2].action {
        Action::InstallWindowsPackage { method, file, .. } => {
            assert_eq!(method, "ApplyUpdate");
            assert_eq!(file, "Microsoft-Azure-IoTEdge.cab");
        }
        other => panic!("{other:?}"),
    }
    let err = plan_with(
        "windows-10-iot-enterprise-amd64",
        "1.0.6",
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.hint().unwrap().contains("1.0.7"), "{err:?}");
}

#[test]
fn mirror_and_key_options_reach_the_repository_step() {
    let options = PlanOptions {
        mirror: "http://127.0.0.1:8080".into(),
        repo_key: "http://127.0.0.1:8080/keys/microsoft.asc".into(),
        ..PlanOptions::default()
    };
    let plan = plan_with("raspbian-9-armhf", "1.0.9", &options).unwrap();
    match &plan.steps[0].action {
        Action::AddRepository {
            content, key_url, ..
        } => {
            assert_eq!(
                content,
                "deb [arch=armhf signed-by=/usr/share/keyrings/microsoft-prod.gpg] http://127.0.0.1:8080/debian/stretch/multiarch/prod stretch main\n"
            );
            assert_eq!(key_url, "http://127.0.0.1:8080/keys/microsoft.asc");
        }
        other => panic!("{other:?}"),
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Plans for a fixture root as `edgeup plan --root` does.
fn plan_for_root(name: &str, engine: EngineChoice) -> edgeup::Result<Plan> {
    let catalog = Catalog::embedded();
    let facts = facts::gather(&RootedHost::at(fixture(name)), None)?;
    let verdict = resolve::verdict(catalog, &facts);
    let (platform, _) = verdict.plannable(false)?;
    let resolution = resolve::resolve_version(catalog, &VersionRequest::Latest, &platform)?;
    plan::plan(
        catalog,
        &Target {
            platform: &platform,
            facts: Some(&facts),
            forced_from: None,
            force: false,
        },
        &resolution,
        &PlanOptions {
            engine,
            ..PlanOptions::default()
        },
    )
}

#[test]
fn existing_docker_is_refused_unless_kept_on_purpose() {
    let err = plan_for_root("ubuntu-18.04-docker-ce", EngineChoice::Moby).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::BadInput);
    assert!(err.to_string().contains("docker-ce"), "{err}");
    assert!(err.hint().unwrap().contains("--engine existing"), "{err:?}");
    let plan = plan_for_root("ubuntu-18.04-docker-ce", EngineChoice::Existing).unwrap();
    assert!(
        !plan.steps.iter().any(|s| matches!(&s.action, Action::InstallPackages { transaction, .. } if transaction == "engine")),
        "no engine transaction when the existing engine is kept"
    );
    assert!(
        plan.warnings.iter().any(|w| w.contains("best-effort")),
        "{:?}",
        plan.warnings
    );
    let err = plan_for_root("ubuntu-18.04", EngineChoice::Existing).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::BadInput);
}

#[test]
fn service_steps_are_skipped_without_a_service_manager() {
    let plan = plan_for_root("ubuntu-18.04", EngineChoice::Moby).unwrap();
    let service = plan
        .steps
        .iter()
        .find(|s| matches!(s.action, Action::Service { .. }))
        .unwrap();
    assert!(
        service
            .skip
            .as_deref()
            .unwrap()
            .contains("no service manager"),
        "{service:?}"
    );
    let plan = plan_for_root("ubuntu-18.04-iotedge", EngineChoice::Moby).unwrap();
    let service = plan
        .steps
        .iter()
        .find(|s| matches!(s.action, Action::Service { .. }))
        .unwrap();
    assert_eq!(service.skip, None, "systemd runs in this root");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("1.0.8-2") && w.contains("moves it up")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn unsupported_machines_need_force_and_get_the_nearest() {
    let err = plan_for_root("debian-12", EngineChoice::Moby).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    assert!(err.to_string().contains("Debian GNU/Linux 12"), "{err}");
    assert!(err.hint().unwrap().contains("debian-10-amd64"), "{err:?}");
    let catalog = Catalog::embedded();
    let facts = facts::gather(&RootedHost::at(fixture("debian-12")), None).unwrap();
    let verdict = resolve::verdict(catalog, &facts);
    let (platform, forced) = verdict.plannable(true).unwrap();
    assert!(forced);
    assert_eq!(platform.id, "debian-10-amd64");
}

#[test]
fn linux_containers_on_windows_are_a_development_mode() {
    let options = PlanOptions {
        linux_containers: true,
        ..PlanOptions::default()
    };
    let plan = plan_with("windows-10-iot-enterprise-amd64", "1.0.9", &options).unwrap();
    assert_eq!(
        kinds(&plan),
        [
            "require_service",
            "install_vc_runtime",
            "install_windows_package",
            "add_to_path",
            "write_config",
            "service",
            "verify"
        ]
    );
    match &plan.steps[0].action {
        Action::RequireService { name, .. } => assert_eq!(name, "com.docker.service"),
        other => panic!("{other:?}"),
    }
    match &plan.steps[4].action {
        Action::WriteConfig { windows, .. } => assert_eq!(
            windows.as_ref().unwrap(),
            &plan::WindowsConfig::linux_containers()
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("never for production")),
        "{:?}",
        plan.warnings
    );
    let err = plan_with("windows-10-iot-core-amd64", "1.0.9", &options).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::BadInput);
    let err = plan_with("ubuntu-18.04-amd64", "1.0.9", &options).unwrap_err();
    assert!(
        err.to_string()
            .contains("--linux-containers is for Windows"),
        "{err}"
    );
}
