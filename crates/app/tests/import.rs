//! Importing and exporting members: bad rows reported exactly and nothing written, the
//! `skip_invalid` path with its rejects file, re-imports that update instead of
//! duplicating, and an export that imports back into an empty database unchanged.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::import::ImportOptions;
use dangbo_app::orgs::NewOrg;
use dangbo_app::{App, Clock};
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang};
use dangbo_store::testing;
use std::collections::BTreeSet;
use std::path::Path;

const HEADER: &str =
    "STT,Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Số thẻ đảng viên,Ngày vào Đảng,Ngày chính thức,Chi bộ,Mã chi bộ";

async fn app_with_cells() -> (testing::TestDb, App) {
    let t = testing::sqlite().await.unwrap();
    let app = App::new(t.db.clone(), Clock::Fixed(Date::constant(2026, 11, 21)), "test");
    let on = Date::constant(2015, 1, 1);
    let mk = |c: &str, n: &str, k: OrgKind, p: Option<&str>| NewOrg {
        code: OrgCode::parse(c).unwrap(),
        name: OrgName::parse(n).unwrap(),
        kind: k,
        level: Level::Province,
        parent: p.map(|p| OrgCode::parse(p).unwrap()),
    };
    app.create_org(&mk("LS", "Đảng bộ tỉnh Lạng Sơn", OrgKind::Provincial, None), on)
        .await
        .unwrap();
    app.create_org(
        &mk("KCQ", "Đảng bộ Khối các cơ quan tỉnh", OrgKind::UpperBase, Some("LS")),
        on,
    )
    .await
    .unwrap();
    app.create_org(&mk("STP", "Chi bộ Sở Tư pháp", OrgKind::BaseCell, Some("KCQ")), on)
        .await
        .unwrap();
    app.create_org(
        &mk("VP", "Đảng bộ Văn phòng UBND tỉnh", OrgKind::BaseCommittee, Some("KCQ")),
        on,
    )
    .await
    .unwrap();
    app.create_org(
        &mk("VP.1", "Chi bộ Phòng Tổng hợp", OrgKind::SubordinateCell, Some("VP")),
        on,
    )
    .await
    .unwrap();
    (t, app)
}

