//! The audit log's hash chain: an intact log verifies, and editing, removing or
//! reordering any line, or removing the newest, is detected. On SQLite, and on
//! PostgreSQL when `DANGBO_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_store::testing::{self, TestDb};
use dangbo_store::{AuditBreak, Db};

async fn write_lines(db: &Db, n: usize) {
    for i in 0..n {
        let mut tx = db.write().await.unwrap();
        tx.audit(
            &format!("2026-11-21T09:{i:02}:00+07:00"),
            "user:test",
            "member.view",
            &format!("person:{i}"),
            &format!("dòng {i}"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn verify(db: &Db) -> Result<i64, AuditBreak> {
    let mut tx = db.read().await.unwrap();
    tx.verify_audit().await.unwrap()
}

async fn tamper(db: &Db, sql: &str) {
    let mut tx = db.write().await.unwrap();
    tx.tamper_audit_for_tests(sql).await.unwrap();
    tx.commit().await.unwrap();
}

async fn fresh(
    make: &dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<TestDb>>>>,
) -> Option<TestDb> {
    let t = make().await?;
    write_lines(&t.db, 6).await;
    assert_eq!(verify(&t.db).await, Ok(6));
    Some(t)
}

async fn scenarios(make: &dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<TestDb>>>>) {
    // An edited line.
    let Some(t) = fresh(make).await else { return };
    tamper(&t.db, "UPDATE audit_log SET detail = 'sửa' WHERE id = 3").await;
    assert_eq!(verify(&t.db).await, Err(AuditBreak::Hash { id: 3 }));

    // An edited actor, even with the stored hash left as it was.
    let t = fresh(make).await.unwrap();
    tamper(&t.db, "UPDATE audit_log SET actor = 'user:someone' WHERE id = 5").await;
    assert_eq!(verify(&t.db).await, Err(AuditBreak::Hash { id: 5 }));

    // A removed line in the middle.
    let t = fresh(make).await.unwrap();
    tamper(&t.db, "DELETE FROM audit_log WHERE id = 2").await;
    assert_eq!(verify(&t.db).await, Err(AuditBreak::Gap { expected: 2, found: 3 }));

    // Two lines swapped, hashes and all: the content no longer matches the position.
    let t = fresh(make).await.unwrap();
    tamper(&t.db, "UPDATE audit_log SET id = 100 WHERE id = 2").await;
    tamper(&t.db, "UPDATE audit_log SET id = 2 WHERE id = 4").await;
    tamper(&t.db, "UPDATE audit_log SET id = 4 WHERE id = 100").await;
    assert_eq!(verify(&t.db).await, Err(AuditBreak::Hash { id: 2 }));

    // The newest line removed: the chain is whole but shorter than the head records.
    let t = fresh(make).await.unwrap();
    tamper(&t.db, "DELETE FROM audit_log WHERE id = 6").await;
    assert!(matches!(verify(&t.db).await, Err(AuditBreak::Head { .. })));

    // Appending goes on from the head after verification.
    let t = fresh(make).await.unwrap();
    write_lines(&t.db, 2).await;
    assert_eq!(verify(&t.db).await, Ok(8));
}

#[tokio::test(flavor = "multi_thread")]
async fn tampering_is_detected_sqlite() {
    scenarios(&|| Box::pin(async { Some(testing::sqlite().await.unwrap()) })).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tampering_is_detected_postgres() {
    if std::env::var("DANGBO_TEST_POSTGRES").is_err() {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    }
    scenarios(&|| Box::pin(async { testing::postgres().await.unwrap() })).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_appends_keep_one_chain() {
    let mut dbs = vec![testing::sqlite().await.unwrap()];
    if let Some(pg) = testing::postgres().await.unwrap() {
        dbs.push(pg);
    }
    for t in dbs {
        let mut tasks = Vec::new();
        for w in 0..8 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let mut tx = db.append().await.unwrap();
                    tx.audit(
                        "2026-11-21T10:00:00+07:00",
                        &format!("user:w{w}"),
                        "member.view",
                        &format!("person:{i}"),
                        "",
                    )
                    .await
                    .unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(verify(&t.db).await, Ok(80));
    }
}
