//! Support verdicts from facts that fixture roots cannot express: Windows
//! editions and builds, and the kernel architecture (ARMv6).

use edgeup::ExitCode;
use edgeup::catalog::{Catalog, Tier};
use edgeup::facts::windows::FeatureState;
use edgeup::facts::{
    ArchFacts, ArchSource, Facts, OsFacts, OsRelease, ServiceManager, WindowsFacts,
};
use edgeup::resolve;

fn facts(os: OsFacts, userland: &str, kernel: Option<&str>) -> Facts {
    Facts::new(
        os,
        ArchFacts {
            userland: Some(userland.into()),
            userland_source: Some(ArchSource::Option),
            kernel: kernel.map(str::to_string),
        },
        ServiceManager::Windows,
    )
}

fn windows(build: u32, edition: &str, installation: &str, product: &str, arch: &str) -> Facts {
    facts(
        OsFacts::Windows(WindowsFacts {
            build,
            ubr: None,
            edition_id: edition.into(),
            installation_type: installation.into(),
            product_name: product.into(),
            containers_feature: FeatureState::Disabled,
            existing: Default::default(),
            battery: None,
        }),
        arch,
        None,
    )
}

#[test]
fn supported_windows_editions_at_build_17763() {
    let catalog = Catalog::embedded();
    let cases = [
        (
            windows(17763, "IoTUAP", "IoTUAP", "IoTUAP", "amd64"),
            "windows-10-iot-core-amd64",
        ),
        (
            windows(
                17763,
                "IoTEnterpriseS",
                "Client",
                "Windows 10 IoT Enterprise LTSC 2019",
                "amd64",
            ),
            "windows-10-iot-enterprise-amd64",
        ),
        (
            windows(
                17763,
                "ServerDatacenter",
                "Server Core",
                "Windows Server 2019 Datacenter",
                "amd64",
            ),
            "windows-server-2019-amd64",
        ),
        (
            windows(
                17763,
                "ServerStandard",
                "Server",
                "Windows Server IoT 2019 Standard",
                "amd64",
            ),
            "windows-server-iot-2019-amd64",
        ),
    ];
    for (f, id) in cases {
        let v = resolve::verdict(catalog, &f);
        assert_eq!(
            v.platform.as_ref().map(|p| p.id.as_str()),
            Some(id),
            "{:?}",
            v.reasons
        );
        assert_eq!(v.tier, Tier::Tier1, "{id}");
        assert_eq!(v.summary().id, id);
    }
}

#[test]
fn other_builds_exit_3_naming_the_build_and_the_supported_one() {
    let catalog = Catalog::embedded();
    let f = windows(
        19041,
        "IoTEnterprise",
        "Client",
        "Windows 10 IoT Enterprise",
        "amd64",
    );
    let v = resolve::verdict(catalog, &f);
    assert_eq!(v.tier, Tier::Unsupported);
    let err = v.plannable(false).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Unsupported);
    let text = err.to_string();
    assert!(text.contains("19041") && text.contains("17763"), "{text}");
    assert_eq!(
        v.nearest.as_ref().unwrap().id,
        "windows-10-iot-enterprise-amd64"
    );
    assert_eq!(v.id, "windows-10-iot-enterprise-19041-amd64");
}

#[test]
fn windows_needs_amd64_and_a_listed_edition() {
    let catalog = Catalog::embedded();
    let arm = windows(
        17763,
        "IoTEnterprise",
        "Client",
        "Windows 10 IoT Enterprise",
        "arm64",
    );
    let v = resolve::verdict(catalog, &arm);
    assert_eq!(v.tier, Tier::Unsupported);
    assert!(
        v.reasons.iter().any(|r| r.contains("AMD64")),
        "{:?}",
        v.reasons
    );
    assert!(
        v.nearest.is_none(),
        "an ARM machine cannot be forced into an AMD64 platform"
    );
    let pro = windows(17763, "Professional", "Client", "Windows 10 Pro", "amd64");
    let v = resolve::verdict(catalog, &pro);
    assert_eq!(v.tier, Tier::Unsupported);
    assert_eq!(
        v.nearest.as_ref().unwrap().id,
        "windows-10-iot-enterprise-amd64"
    );
    let (platform, forced) = v.plannable(true).unwrap();
    assert!(forced);
    assert_eq!(platform.id, "windows-10-iot-enterprise-amd64");
}

