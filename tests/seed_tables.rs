//! The seed's three tables, every cell written out, checked against the
//! embedded data, and (so the expectations here cannot drift from the source)
//! against the seed page itself in ../shared/seed.

use edgeup::catalog::{Arch, Catalog, Family};
use edgeup::report::cell_text;

/// Tier 1: (row, AMD64, ARM32v7, ARM64).
const TIER1: &[(&str, &str, &str, &str)] = &[
    ("Raspbian Stretch", "", "supported", ""),
    ("Ubuntu Server 16.04", "supported", "", "preview"),
    ("Ubuntu Server 18.04", "supported", "", "preview"),
    ("Windows 10 IoT Core, build 17763", "supported", "", ""),
    (
        "Windows 10 IoT Enterprise, build 17763",
        "supported",
        "",
        "",
    ),
    ("Windows Server 2019, build 17763", "supported", "", ""),
    ("Windows Server IoT 2019, build 17763", "supported", "", ""),
];

/// Tier 2: (row, AMD64, ARM32v7, ARM64).
const TIER2: &[(&str, &str, &str, &str)] = &[
    ("CentOS 7.5", "supported", "supported", "supported"),
    ("Debian 8", "supported", "supported", "supported"),
    ("Debian 9", "supported", "supported", "supported"),
    ("Debian 10", "supported", "supported", "supported"),
    (
        "Mentor Embedded Linux Flex OS",
        "supported",
        "supported",
        "supported",
    ),
    (
        "Mentor Embedded Linux Omni OS",
        "supported",
        "",
        "supported",
    ),
    ("RHEL 7.5", "supported", "supported", "supported"),
    ("Ubuntu 16.04", "supported", "supported", "supported"),
    ("Ubuntu 18.04", "supported", "supported", "supported"),
    ("Wind River 8", "supported", "", ""),
    ("Yocto", "supported", "supported", "supported"),
    ("Raspbian Buster", "", "supported", "supported"),
];

/// A release row: (release, security daemon, Edge hub/agent, libiothsm, Moby, client SDK).
type ReleaseRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The release table, cells as the seed writes them (`<br>` joined by ", ").
const RELEASES: &[ReleaseRow] = &[
    (
        "1.0.9",
        "1.0.9.2, 1.0.9.1, 1.0.9",
        "1.0.9.2, 1.0.9.1, 1.0.9",
        "1.0.9.2, 1.0.9.1, 1.0.9",
        "",
        "1.21.1",
    ),
    (
        "1.0.8",
        "1.0.8",
        "1.0.8.5, 1.0.8.4, 1.0.8.3, 1.0.8.2, 1.0.8.1, 1.0.8",
        "1.0.8",
        "3.0.6",
        "1.20.3",
    ),
    (
        "1.0.7",
        "1.0.7.1, 1.0.7",
        "1.0.7.1, 1.0.7",
        "1.0.7.1, 1.0.7",
        "3.0.5, 3.0.4 (ARMv7hl, CentOS)",
        "1.20.1",
    ),
    (
        "1.0.6",
        "1.0.6.1, 1.0.6",
        "1.0.6.1, 1.0.6",
        "1.0.6.1, 1.0.6",
        "",
        "1.17.1",
    ),
    ("1.0.5", "1.0.5", "1.0.5", "1.0.5", "3.0.2", "1.17.1"),
];

