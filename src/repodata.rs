//! yum repository metadata, for offline bundles of the RPM family:
//! `repodata/repomd.xml` (where the `primary` index is and its sha256) and
//! the `primary` index (each package's name, architecture, version, file,
//! sha256 and size). Read with quick-xml, kept to the three levels the two
//! files need (`<metadata>` → `<package>` → its fields); the `<format>`
//! part of a package (provides, requires, files) is skipped.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

/// An element with its attributes, text and children (down to the depth read).
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn malformed(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Failed {
        context: format!("reading {what}"),
        detail: format!("it is not well-formed repository metadata: {detail}"),
    }
}

fn node(e: &BytesStart<'_>, what: &str) -> Result<Node> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| malformed(what, e))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| malformed(what, e))?;
        attrs.push((a.key.as_ref().to_string(), value.into_owned()));
    }
    Ok(Node {
        name: e.local_name().as_ref().to_string(),
        attrs,
        ..Node::default()
    })
}

/// Parses `text` into its root element, keeping elements down to `depth`
/// (the root is 1) and skipping what lies deeper.
fn parse(text: &str, depth: usize, what: &str) -> Result<Node> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    // Open elements below `depth` (not kept).
    let mut skipped = 0usize;
    let mut root: Option<Node> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(what, format!("{e} (at byte {})", reader.error_position())))?;
        let keep = skipped == 0 && stack.len() < depth;
        let text = match event {
            Event::Start(e) if keep => {
                stack.push(node(&e, what)?);
                None
            }
            Event::Start(_) => {
                skipped += 1;
                None
            }
            Event::Empty(e) if keep => {
                attach(&mut stack, &mut root, node(&e, what)?);
                None
            }
            Event::End(_) if skipped > 0 => {
                skipped -= 1;
                None
            }
            Event::End(_) => {
                let n = stack
                    .pop()
                    .ok_or_else(|| malformed(what, "it closes an element it never opened"))?;
                attach(&mut stack, &mut root, n);
                None
            }
            Event::Text(t) if skipped == 0 => Some(t.xml10_content().into_owned()),
            Event::CData(t) if skipped == 0 => Some(t.xml10_content().into_owned()),
            Event::GeneralRef(r) if skipped == 0 => {
                let reference = format!("&{};", r.as_ref());
                Some(
                    quick_xml::escape::unescape(&reference)
                        .map_err(|e| malformed(what, e))?
                        .into_owned(),
                )
            }
            Event::Eof => break,
            _ => None,
        };
        if let (Some(text), Some(n)) = (text, stack.last_mut()) {
            n.text.push_str(&text);
        }
    }
    if !stack.is_empty() || skipped > 0 {
        return Err(malformed(what, "it ends inside an element (cut short?)"));
    }
    root.ok_or_else(|| malformed(what, "it holds no XML element"))
}

/// Adds a closed element to its parent, or makes it the root.
fn attach(stack: &mut [Node], root: &mut Option<Node>, n: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(n),
        None => *root = Some(n),
    }
}

/// Where `repomd.xml` says the `primary` index is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryLocation {
    /// Relative to the repository (`repodata/<sha>-primary.xml.gz`).
    pub href: String,
    pub sha256: String,
}

/// A checksum element's sha256, or an error naming the type it has.
fn sha256_of(checksum: Option<&Node>, what: &str, of: &str) -> Result<String> {
    let checksum = checksum.ok_or_else(|| malformed(what, format!("{of} has no checksum")))?;
    let kind = checksum.attr("type").unwrap_or("");
    if kind != "sha256" {
        return Err(Error::Failed {
            context: format!("reading {what}"),
            detail: format!(
                "{of} has a '{kind}' checksum; edgeup checks repository files against sha256 only (createrepo's default), so it cannot bundle from this repository"
            ),
        });
    }
    let sha = checksum.text.trim().to_ascii_lowercase();
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed(what, format!("{of} has the sha256 '{sha}'")));
    }
    Ok(sha)
}

/// Reads `repomd.xml`: the `primary` index's location and sha256 (of the
/// file as stored, compressed).
pub fn parse_repomd(text: &str, what: &str) -> Result<PrimaryLocation> {
    let root = parse(text, 3, what)?;
    if root.name != "repomd" {
        return Err(malformed(
            what,
            format!("its root element is <{}>, not <repomd>", root.name),
        ));
    }
    let data = root
        .children
        .iter()
        .find(|c| c.name == "data" && c.attr("type") == Some("primary"))
        .ok_or_else(|| malformed(what, "it lists no primary data"))?;
    let href = data
        .child("location")
        .and_then(|l| l.attr("href"))
        .ok_or_else(|| malformed(what, "the primary data has no location"))?;
    Ok(PrimaryLocation {
        href: href.to_string(),
        sha256: sha256_of(data.child("checksum"), what, "the primary data")?,
    })
}

