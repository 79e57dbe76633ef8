//! `dangbo user …` and `dangbo audit verify` as an administrator runs them.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{ok, run_with as dangbo, text};

#[test]
fn accounts_and_the_audit_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["migrate"]);
    common::create_org(&db, "LS", "Đảng bộ tỉnh Lạng Sơn", "đảng bộ tỉnh", None);

    // A generated password is printed once; one from stdin is not.
    let out = ok(&db, &["user", "add", "quantri", "--name", "Quản trị"]);
    assert!(out.contains("Mật khẩu:"), "{out}");
    let o = dangbo(
        &db,
        &["user", "add", "vanphong", "--name", "Văn phòng", "--password-stdin"],
        Some("mat-khau-du-dai\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("mat-khau-du-dai"));

    // Bad input: a short password, a taken name, a role without its organization.
    let o = dangbo(
        &db,
        &["user", "add", "ngan", "--name", "X", "--password-stdin"],
        Some("ngan\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("ít nhất 10 ký tự"), "{}", text(&o));
    let o = dangbo(&db, &["user", "add", "vanphong", "--name", "Y"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("Đã tồn tại"), "{}", text(&o));
    let o = dangbo(&db, &["user", "grant", "vanphong", "office"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("cần một tổ chức"), "{}", text(&o));
    let o = dangbo(&db, &["user", "grant", "vanphong", "chief"], None);
    assert_eq!(o.status.code(), Some(2));

    ok(&db, &["user", "grant", "quantri", "admin"]);
    ok(&db, &["user", "grant", "vanphong", "office", "--org", "LS"]);
    let list = ok(&db, &["user", "list"]);
    assert!(list.contains("vanphong") && list.contains("LS"), "{list}");
    let token = ok(&db, &["user", "token", "vanphong", "--name", "báo cáo"]);
    assert!(token.lines().last().unwrap().trim().len() == 64, "{token}");
    ok(&db, &["user", "revoke", "vanphong", "office"]);
    let o = dangbo(&db, &["user", "revoke", "vanphong", "office"], None);
    assert_eq!(o.status.code(), Some(1));
    ok(&db, &["user", "reset-password", "vanphong"]);

    // Every one of those changes is in the log, and the chain holds.
    let verified = ok(&db, &["audit", "verify"]);
    assert!(verified.contains("nguyên vẹn"), "{verified}");

    // Edit one line behind dangbo's back: verify says so and exits 1.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = dangbo_store::Db::open(db.to_str().unwrap()).await.unwrap();
        let mut tx = store.write().await.unwrap();
        tx.tamper_audit_for_tests("UPDATE audit_log SET detail = 'đã sửa' WHERE id = 2")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    });
    let o = dangbo(&db, &["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("dòng 2 đã bị sửa"), "{}", text(&o));
}
