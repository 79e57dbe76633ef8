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
use dangbo_domain::planning::{Severity, plan_size_sentence};
use dangbo_domain::{Date, Lang, Validity};
use dangbo_store::Db;

const FOUNDED: Date = Date::constant(2015, 1, 1);

fn change<'a>(on: &'a str, decision: &'a str, override_reason: &'a str) -> dangbo_app::planning::PlanChange<'a> {
    dangbo_app::planning::PlanChange {
        on,
        decision,
        override_reason,
    }
}

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

    // The 2020–2025 plan: 36 cadres from 1/1/2021. The first two have no full term of
    // working age left: adding them breaks a hard rule, so it takes an override with its
    // reason, which is audited.
    let card = |i: usize| format!("010{i:05}");
    for i in 0..36 {
        if i < 2 {
            let refused = app
                .add_to_plan(&office, bch, &card(i), change("01/01/2021", "12-QĐ/ĐU", "  "))
                .await
                .unwrap_err();
            let msg = refused.message(Lang::Vi);
            assert!(msg.contains("tuổi công tác") && msg.contains("lý do"), "{msg}");
        }
        let why = if i < 2 {
            "Ban Thường vụ quyết định giữ đến hết nhiệm kỳ"
        } else {
            ""
        };
        app.add_to_plan(&office, bch, &card(i), change("01/01/2021", "12-QĐ/ĐU", why))
            .await
            .unwrap();
    }
    {
        let mut tx = db.read().await.unwrap();
        let lines = tx.audit_for(&format!("plan:{bch}")).await.unwrap();
        let overrides: Vec<_> = lines.iter().filter(|l| l.2 == "plan.override").collect();
        assert_eq!(overrides.len(), 2, "{lines:?}");
        assert!(overrides[0].3.contains("giữ đến hết nhiệm kỳ"));
    }
    assert!(
        app.add_to_plan(&office, bch, &card(0), change("01/02/2021", "12-QĐ/ĐU", ""))
            .await
            .is_err()
    );
    assert!(
        app.add_to_plan(&office, bch, &card(36), change("01/02/2021", "", ""))
            .await
            .is_err()
    );
    assert!(
        app.add_to_plan(&office, bch, "99999999", change("01/02/2021", "x", ""))
            .await
            .is_err()
    );
    assert!(
        app.add_to_plan(&office, bch, &card(36), change("01/05/2022", "x", ""))
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
        app.remove_from_plan(&office, bch, person(i).await, why, change("15/04/2022", "45-QĐ/ĐU", ""))
            .await
            .unwrap();
    }
    assert!(
        app.remove_from_plan(
            &office,
            bch,
            person(6).await,
            "vì sao",
            change("15/04/2022", "45-QĐ/ĐU", "")
        )
        .await
        .is_err(),
        "a reason outside the list"
    );
    assert!(
        app.remove_from_plan(
            &office,
            bch,
            person(0).await,
            "age",
            change("16/04/2022", "45-QĐ/ĐU", "")
        )
        .await
        .is_err(),
        "already out"
    );
    app.add_to_plan(&office, bch, &card(36), change("15/04/2022", "45-QĐ/ĐU", ""))
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
        app.add_to_plan(&office, next, &card(i), change("15/04/2022", "46-QĐ/ĐU", ""))
            .await
            .unwrap();
    }
    let v = app.plan(&office, next, Date::constant(2022, 4, 15)).await.unwrap();
    assert_eq!(
        plan_size_sentence(v.entries.len() as u64, v.list.size as u64, 14, Lang::Vi).as_deref(),
        Some("26 đồng chí, đạt 1,04 lần so với số lượng khóa XIV")
    );
    // No hard rule is broken; the shares miss their targets, and say so. Counted here:
    // cadres 10 to 35, women every fourth, none under 40 at the start of 2025.
    let women = (10..36).filter(|i| i % 4 == 0).count();
    assert_eq!(women, 6);
    assert!(
        v.findings.iter().all(|f| f.severity == Severity::Warning),
        "{:?}",
        v.findings
    );
    assert_eq!(v.shares[0], "Nữ: 6/26 (23,07%, mục tiêu từ 25%)");
    assert_eq!(v.shares[1], "Trẻ (dưới 40 tuổi): 0/26 (0,00%, mục tiêu từ 10%)");
    assert_eq!(v.shares[2], "Dân tộc thiểu số: 26/26 (100,00%)");
    let rules: Vec<&str> = v.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["50-QĐ/TW: tỷ lệ nữ", "50-QĐ/TW: tỷ lệ trẻ (dưới 40 tuổi)"]);
    // Too few for a title: a standing committee of 7 planned with 5.
    let btv = app
        .create_plan_list(&office, &input("15", "2025-2030", "BTV", "7"))
        .await
        .unwrap();
    for i in 10..15 {
        app.add_to_plan(&office, btv, &card(i), change("15/04/2022", "46-QĐ/ĐU", ""))
            .await
            .unwrap();
    }
    let v = app.plan(&office, btv, Date::constant(2022, 4, 15)).await.unwrap();
    let breaches: Vec<_> = v.findings.iter().filter(|f| f.severity == Severity::Breach).collect();
    assert_eq!(breaches.len(), 1, "{:?}", v.findings);
    assert_eq!(breaches[0].actual, "5 đồng chí (0,71 lần)");

    // One cadre, at most three titles at this level: card 10 is in the committee's and
    // the standing committee's plans; the secretary's makes three, the deputy's a fourth.
    let title = |t: &str, seats: &str| input("15", "2025-2030", t, seats);
    let secretary_list = app.create_plan_list(&office, &title("Bí thư", "1")).await.unwrap();
    let deputy_list = app.create_plan_list(&office, &title("Phó Bí thư", "2")).await.unwrap();
    app.add_to_plan(&office, secretary_list, &card(10), change("15/04/2022", "47-QĐ/ĐU", ""))
        .await
        .unwrap();
    let e = app
        .add_to_plan(&office, deputy_list, &card(10), change("15/04/2022", "47-QĐ/ĐU", ""))
        .await
        .unwrap_err();
    assert!(e.message(Lang::Vi).contains("số chức danh"), "{}", e.message(Lang::Vi));
    assert_eq!(
        app.plan(&office, deputy_list, Date::constant(2022, 4, 15))
            .await
            .unwrap()
            .entries
            .len(),
        0,
        "a refused change changes nothing"
    );

    // Planning is not for every role: a cell secretary and another bloc's office see nothing.
    assert!(app.plan(&secretary, bch, Date::constant(2022, 4, 15)).await.is_err());
    assert!(app.plan(&other_office, bch, Date::constant(2022, 4, 15)).await.is_err());
    assert!(
        app.add_to_plan(&leader, bch, &card(37), change("15/04/2022", "x", ""))
            .await
            .is_err(),
        "leadership reads plans but does not change them"
    );

    // Rule sets are data: an administrator edits one, and the plan is checked by it.
    let admin = caller(Role::Admin, None);
    let sets = app.rule_sets().await.unwrap();
    assert_eq!(sets.len(), 2, "the shipped sets until one is saved");
    let edit = |source: &str, per_seat: &str| dangbo_app::planning::RuleSetInput {
        editing: "50-QĐ/TW".into(),
        source: source.into(),
        from: "27/12/2021".into(),
        params: vec![
            ("women_min_percent".into(), "30".into()),
            ("per_seat".into(), per_seat.into()),
        ],
        unconfirmed: "women_min_percent".into(),
        note: "Sửa theo văn bản hướng dẫn".into(),
    };
    assert!(
        app.save_rule_set(&office, &edit("50-QĐ/TW", "3")).await.is_err(),
        "administrators only"
    );
    for bad in [
        edit("50-QĐ/TW", "ba"),
        edit("50-QĐ/TW", "0"),
        edit("", "3"),
        edit("377-QĐ/TW", "3"),
    ] {
        assert!(app.save_rule_set(&admin, &bad).await.is_err());
    }
    app.save_rule_set(&admin, &edit("50-QĐ/TW", "3")).await.unwrap();
    let sets = app.rule_sets().await.unwrap();
    assert_eq!(sets.len(), 2, "both sets are stored now");
    assert_eq!(sets[0].0.women_min_percent, 30);
    assert_eq!(sets[1].0.source, "377-QĐ/TW");
    let v = app.plan(&leader, next, Date::constant(2022, 4, 15)).await.unwrap();
    assert_eq!(v.rules.women_min_percent, 30);
    assert!(v.shares[0].contains("mục tiêu từ 30%"), "{:?}", v.shares);
    {
        let mut tx = db.read().await.unwrap();
        let lines = tx.audit_for("rules:50-QĐ/TW").await.unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].3.contains("women_min_percent=25") && lines[0].3.contains("women_min_percent=30"));
    }

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
