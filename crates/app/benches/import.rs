//! Import throughput: 100,000 member rows from a CSV file through the whole import
//! (read, parse, check, resolve organizations, match existing people, write three tables
//! in one transaction), and, in the same run, a raw multi-row insert of the same rows'
//! cells into a bare SQLite table as the reference. Prints rows per second for both.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::import::ImportOptions;
use dangbo_app::orgs::NewOrg;
use dangbo_app::{App, Clock};
use dangbo_domain::Date;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_store::testing;
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

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("members.csv");
        let text = csv();
        std::fs::write(&file, &text).unwrap();

        let t = testing::sqlite().await.unwrap();
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
        };
        let start = Instant::now();
        let report = app.import_members(&file, &opts, &|_, _| {}).await.unwrap();
        let import_secs = start.elapsed().as_secs_f64();
        assert_eq!(report.created, ROWS);

        // The reference: the same cells, inserted as they are into a bare table.
        let raw = testing::sqlite().await.unwrap();
        let cells: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
        let start = Instant::now();
        raw.db.raw_insert_benchmark(&cells).await.unwrap();
        let raw_secs = start.elapsed().as_secs_f64();

        let import_rate = ROWS as f64 / import_secs;
        let raw_rate = ROWS as f64 / raw_secs;
        println!("import members: {ROWS} rows in {import_secs:.2} s = {import_rate:.0} rows/s");
        println!("raw SQLite insert of the same rows: {raw_secs:.2} s = {raw_rate:.0} rows/s");
        println!("import / raw = {:.2}", import_rate / raw_rate);
    });
}
