//! Cadre planning as seed 003 tells it: the bloc's plan of its executive committee for
//! 2020–2025 reviewed on 15/4/2022 (6 taken out, 1 added, 31 remain) and its plan for
//! 2025–2030 (26 for a committee of 25: "1,04 lần"), with the findings of the rule set,
//! who may see it, and the audit of every view.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::{Caller, Grant, Role};
use dangbo_app::orgs::NewOrg;
use dangbo_app::planning::PlanListInput;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::planning::plan_size_sentence;
use dangbo_domain::{Date, Lang, Validity};
use dangbo_store::Db;

const FOUNDED: Date = Date::constant(2015, 1, 1);

fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

fn caller(role: Role, org: Option<dangbo_domain::org::OrgId>) -> Caller {
    Caller {
        account_id: 1,
        username: role.code().into(),
        display_name: role.vi().into(),
        person: None,
        grants: vec![Grant {
            id: 1,
            role,
            org,
            validity: Validity::since(FOUNDED),
        }],
    }
}

async fn seed_003(db: Db) {
    let app = App::new(db.clone(), Clock::Fixed(Date::constant(2022, 4, 20)), "test");
    for (c, n, kind, parent) in [
        ("LS", "Đảng bộ tỉnh Lạng Sơn", OrgKind::Provincial, None),
        (
            "LS.KCQ",
            "Đảng bộ Khối các cơ quan tỉnh",
            OrgKind::UpperBase,
            Some("LS"),
        ),
        ("LS.KCQ.C1", "Chi bộ Văn phòng", OrgKind::BaseCell, Some("LS.KCQ")),
        ("LS.KDN", "Đảng bộ Khối Doanh nghiệp", OrgKind::UpperBase, Some("LS")),
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
    // 40 cadres of the bloc; the first two were born in 1961 and have no term left.
    let given = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lan"];
    let family = ["Hoàng", "Lương", "Nông", "Vi", "Lăng"];
    for i in 0..40 {
        let record = PersonRecord {
            kind: PersonKind::Member,
            name: PersonName::parse(&format!("{} Văn {}", family[i % 5], given[(i / 5) % 8])).unwrap(),
            gender: if i % 4 == 0 { Gender::Female } else { Gender::Male },
            birth_date: if i < 2 {
                Date::constant(1961, 3, 1)
            } else {
                Date::constant(1975 + (i % 10) as i16, 5, 1)
            },
            ethnicity: Ethnicity::parse("Tày").unwrap(),
            citizen_id: None,
            card_number: Some(CardNumber::parse(&format!("010{i:05}")).unwrap()),
            admitted_on: Some(Date::constant(2010, 1, 1)),
            full_on: Some(Date::constant(2011, 1, 1)),
            exempt: false,
            phone: None,
        };
        app.add_member(&record, &code("LS.KCQ.C1"), FOUNDED).await.unwrap();
    }
    let kcq = app.org(&code("LS.KCQ"), FOUNDED).await.unwrap();
    let kdn = app.org(&code("LS.KDN"), FOUNDED).await.unwrap();
    let office = caller(Role::Office, Some(kcq.id));
    let other_office = caller(Role::Office, Some(kdn.id));
    let leader = caller(Role::Leadership, Some(kcq.id));
    let secretary = caller(Role::Secretary, Some(kcq.id));

    let input = |term: &str, years: &str, target: &str, size: &str| PlanListInput {
        org: "LS.KCQ".into(),
        term_ordinal: term.into(),
        term_years: years.into(),
        target: target.into(),
        size: size.into(),
    };
    // Bad input is refused, in Vietnamese.
    for bad in [
        input("XIV", "2020-2025", "BCH", "25"),
        input("14", "2020", "BCH", "25"),
        input("14", "2020-2025", "BCH", "không"),
    ] {
        assert!(app.create_plan_list(&office, &bad).await.is_err());
    }
    assert!(
        app.create_plan_list(&other_office, &input("14", "2020-2025", "BCH", "30"))
            .await
            .is_err(),
        "another bloc's office cannot plan here"
    );
    let bch = app
        .create_plan_list(&office, &input("14", "2020-2025", "BCH", "30"))
        .await
        .unwrap();
    assert!(
        app.create_plan_list(&office, &input("14", "2020-2025", "Ban Chấp hành", "30"))
            .await
            .is_err(),
        "one list per body and term"
    );

    // The 2020–2025 plan: 36 cadres from 1/1/2021.
    let card = |i: usize| format!("010{i:05}");
    for i in 0..36 {
        app.add_to_plan(&office, bch, &card(i), "01/01/2021", "12-QĐ/ĐU")
            .await
            .unwrap();
    }
    assert!(
        app.add_to_plan(&office, bch, &card(0), "01/02/2021", "12-QĐ/ĐU")
            .await
            .is_err()
    );
    assert!(
        app.add_to_plan(&office, bch, &card(36), "01/02/2021", "")
            .await
            .is_err()
    );
    assert!(
        app.add_to_plan(&office, bch, "99999999", "01/02/2021", "x")
            .await
            .is_err()
    );
    assert!(
        app.add_to_plan(&office, bch, &card(36), "01/05/2022", "x")
            .await
            .is_err(),
        "a day to come"
    );

    // The review of 15/4/2022: 6 out with their reasons, 1 in.
    let person = |i: usize| {
        let app = app.clone();
        async move { app.find_person(&card(i)).await.unwrap() }
    };
    for (i, why) in [
        (0, "age"),
        (1, "Quá tuổi quy hoạch"),
        (2, "transfer"),
        (3, "health"),
        (4, "ky luat"),
        (5, "request"),
    ] {
        app.remove_from_plan(&office, bch, person(i).await, "15/04/2022", why, "45-QĐ/ĐU")
            .await
            .unwrap();
    }
    assert!(
        app.remove_from_plan(&office, bch, person(6).await, "15/04/2022", "vì sao", "45-QĐ/ĐU")
            .await
            .is_err(),
        "a reason outside the list"
    );
    assert!(
        app.remove_from_plan(&office, bch, person(0).await, "16/04/2022", "age", "45-QĐ/ĐU")
            .await
            .is_err(),
        "already out"
    );
    app.add_to_plan(&office, bch, &card(36), "15/04/2022", "45-QĐ/ĐU")
        .await
        .unwrap();
    let round = app
        .plan_round(&leader, bch, Date::constant(2022, 4, 14), Date::constant(2022, 4, 15))
        .await
        .unwrap();
    assert_eq!(
        round.sentence(Lang::Vi),
        "đưa ra khỏi quy hoạch 06 đồng chí, bổ sung 01 đồng chí, tổng số quy hoạch hiện có 31 đồng chí"
    );

    // The plan of any day, with the findings of the rule set then in force.
    let before = app.plan(&leader, bch, Date::constant(2022, 1, 1)).await.unwrap();
    assert_eq!(before.entries.len(), 36);
    // 36 for 30 seats is within 1,0 to 1,5 times; the two born in 1961 had no full term
    // left at the start of 2020.
    assert!(before.findings.iter().all(|f| f.rule.starts_with("50-QĐ/TW")));
    assert_eq!(before.findings.len(), 2, "{:?}", before.findings);
    let after = app.plan(&office, bch, Date::constant(2022, 4, 15)).await.unwrap();
    assert_eq!(after.entries.len(), 31);
    assert!(after.findings.is_empty(), "{:?}", after.findings);

    // The 2025–2030 plan: 26 for a committee of 25.
    let next = app
        .create_plan_list(&office, &input("15", "2025-2030", "BCH", "25"))
        .await
        .unwrap();
    for i in 10..36 {
        app.add_to_plan(&office, next, &card(i), "15/04/2022", "46-QĐ/ĐU")
            .await
            .unwrap();
    }
    let v = app.plan(&office, next, Date::constant(2022, 4, 15)).await.unwrap();
    assert_eq!(
        plan_size_sentence(v.entries.len() as u64, v.list.size as u64, 14, Lang::Vi).as_deref(),
        Some("26 đồng chí, đạt 1,04 lần so với số lượng khóa XIV")
    );
    assert!(v.findings.is_empty(), "{:?}", v.findings);
    // Too few for a title: a standing committee of 7 planned with 5.
    let btv = app
        .create_plan_list(&office, &input("15", "2025-2030", "BTV", "7"))
        .await
        .unwrap();
    for i in 10..15 {
        app.add_to_plan(&office, btv, &card(i), "15/04/2022", "46-QĐ/ĐU")
            .await
            .unwrap();
    }
    let v = app.plan(&office, btv, Date::constant(2022, 4, 15)).await.unwrap();
    assert_eq!(v.findings.len(), 1);
    assert_eq!(v.findings[0].actual, "5 đồng chí (0,71 lần)");

    // Planning is not for every role: a cell secretary and another bloc's office see nothing.
    assert!(app.plan(&secretary, bch, Date::constant(2022, 4, 15)).await.is_err());
    assert!(app.plan(&other_office, bch, Date::constant(2022, 4, 15)).await.is_err());
    assert!(
        app.add_to_plan(&leader, bch, &card(37), "15/04/2022", "x")
            .await
            .is_err(),
        "leadership reads plans but does not change them"
    );

    // Every change and every view is in the audit chain.
    let mut tx = db.read().await.unwrap();
    assert!(tx.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn seed_003_on_sqlite() {
    let t = dangbo_store::testing::sqlite().await.unwrap();
    seed_003(t.db.clone()).await;
}

#[tokio::test]
async fn seed_003_on_postgres() {
    let Some(t) = dangbo_store::testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    seed_003(t.db.clone()).await;
}
