//! The demo province on a real SQLite database: its tree before and after the
//! reorganization of 1/7/2025, its head counts, its bodies, and reproducibility.
#![allow(clippy::unwrap_used)]

use dangbo_app::{App, AppError, Clock};
use dangbo_domain::Date;
use dangbo_domain::cadre::BodyKind;
use dangbo_domain::member::PersonKind;
use dangbo_domain::org::{Level, OrgCode, OrgKind};
use dangbo_store::{Db, MemberFilter};
use std::sync::Mutex;

const TODAY: Date = Date::constant(2026, 11, 1);

async fn fresh(dir: &tempfile::TempDir, name: &str) -> App {
    let path = dir.path().join(name);
    let db = Db::open(path.to_str().unwrap()).await.unwrap();
    db.migrate().await.unwrap();
    App::new(db, Clock::Fixed(TODAY), "test")
}

fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

#[tokio::test]
async fn the_demo_province_keeps_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let app = fresh(&dir, "demo.db").await;
    let stages = Mutex::new(Vec::new());
    let summary = app
        .load_demo(1, &|s: &str| stages.lock().unwrap().push(s.to_string()))
        .await
        .unwrap();
    assert!(stages.lock().unwrap().iter().any(|s| s.contains("01/07/2025")));
    assert!((19_000..=21_500).contains(&summary.people), "{summary:?}");
    assert!(
        summary.orgs > 1_500 && summary.bodies > 400 && summary.positions > 4_000,
        "{summary:?}"
    );

    let ls = code("LS");
    let before = Date::constant(2025, 6, 30);
    let after = Date::constant(2025, 7, 1);
    let old = app.tree(Some(&ls), before).await.unwrap();
    let new = app.tree(Some(&ls), after).await.unwrap();
    let districts = old
        .iter()
        .filter(|n| n.org.level == Level::District && n.org.kind == OrgKind::UpperBase)
        .count();
    assert_eq!(districts, 11);
    assert_eq!(new.iter().filter(|n| n.org.level == Level::District).count(), 0);
    let communes_before = old
        .iter()
        .filter(|n| n.org.level == Level::Commune && n.org.kind == OrgKind::BaseCommittee)
        .count();
    assert_eq!(communes_before, 200);
    let root_id = new[0].org.id;
    let communes_after = new
        .iter()
        .filter(|n| {
            n.org.kind == OrgKind::BaseCommittee && n.org.level == Level::Commune && n.org.parent == Some(root_id)
        })
        .count();
    assert_eq!(communes_after, 65);

    assert!(app.org(&code("LS.KCQ"), before).await.is_ok());
    assert!(app.org(&code("LS.KDN"), before).await.is_ok());
    assert!(app.org(&code("LS.CQD"), before).await.is_err());
    assert!(app.org(&code("LS.KCQ"), after).await.is_err());
    assert!(app.org(&code("LS.KDN"), after).await.is_err());
    assert!(app.org(&code("LS.CL"), after).await.is_err());
    let cqd = app.org(&code("LS.CQD"), after).await.unwrap();
    let ubnd = app.org(&code("LS.UBND"), after).await.unwrap();
    assert_eq!((cqd.parent, ubnd.parent), (Some(root_id), Some(root_id)));

    // Nobody is lost or gained by the reorganization.
    assert_eq!(old[0].people, new[0].people);
    let today = app.tree(Some(&ls), TODAY).await.unwrap();
    assert_eq!(today[0].people, summary.people);

    // The bloc of agencies had 4.336 members, so that 3.252 is 75% (seed 004).
    let mut tx = app.db.read().await.unwrap();
    let kcq = tx
        .org_by_code(&code("LS.KCQ"), Date::constant(2023, 12, 4))
        .await
        .unwrap()
        .unwrap();
    let facts = tx.member_facts(&kcq.path, Date::constant(2023, 12, 4)).await.unwrap();
    assert_eq!(facts.iter().filter(|f| f.kind == PersonKind::Member).count(), 4_336);
    // The dashboard's statistics, counted in the database by groups, agree with the
    // people read one by one.
    let stats = app.member_stats(&code("LS"), TODAY).await.unwrap();
    let every = tx.member_facts(&today[0].org.path, TODAY).await.unwrap();
    let members: Vec<_> = every.iter().filter(|f| f.kind == PersonKind::Member).collect();
    assert_eq!(stats.members, members.len() as u64);
    assert_eq!(stats.non_members, (every.len() - members.len()) as u64);
    let full = members.iter().filter(|f| f.full_on.is_some_and(|d| d <= TODAY)).count();
    assert_eq!(
        (stats.full, stats.probationary),
        (full as u64, (members.len() - full) as u64)
    );
    assert_eq!(stats.exempt, members.iter().filter(|f| f.exempt).count() as u64);
    assert_eq!(
        stats.women,
        members
            .iter()
            .filter(|f| f.gender == dangbo_domain::member::Gender::Female)
            .count() as u64
    );
    let mut by_age = [0u64; 5];
    for f in &members {
        let age = dangbo_domain::date::age_on(f.birth_date, TODAY);
        let starts = dangbo_app::members::AGE_BAND_STARTS;
        by_age[starts.iter().filter(|&&s| age >= i32::from(s)).count()] += 1;
    }
    assert_eq!(stats.by_age, by_age);
    let kinh = members.iter().filter(|f| f.ethnicity.name() == "Kinh").count() as u64;
    assert_eq!(
        stats.by_ethnicity.iter().find(|e| e.0 == "Kinh").map(|e| e.1),
        Some(kinh)
    );
    // The dashboard's counts of organizations and cells, counted in the database.
    let summary = app.summary(&ls, TODAY).await.unwrap();
    let (orgs, cells) = (summary.orgs, summary.cells);
    assert_eq!(orgs as usize, today.len() - 1);
    assert_eq!(cells as usize, today.iter().filter(|n| n.org.kind.is_cell()).count());

    let bases = app.tree(Some(&code("LS.KCQ")), before).await.unwrap();
    assert_eq!(
        bases
            .iter()
            .filter(|n| n.org.parent == Some(kcq.id) && n.org.kind.is_base())
            .count(),
        63
    );

    // Its 14th-term bodies, as seed 003 measures them.
    let bodies = tx.bodies_of(kcq.id).await.unwrap();
    let size = |k: BodyKind| bodies.iter().find(|b| b.kind == k).map(|b| b.prescribed_size);
    assert_eq!(size(BodyKind::Executive), Some(25));
    assert_eq!(size(BodyKind::Standing), Some(7));
    assert_eq!(size(BodyKind::Inspection), Some(5));
    let bch = bodies.iter().find(|b| b.kind == BodyKind::Executive).unwrap();
    let seats = tx.positions_in_body(bch.id).await.unwrap();
    assert!((23..=25).contains(&seats.len()), "{}", seats.len());
    let ls_bodies = tx.bodies_of(root_id).await.unwrap();
    assert_eq!(ls_bodies.len(), 6);

    // A commune cell keeps its history: created in 2015, moved by the merge in 2025.
    let history = tx.org_history(&code("LS.CL.DM.01")).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].change, "merge");
    assert_eq!(history[1].validity.from, after);
    assert_eq!(tx.audit_for("demo").await.unwrap().len(), 1);
    drop(tx);

    // The day of seed 004, from the demo's own records.
    let admin = dangbo_app::access::Caller {
        account_id: 0,
        username: "t".into(),
        display_name: "t".into(),
        person: None,
        grants: vec![dangbo_app::access::Grant {
            id: 0,
            role: dangbo_app::access::Role::Admin,
            org: None,
            validity: dangbo_domain::Validity::since(Date::constant(2000, 1, 1)),
        }],
    };
    let confs = app.conferences_for(&admin).await.unwrap();
    let day = confs.iter().find(|c| c.held_on == Date::constant(2023, 12, 4)).unwrap();
    assert_eq!(day.status, "closed");
    let kcq_id = app.org(&code("LS.KCQ"), Date::constant(2023, 12, 4)).await.unwrap().id;
    let f = app.figures(day.id, Some(kcq_id)).await.unwrap();
    assert_eq!(
        f.summary("Đảng bộ Khối các cơ quan tỉnh", dangbo_domain::Lang::Vi)[1],
        "Đảng bộ Khối các cơ quan tỉnh đã mở 01 điểm cầu và chỉ đạo cấp ủy cơ sở mở 63 điểm cầu tiếp sóng, \
         với sự tham gia của 3.113 đảng viên, quần chúng ưu tú; 100% tổ chức cơ sở đảng đã cử cán bộ, đảng viên tham gia."
    );
    let campaign = app.campaigns_for(&admin).await.unwrap()[0].id;
    let v = app.campaign(&admin, campaign, None).await.unwrap();
    assert_eq!(
        v.total.sentence(dangbo_domain::Lang::Vi),
        "Đảng bộ Khối các cơ quan tỉnh có 3.252 đảng viên (tỷ lệ 75%) được nghiên cứu, học tập"
    );

    // A second load is refused and changes nothing.
    let again = app.load_demo(1, &|_| {}).await;
    assert!(matches!(again, Err(AppError::Rejected { .. })));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_province() {
    let dir = tempfile::tempdir().unwrap();
    let a = fresh(&dir, "a.db").await;
    let b = fresh(&dir, "b.db").await;
    let sa = a.load_demo(7, &|_| {}).await.unwrap();
    let sb = b.load_demo(7, &|_| {}).await.unwrap();
    assert_eq!(sa, sb);
    let mut lists = Vec::new();
    for app in [&a, &b] {
        let mut tx = app.db.read().await.unwrap();
        let ls = tx.org_by_code(&code("LS"), TODAY).await.unwrap().unwrap();
        let filter = MemberFilter {
            subtree: Some(ls.path),
            on: TODAY,
            query: None,
            kind: None,
            gender: None,
            status: None,
            ethnicity: None,
            limit: 100,
            offset: 0,
            after: None,
            before: None,
        };
        let (rows, total) = tx.members(&filter).await.unwrap();
        let rows: Vec<(String, Option<String>, String)> = rows
            .into_iter()
            .map(|m| {
                let card = m
                    .row
                    .membership
                    .and_then(|x| x.card_number)
                    .map(|c| c.as_str().to_string());
                (m.row.person.name.full().to_string(), card, m.org_code.to_string())
            })
            .collect();
        assert_eq!(rows.len(), 100);
        lists.push((rows, total));
    }
    assert_eq!(lists[0], lists[1]);
}
