//! The documentation cuts code out of the examples between a start and an
//! end marker comment ([`START`], [`END`]). This checks every `.rs` file of
//! the repository: each tag opens once, closes once in the same file, and
//! tags nest without crossing, so every cut-out is whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const START: &str = concat!("// snippet-", "start:[");
const END: &str = concat!("// snippet-", "end:[");
/// Any comment that mentions a marker, well-formed or not.
const MENTION: &str = "snippet-";

/// Where a tag was opened.
#[derive(Debug, Clone)]
struct Opened {
    tag: String,
    file: String,
    line: usize,
}

/// Every problem with the markers of `files` (name, text), one line each.
fn marker_problems(files: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, (String, usize)> = HashMap::new();
    for (file, text) in files {
        let mut open: Vec<Opened> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let trimmed = line.trim();
            if !trimmed.starts_with("//") || !trimmed.contains(MENTION) {
                continue;
            }
            let (is_start, rest) = if let Some(rest) = trimmed.strip_prefix(START) {
                (true, rest)
            } else if let Some(rest) = trimmed.strip_prefix(END) {
                (false, rest)
            } else {
                problems.push(format!("{file}:{number}: malformed marker: {trimmed}"));
                continue;
            };
            let Some(tag) = rest.strip_suffix(']').filter(|tag| {
                !tag.is_empty() && !tag.contains(|c: char| c == ']' || c.is_whitespace())
            }) else {
                problems.push(format!("{file}:{number}: malformed marker: {trimmed}"));
                continue;
            };
            if is_start {
                if let Some((at_file, at_line)) = first_seen.get(tag) {
                    problems.push(format!(
                        "{file}:{number}: tag {tag} is already used at {at_file}:{at_line}"
                    ));
                } else {
                    first_seen.insert(tag.to_string(), (file.clone(), number));
                }
                open.push(Opened {
                    tag: tag.to_string(),
                    file: file.clone(),
                    line: number,
                });
                continue;
            }
            match open.iter().rposition(|opened| opened.tag == tag) {
                Some(position) if position + 1 == open.len() => {
                    open.pop();
                }
                Some(position) => {
                    let inner = &open[position + 1..];
                    let names: Vec<&str> = inner.iter().map(|o| o.tag.as_str()).collect();
                    problems.push(format!(
                        "{file}:{number}: {tag} ends while {} (opened inside it) is still open",
                        names.join(", ")
                    ));
                    open.remove(position);
                }
                None => problems.push(format!("{file}:{number}: end of {tag}, which is not open")),
            }
        }
        for opened in open {
            problems.push(format!(
                "{}:{}: {} is never ended",
                opened.file, opened.line, opened.tag
            ));
        }
    }
    problems
}

/// Every `.rs` file under `root`, skipping build output and hidden folders.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .unwrap_or_else(|err| panic!("read {}: {err}", folder.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    folders.push(path);
                }
            } else if name.ends_with(".rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("integration-tests/ is inside the workspace")
        .to_path_buf()
}

#[test]
fn every_snippet_tag_is_paired_nested_and_unique() {
    let root = workspace_root();
    let files: Vec<(String, String)> = rust_files(&root)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            (name, text)
        })
        .collect();
    let tags = files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter(|line| line.trim().starts_with(START))
        .count();
    assert!(tags >= 20, "found only {tags} snippets: is the root right?");

    let problems = marker_problems(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn file(text: &str) -> (String, String) {
    ("example.rs".to_string(), text.replace('#', "//"))
}

#[test]
fn paired_and_nested_markers_pass() {
    let nested = file(concat!(
        "# snippet-",
        "start:[outer]\n",
        "fn a() {}\n",
        "# snippet-",
        "start:[inner]\n",
        "fn b() {}\n",
        "# snippet-",
        "end:[inner]\n",
        "# snippet-",
        "end:[outer]\n",
    ));
    assert_eq!(marker_problems(&[nested]), Vec::<String>::new());
}

#[test]
fn an_unpaired_start_is_reported() {
    let unpaired = file(concat!("    # snippet-", "start:[lonely]\n", "fn a() {}\n"));
    assert_eq!(
        marker_problems(&[unpaired]),
        ["example.rs:1: lonely is never ended"]
    );
}

#[test]
fn an_end_without_start_crossing_tags_and_duplicates_are_reported() {
    let crossing = file(concat!(
        "# snippet-",
        "start:[a]\n",
        "# snippet-",
        "start:[b]\n",
        "# snippet-",
        "end:[a]\n",
        "# snippet-",
        "end:[b]\n",
        "# snippet-",
        "end:[c]\n",
    ));
    let again = file(concat!(
        "# snippet-",
        "start:[a]\n",
        "# snippet-",
        "end:[a]\n",
        "# snippet-",
        "start[typo]\n",
    ));
    assert_eq!(
        marker_problems(&[crossing, again]),
        [
            "example.rs:3: a ends while b (opened inside it) is still open",
            "example.rs:5: end of c, which is not open",
            "example.rs:1: tag a is already used at example.rs:1",
            concat!("example.rs:3: malformed marker: // snippet-", "start[typo]"),
        ]
    );
}
