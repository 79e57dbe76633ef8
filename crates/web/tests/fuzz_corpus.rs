//! Every input kept in the fuzzers' corpora (`fuzz/corpus/<target>/`), run through the
//! same checks the fuzzers make (`fuzz/checks.rs`), so that a finding that became a
//! corpus file is tested by every ordinary test run, without libFuzzer.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../../../fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails its check", path.display());
        n += 1;
    }
    assert!(n > 0, "{target}: the corpus is empty");
    eprintln!("{target}: {n} inputs");
}

#[test]
fn document_numbers() {
    replay("document_number", checks::document_number);
}

#[test]
fn dates_and_names() {
    replay("dates_names", checks::dates_names);
}

#[test]
fn checkin_batches() {
    replay("checkins", checks::checkins);
}

#[test]
fn ballot_forms() {
    replay("ballot", checks::ballot);
}

#[test]
fn member_imports() {
    replay("import", checks::import);
}
