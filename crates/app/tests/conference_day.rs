//! A small version of 04/12/2023 (seed 004), run through the use cases: the province
//! relays the national conference, the bloc opens its point and one point per base
//! organization relaying it, operators check people in (twice, at two points, with a
//! code nobody has) and report a head count, the conference closes, absentees study at
//! a make-up session, and every figure is what the records say.
#![allow(missing_docs, clippy::unwrap_used)]

use dangbo_app::access::{Caller, Grant, Role};
use dangbo_app::conferences::{ConferenceInput, Live, PointInput};
use dangbo_app::documents::DocumentInput;
use dangbo_app::orgs::NewOrg;
use dangbo_app::study::CampaignInput;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonId, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang, Validity};
use dangbo_store::{CheckinRequest, CheckinStatus, Db};

const FOUNDED: Date = Date::constant(2015, 1, 1);
const DAY: Date = Date::constant(2023, 12, 4);

fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

fn record(kind: PersonKind, name: &str, card: Option<String>) -> PersonRecord {
    PersonRecord {
        kind,
        name: PersonName::parse(name).unwrap(),
        gender: Gender::Male,
        birth_date: Date::constant(1980, 1, 2),
        ethnicity: Ethnicity::parse("Nùng").unwrap(),
        citizen_id: None,
        card_number: card.map(|c| CardNumber::parse(&c).unwrap()),
        admitted_on: (kind == PersonKind::Member).then_some(Date::constant(2005, 1, 1)),
        full_on: (kind == PersonKind::Member).then_some(Date::constant(2006, 1, 1)),
        exempt: false,
        phone: None,
    }
}

struct World {
    app: App,
    office: Caller,
    /// Members' card numbers by base: B1 has 4, B2 3, B3 2 (one exempted later is not modelled).
    cards: Vec<Vec<String>>,
    outstanding: PersonId,
}

async fn world(db: Db) -> World {
    let app = App::new(db, Clock::Fixed(Date::constant(2023, 12, 20)), "test");
    let orgs = [
        ("LS", "Đảng bộ tỉnh Lạng Sơn", OrgKind::Provincial, None),
        (
            "LS.CQD",
            "Đảng bộ Khối các cơ quan tỉnh",
            OrgKind::UpperBase,
            Some("LS"),
        ),
        (
            "LS.CQD.B1",
            "Đảng bộ Sở Nông nghiệp",
            OrgKind::BaseCommittee,
            Some("LS.CQD"),
        ),
        (
            "LS.CQD.B1.C1",
            "Chi bộ Văn phòng Sở",
            OrgKind::SubordinateCell,
            Some("LS.CQD.B1"),
        ),
        (
            "LS.CQD.B2",
            "Đảng bộ Viện Kiểm sát",
            OrgKind::BaseCommittee,
            Some("LS.CQD"),
        ),
        (
            "LS.CQD.B2.C1",
            "Chi bộ Văn phòng Viện",
            OrgKind::SubordinateCell,
            Some("LS.CQD.B2"),
        ),
        ("LS.CQD.B3", "Chi bộ Báo Lạng Sơn", OrgKind::BaseCell, Some("LS.CQD")),
    ];
    for (c, n, kind, parent) in orgs {
        let new = NewOrg {
            code: code(c),
            name: OrgName::parse(n).unwrap(),
            kind,
            level: Level::Province,
            parent: parent.map(code),
        };
        app.create_org(&new, FOUNDED).await.unwrap();
    }
    let names = [
        "Hoàng Văn An",
        "Lộc Thị Bình",
        "Vi Văn Cường",
        "Nông Thị Dung",
        "Lương Văn Đức",
    ];
    let mut cards = Vec::new();
    for (b, (cell, n)) in [("LS.CQD.B1.C1", 4), ("LS.CQD.B2.C1", 3), ("LS.CQD.B3", 2)]
        .into_iter()
        .enumerate()
    {
        let mut these = Vec::new();
        for (i, name) in names.iter().take(n).enumerate() {
            let card = format!("0{}00000{i}", b + 1);
            app.add_member(
                &record(PersonKind::Member, name, Some(card.clone())),
                &code(cell),
                FOUNDED,
            )
            .await
            .unwrap();
            these.push(card);
        }
        cards.push(these);
    }
    let outstanding = app
        .add_member(
            &record(PersonKind::Outstanding, "Hứa Thị Én", None),
            &code("LS.CQD.B1.C1"),
            FOUNDED,
        )
        .await
        .unwrap();
    let ls = app.org(&code("LS"), DAY).await.unwrap();
    let office = Caller {
        account_id: 1,
        username: "vanphong".into(),
        display_name: "Văn phòng".into(),
        person: None,
        grants: vec![Grant {
            id: 1,
            role: Role::Office,
            org: Some(ls.id),
            validity: Validity::since(FOUNDED),
        }],
    };
    World {
        app,
        office,
        cards,
        outstanding,
    }
}

