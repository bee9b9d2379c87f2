//! The README's exit-code table is the code's.

use edgeup::ExitCode;

#[test]
fn readme_exit_code_table_matches_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("### Exit codes").expect("an exit-code section");
    let rows: Vec<(u8, String, bool)> = readme[start..]
        .lines()
        .filter(|l| l.starts_with("| ") && l.chars().nth(2).is_some_and(|c| c.is_ascii_digit()))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].parse().unwrap(),
                cells[1].to_string(),
                cells[2] == "yes",
            )
        })
        .collect();
    let expected: Vec<(u8, String, bool)> = ExitCode::ALL
        .iter()
        .map(|c| (c.code(), c.meaning().to_string(), c.retryable()))
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn readme_names_the_two_newcomer_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("scripts/demo.sh"));
    assert!(readme.contains("ci/test.sh"));
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(ci.contains("ci/test.sh"));
}
