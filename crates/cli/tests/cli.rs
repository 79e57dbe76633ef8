//! The `dangbo` command as a user runs it: messages, exit codes, and the files it writes.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{dangbo, ok, text};
use std::path::Path;

fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("t.db");
    create_orgs(&db);
    db
}

/// The schema and a small tree: the province, a bloc and two of its cells.
fn create_orgs(db: &Path) {
    ok(db, &["migrate"]);
    common::create_org(db, "LS", "Đảng bộ tỉnh Lạng Sơn", "đảng bộ tỉnh", None);
    common::create_org(
        db,
        "KCQ",
        "Đảng bộ Khối các cơ quan tỉnh",
        "đảng bộ cấp trên cơ sở",
        Some("LS"),
    );
    common::create_org(db, "STP", "Chi bộ Sở Tư pháp", "chi bộ cơ sở", Some("KCQ"));
    common::create_org(db, "SNV", "Chi bộ Sở Nội vụ", "chi bộ cơ sở", Some("KCQ"));
}

const CSV: &str =
    "\u{feff}Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Số thẻ đảng viên,Ngày vào Đảng,Ngày chính thức,Chi bộ
Nguyễn Quốc Đoàn,12/05/1970,Nam,Tày,020070000001,20000001,03/02/1995,03/02/1996,Chi bộ Sở Tư pháp
Vũ Thị Phương Nga,01/09/1982,Nữ,Nùng,020082000002,20000002,19/05/2006,19/05/2007,Chi bộ Sở Nội vụ
";