fn cells(
    catalog: &Catalog,
    rows: &[edgeup::catalog::TierRow],
) -> Vec<(String, String, String, String)> {
    let _ = catalog;
    rows.iter()
        .map(|r| {
            (
                r.row.clone(),
                cell_text(r, Arch::Amd64).to_string(),
                cell_text(r, Arch::Armhf).to_string(),
                cell_text(r, Arch::Arm64).to_string(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    rows.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

fn join(list: &[edgeup::version::Version]) -> String {
    list.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn data_release_rows(catalog: &Catalog) -> Vec<(String, String, String, String, String, String)> {
    catalog
        .releases
        .iter()
        .map(|r| {
            let mut moby = join(&r.moby);
            for e in &r.moby_exceptions {
                // The seed writes the exception as "3.0.4 (ARMv7hl, CentOS)".
                let mut on: Vec<String> = e
                    .arches
                    .iter()
                    .map(|a| match a {
                        Arch::Armhf => "ARMv7hl".to_string(),
                        other => other.to_string(),
                    })
                    .collect();
                on.extend(
                    e.os_ids
                        .iter()
                        .filter(|id| *id == "centos")
                        .map(|_| "CentOS".to_string()),
                );
                moby.push_str(&format!(", {} ({})", e.moby, on.join(", ")));
            }
            (
                r.version.to_string(),
                join(&r.security_daemon),
                join(&r.edge_hub_agent),
                join(&r.libiothsm),
                moby,
                r.client_sdk.clone(),
            )
        })
        .collect()
}

fn expected_release_rows() -> Vec<(String, String, String, String, String, String)> {
    RELEASES
        .iter()
        .map(|(a, b, c, d, e, f)| {
            (
                a.to_string(),
                b.to_string(),
                c.to_string(),
                d.to_string(),
                e.to_string(),
                f.to_string(),
            )
        })
        .collect()
}

#[test]
fn tier_tables_match_every_cell() {
    let catalog = Catalog::embedded();
    assert_eq!(cells(catalog, &catalog.tier1), owned(TIER1));
    assert_eq!(cells(catalog, &catalog.tier2), owned(TIER2));
}

#[test]
fn release_table_matches_every_cell() {
    assert_eq!(
        data_release_rows(Catalog::embedded()),
        expected_release_rows()
    );
}

#[test]
fn moby_exception_covers_armhf_and_the_centos_repository() {
    let catalog = Catalog::embedded();
    let r107 = catalog.release(&"1.0.7".parse().unwrap()).unwrap();
    let e = &r107.moby_exceptions[0];
    assert_eq!(e.moby.to_string(), "3.0.4");
    assert!(e.applies_to("raspbian", Arch::Armhf));
    assert!(e.applies_to("centos", Arch::Amd64));
    assert!(
        e.applies_to("rhel", Arch::Arm64),
        "RHEL shares the CentOS 7 repository"
    );
    assert!(!e.applies_to("ubuntu", Arch::Amd64));
    assert!(!e.applies_to("debian", Arch::Arm64));
}

#[test]
fn footnote_windows_rules_and_notes_are_data() {
    let catalog = Catalog::embedded();
    let with_libssl: Vec<&str> = catalog
        .oses
        .iter()
        .filter(|o| o.fixups.iter().any(|f| f == "libssl1.0.2"))
        .map(|o| o.key.as_str())
        .collect();
    assert_eq!(with_libssl, vec!["raspbian-10", "debian-10"]);
    assert_eq!(catalog.fixups["libssl1.0.2"].package, "libssl1.0.2");
    assert_eq!(catalog.windows.build, 17763);
    assert_eq!(catalog.windows.arches, vec![Arch::Amd64]);
    assert_eq!(catalog.windows.production_containers, "windows");
    assert_eq!(
        catalog.windows.linux_containers,
        "development and testing only"
    );
    assert_eq!(catalog.windows.isolation, "process");
    assert!(catalog.notes.container_engines.contains("best-effort"));
    assert_eq!(catalog.notes.minimum_requirements.len(), 7);
    let windows: Vec<&str> = catalog
        .oses
        .iter()
        .filter(|o| o.family == Family::Windows)
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(
        windows,
        vec![
            "Windows 10 IoT Core",
            "Windows 10 IoT Enterprise",
            "Windows Server IoT 2019",
            "Windows Server 2019"
        ]
    );
}

#[test]
fn every_release_names_its_generation() {
    let catalog = Catalog::embedded();
    for r in &catalog.releases {
        assert_eq!(r.generation, "iotedge-1", "{}", r.version);
    }
    let g = &catalog.generations["iotedge-1"];
    assert_eq!(
        (g.daemon_package.as_str(), g.hsm_package.as_str()),
        ("iotedge", "libiothsm-std")
    );
    assert_eq!(g.config_path, "/etc/iotedge/config.yaml");
    let next = &catalog.generations["aziot"];
    assert_eq!(next.daemon_package, "aziot-edge");
    assert_eq!(next.config_path, "/etc/aziot/config.toml");
}

// ---- the literal expectations above against the seed page itself ----

fn seed_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/iot-edge-supported-systems.md"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("the seed page must sit beside the project at {path} (as in CI): {e}")
    })
}

/// The data rows of the markdown table that follows `heading`.
fn table_after(text: &str, heading: &str) -> Vec<Vec<String>> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no '{heading}' in the seed"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// `[Ubuntu Server 18.04](https://...)` → `Ubuntu Server 18.04`; drops `<sup>1</sup>`.
fn row_name(cell: &str) -> String {
    let mut name = cell.to_string();
    if let (Some(open), Some(close)) = (name.find('['), name.find("](")) {
        let end = name[close..]
            .find(')')
            .map(|i| close + i + 1)
            .unwrap_or(name.len());
        name = format!(
            "{}{}{}",
            &name[..open],
            &name[open + 1..close],
            &name[end..]
        );
    }
    if let Some(i) = name.find("<sup>") {
        name.truncate(i);
    }
    name.trim().to_string()
}

fn seed_cell(cell: &str) -> String {
    if cell.contains("green-check") {
        "supported".into()
    } else if cell.eq_ignore_ascii_case("Public preview") {
        "preview".into()
    } else {
        assert!(cell.is_empty(), "unexpected seed cell '{cell}'");
        String::new()
    }
}

fn seed_tier(text: &str, heading: &str) -> Vec<(String, String, String, String)> {
    table_after(text, heading)
        .into_iter()
        .map(|c| {
            (
                row_name(&c[0]),
                seed_cell(&c[1]),
                seed_cell(&c[2]),
                seed_cell(&c[3]),
            )
        })
        .collect()
}

#[test]
fn literal_expectations_are_the_seed_page() {
    let text = seed_text();
    assert_eq!(seed_tier(&text, "### Tier 1"), owned(TIER1));
    assert_eq!(seed_tier(&text, "### Tier 2"), owned(TIER2));
    let releases: Vec<(String, String, String, String, String)> = table_after(&text, "## Releases")
        .into_iter()
        .map(|c| {
            let cell = |s: &str| s.replace("<br>", ", ");
            (
                c[0].trim_matches('*').to_string(),
                cell(&c[1]),
                cell(&c[2]),
                cell(&c[3]),
                cell(&c[4]),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String, String)> = RELEASES
        .iter()
        .map(|(a, b, c, d, e, _)| {
            (
                a.to_string(),
                b.to_string(),
                c.to_string(),
                d.to_string(),
                e.to_string(),
            )
        })
        .collect();
    assert_eq!(releases, expected);
    for (release, .., sdk) in RELEASES {
        let line = format!("* **IoT Edge {release}**: Client SDK {sdk}");
        assert!(text.contains(&line), "seed lacks '{line}'");
    }
}