#[test]
fn armv6_kernels_are_refused_without_a_nearest_platform() {
    let catalog = Catalog::embedded();
    let os = OsRelease::parse(
        "ID=raspbian\nVERSION_ID=\"9\"\nVERSION_CODENAME=stretch\nPRETTY_NAME=\"Raspbian GNU/Linux 9 (stretch)\"\n",
    );
    let pi_zero = facts(OsFacts::Linux(os.clone()), "armhf", Some("armv6l"));
    let v = resolve::verdict(catalog, &pi_zero);
    assert_eq!(v.tier, Tier::Unsupported);
    assert!(v.reasons[0].contains("ARMv6"), "{:?}", v.reasons);
    assert!(v.nearest.is_none());
    assert_eq!(
        v.plannable(true).unwrap_err().exit_code(),
        ExitCode::Unsupported
    );
    let pi3 = facts(OsFacts::Linux(os), "armhf", Some("armv7l"));
    assert_eq!(resolve::verdict(catalog, &pi3).tier, Tier::Tier1);
    // A 64-bit kernel under a 32-bit userland follows the userland.
    let os = OsRelease::parse("ID=raspbian\nVERSION_ID=\"10\"\nVERSION_CODENAME=buster\n");
    let v = resolve::verdict(
        catalog,
        &facts(OsFacts::Linux(os), "armhf", Some("aarch64")),
    );
    assert_eq!(v.platform.unwrap().id, "raspbian-10-armhf");
}

#[test]
fn unknown_architectures_and_systems_have_no_nearest() {
    let catalog = Catalog::embedded();
    let os = OsRelease::parse("ID=debian\nVERSION_ID=\"10\"\n");
    let v = resolve::verdict(catalog, &facts(OsFacts::Linux(os), "i386", None));
    assert_eq!(v.tier, Tier::Unsupported);
    assert!(v.reasons[0].contains("i386"));
    assert!(v.nearest.is_none());
    let arch = OsRelease::parse("ID=arch\nPRETTY_NAME=\"Arch Linux\"\n");
    let v = resolve::verdict(catalog, &facts(OsFacts::Linux(arch), "amd64", None));
    assert_eq!(v.id, "arch-amd64");
    assert!(v.nearest.is_none());
    let err = v.plannable(true).unwrap_err();
    assert!(err.hint().unwrap().contains("edgeup releases"), "{err:?}");
}

#[test]
fn linux_containers_accept_builds_from_14393() {
    let catalog = Catalog::embedded();
    let f = windows(
        18362,
        "IoTEnterprise",
        "Client",
        "Windows 10 IoT Enterprise",
        "amd64",
    );
    assert_eq!(
        resolve::verdict(catalog, &f).tier,
        Tier::Unsupported,
        "Windows containers need 17763"
    );
    let v = resolve::verdict_for(catalog, &f, true);
    assert_eq!(v.platform.unwrap().id, "windows-10-iot-enterprise-amd64");
    let old = windows(
        10240,
        "IoTEnterprise",
        "Client",
        "Windows 10 IoT Enterprise",
        "amd64",
    );
    assert_eq!(
        resolve::verdict_for(catalog, &old, true).tier,
        Tier::Unsupported
    );
}

#[test]
fn earlier_windows_installs_and_batteries_shape_the_plan() {
    use edgeup::facts::windows::WindowsInstall;
    use edgeup::plan::{self, PlanOptions, Target};
    let catalog = Catalog::embedded();
    let plan_of = |f: &Facts| {
        let v = resolve::verdict(catalog, f);
        let (platform, _) = v.plannable(false).unwrap();
        let r =
            resolve::resolve_version(catalog, &resolve::VersionRequest::Latest, &platform).unwrap();
        plan::plan(
            catalog,
            &Target {
                platform: &platform,
                facts: Some(f),
                forced_from: None,
                force: false,
            },
            &r,
            &PlanOptions::default(),
        )
    };
    let mut f = windows(
        17763,
        "IoTEnterprise",
        "Client",
        "Windows 10 IoT Enterprise",
        "amd64",
    );
    if let OsFacts::Windows(w) = &mut f.os {
        w.battery = Some(true);
        w.existing = WindowsInstall {
            iotedge: true,
            moby: true,
            legacy_layout: false,
        };
    }
    let p = plan_of(&f).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.contains("battery")),
        "{:?}",
        p.warnings
    );
    assert!(
        p.warnings.iter().any(|w| w.contains("updates it in place")),
        "{:?}",
        p.warnings
    );
    if let OsFacts::Windows(w) = &mut f.os {
        w.existing.legacy_layout = true;
    }
    let err = plan_of(&f).unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::BadInput);
    assert!(
        err.hint().unwrap().contains("Uninstall-SecurityDaemon"),
        "{err:?}"
    );
}
