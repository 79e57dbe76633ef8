//! Import throughput: 100,000 member rows from a CSV file through the whole import
//! (read, parse, check, resolve organizations, match existing people, write three tables
//! in one transaction), and, in the same run, a raw multi-row insert of the same rows'
//! cells into a bare table as the reference. Prints rows per second for both, on SQLite
//! and, when `DANGBO_TEST_POSTGRES` names a server, on PostgreSQL.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::import::ImportOptions;
use dangbo_app::orgs::NewOrg;
use dangbo_app::{App, Clock};
use dangbo_domain::Date;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_store::testing::{self, TestDb};
use std::time::Instant;

const ROWS: usize = 100_000;

fn csv() -> String {
    let names = [
        "Hoàng Văn Chính",
        "Vũ Thị Phương Nga",
        "Nguyễn Hoàng Tùng",
        "Lương Thị Hương",
        "Nông Văn Sơn",
    ];
    let mut s = String::from(
        "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Số thẻ đảng viên,Ngày vào Đảng,Ngày chính thức,Mã chi bộ\n",
    );
    for i in 0..ROWS {
        s.push_str(&format!(
            "{},{:02}/{:02}/19{},{},{},0200{:08},{},{:02}/03/2005,{:02}/04/2006,C{}\n",
            names[i % 5],
            1 + i % 28,
            1 + i % 12,
            50 + i % 35,
            if i.is_multiple_of(3) { "Nữ" } else { "Nam" },
            ["Tày", "Nùng", "Kinh", "Dao"][i % 4],
            i,
            30_000_000 + i,
            1 + i % 28,
            1 + i % 28,
            i % 50
        ));
    }
    s
}

/// A fresh database of the kind being measured.
async fn fresh(postgres: bool) -> TestDb {
    if postgres {
        testing::postgres().await.unwrap().expect("DANGBO_TEST_POSTGRES")
    } else {
        testing::sqlite().await.unwrap()
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members.csv");
    let text = csv();
    std::fs::write(&file, &text).unwrap();
    rt.block_on(measure("SQLite", false, &file, &text));
    if std::env::var("DANGBO_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        rt.block_on(measure("PostgreSQL", true, &file, &text));
    }
}

async fn measure(label: &str, postgres: bool, file: &std::path::Path, text: &str) {
    {
        let t = fresh(postgres).await;
        let app = App::new(t.db.clone(), Clock::Fixed(Date::constant(2026, 11, 21)), "bench");
        let on = Date::constant(2015, 1, 1);
        let org = |c: &str, n: &str, k, p: Option<&str>| NewOrg {
            code: OrgCode::parse(c).unwrap(),
            name: OrgName::parse(n).unwrap(),
            kind: k,
            level: Level::Province,
            parent: p.map(|p| OrgCode::parse(p).unwrap()),
        };
        app.create_org(&org("LS", "Đảng bộ tỉnh", OrgKind::Provincial, None), on)
            .await
            .unwrap();
        for c in 0..50 {
            app.create_org(
                &org(
                    &format!("C{c}"),
                    &format!("Chi bộ số {c}"),
                    OrgKind::BaseCell,
                    Some("LS"),
                ),
                on,
            )
            .await
            .unwrap();
        }
        let opts = ImportOptions {
            skip_invalid: false,
            on: Date::constant(2026, 11, 21),
            mapping: Default::default(),
            rejects: None,
            scope: None,
            dry_run: false,
            name: None,
        };
        let start = Instant::now();
        let report = app.import_members(file, &opts, &|_, _| {}).await.unwrap();
        let import_secs = start.elapsed().as_secs_f64();
        assert_eq!(report.created, ROWS);

        // The reference: the same cells, inserted as they are into a bare table.
        let raw = fresh(postgres).await;
        let cells: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
        let start = Instant::now();
        raw.db.raw_insert_benchmark(&cells).await.unwrap();
        let raw_secs = start.elapsed().as_secs_f64();

        // A second reference: the same members, already parsed, written straight into the
        // registry's tables (with their indexes) through the store, without the importer.
        let reg = fresh(postgres).await;
        let app2 = App::new(reg.db.clone(), Clock::Fixed(Date::constant(2026, 11, 21)), "bench");
        app2.create_org(&org("LS", "Đảng bộ tỉnh", OrgKind::Provincial, None), on)
            .await
            .unwrap();
        app2.create_org(&org("C0", "Chi bộ số 0", OrgKind::BaseCell, Some("LS")), on)
            .await
            .unwrap();
        let (people, _) = app
            .search_members(
                Some(&OrgCode::parse("LS").unwrap()),
                Date::constant(2026, 11, 21),
                "",
                ROWS as i64,
                0,
            )
            .await
            .unwrap();
        let start = Instant::now();
        let mut tx = reg.db.write().await.unwrap();
        let cell = tx
            .org_by_code(&OrgCode::parse("C0").unwrap(), on)
            .await
            .unwrap()
            .unwrap()
            .id;
        let ids = tx.reserve_person_ids(people.len()).await.unwrap();
        let rows: Vec<_> = ids.iter().copied().zip(people.iter().map(|v| &v.row.person)).collect();
        tx.insert_people(&rows).await.unwrap();
        let ms: Vec<_> = ids
            .iter()
            .copied()
            .zip(people.iter().filter_map(|v| v.row.membership.as_ref()))
            .collect();
        tx.upsert_memberships(&ms).await.unwrap();
        let pl: Vec<_> = ids.iter().map(|i| (*i, cell, on, "bench")).collect();
        tx.insert_placements(&pl).await.unwrap();
        tx.commit().await.unwrap();
        let registry_secs = start.elapsed().as_secs_f64();

        let import_rate = ROWS as f64 / import_secs;
        let raw_rate = ROWS as f64 / raw_secs;
        println!("{label}: import members: {ROWS} rows in {import_secs:.2} s = {import_rate:.0} rows/s");
        println!("{label}: raw insert of the same rows into a bare table: {raw_secs:.2} s = {raw_rate:.0} rows/s");
        let registry_rate = ROWS as f64 / registry_secs;
        println!(
            "{label}: store write of the same members, already parsed, into the registry's tables: {registry_secs:.2} s = {registry_rate:.0} rows/s"
        );
        println!(
            "{label}: import / raw = {:.2}; import / store write = {:.2}",
            import_rate / raw_rate,
            import_rate / registry_rate
        );
    }
}
