//! Killing `dangbo import` with SIGKILL at any moment leaves the database as it was before
//! the import or as it is after it, never in between, and never corrupt.
#![allow(clippy::unwrap_used, missing_docs)]

use std::process::Command;
use std::time::{Duration, Instant};

mod common;

fn run(db: &std::path::Path, args: &[&str]) {
    common::ok(db, args);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_an_import_leaves_all_or_nothing() {
    const ROWS: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    run(&db, &["migrate"]);
    common::create_org(&db, "LS", "Đảng bộ tỉnh", "đảng bộ tỉnh", None);
    common::create_org(&db, "C1", "Chi bộ Một", "chi bộ cơ sở", Some("LS"));
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số thẻ đảng viên,Ngày vào Đảng,Mã chi bộ\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "Nông Văn Sơn,01/01/1980,Nam,Tày,{},01/01/2005,C1\n",
            40_000_000 + i
        ));
    }
    let file = dir.path().join("big.csv");
    std::fs::write(&file, csv).unwrap();

    // How long a whole import takes here, to spread the kills over it.
    let probe = dir.path().join("probe.db");
    std::fs::copy(&db, &probe).unwrap();
    let start = Instant::now();
    run(&probe, &["import", "members", file.to_str().unwrap()]);
    let full = start.elapsed();

    let mut outcomes = (0, 0);
    for k in 1..=8u32 {
        let victim = dir.path().join(format!("v{k}.db"));
        std::fs::copy(&db, &victim).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_dangbo"))
            .arg("--database-url")
            .arg(&victim)
            .args(["import", "members", file.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(full * k / 8 + Duration::from_millis(u64::from(k) * 7));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let store = dangbo_store::Db::open(victim.to_str().unwrap()).await.unwrap();
        store.check_integrity().await.unwrap();
        let n = store.read().await.unwrap().person_count().await.unwrap();
        store.close().await;
        assert!(n == 0 || n == ROWS as i64, "kill {k}: {n} people, neither none nor all");
        if n == 0 { outcomes.0 += 1 } else { outcomes.1 += 1 }
    }
    eprintln!(
        "killed 8 imports: {} left nothing, {} had committed",
        outcomes.0, outcomes.1
    );
}