fn opts(skip: bool) -> ImportOptions {
    ImportOptions {
        skip_invalid: skip,
        on: Date::constant(2026, 11, 21),
        mapping: Default::default(),
        rejects: None,
        scope: None,
        dry_run: false,
        name: None,
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn good_row(i: usize) -> String {
    let names = [
        "Hoàng Văn Chính",
        "Vũ Thị Phương Nga",
        "Nguyễn Hoàng Tùng",
        "Lương Thị Hương",
        "Nông Văn Sơn",
    ];
    let cell = if i.is_multiple_of(2) {
        ",STP"
    } else {
        "Chi bộ Phòng Tổng hợp,"
    };
    format!(
        "{i},{},{:02}/0{}/19{},{},{},0200{:08},{},{:02}/03/2005,{:02}/04/2006,{cell}",
        names[i % names.len()],
        1 + i % 28,
        1 + i % 9,
        50 + i % 35,
        if i.is_multiple_of(3) { "Nữ" } else { "Nam" },
        ["Tày", "Nùng", "Kinh", "Dao"][i % 4],
        i,
        30_000_000 + i,
        1 + i % 28,
        1 + i % 28,
    )
}

async fn count(app: &App) -> i64 {
    app.db.read().await.unwrap().person_count().await.unwrap()
}

#[tokio::test]
async fn bad_rows_are_reported_and_nothing_is_written() {
    let (_t, app) = app_with_cells().await;
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        good_row(1),
        "2,Nguyễn Văn An,31/02/1980,Nam,Tày,020080000002,30000002,01/03/2005,02/04/2006,,STP".to_string(),
        "3,Lê Thị Bình,01/01/1980,Nữ,Klingon,020080000003,30000003,01/03/2005,02/04/2006,,STP".to_string(),
        "4,Trần Văn Cường,01/01/1990,Nam,Kinh,020090000004,30000004,01/03/2005,02/04/2006,,STP".to_string(),
        "5,Hà Văn Dũng,01/01/1980,Nam,Kinh,020080000005,30000005,01/03/2005,02/04/2006,,KHONGCO".to_string(),
        "6,Phạm Văn Em,01/01/1980,Nam,Kinh,020080000006,30000001,01/03/2005,02/04/2006,,STP".to_string(),
        "7,Vi Văn Giang,01/01/1980,Nam,Kinh,,,01/03/2005,02/04/2006,,STP".to_string(),
        "8,Lò Văn Hải,01/01/1980,Nam,Kinh,020080000008,30000008,01/03/2005,02/04/2006,,VP".to_string(),
    ];
    let csv = format!("\u{feff}{HEADER}\n{}\n", rows.join("\n"));
    let file = write(dir.path(), "ds.csv", &csv);
    let report = app.import_members(&file, &opts(false), &|_, _| {}).await.unwrap();
    assert!(!report.applied);
    let got: Vec<(usize, String)> = report.errors.iter().map(|e| (e.row, e.column.clone())).collect();
    assert_eq!(
        got,
        vec![
            (3, "Ngày sinh".into()),
            (4, "Dân tộc".into()),
            (5, "Ngày vào Đảng".into()),
            (6, "Mã chi bộ".into()),
            (7, "Số thẻ đảng viên".into()),
            (8, "Số thẻ đảng viên".into()),
            (9, "Mã chi bộ".into()),
        ]
    );
    let msgs: Vec<String> = report.errors.iter().map(|e| e.message(Lang::Vi)).collect();
    assert!(
        msgs[0].starts_with("Dòng 3, cột «Ngày sinh»: Ngày «31/02/1980» không có trong lịch"),
        "{}",
        msgs[0]
    );
    assert!(msgs[2].contains("chưa đủ 18 tuổi"), "{}", msgs[2]);
    assert!(msgs[4].contains("trùng với dòng 2"), "{}", msgs[4]);
    assert!(msgs[6].contains("không phải chi bộ"), "{}", msgs[6]);
    assert!(
        report.errors[0]
            .message(Lang::En)
            .starts_with("Row 3, column «Ngày sinh»: «31/02/1980» is not a day of the calendar")
    );
    assert_eq!(count(&app).await, 0, "nothing is written when a row is bad");

    // With skip_invalid the good row goes in and the bad ones go to the rejects file.
    let report = app.import_members(&file, &opts(true), &|_, _| {}).await.unwrap();
    assert!(report.applied);
    assert_eq!((report.created, report.rejected_rows), (1, 7));
    let rejects = std::fs::read_to_string(report.rejects_file.unwrap()).unwrap();
    assert_eq!(rejects.lines().count(), 8);
    assert!(rejects.contains("Lỗi"));
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn missing_columns_and_files_are_explained() {
    let (_t, app) = app_with_cells().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "x.csv",
        "Họ và tên,Ngày sinh,Giới tính\nA B,01/01/1980,Nam\n",
    );
    let report = app.import_members(&file, &opts(false), &|_, _| {}).await.unwrap();
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0]
            .message(Lang::Vi)
            .contains("Thiếu cột bắt buộc: Dân tộc, Ngày vào Đảng, Chi bộ")
    );
    let err = app
        .import_members(&dir.path().join("none.csv"), &opts(false), &|_, _| {})
        .await
        .unwrap_err();
    assert!(err.message(Lang::Vi).contains("none.csv"));
    let file = write(dir.path(), "x.pdf", "");
    assert!(app.import_members(&file, &opts(false), &|_, _| {}).await.is_err());
}