fn req(id: &str, point: i64, card: &str) -> CheckinRequest {
    CheckinRequest {
        request_id: id.into(),
        point_id: point,
        code: card.into(),
        person: None,
        method: "scan".into(),
        by_account: Some(1),
    }
}

async fn the_day(db: Db) {
    let w = world(db).await;
    let (app, office) = (&w.app, &w.office);
    // The documents, and a malformed number refused with the expected form.
    let doc = |number: &str| DocumentInput {
        number: number.into(),
        issued_by: "Ban Chấp hành Trung ương".into(),
        org: "LS".into(),
        issued_on: "24/11/2023".into(),
        title: "Về tiếp tục phát huy truyền thống, sức mạnh đại đoàn kết toàn dân tộc".into(),
        ..DocumentInput::default()
    };
    app.register_document(office, &doc("43-NQ/TW")).await.unwrap();
    let bad = app.register_document(office, &doc("43-NG/TW")).await.unwrap_err();
    assert!(bad.message(Lang::Vi).contains("116-NQ/TU"), "{}", bad.message(Lang::Vi));
    let bad = app.register_document(office, &doc("08-DA/TU")).await.unwrap_err();
    assert!(bad.message(Lang::Vi).contains("ĐA"), "{}", bad.message(Lang::Vi));
    // A National Assembly number does not say whether it is a law or a resolution.
    let nq202 = app
        .register_document(
            office,
            &DocumentInput {
                kind: "resolution".into(),
                ..doc("202/2025/QH15")
            },
        )
        .await
        .unwrap();
    let v = app.document(nq202).await.unwrap();
    assert_eq!(
        (v.doc.number.as_str(), v.doc.kind.as_str()),
        ("202/2025/QH15", "resolution")
    );
    assert!(
        app.register_document(
            office,
            &DocumentInput {
                kind: "law".into(),
                ..doc("43-NQ/TW")
            }
        )
        .await
        .is_err(),
        "a number that says its kind takes no other"
    );

    let id = app
        .create_conference(
            office,
            &ConferenceInput {
                org: "LS".into(),
                kind: "dissemination".into(),
                title: "Hội nghị toàn quốc nghiên cứu, học tập, quán triệt Nghị quyết Hội nghị Trung ương 8 khóa XIII"
                    .into(),
                organizer: "Bộ Chính trị, Ban Bí thư".into(),
                held_on: "04/12/2023".into(),
                starts_at: "08:00".into(),
                format: "online".into(),
                documents: "43-NQ/TW".into(),
                agenda: "Chuyên đề đại đoàn kết toàn dân tộc | Chủ tịch nước".into(),
                ..ConferenceInput::default()
            },
        )
        .await
        .unwrap();
    let point = |parent: Option<i64>, host: &str, name: &str| PointInput {
        parent,
        host: host.into(),
        name: name.into(),
        ..PointInput::default()
    };
    let national = app
        .add_point(office, id, &point(None, "", "Điểm cầu Trung ương"))
        .await
        .unwrap();
    let province = app
        .add_point(office, id, &point(Some(national), "LS", ""))
        .await
        .unwrap();
    let bloc = app
        .add_point(office, id, &point(Some(province), "LS.CQD", ""))
        .await
        .unwrap();
    assert_eq!(app.add_base_points(office, id, "LS.CQD", Some(bloc)).await.unwrap(), 3);
    // Asked again, nothing is doubled.
    assert_eq!(app.add_base_points(office, id, "LS.CQD", Some(bloc)).await.unwrap(), 0);
    // Who is invited: a subtree and one person by card; an unknown card is refused.
    let with_guests = |invited: String| ConferenceInput {
        org: "LS".into(),
        kind: "key_cadre".into(),
        title: "Hội nghị cán bộ chủ chốt".into(),
        held_on: "04/12/2023".into(),
        starts_at: "14:00".into(),
        format: "in_person".into(),
        invited,
        ..ConferenceInput::default()
    };
    let key = app
        .create_conference(office, &with_guests(format!("LS.CQD.B1, @{}", w.cards[1][0])))
        .await
        .unwrap();
    let invited = app.conference(office, key, Lang::Vi).await.unwrap().invited;
    assert_eq!(invited.len(), 2, "{invited:?}");
    assert!(invited[0].starts_with("Cán bộ, đảng viên "), "{invited:?}");
    assert_eq!(invited[1], "Hoàng Văn An");
    assert!(
        app.create_conference(office, &with_guests("@99999999".into()))
            .await
            .is_err()
    );
    assert!(
        app.create_conference(office, &with_guests("BCH:LS.CQD".into()))
            .await
            .is_err(),
        "no executive committee recorded for that term"
    );

    let view = app.conference(office, id, Lang::Vi).await.unwrap();
    assert_eq!(view.points.len(), 6);
    assert_eq!(view.points[0].1, 0, "the national point first");
    assert!(
        view.points.iter().skip(3).all(|(_, depth)| *depth == 3),
        "base points relay the bloc"
    );
    let base_point = |host: &str| {
        let v = view.points.iter().find(|(p, _)| p.name.contains(host)).unwrap();
        v.0.id
    };
    let (p1, p2, p3) = (
        base_point("Sở Nông nghiệp"),
        base_point("Viện Kiểm sát"),
        base_point("Báo Lạng Sơn"),
    );
    // The office fills in what the bulk creation left empty.
    assert!(app.update_point(office, p1, "", "", "-3").await.is_err());
    assert!(app.update_point(office, p1, "", "khong-co-ai", "").await.is_err());
    app.update_point(office, p1, "Hội trường tầng 2", "", "40")
        .await
        .unwrap();
    let v = app.conference(office, id, Lang::Vi).await.unwrap();
    let row = &v.points.iter().find(|(p, _)| p.id == p1).unwrap().0;
    assert_eq!(
        (row.place.as_str(), row.expected, row.operator_id),
        ("Hội trường tầng 2", 40, None)
    );

    for p in [national, province, bloc, p1, p2, p3] {
        app.set_point_status(office, p, "live").await.unwrap();
    }

    let campaign = app
        .create_campaign(
            office,
            &CampaignInput {
                org: "LS.CQD".into(),
                title: "Học tập Nghị quyết Trung ương 8 khóa XIII".into(),
                starts_on: "04/12/2023".into(),
                ends_on: "31/12/2023".into(),
                report_due: "31/12/2023".into(),
                documents: "43-NQ/TW".into(),
                conferences: id.to_string(),
                ..CampaignInput::default()
            },
        )
        .await
        .unwrap();

    let live = Live::start(app.clone()).await.unwrap();
    let c = &w.cards;
    // B1: three of four members at their own point, one of them sent twice.
    let out = live
        .checkin(
            id,
            vec![
                req("a1", p1, &c[0][0]),
                req("a2", p1, &c[0][1]),
                req("a3", p1, &c[0][2]),
                req("zz", p1, "99999999"),
            ],
        )
        .await
        .unwrap();
    let statuses: Vec<_> = out.iter().map(|o| o.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            CheckinStatus::Counted,
            CheckinStatus::Counted,
            CheckinStatus::Counted,
            CheckinStatus::Unknown
        ]
    );
    assert_eq!(out[0].person.as_ref().unwrap().1, "Hoàng Văn An");
    // The same request sent again (a dropped answer) counts once and gets the same answer.
    let again = live.checkin(id, vec![req("a1", p1, &c[0][0])]).await.unwrap();
    assert_eq!(again[0].status, CheckinStatus::Counted);
    // A new request for someone already here is "already"; at another point, a conflict.
    let dup = live
        .checkin(id, vec![req("a4", p1, &c[0][1]), req("a5", bloc, &c[0][2])])
        .await
        .unwrap();
    assert_eq!(dup[0].status, CheckinStatus::Already);
    assert_eq!(dup[1].status, CheckinStatus::Conflict(p1));
    // B2: two members at the bloc's point; the outstanding non-member by their QR.
    let qr = live.person_code(w.outstanding);
    let (person, _) = live.read_code(&qr).unwrap();
    assert_eq!(person, Some(w.outstanding));
    assert!(
        live.read_code(&qr.replace("dangbo:p:", "dangbo:p:9")).is_none(),
        "a forged QR names nobody"
    );
    live.checkin(
        id,
        vec![
            req("b1", bloc, &c[1][0]),
            req("b2", bloc, &c[1][1]),
            CheckinRequest {
                person,
                code: String::new(),
                ..req("q1", p1, "")
            },
        ],
    )
    .await
    .unwrap();
    // B3 takes no names: it reports a head count, then corrects it with a reason.
    app.report_headcount(office, p3, "member", "2", "").await.unwrap();
    assert!(app.report_headcount(office, p3, "guest", "-1", "").await.is_err());
    app.report_headcount(office, p3, "guest", "3", "").await.unwrap();
    assert!(
        app.report_headcount(office, p3, "guest", "2", "").await.is_err(),
        "a change needs a reason"
    );
    app.report_headcount(office, p3, "guest", "2", "Đếm lại").await.unwrap();

    let f = app.figures(id, None).await.unwrap();
    assert_eq!((f.points, f.connected), (6, 6));
    assert_eq!((f.members, f.outstanding, f.guests), (7, 1, 2));
    assert_eq!((f.bases_sent, f.bases), (3, 3));
    assert_eq!(f.conflicts, 1);
    let cqd = app.org(&code("LS.CQD"), DAY).await.unwrap();
    let bloc_view = app.figures(id, Some(cqd.id)).await.unwrap();
    assert_eq!((bloc_view.points, bloc_view.own_points), (4, 1));
    assert_eq!(
        bloc_view.summary("Đảng bộ Khối các cơ quan tỉnh", Lang::Vi)[1],
        "Đảng bộ Khối các cơ quan tỉnh đã mở 01 điểm cầu và chỉ đạo cấp ủy cơ sở mở 03 điểm cầu tiếp sóng, \
         với sự tham gia của 8 đảng viên, quần chúng ưu tú; 100% tổ chức cơ sở đảng đã cử cán bộ, đảng viên tham gia."
    );
    assert_eq!(
        f.summary("Đảng bộ tỉnh Lạng Sơn", Lang::Vi)[0],
        "Hội nghị kết nối trực tuyến đến 6 điểm cầu với sự tham gia của 10 đại biểu."
    );
    let rows: Vec<(String, i64, i64)> = bloc_view
        .rows
        .iter()
        .map(|r| (r.code.clone(), r.points, r.total))
        .collect();
    // Rows come in the Vietnamese order of names: "Chi bộ Báo…" before "Đảng bộ Sở…".
    assert_eq!(
        rows,
        [
            ("LS.CQD.B3".to_string(), 1, 4),
            ("LS.CQD.B1".to_string(), 1, 4),
            ("LS.CQD.B2".to_string(), 1, 0)
        ]
    );

    // A wrong check-in is taken back by an amendment with a reason, never silently.
    let b2_first = app.find_person(&c[1][1]).await.unwrap();
    app.remove_attendance(office, id, b2_first, "Nhầm người").await.unwrap();
    let (amendments, _) = app.attendance_log(office, id).await.unwrap();
    assert_eq!(amendments.iter().filter(|a| a.action == "remove").count(), 1);
    assert_eq!(amendments.iter().filter(|a| a.action == "headcount").count(), 3);
    assert_eq!(app.figures(id, None).await.unwrap().members, 6);

    // Closing counts attendance as study: 4 named members of 9 in the bloc (the head
    // count names nobody, the removed one is out, and the outstanding non-member is not
    // a member).
    app.close_conference(office, id).await.unwrap();
    let v = app.campaign(office, campaign, None).await.unwrap();
    assert_eq!((v.total.numerator, v.total.denominator), (4, 9));
    assert_eq!(v.total.share(), "44%");
    // Checking in after the close is refused, and changes nothing.
    assert!(app.report_headcount(office, p3, "guest", "9", "x").await.is_err());
    let late = live.checkin(id, vec![req("late", p1, &c[0][3])]).await.unwrap();
    assert_eq!(late[0].status, CheckinStatus::Closed);
    let after = app.figures(id, None).await.unwrap();
    assert_eq!(after.members, 6);
    // Closing does not undo that a point connected.
    assert_eq!((after.points, after.connected), (6, 6));

    // B3's two members and B2's removed one study at make-up sessions of their cells.
    let pending = app.study_list(office, campaign, &code("LS.CQD"), true).await.unwrap();
    assert_eq!(pending.len(), 5);
    let some_b3: Vec<PersonId> = {
        let list = app
            .study_list(office, campaign, &code("LS.CQD.B3"), true)
            .await
            .unwrap();
        list.iter().map(|p| p.person_id).collect()
    };
    assert_eq!(some_b3.len(), 2);
    app.record_makeup(
        office,
        campaign,
        &code("LS.CQD.B3"),
        "10/12/2023",
        "Hội trường",
        &some_b3,
    )
    .await
    .unwrap();
    // Someone outside the cell cannot be recorded there.
    let outside: Vec<PersonId> = pending
        .iter()
        .map(|p| p.person_id)
        .filter(|p| !some_b3.contains(p))
        .collect();
    assert!(!outside.is_empty());
    assert!(
        app.record_makeup(office, campaign, &code("LS.CQD.B3"), "11/12/2023", "", &outside)
            .await
            .is_err()
    );
    let v = app.campaign(office, campaign, None).await.unwrap();
    assert_eq!((v.total.numerator, v.total.denominator), (6, 9));
    assert_eq!(
        v.total.sentence(Lang::Vi),
        "Đảng bộ Khối các cơ quan tỉnh có 6 đảng viên (tỷ lệ 66%) được nghiên cứu, học tập"
    );
    let by_base: Vec<(String, i64, i64)> = v
        .rows
        .iter()
        .map(|r| (r.code.clone(), r.numerator, r.denominator))
        .collect();
    assert_eq!(
        by_base,
        [
            ("LS.CQD.B3".to_string(), 2, 2),
            ("LS.CQD.B1".to_string(), 3, 4),
            ("LS.CQD.B2".to_string(), 1, 3)
        ]
    );
    // Removing an attendance after the close takes back the study it gave, in the
    // counts of every organization above the person.
    let b1_first = app.find_person(&c[0][0]).await.unwrap();
    app.remove_attendance(office, id, b1_first, "Không có mặt")
        .await
        .unwrap();
    let v = app.campaign(office, campaign, None).await.unwrap();
    assert_eq!((v.total.numerator, v.total.denominator), (5, 9));
    let b1 = v.rows.iter().find(|r| r.code == "LS.CQD.B1").unwrap();
    assert_eq!((b1.numerator, b1.denominator), (2, 4));

    // A make-up session scheduled for a day to come counts nobody yet; once the day has
    // come, its cell records who came, and only they have studied.
    let b2_pending: Vec<PersonId> = app
        .study_list(office, campaign, &code("LS.CQD.B2"), true)
        .await
        .unwrap()
        .iter()
        .map(|p| p.person_id)
        .collect();
    assert_eq!(b2_pending.len(), 2);
    let session = app
        .record_makeup(
            office,
            campaign,
            &code("LS.CQD.B2"),
            "28/12/2023",
            "Phòng họp",
            &b2_pending,
        )
        .await
        .unwrap();
    let scheduled = app.scheduled_makeups(office, campaign, &code("LS.CQD")).await.unwrap();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].1.len(), 2);
    assert_eq!(app.campaign(office, campaign, None).await.unwrap().total.numerator, 5);
    assert!(
        app.hold_makeup(office, campaign, session, &b2_pending[..1])
            .await
            .is_err(),
        "a session cannot be recorded before its day"
    );
    let later = App::new(app.db.clone(), Clock::Fixed(Date::constant(2023, 12, 29)), "test");
    assert!(
        later.hold_makeup(office, campaign, session, &[b1_first]).await.is_err(),
        "only those expected can be recorded"
    );
    later
        .hold_makeup(office, campaign, session, &b2_pending[..1])
        .await
        .unwrap();
    assert!(
        later
            .hold_makeup(office, campaign, session, &b2_pending[..1])
            .await
            .is_err()
    );
    let v = app.campaign(office, campaign, None).await.unwrap();
    assert_eq!(v.total.numerator, 6);
    let still: Vec<PersonId> = app
        .study_list(office, campaign, &code("LS.CQD.B2"), true)
        .await
        .unwrap()
        .iter()
        .map(|p| p.person_id)
        .collect();
    assert_eq!(still, b2_pending[1..]);
    assert!(
        app.scheduled_makeups(office, campaign, &code("LS.CQD"))
            .await
            .unwrap()
            .is_empty()
    );

    // Learning reports: two members of B1 write theirs, one as text and one with a
    // PDF; the office assesses; the figures by organization count them.
    let member = |p: PersonId| Caller {
        account_id: 100 + p.0,
        username: format!("dv{}", p.0),
        display_name: "Đảng viên".into(),
        person: Some(p),
        grants: vec![Grant {
            id: 100 + p.0,
            role: Role::Member,
            org: None,
            validity: Validity::since(FOUNDED),
        }],
    };
    let (writer1, writer2) = (
        app.find_person(&c[0][1]).await.unwrap(),
        app.find_person(&c[0][2]).await.unwrap(),
    );
    assert!(
        app.submit_report(&member(writer1), campaign, "  ", None).await.is_err(),
        "an empty report is refused"
    );
    app.submit_report(
        &member(writer1),
        campaign,
        "Nhận thức về Nghị quyết\nvà liên hệ bản thân",
        None,
    )
    .await
    .unwrap();
    let pdf = b"%PDF-1.4\n% bai thu hoach\n%%EOF\n";
    app.submit_report(&member(writer2), campaign, "", Some(("thu hoạch.pdf", pdf)))
        .await
        .unwrap();
    assert!(
        app.assess_report(office, campaign, writer1, "Xuất sắc", "")
            .await
            .is_err(),
        "a grade outside the campaign's scale is refused"
    );
    app.assess_report(office, campaign, writer1, "Tốt", "Nắm vững nội dung")
        .await
        .unwrap();
    let view = app.reports(office, campaign, &code("LS.CQD")).await.unwrap();
    assert_eq!(view.reports.len(), 2);
    assert_eq!(view.missing.len(), 7);
    let b1 = view.by_org.iter().find(|l| l.code == "LS.CQD.B1").unwrap();
    assert_eq!((b1.members, b1.submitted, b1.assessed), (4, 2, 1));
    assert!(
        view.by_org
            .iter()
            .filter(|l| l.code != "LS.CQD.B1")
            .all(|l| l.submitted == 0)
    );
    // The file: for the office and its author, not for another member.
    let (att, content) = app.report_file(office, campaign, writer2).await.unwrap();
    assert_eq!(
        (att.content_type.as_str(), content.as_slice()),
        ("application/pdf", &pdf[..])
    );
    assert!(app.report_file(&member(writer2), campaign, writer2).await.is_ok());
    assert!(app.report_file(&member(writer1), campaign, writer2).await.is_err());
    assert!(
        app.report_file(office, campaign, writer1).await.is_err(),
        "a text report has no file"
    );

    // A follow-up task with a quarter for deadline; overdue once the quarter is past.
    let task = app
        .add_task(
            office,
            None,
            Some(id),
            "LS",
            "Xây dựng dự thảo Chương trình hành động",
            "quý I/2024",
        )
        .await
        .unwrap();
    let tasks = app.tasks_for(office).await.unwrap();
    let t = tasks.iter().find(|(t, _)| t.id == task).unwrap();
    assert_eq!(dangbo_domain::date::short(t.0.due_on), "31/03/2024");
    assert!(dangbo_app::documents::overdue(&t.0, Date::constant(2024, 4, 1)));
    assert!(!dangbo_app::documents::overdue(&t.0, Date::constant(2024, 3, 31)));

    // The audit log holds every step, and its chain is whole.
    assert!(app.db.read().await.unwrap().verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn the_day_on_sqlite() {
    let t = dangbo_store::testing::sqlite().await.unwrap();
    the_day(t.db.clone()).await;
}

#[tokio::test]
async fn the_day_on_postgres() {
    let Some(t) = dangbo_store::testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    the_day(t.db.clone()).await;
}
