//! Running the `dangbo` binary from the tests, on a given database.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

pub mod ballot;
pub mod server;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `dangbo --database-url DB ARGS…`, feeding `stdin` if given, with the user's
/// `DANGBO_*` settings removed.
pub fn run_with(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dangbo"))
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env_remove("DANGBO_DATABASE_URL")
        .env_remove("DANGBO_LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// Runs `dangbo` with nothing on its input.
pub fn dangbo(db: &Path, args: &[&str]) -> Output {
    run_with(db, args, None)
}

/// What it printed, standard output then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `dangbo` and insists that it succeeds; returns what it printed.
pub fn ok(db: &Path, args: &[&str]) -> String {
    let o = dangbo(db, args);
    assert!(o.status.success(), "dangbo {args:?} failed: {}", text(&o));
    text(&o)
}

/// Creates an organization at provincial level, founded 01/01/2015.
pub fn create_org(db: &Path, code: &str, name: &str, kind: &str, parent: Option<&str>) {
    let mut args = vec![
        "org", "create", "--code", code, "--name", name, "--kind", kind, "--level", "tỉnh",
    ];
    if let Some(p) = parent {
        args.extend(["--parent", p]);
    }
    args.extend(["--date", "01/01/2015"]);
    ok(db, &args);
}