#[tokio::test]
async fn reimport_updates_and_transfers_without_duplicates() {
    let (_t, app) = app_with_cells().await;
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (1..=20).map(good_row).collect();
    let file = write(dir.path(), "a.csv", &format!("{HEADER}\n{}\n", rows.join("\n")));
    let r = app.import_members(&file, &opts(false), &|_, _| {}).await.unwrap();
    assert_eq!((r.created, r.updated), (20, 0));
    // Row 1 moves to STP; row 2 gets a new name; everything else is unchanged.
    let mut rows2 = rows.clone();
    rows2[0] = rows2[0].replace("Chi bộ Phòng Tổng hợp,", ",STP");
    rows2[2] = rows2[2].replace("Lương Thị Hương", "Lương Thị Thu Hương");
    let file = write(dir.path(), "b.csv", &format!("{HEADER}\n{}\n", rows2.join("\n")));
    let r = app.import_members(&file, &opts(false), &|_, _| {}).await.unwrap();
    assert_eq!((r.created, r.updated, r.transferred), (0, 20, 1));
    assert_eq!(count(&app).await, 20);
    let d = app.member_detail("30000001").await.unwrap();
    assert_eq!(d.placements.len(), 2, "the transfer keeps the old placement");
    assert_eq!(d.placements[1].0.org_code.as_str(), "STP");
    let d = app.member_detail("30000003").await.unwrap();
    assert_eq!(d.row.person.name.full(), "Lương Thị Thu Hương");
}

