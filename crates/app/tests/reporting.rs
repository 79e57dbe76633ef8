//! The reporting regime end to end: a bloc asks its two base organizations for a
//! six-month report; one fills in its form (pre-filled from dangbo's figures), a colleague
//! editing at the same time is refused rather than overwritten, it submits; the other is
//! reminded, then submits; the bloc compiles the two into one table and a spreadsheet.
//! On SQLite, and on PostgreSQL when `DANGBO_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::{Caller, Grant, Role};
use dangbo_app::orgs::NewOrg;
use dangbo_app::reporting::RequestInput;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang, Validity};
use dangbo_store::Db;

const FOUNDED: Date = Date::constant(2020, 1, 1);
const TODAY: Date = Date::constant(2026, 7, 10);

fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

fn caller(id: i64, name: &str, role: Role, org: dangbo_domain::org::OrgId) -> Caller {
    Caller {
        account_id: id,
        username: name.into(),
        display_name: name.into(),
        person: None,
        grants: vec![Grant {
            id,
            role,
            org: Some(org),
            validity: Validity::since(FOUNDED),
        }],
    }
}

fn answers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

async fn reporting(db: Db) {
    let app = App::new(db.clone(), Clock::Fixed(TODAY), "test");
    for (c, n, kind, parent) in [
        ("T", "Đảng bộ tỉnh", OrgKind::Provincial, None),
        ("K", "Đảng bộ Khối", OrgKind::UpperBase, Some("T")),
        ("K.A", "Đảng bộ Sở A", OrgKind::BaseCommittee, Some("K")),
        ("K.A.1", "Chi bộ Phòng 1", OrgKind::SubordinateCell, Some("K.A")),
        ("K.A.2", "Chi bộ Phòng 2", OrgKind::SubordinateCell, Some("K.A")),
        ("K.B", "Chi bộ Sở B", OrgKind::BaseCell, Some("K")),
    ] {
        let new = NewOrg {
            code: code(c),
            name: OrgName::parse(n).unwrap(),
            kind,
            level: Level::Province,
            parent: parent.map(code),
        };
        app.create_org(&new, FOUNDED).await.unwrap();
    }
    // Seven people in Sở A's cells, three in Sở B.
    for i in 0..10 {
        let record = PersonRecord {
            kind: PersonKind::Member,
            name: PersonName::parse(&format!("Lê Văn {}", ["An", "Bình", "Chi", "Dung", "Hà"][i % 5])).unwrap(),
            gender: Gender::Male,
            birth_date: Date::constant(1980, 1, 1),
            ethnicity: Ethnicity::parse("Kinh").unwrap(),
            citizen_id: None,
            card_number: Some(CardNumber::parse(&format!("030{i:05}")).unwrap()),
            admitted_on: Some(Date::constant(2010, 1, 1)),
            full_on: Some(Date::constant(2011, 1, 1)),
            exempt: false,
            phone: None,
        };
        let cell = match i {
            0..4 => "K.A.1",
            4..7 => "K.A.2",
            _ => "K.B",
        };
        app.add_member(&record, &code(cell), FOUNDED).await.unwrap();
    }
    let id_of = |c: &'static str| {
        let app = app.clone();
        async move { app.org(&code(c), TODAY).await.unwrap().id }
    };
    let office = caller(1, "vanphongkhoi", Role::Office, id_of("K").await);
    let office_a = caller(2, "vanphongsoa", Role::Office, id_of("K.A").await);
    let colleague_a = caller(3, "dongnghiepsoa", Role::Office, id_of("K.A").await);
    let secretary_b = caller(4, "bithusob", Role::Secretary, id_of("K.B").await);
    let leader = caller(5, "capuy", Role::Leadership, id_of("K").await);

    let input = |title: &str, deadline: &str, fields: &str| RequestInput {
        org: "K".into(),
        title: title.into(),
        period_from: "01/01/2026".into(),
        period_to: "30/06/2026".into(),
        deadline: deadline.into(),
        fields: fields.into(),
    };
    let fields =
        "Số đảng viên | số | đảng viên\nSố chi bộ | số | chi bộ\nSố đảng viên được học tập | số\nKết quả nổi bật | chữ";
    // Bad input is refused, in Vietnamese, and nothing is asked.
    for (bad, says) in [
        (input("", "20/07/2026", fields), "tên báo cáo"),
        (input("Sơ kết", "31/02/2026", fields), "Hạn nộp"),
        (input("Sơ kết", "01/07/2026", fields), "đã qua"),
        (input("Sơ kết", "20/07/2026", "Ghi chú | ngày"), "Dòng 1"),
    ] {
        let e = app.create_report_request(&office, &bad).await.unwrap_err();
        assert!(e.message(Lang::Vi).contains(says), "{} / {says}", e.message(Lang::Vi));
    }
    assert!(
        app.create_report_request(&leader, &input("Sơ kết", "20/07/2026", fields))
            .await
            .is_err(),
        "leadership does not ask for reports"
    );
    let id = app
        .create_report_request(
            &office,
            &input("Báo cáo sơ kết 6 tháng đầu năm 2026", "20/07/2026", fields),
        )
        .await
        .unwrap();
    let v = app.report_request(&office, id).await.unwrap();
    assert_eq!(v.lines.len(), 2, "the two organizations directly under the bloc");
    assert!(
        app.report_request(&office_a, id).await.is_err(),
        "Sở A answers, it does not follow up"
    );

    // Sở A's form, pre-filled from dangbo: 7 people, 2 cells.
    let form = app.report_form(&office_a, id, &code("K.A")).await.unwrap();
    let values: Vec<&str> = form.values.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(values, ["7", "2", "", ""]);
    assert!(
        app.report_form(&secretary_b, id, &code("K.A")).await.is_err(),
        "Sở B cannot read Sở A's report"
    );
    // Two people open it at version 0; the first saves a draft, the second is refused.
    let v0 = form.submission.version;
    app.acting_as(&office_a)
        .save_report(
            &office_a,
            id,
            &code("K.A"),
            v0,
            &answers(&[("f1", "7"), ("f2", "2"), ("f3", "6")]),
            false,
        )
        .await
        .unwrap();
    let e = app
        .save_report(&colleague_a, id, &code("K.A"), v0, &answers(&[("f1", "9")]), false)
        .await
        .unwrap_err();
    let msg = e.message(Lang::Vi);
    assert!(msg.contains("người khác") && msg.contains("vanphongsoa"), "{msg}");
    let form = app.report_form(&colleague_a, id, &code("K.A")).await.unwrap();
    assert_eq!(form.values[0].1, "7", "the refused save changed nothing");
    assert_eq!(form.submission.status, "draft");
    // Bad numbers, and a submission with a number missing, are refused.
    let v1 = form.submission.version;
    assert!(
        app.save_report(&colleague_a, id, &code("K.A"), v1, &answers(&[("f1", "-1")]), false)
            .await
            .is_err()
    );
    let e = app
        .save_report(
            &colleague_a,
            id,
            &code("K.A"),
            v1,
            &answers(&[("f1", "7"), ("f2", "2")]),
            true,
        )
        .await
        .unwrap_err();
    assert!(e.message(Lang::Vi).contains("Số đảng viên được học tập"));
    app.save_report(
        &colleague_a,
        id,
        &code("K.A"),
        v1,
        &answers(&[
            ("f1", "7"),
            ("f2", "2"),
            ("f3", "6"),
            ("f4", "Học tập đầy đủ\nKhông có vi phạm"),
        ]),
        true,
    )
    .await
    .unwrap();

    // Sở B has not submitted: reminded (and only it), then submits.
    let v = app.report_request(&office, id).await.unwrap();
    assert_eq!(v.submitted(), 1);
    assert_eq!(app.remind(&office, id, None).await.unwrap(), 1);
    let form_b = app.report_form(&secretary_b, id, &code("K.B")).await.unwrap();
    assert_eq!(form_b.reminders.len(), 1);
    assert_eq!(form_b.values[0].1, "3");
    app.save_report(
        &secretary_b,
        id,
        &code("K.B"),
        form_b.submission.version,
        &answers(&[("f1", "3"), ("f2", "1"), ("f3", "3"), ("f4", "")]),
        true,
    )
    .await
    .unwrap();
    assert!(app.remind(&office, id, None).await.is_err(), "nobody left to remind");

    // Compiled: one row each, totals of the numbers.
    let v = app.report_request(&office, id).await.unwrap();
    let (rows, totals) = v.compiled();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "Chi bộ Sở B");
    assert_eq!(rows[1].1[3], "Học tập đầy đủ\nKhông có vi phạm");
    assert_eq!(totals, ["10", "3", "9", ""]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tong-hop.xlsx");
    assert_eq!(app.export_compiled(&office, id, &file).await.unwrap(), 2);
    let table = dangbo_app::table::read(&file).unwrap();
    assert_eq!(table.rows.len(), 5, "who made it, header, two organizations, totals");
    assert!(
        table.rows[0].1[0].text().starts_with("Xuất từ dangbo bởi "),
        "{:?}",
        table.rows[0]
    );

    // A reported indicator: each base organization sends its figure with the evidence.
    let doc = app
        .register_document(
            &office,
            &dangbo_app::documents::DocumentInput {
                number: "05-NQ/ĐU".into(),
                issued_by: "Ban Chấp hành Đảng bộ Khối".into(),
                org: "K".into(),
                issued_on: "10/01/2026".into(),
                title: "Nghị quyết về nâng cao chất lượng đảng viên".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let target = |indicator: &str, label: &str| dangbo_store::TargetRow {
        id: 0,
        document_id: doc,
        seq: 1,
        indicator: indicator.into(),
        label: label.into(),
        comparison: "ge".into(),
        value: 90.0,
        value_to: None,
        unit: "%".into(),
        deadline: Date::constant(2026, 12, 31),
        levels: "province".into(),
        managed_by: None,
    };
    let reported = app
        .add_target(
            &office,
            doc,
            &target("good_members_share", "Đảng viên hoàn thành tốt nhiệm vụ từ 90% trở lên"),
        )
        .await
        .unwrap();
    let computed = app
        .add_target(
            &office,
            doc,
            &target("young_committee_share", "Cán bộ trẻ trong cấp ủy"),
        )
        .await
        .unwrap();
    let pdf: &[u8] = b"%PDF-1.4 bien ban danh gia";
    let value = |org: &str, num: &str, den: &str, to: &str| dangbo_app::indicators::ReportedInput {
        org: org.into(),
        period_from: "01/01/2026".into(),
        period_to: to.into(),
        num: num.into(),
        den: den.into(),
        note: String::new(),
    };
    for (t, v, file) in [
        (reported, value("K.A", "51", "50", "30/06/2026"), Some(("a.pdf", pdf))),
        (reported, value("K.A", "5", "0", "30/06/2026"), Some(("a.pdf", pdf))),
        (reported, value("K.A", "45", "50", "31/12/2026"), Some(("a.pdf", pdf))),
        (reported, value("K.A", "45", "50", "30/06/2026"), None),
        (
            reported,
            value("K.A", "45", "50", "30/06/2026"),
            Some(("a.pdf", b"not a pdf".as_slice())),
        ),
        (computed, value("K.A", "45", "50", "30/06/2026"), Some(("a.pdf", pdf))),
    ] {
        assert!(app.report_value(&office_a, t, &v, file).await.is_err(), "{v:?}");
    }
    assert!(
        app.report_value(
            &secretary_b,
            reported,
            &value("K.A", "45", "50", "30/06/2026"),
            Some(("a.pdf", pdf))
        )
        .await
        .is_err(),
        "Sở B does not report for Sở A"
    );
    app.report_value(
        &office_a,
        reported,
        &value("K.A", "40", "50", "31/03/2026"),
        Some(("q1.pdf", pdf)),
    )
    .await
    .unwrap();
    app.report_value(
        &office_a,
        reported,
        &value("K.A", "45", "50", "30/06/2026"),
        Some(("q2.pdf", pdf)),
    )
    .await
    .unwrap();
    app.report_value(
        &secretary_b,
        reported,
        &value("K.B", "9", "10", "30/06/2026"),
        Some(("b.pdf", pdf)),
    )
    .await
    .unwrap();
    let v = app.indicators(&office, doc, None, TODAY).await.unwrap();
    let m = v.targets.iter().find(|m| m.target.id == reported).unwrap();
    // The latest of each: 45/50 and 9/10, 54/60 = 90%: reached.
    assert_eq!((m.value.num, m.value.den), (54, 60));
    assert_eq!(m.status, dangbo_domain::indicator::Status::Reached);
    assert_eq!(m.parts.len(), 2);
    assert_eq!(m.evidence.len(), 2);
    assert_eq!(m.trend.len(), 2, "31/03 and 30/06");
    let (file_a, file_b) = (
        m.evidence.iter().find(|e| e.0 == "Đảng bộ Sở A").unwrap().1,
        m.evidence.iter().find(|e| e.0 == "Chi bộ Sở B").unwrap().1,
    );
    assert_eq!(
        app.reported_evidence(&office, file_a).await.unwrap().0.filename,
        "q2.pdf"
    );
    assert!(
        app.reported_evidence(&secretary_b, file_a).await.is_err(),
        "Sở B cannot read Sở A's evidence"
    );
    assert!(app.reported_evidence(&secretary_b, file_b).await.is_ok());

    // Everything is in the audit chain.
    let mut tx = db.read().await.unwrap();
    let lines = tx.audit_for(&format!("report:{id}")).await.unwrap();
    let actions: Vec<&str> = lines.iter().map(|l| l.2.as_str()).collect();
    for a in [
        "report.request",
        "report.save",
        "report.submit",
        "report.remind",
        "report.export",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(tx.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn reporting_on_sqlite() {
    let t = dangbo_store::testing::sqlite().await.unwrap();
    reporting(t.db.clone()).await;
}

#[tokio::test]
async fn reporting_on_postgres() {
    let Some(t) = dangbo_store::testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    reporting(t.db.clone()).await;
}