#[test]
fn errors_are_sentences_with_the_right_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    // Usage errors: exit 2, with the domain's message.
    let o = dangbo(&db, &["org", "tree", "--date", "31/02/2024"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("Ngày «31/02/2024» không có trong lịch"),
        "{}",
        text(&o)
    );
    // User errors: exit 1, a Vietnamese sentence, or English with --lang en.
    let o = dangbo(&db, &["org", "show", "KHONGCO"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("Không có tổ chức đảng mã «KHONGCO»"), "{}", text(&o));
    let o = dangbo(&db, &["--lang", "en", "org", "show", "KHONGCO"]);
    assert!(text(&o).contains("no organization with code «KHONGCO»"), "{}", text(&o));
    let o = dangbo(
        &db,
        &[
            "org",
            "create",
            "--code",
            "X",
            "--name",
            "Chi bộ X",
            "--kind",
            "chi bộ trực thuộc",
            "--level",
            "tỉnh",
            "--parent",
            "KCQ",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("không thể trực thuộc"), "{}", text(&o));
    // An empty database is explained.
    let o = dangbo(&dir.path().join("empty.db"), &["org", "tree"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("dangbo migrate"), "{}", text(&o));
    assert!(ok(&db, &["--help"]).contains("import"));
}

#[test]
fn import_find_transfer_export_backup_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let file = dir.path().join("ds.csv");
    std::fs::write(&file, CSV).unwrap();
    let out = ok(
        &db,
        &["import", "members", file.to_str().unwrap(), "--date", "01/01/2024"],
    );
    assert!(out.contains("tạo mới 2"), "{out}");
    let out = ok(&db, &["member", "find", "nguyen", "quoc", "doan"]);
    assert!(out.contains("Nguyễn Quốc Đoàn"), "{out}");
    let out = ok(&db, &["member", "find", "doa"]);
    assert!(out.contains("Nguyễn Quốc Đoàn") && !out.contains("Phương Nga"), "{out}");
    ok(
        &db,
        &["member", "transfer", "20000001", "--to", "SNV", "--date", "01/06/2024"],
    );
    let out = ok(&db, &["member", "show", "020070000001"]);
    assert!(
        out.contains("Chi bộ Sở Tư pháp") && out.contains("Chi bộ Sở Nội vụ") && out.contains("01/06/2024"),
        "{out}"
    );
    let out = ok(&db, &["org", "tree", "--date", "31/05/2024"]);
    assert!(out.contains("Chi bộ Sở Tư pháp  [STP]"), "{out}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, CSV.replace("12/05/1970", "12/13/1970")).unwrap();
    let o = dangbo(&db, &["import", "members", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("Dòng 2, cột «Ngày sinh»"), "{}", text(&o));
    assert!(text(&o).contains("Không nhập dòng nào"), "{}", text(&o));

    let xlsx = dir.path().join("ds.xlsx");
    let out = ok(&db, &["export", "members", "--org", "LS", xlsx.to_str().unwrap()]);
    assert!(out.contains("Đã xuất 2 người"), "{out}");

    let backup = dir.path().join("saoluu.db");
    ok(&db, &["backup", backup.to_str().unwrap()]);
    ok(
        &db,
        &["member", "transfer", "20000001", "--to", "STP", "--date", "01/07/2024"],
    );
    let o = dangbo(&db, &["restore", backup.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "restore asks for --yes");
    ok(&db, &["restore", backup.to_str().unwrap(), "--yes"]);
    // The restored database records who restored it and from what, on its intact chain.
    let lines = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = dangbo_store::Db::open(db.to_str().unwrap()).await.unwrap();
        let lines = store.read().await.unwrap().audit_for("database").await.unwrap();
        store.close().await;
        lines
    });
    let last = lines.last().unwrap();
    assert_eq!(last.2, "restore", "{lines:?}");
    assert!(last.3.ends_with("saoluu.db") && last.1.starts_with("cli:"), "{last:?}");
    ok(&db, &["audit", "verify"]);
    let out = ok(&db, &["member", "show", "20000001"]);
    assert!(
        !out.contains("01/07/2024"),
        "the restore brought back the state of the backup: {out}"
    );
    let o = dangbo(&db, &["member", "find", "an", "--limit", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = dangbo(&db, &["member", "find", "%"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = dangbo(&db, &["backup", dir.path().join("no/such/folder.db").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("Không có thư mục"), "{}", text(&o));
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let o = dangbo(&db, &["restore", junk.to_str().unwrap(), "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("không phải bản sao lưu dangbo hợp lệ"),
        "{}",
        text(&o)
    );
    assert!(!dir.path().join("t.db.restoring").exists());
    ok(&db, &["member", "show", "20000001"]);
    ok(&db, &["org", "merge", "STP", "--into", "SNV", "--date", "01/08/2025"]);
    let out = ok(&db, &["org", "history", "STP"]);
    assert!(
        out.contains("01/01/2015 – 31/07/2025") && out.contains("hợp nhất vào SNV"),
        "{out}"
    );
}

#[tokio::test]
async fn postgres_backup_and_restore() {
    let Some(t) = dangbo_store::testing::postgres().await.unwrap() else {
        eprintln!("skipped: set DANGBO_TEST_POSTGRES to run against PostgreSQL");
        return;
    };
    if std::process::Command::new("pg_dump").arg("--version").output().is_err() {
        eprintln!("skipped: pg_dump is not installed");
        return;
    }
    let url = std::path::PathBuf::from(&t.url);
    let dir = tempfile::tempdir().unwrap();
    create_orgs(&url);
    let dump = dir.path().join("pg.dump");
    ok(&url, &["backup", dump.to_str().unwrap()]);
    ok(
        &url,
        &[
            "org",
            "rename",
            "LS",
            "--name",
            "Tên sau sao lưu",
            "--date",
            "01/01/2020",
        ],
    );
    ok(&url, &["restore", dump.to_str().unwrap(), "--yes"]);
    let out = ok(&url, &["org", "history", "LS"]);
    assert!(
        !out.contains("Tên sau sao lưu"),
        "the restore brought back the state of the backup: {out}"
    );
    let junk = dir.path().join("junk.dump");
    std::fs::write(&junk, b"not a dump").unwrap();
    let o = dangbo(&url, &["restore", junk.to_str().unwrap(), "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    ok(&url, &["org", "show", "LS"]);
    drop(t);
}

/// The members and the tree of the province as exported: what a restore must bring back.
fn registry(db: &Path, dir: &Path, name: &str) -> String {
    let members = dir.join(format!("{name}-members.csv"));
    let orgs = dir.join(format!("{name}-orgs.csv"));
    ok(db, &["export", "members", "--org", "LS", members.to_str().unwrap()]);
    ok(db, &["export", "orgs", "--org", "LS", orgs.to_str().unwrap()]);
    std::fs::read_to_string(members).unwrap() + &std::fs::read_to_string(orgs).unwrap()
}

#[test]
fn sealed_backup_under_write_load_restores_record_for_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let file = dir.path().join("ds.csv");
    std::fs::write(&file, CSV).unwrap();
    ok(
        &db,
        &["import", "members", file.to_str().unwrap(), "--date", "01/01/2024"],
    );
    let before = registry(&db, dir.path(), "before");

    // Write load: an import of 20,000 members in one transaction, running while the
    // backup is made.
    let mut big = String::from("Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Số thẻ đảng viên,Ngày vào Đảng,Chi bộ\n");
    let given = [
        "An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Long", "Nam", "Phúc",
    ];
    for i in 0..20_000 {
        big.push_str(&format!(
            "Lê Văn {},01/01/1980,Nam,Kinh,0200800{i:05},3{i:07},01/01/2010,Chi bộ Sở Nội vụ\n",
            given[i % given.len()]
        ));
    }
    let big_file = dir.path().join("lon.csv");
    std::fs::write(&big_file, big).unwrap();
    let mut load = std::process::Command::new(env!("CARGO_BIN_EXE_dangbo"))
        .args([
            "--database-url",
            db.to_str().unwrap(),
            "import",
            "members",
            big_file.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sealed = dir.path().join("saoluu.kin");
    let phrase = "Cụm mật khẩu sao lưu của Văn phòng Tỉnh ủy\n";
    // A weak passphrase is refused before anything is written.
    let o = common::run_with(
        &db,
        &["backup", "--encrypt", sealed.to_str().unwrap()],
        Some("matkhau123\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!sealed.exists());
    let o = common::run_with(&db, &["backup", "--encrypt", sealed.to_str().unwrap()], Some(phrase));
    assert!(o.status.success(), "{}", text(&o));
    assert!(load.wait().unwrap().success(), "the import under way succeeded");
    let after = registry(&db, dir.path(), "after");
    assert_ne!(before, after);
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"DANGBO-SEALED-1\n"));
    assert!(
        !bytes.windows(15).any(|w| w == b"SQLite format 3"),
        "the backup is sealed"
    );
    assert!(
        !dir.path().join("saoluu.plain-tmp").exists(),
        "no plain copy is left beside it"
    );

    // A wrong passphrase restores nothing and leaves no plain copy.
    let restored = dir.path().join("khoiphuc.db");
    let o = common::run_with(
        &restored,
        &["restore", sealed.to_str().unwrap(), "--yes"],
        Some("Một cụm khác hẳn 2026\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("Sai cụm mật khẩu"), "{}", text(&o));
    assert!(!restored.exists() && !dir.path().join("saoluu.opened-tmp").exists());

    // The right one brings back the registry as it stood at one moment: before the
    // import or after it, record for record, never half of it.
    let o = common::run_with(&restored, &["restore", sealed.to_str().unwrap(), "--yes"], Some(phrase));
    assert!(o.status.success(), "{}", text(&o));
    let got = registry(&restored, dir.path(), "got");
    assert!(
        got == before || got == after,
        "the restored registry is one the database held"
    );
    ok(&restored, &["audit", "verify"]);
}
