//! Reads of personal data are audited together: many readers at once each get their own
//! line, in one unbroken chain, and none is answered before its line is stored. On
//! SQLite, and on PostgreSQL when `DANGBO_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used)]

use dangbo_app::{App, Clock};
use dangbo_domain::Date;
use dangbo_store::{AuditQuery, Db, testing};
use std::collections::BTreeSet;

const READERS: usize = 64;

async fn readers_at_once(db: Db) {
    let app = App::new(db, Clock::Fixed(Date::constant(2026, 11, 1)), "test");
    let tasks: Vec<_> = (0..READERS)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.record("member.view", &format!("person:{i}"), "").await.unwrap();
                // Answered: the line is there, seen from another transaction.
                let mut tx = app.db.read().await.unwrap();
                tx.audit_for(&format!("person:{i}")).await.unwrap().len()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 1, "a reader was answered before its line was stored");
    }
    let mut tx = app.db.read().await.unwrap();
    assert_eq!(tx.verify_audit().await.unwrap(), Ok(READERS as i64));
    let lines = tx
        .audit_search(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let subjects: BTreeSet<String> = lines.iter().map(|l| l.subject.clone()).collect();
    let expected: BTreeSet<String> = (0..READERS).map(|i| format!("person:{i}")).collect();
    assert_eq!(subjects, expected);
    assert!(lines.iter().all(|l| l.actor == "test" && l.action == "member.view"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_at_once_sqlite() {
    let t = testing::sqlite().await.unwrap();
    readers_at_once(t.db.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_at_once_postgres() {
    let Some(t) = testing::postgres().await.unwrap() else {
        eprintln!("DANGBO_TEST_POSTGRES is not set: skipped");
        return;
    };
    readers_at_once(t.db.clone()).await;
}