#[tokio::test]
async fn export_then_import_into_an_empty_database_gives_the_same_registry() {
    let (_t, app) = app_with_cells().await;
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (1..=50).map(good_row).collect();
    let file = write(dir.path(), "a.csv", &format!("{HEADER}\n{}\n", rows.join("\n")));
    app.import_members(&file, &opts(false), &|_, _| {}).await.unwrap();
    let on = Date::constant(2026, 11, 21);
    let ls = OrgCode::parse("LS").unwrap();
    for ext in ["xlsx", "csv"] {
        let orgs = dir.path().join(format!("orgs.{ext}"));
        let members = dir.path().join(format!("members.{ext}"));
        assert_eq!(app.export_orgs(&ls, on, &orgs).await.unwrap(), 5);
        assert_eq!(app.export_members(&ls, on, &members).await.unwrap(), 50);
        // Each file opens with who made it, when, and of what; the importers skip that line.
        for file in [&orgs, &members] {
            let first = dangbo_app::table::read(file).unwrap().rows[0].1[0].text();
            assert!(
                first.starts_with("Xuất từ dangbo bởi test lúc 21/11/2026 00:00: "),
                "{ext}: {first}"
            );
        }

        let t2 = testing::sqlite().await.unwrap();
        let app2 = App::new(t2.db.clone(), Clock::Fixed(on), "test");
        assert_eq!(app2.import_orgs(&orgs).await.unwrap().unwrap(), 5);
        let r = app2.import_members(&members, &opts(false), &|_, _| {}).await.unwrap();
        assert!(
            r.errors.is_empty(),
            "{:?}",
            r.errors.iter().map(|e| e.message(Lang::Vi)).collect::<Vec<_>>()
        );
        assert_eq!(r.created, 50);

        let registry = |app: &App| {
            let app = app.clone();
            async move {
                let (rows, _) = app
                    .search_members(Some(&OrgCode::parse("LS").unwrap()), on, "", 1000, 0)
                    .await
                    .unwrap();
                rows.into_iter()
                    .map(|v| (v.row.person, v.row.membership, v.org_code, v.org_name))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(registry(&app).await, registry(&app2).await, "round trip through {ext}");
    }
}

#[tokio::test]
async fn a_hundred_thousand_rows_with_one_percent_bad_reports_exactly_those() {
    let (_t, app) = app_with_cells().await;
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(HEADER);
    text.push('\n');
    let mut bad = BTreeSet::new();
    for i in 1..=100_000usize {
        let row = good_row(i);
        let line = if i % 100 == 37 {
            bad.insert(i + 1); // spreadsheet row: the header is row 1
            match (i / 100) % 5 {
                0 => row.replace("/19", "/18"), // born before 1900 — out of range
                1 => row
                    .replace(",Tày,", ",Tay Ban Nha,")
                    .replace(",Nùng,", ",Tay Ban Nha,")
                    .replace(",Kinh,", ",Tay Ban Nha,")
                    .replace(",Dao,", ",Tay Ban Nha,"),
                2 => row.replace(",Nam,", ",Khác,").replace(",Nữ,", ",Khác,"),
                3 => row
                    .replacen(&format!("{i},"), &format!("{i},X,"), 1)
                    .replacen(",X,", ",", 1)
                    .replace("/2005", "/2035"),
                _ => row.replace(",STP", ",NOPE").replace("Chi bộ Phòng Tổng hợp,", ",NOPE"),
            }
        } else {
            row
        };
        text.push_str(&line);
        text.push('\n');
    }
    let file = write(dir.path(), "big.csv", &text);
    let report = app.import_members(&file, &opts(false), &|_, _| {}).await.unwrap();
    let rows: BTreeSet<usize> = report.errors.iter().map(|e| e.row).collect();
    assert_eq!(report.rows, 100_000);
    let unexpected: Vec<_> = rows.symmetric_difference(&bad).take(10).collect();
    assert!(
        unexpected.is_empty(),
        "rows reported but not bad, or bad but not reported: {unexpected:?}"
    );
    assert_eq!(rows.len(), 1000);
    assert_eq!(count(&app).await, 0);
    let report = app.import_members(&file, &opts(true), &|_, _| {}).await.unwrap();
    assert_eq!(report.created, 99_000);
    assert_eq!(count(&app).await, 99_000);
}

#[tokio::test]
async fn title_rows_above_the_header_and_a_mapping_file() {
    let (_t, app) = app_with_cells().await;
    let dir = tempfile::tempdir().unwrap();
    // An office's sheet: a title, a blank row, then its own headers.
    let text = "DANH SÁCH ĐẢNG VIÊN CHI BỘ SỞ TƯ PHÁP,,,,,,\n,,,,,,\nHỌ TÊN,NGÀY SINH,GIỚI,DÂN TỘC,THẺ SỐ,KẾT NẠP,ĐƠN VỊ\n\
Hà Thị Mai,02/03/1979,Nữ,Tày,20101010,01/01/2004,STP\n";
    let file = write(dir.path(), "t.csv", text);
    // «THẺ SỐ» and «ĐƠN VỊ» are not headers dangbo knows: the mapping names them.
    let mapping =
        dangbo_app::import::parse_mapping("# cột của văn phòng\nTHẺ SỐ = card_number\nĐƠN VỊ = Mã chi bộ\n").unwrap();
    let mut o = opts(false);
    o.mapping = mapping;
    let r = app.import_members(&file, &o, &|_, _| {}).await.unwrap();
    assert!(
        r.errors.is_empty(),
        "{:?}",
        r.errors.iter().map(|e| e.message(Lang::Vi)).collect::<Vec<_>>()
    );
    assert_eq!(r.created, 1);
    assert!(dangbo_app::import::parse_mapping("no equals sign").is_err());
}

#[tokio::test]
async fn the_demo_registry_survives_export_and_import_into_an_empty_database() {
    let on = Date::constant(2026, 11, 21);
    let src = testing::sqlite().await.unwrap();
    let app = App::new(src.db.clone(), Clock::Fixed(on), "test");
    app.load_demo(7, &|_| {}).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ls = OrgCode::parse("LS").unwrap();
    let (orgs, members) = (dir.path().join("orgs.xlsx"), dir.path().join("members.xlsx"));
    app.export_orgs(&ls, on, &orgs).await.unwrap();
    let exported = app.export_members(&ls, on, &members).await.unwrap();

    let dst = testing::sqlite().await.unwrap();
    let app2 = App::new(dst.db.clone(), Clock::Fixed(on), "test");
    app2.import_orgs(&orgs).await.unwrap().unwrap();
    let r = app2.import_members(&members, &opts(false), &|_, _| {}).await.unwrap();
    assert!(
        r.errors.is_empty(),
        "{:?}",
        r.errors.iter().take(5).map(|e| e.message(Lang::Vi)).collect::<Vec<_>>()
    );
    assert_eq!(r.created, exported);

    let registry = |app: App| async move {
        let (rows, total) = app.search_members(None, on, "", 100_000, 0).await.unwrap();
        let rows: Vec<_> = rows
            .into_iter()
            .map(|v| (v.row.person, v.row.membership, v.org_code, v.org_name))
            .collect();
        (rows, total)
    };
    let (a, b) = (registry(app).await, registry(app2).await);
    assert!(
        a.0.iter()
            .any(|r| r.0.kind != dangbo_domain::member::PersonKind::Member),
        "non-members are part of it"
    );
    assert_eq!(a.1, b.1);
    assert_eq!(a.0, b.0);
}
