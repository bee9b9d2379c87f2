//! Debian package versions (`[epoch:]upstream[-revision]`), ordered as dpkg
//! orders them, and the mapping from an upstream version (`1.0.8`) to the
//! repository's package versions (`1.0.8-1`, `1.0.8-2`).

use std::cmp::Ordering;

/// Compares two Debian versions the way `dpkg --compare-versions` does.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| compare_part(ua, ub))
        .then_with(|| compare_part(ra, rb))
}

fn split(v: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if e.bytes().all(|b| b.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
        _ => (0, v),
    };
    match rest.rfind('-') {
        Some(i) => (epoch, &rest[..i], &rest[i + 1..]),
        None => (epoch, rest, ""),
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs; `~` sorts before
/// everything, letters before other characters.
fn compare_part(a: &str, b: &str) -> Ordering {
    fn order(c: Option<u8>) -> i32 {
        match c {
            None => 0,
            Some(b'~') => -1,
            Some(c) if c.is_ascii_digit() => 0,
            Some(c) if c.is_ascii_alphabetic() => c as i32,
            Some(c) => c as i32 + 256,
        }
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (si, sj) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (na, nb) = (&a[si..i], &b[sj..j]);
        let by_len = na.len().cmp(&nb.len());
        if by_len != Ordering::Equal {
            return by_len;
        }
        let by_digits = na.cmp(nb);
        if by_digits != Ordering::Equal {
            return by_digits;
        }
    }
    Ordering::Equal
}

/// Whether a package version is a build of the upstream version: `1.0.8-2`,
/// `1.0.9-1-1` and `3.0.10+azure-0` are builds of `1.0.8`, `1.0.9` and
/// `3.0.10`; `1.0.8.1-1` is not a build of `1.0.8`.
pub fn is_build_of(package_version: &str, upstream: &str) -> bool {
    let (_, rest) = match package_version.split_once(':') {
        Some((e, r)) if e.bytes().all(|b| b.is_ascii_digit()) => ((), r),
        _ => ((), package_version),
    };
    match rest.strip_prefix(upstream) {
        Some("") => true,
        Some(tail) => matches!(tail.as_bytes()[0], b'-' | b'+' | b'~'),
        None => false,
    }
}

/// The newest of `offered` that is a build of `upstream`.
pub fn newest_build<'a>(offered: &'a [String], upstream: &str) -> Option<&'a str> {
    offered
        .iter()
        .filter(|v| is_build_of(v, upstream))
        .max_by(|a, b| compare(a, b))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_dpkg() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0.8-2", "1.0.8-1", Greater),
            ("1.0.10-1", "1.0.9-1", Greater),
            ("1.0.9.1-1", "1.0.9-1", Greater),
            ("1.0~rc1-1", "1.0-1", Less),
            ("1:0.1", "2.0", Greater),
            ("3.0.10+azure-0", "3.0.6", Greater),
            (
                "5:19.03.1~3-0~ubuntu-bionic",
                "5:19.03.1~3-0~ubuntu-bionic",
                Equal,
            ),
            ("1.0a", "1.0", Greater),
            ("1.0", "1.0.0", Less),
            ("1.0.9-1-1", "1.0.9-1", Greater),
        ] {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn maps_upstream_versions_to_the_newest_build() {
        let offered: Vec<String> = ["1.0.8-1", "1.0.8-2", "1.0.8.1-1", "1.0.9-1", "1.0.9-1-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(newest_build(&offered, "1.0.8"), Some("1.0.8-2"));
        assert_eq!(newest_build(&offered, "1.0.9"), Some("1.0.9-1-1"));
        assert_eq!(newest_build(&offered, "1.0.7"), None);
        let moby: Vec<String> = ["3.0.6", "3.0.10+azure-0", "3.0.1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(newest_build(&moby, "3.0.10"), Some("3.0.10+azure-0"));
        assert_eq!(newest_build(&moby, "3.0.1"), Some("3.0.1"));
        assert!(!is_build_of("1.0.81-1", "1.0.8"));
    }
}