/// One package of a `primary` index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpmPackage {
    pub name: String,
    pub arch: String,
    /// `[epoch:]version-release`, as yum lists it (`3.0.6+azure-0`).
    pub version: String,
    /// The file relative to the repository, or a full URL when the
    /// location has an `xml:base`.
    pub location: String,
    pub sha256: String,
    pub size: u64,
}

/// Reads a `primary` index: every package, in the index's order.
pub fn parse_primary(text: &str, what: &str) -> Result<Vec<RpmPackage>> {
    let root = parse(text, 3, what)?;
    if root.name != "metadata" {
        return Err(malformed(
            what,
            format!("its root element is <{}>, not <metadata>", root.name),
        ));
    }
    root.children
        .iter()
        .filter(|c| c.name == "package")
        .map(|p| {
            let field = |name: &str| {
                p.child(name)
                    .map(|n| n.text.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| malformed(what, format!("a package has no <{name}>")))
            };
            let name = field("name")?;
            let of = format!("the package {name}");
            let version = p
                .child("version")
                .ok_or_else(|| malformed(what, format!("{of} has no <version>")))?;
            let (ver, rel) = match (version.attr("ver"), version.attr("rel")) {
                (Some(v), Some(r)) => (v, r),
                _ => return Err(malformed(what, format!("{of} has no ver and rel"))),
            };
            let epoch = version.attr("epoch").unwrap_or("0");
            let version = if epoch == "0" || epoch.is_empty() {
                format!("{ver}-{rel}")
            } else {
                format!("{epoch}:{ver}-{rel}")
            };
            let location = p
                .child("location")
                .ok_or_else(|| malformed(what, format!("{of} has no <location>")))?;
            let href = location
                .attr("href")
                .ok_or_else(|| malformed(what, format!("{of} has no location href")))?;
            let location = match location.attr("xml:base") {
                Some(base) if !base.is_empty() => {
                    format!("{}/{href}", base.trim_end_matches('/'))
                }
                _ => href.to_string(),
            };
            let size = p
                .child("size")
                .and_then(|s| s.attr("package"))
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| malformed(what, format!("{of} has no package size")))?;
            Ok(RpmPackage {
                arch: field("arch")?,
                sha256: sha256_of(p.child("checksum"), what, &of)?,
                name,
                version,
                location,
                size,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As createrepo_c writes it (trimmed: the real one also lists
    /// filelists, other and their _db forms).
    const REPOMD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1584403200</revision>
  <data type="primary_db">
    <checksum type="sha256">1111111111111111111111111111111111111111111111111111111111111111</checksum>
    <location href="repodata/1111-primary.sqlite.bz2"/>
  </data>
  <data type="primary">
    <checksum type="sha256">A3F1C0E2b0f0a7c1d0b5e8f6a2c3d4e5f60718293a4b5c6d7e8f901234567890</checksum>
    <open-checksum type="sha256">2222222222222222222222222222222222222222222222222222222222222222</open-checksum>
    <location href="repodata/a3f1c0e2-primary.xml.gz"/>
    <timestamp>1584403200</timestamp>
    <size>1234</size>
    <open-size>5678</open-size>
  </data>
  <data type="filelists">
    <checksum type="sha256">3333333333333333333333333333333333333333333333333333333333333333</checksum>
    <location href="repodata/3333-filelists.xml.gz"/>
  </data>
</repomd>
"#;

    fn package(name: &str, arch: &str, epoch: &str, ver: &str, sha: char, extra: &str) -> String {
        let sha = sha.to_string().repeat(64);
        format!(
            r#"<package type="rpm">
  <name>{name}</name>
  <arch>{arch}</arch>
  <version epoch="{epoch}" ver="{ver}" rel="0"/>
  <checksum type="sha256" pkgid="YES">{sha}</checksum>
  <summary>Moby &amp; friends &lt;dummy&gt;</summary>
  <description><![CDATA[a <b>CDATA</b> description]]></description>
  <packager></packager>
  <url>https://github.com/moby/moby</url>
  <time file="1584403200" build="1584403200"/>
  <size package="4321" installed="9000" archive="9400"/>
  <location {extra}href="Packages/m/{name}-{ver}-0.{arch}.rpm"/>
  <format>
    <rpm:license>Apache-2.0</rpm:license>
    <rpm:provides>
      <rpm:entry name="{name}" flags="EQ" epoch="0" ver="9.9.9" rel="9"/>
      <rpm:entry name="{name}({arch})" flags="EQ" epoch="0" ver="9.9.9" rel="9"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="systemd" pre="1"/>
    </rpm:requires>
    <file>/usr/bin/{name}</file>
  </format>
</package>
"#
        )
    }

    #[test]
    fn finds_the_primary_index_in_repomd() {
        let got = parse_repomd(REPOMD, "repomd.xml").unwrap();
        assert_eq!(got.href, "repodata/a3f1c0e2-primary.xml.gz");
        assert_eq!(
            got.sha256,
            "a3f1c0e2b0f0a7c1d0b5e8f6a2c3d4e5f60718293a4b5c6d7e8f901234567890"
        );
    }

    #[test]
    fn refuses_repomd_without_primary_or_with_another_checksum() {
        let none = REPOMD.replace(r#"type="primary">"#, r#"type="other">"#);
        let err = parse_repomd(&none, "X/repomd.xml").unwrap_err().to_string();
        assert!(
            err.contains("X/repomd.xml") && err.contains("no primary"),
            "{err}"
        );
        let sha1 = REPOMD.replace(
            r#"<checksum type="sha256">A3F1"#,
            r#"<checksum type="sha">A3F1"#,
        );
        let err = parse_repomd(&sha1, "r").unwrap_err().to_string();
        assert!(err.contains("'sha' checksum"), "{err}");
        let cut = &REPOMD[..REPOMD.len() / 2];
        assert!(parse_repomd(cut, "r").is_err());
        assert!(parse_repomd("<html><body>404</body></html>", "r").is_err());
        assert!(parse_repomd("not xml at all", "r").is_err());
    }

    #[test]
    fn reads_packages_of_a_primary_index() {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"3\">\n{}{}{}</metadata>\n",
            package("moby-engine", "x86_64", "0", "3.0.6+azure", 'a', ""),
            package("moby-cli", "aarch64", "2", "3.0.6+azure", 'b', ""),
            package(
                "moby-cli",
                "x86_64",
                "0",
                "3.0.10+azure",
                'C',
                r#"xml:base="http://mirror.example/centos/7/prod/" "#
            ),
        );
        let got = parse_primary(&text, "primary.xml.gz").unwrap();
        assert_eq!(
            got,
            [
                RpmPackage {
                    name: "moby-engine".into(),
                    arch: "x86_64".into(),
                    version: "3.0.6+azure-0".into(),
                    location: "Packages/m/moby-engine-3.0.6+azure-0.x86_64.rpm".into(),
                    sha256: "a".repeat(64),
                    size: 4321,
                },
                RpmPackage {
                    name: "moby-cli".into(),
                    arch: "aarch64".into(),
                    version: "2:3.0.6+azure-0".into(),
                    location: "Packages/m/moby-cli-3.0.6+azure-0.aarch64.rpm".into(),
                    sha256: "b".repeat(64),
                    size: 4321,
                },
                RpmPackage {
                    name: "moby-cli".into(),
                    arch: "x86_64".into(),
                    version: "3.0.10+azure-0".into(),
                    location: "http://mirror.example/centos/7/prod/Packages/m/moby-cli-3.0.10+azure-0.x86_64.rpm".into(),
                    sha256: "c".repeat(64),
                    size: 4321,
                },
            ]
        );
    }

    #[test]
    fn refuses_broken_primary_indexes() {
        let one = package("moby-engine", "x86_64", "0", "3.0.6+azure", 'a', "");
        let wrap = |p: &str| format!("<metadata packages=\"1\">{p}</metadata>");
        assert!(parse_primary(&wrap(&one), "p").is_ok());
        for (from, to, expect) in [
            ("<name>moby-engine</name>", "", "no <name>"),
            (
                r#"<size package="4321""#,
                r#"<size package="big""#,
                "no package size",
            ),
            (
                r#"type="sha256" pkgid"#,
                r#"type="md5" pkgid"#,
                "'md5' checksum",
            ),
            (r#" ver="3.0.6+azure""#, "", "no ver and rel"),
        ] {
            let err = parse_primary(&wrap(&one.replace(from, to)), "p")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expect), "{from}: {err}");
        }
        let err = parse_primary(&REPOMD.replace("repomd", "x"), "p")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not <metadata>"), "{err}");
        assert!(parse_primary(&wrap(&one)[..200], "p").is_err());
        assert_eq!(
            parse_primary("<metadata packages=\"0\"/>", "p").unwrap(),
            []
        );
    }
}
