//! Property tests of the restructuring operations over a real (SQLite) database: whatever
//! sequence of moves, merges, splits, renames, dissolutions and transfers is tried, the
//! tree never has a cycle, the past is never rewritten, people are never lost or doubled,
//! and a rejected operation changes nothing.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::orgs::{NewOrg, SplitPlan};
use dangbo_app::{App, AppError, Clock};
use dangbo_domain::Date;
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_store::testing;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Op {
    Move(usize, usize),
    Merge(Vec<usize>, usize),
    Split(usize, usize),
    Rename(usize),
    Dissolve(usize),
    Transfer(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..20usize, 0..20usize).prop_map(|(a, b)| Op::Move(a, b)),
        (proptest::collection::vec(0..20usize, 1..3), 0..20usize).prop_map(|(a, b)| Op::Merge(a, b)),
        (0..20usize, 2..4usize).prop_map(|(a, n)| Op::Split(a, n)),
        (0..20usize).prop_map(Op::Rename),
        (0..20usize).prop_map(Op::Dissolve),
        (0..40usize, 0..20usize).prop_map(|(a, b)| Op::Transfer(a, b)),
    ]
}

fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

fn name(s: &str) -> OrgName {
    OrgName::parse(s).unwrap()
}

/// The tree and placements on a day: code → (name, parent code, path as codes, people).
type Snapshot = BTreeMap<String, (String, Option<String>, Vec<String>, Vec<String>)>;

async fn snapshot(app: &App, on: Date) -> Snapshot {
    let mut tx = app.db.read().await.unwrap();
    let mut out = Snapshot::new();
    for root in tx.org_roots(on).await.unwrap() {
        let nodes = tx.org_subtree(&root.path, on).await.unwrap();
        let by_id: BTreeMap<_, _> = nodes.iter().map(|n| (n.id, n.code.to_string())).collect();
        for n in &nodes {
            // No cycle and a consistent path: the path is the parent's path plus the node.
            let ids = n.path.ids();
            assert_eq!(ids.last(), Some(&n.id), "path of {} ends with itself", n.code);
            assert_eq!(ids.len() >= 2, n.parent.is_some());
            if let Some(p) = n.parent {
                let parent = nodes.iter().find(|x| x.id == p).expect("parent valid the same day");
                assert_eq!(parent.path.child(n.id), n.path, "path of {}", n.code);
                assert!(parent.kind.may_contain(n.kind));
            }
            let mut people: Vec<String> = tx
                .placements_in(n.id, on)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.person_id.0.to_string())
                .collect();
            people.sort();
            let path = ids.iter().map(|i| by_id.get(i).cloned().unwrap_or_default()).collect();
            out.insert(
                n.code.to_string(),
                (
                    n.name.to_string(),
                    n.parent.and_then(|p| by_id.get(&p).cloned()),
                    path,
                    people,
                ),
            );
        }
    }
    out
}

/// The head counts kept between requests (the summaries behind the dashboard, the
/// organization pages and the tree's top levels) agree with counting the whole tree now.
async fn kept_counts_agree(app: &App, on: Date) {
    for root in app.roots(on).await.unwrap() {
        let full = app.tree(Some(&root.code), on).await.unwrap();
        let counted: BTreeMap<String, u64> = full.iter().map(|n| (n.org.code.to_string(), n.people)).collect();
        let top = app.tree_top(&root.code, on, 2).await.unwrap();
        let base = root.path.depth();
        let shown: Vec<&dangbo_app::orgs::TreeNode> = full.iter().filter(|n| n.org.path.depth() <= base + 2).collect();
        assert_eq!(top.len(), shown.len(), "the tree's top levels on {on}");
        for (t, f) in top.iter().zip(shown) {
            assert_eq!((&t.org.code, t.people), (&f.org.code, f.people), "kept count on {on}");
            let deeper = full.iter().any(|n| n.org.parent == Some(t.org.id));
            assert_eq!(
                t.deeper,
                t.org.path.depth() == base + 2 && deeper,
                "{} has children",
                t.org.code
            );
        }
        for n in &full {
            for c in app.children(&n.org.code, on).await.unwrap() {
                assert_eq!(
                    Some(&c.people),
                    counted.get(c.org.code.as_str()),
                    "child {}",
                    c.org.code
                );
            }
            let s = app.member_stats(&n.org.code, on).await.unwrap();
            assert_eq!(s.members + s.non_members, n.people, "stats of {}", n.org.code);
        }
    }
}

fn people(s: &Snapshot) -> Vec<String> {
    let mut all: Vec<String> = s.values().flat_map(|v| v.3.clone()).collect();
    all.sort();
    all
}

async fn setup() -> (testing::TestDb, App, usize) {
    let t = testing::sqlite().await.unwrap();
    let app = App::new(t.db.clone(), Clock::Fixed(Date::constant(2027, 6, 1)), "test");
    let start = Date::constant(2015, 1, 1);
    let mk = |c: &str, n: &str, k: OrgKind, p: Option<&str>| NewOrg {
        code: code(c),
        name: name(n),
        kind: k,
        level: Level::Province,
        parent: p.map(code),
    };
    app.create_org(&mk("LS", "Đảng bộ tỉnh", OrgKind::Provincial, None), start)
        .await
        .unwrap();
    let mut card = 10_000_000u64;
    let mut n = 0;
    for b in ["A", "B", "C"] {
        app.create_org(
            &mk(b, &format!("Đảng bộ khối {b}"), OrgKind::UpperBase, Some("LS")),
            start,
        )
        .await
        .unwrap();
        let base = format!("{b}.B");
        app.create_org(
            &mk(&base, &format!("Đảng bộ cơ quan {b}"), OrgKind::BaseCommittee, Some(b)),
            start,
        )
        .await
        .unwrap();
        for i in 0..2 {
            let cell = format!("{b}.C{i}");
            app.create_org(
                &mk(&cell, &format!("Chi bộ cơ sở {b} {i}"), OrgKind::BaseCell, Some(b)),
                start,
            )
            .await
            .unwrap();
            let sub = format!("{b}.B.S{i}");
            app.create_org(
                &mk(
                    &sub,
                    &format!("Chi bộ trực thuộc {b} {i}"),
                    OrgKind::SubordinateCell,
                    Some(&base),
                ),
                start,
            )
            .await
            .unwrap();
            for target in [&cell, &sub] {
                for _ in 0..2 {
                    card += 1;
                    n += 1;
                    let rec = PersonRecord {
                        kind: PersonKind::Member,
                        name: PersonName::parse("Hoàng Văn Minh").unwrap(),
                        gender: Gender::Male,
                        birth_date: Date::constant(1980, 1, 1),
                        ethnicity: Ethnicity::parse("Nùng").unwrap(),
                        citizen_id: None,
                        card_number: Some(CardNumber::parse(&card.to_string()).unwrap()),
                        admitted_on: Some(Date::constant(2005, 1, 1)),
                        full_on: Some(Date::constant(2006, 1, 1)),
                        exempt: false,
                        phone: None,
                    };
                    app.add_member(&rec, &code(target), start).await.unwrap();
                }
            }
        }
    }
    (t, app, n)
}

async fn apply(app: &App, op: &Op, on: Date, step: usize) -> Result<(), AppError> {
    let codes: Vec<String> = snapshot(app, on).await.into_keys().collect();
    let pick = |i: usize| code(&codes[i % codes.len()]);
    match op {
        Op::Move(a, b) => app.move_org(&pick(*a), &pick(*b), on).await.map(drop),
        Op::Merge(srcs, t) => {
            let srcs: Vec<OrgCode> = srcs.iter().map(|i| pick(*i)).collect();
            app.merge_orgs(&srcs, &pick(*t), None, on).await.map(drop)
        }
        Op::Split(a, n) => {
            let parts = (0..*n)
                .map(|k| {
                    (
                        code(&format!("S{step}.{k}")),
                        name(&format!("Phần {k} của bước {step}")),
                    )
                })
                .collect();
            app.split_org(
                &pick(*a),
                &SplitPlan {
                    parts,
                    ..Default::default()
                },
                on,
            )
            .await
            .map(drop)
        }
        Op::Rename(a) => {
            app.rename_org(&pick(*a), &name(&format!("Tên mới bước {step}")), on)
                .await
        }
        Op::Dissolve(a) => app.dissolve_org(&pick(*a), on).await,
        Op::Transfer(m, t) => {
            let card = (10_000_001 + (*m as u64 % 24)).to_string();
            app.transfer_member(&card, &pick(*t), on).await
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn restructuring_keeps_the_tree_sound(ops in proptest::collection::vec(op(), 1..8)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (_t, app, total) = setup().await;
            // Another process over the same database keeps counts of its own.
            let other = App::new(app.db.clone(), Clock::Fixed(Date::constant(2027, 6, 1)), "other");
            let mut history: Vec<(Date, Snapshot)> = Vec::new();
            let mut day = Date::constant(2020, 1, 1);
            history.push((day, snapshot(&app, day).await));
            for (step, op) in ops.iter().enumerate() {
                day = day.checked_add(jiff::Span::new().days(30)).unwrap();
                let before = snapshot(&app, day).await;
                kept_counts_agree(&other, day).await;
                let result = apply(&app, op, day, step).await;
                let after = snapshot(&app, day).await;
                kept_counts_agree(&other, day).await;
                kept_counts_agree(&app, day).await;
                match &result {
                    Ok(()) => {}
                    Err(AppError::Rejected { .. } | AppError::NotFound { .. }) => {
                        assert_eq!(before, after, "a rejected {op:?} changed nothing");
                    }
                    Err(e) => panic!("{op:?} failed: {e}"),
                }
                // People are conserved: everyone is placed exactly once.
                let placed = people(&after);
                assert_eq!(placed.len(), total, "after {op:?}");
                let mut unique = placed.clone();
                unique.dedup();
                assert_eq!(unique.len(), total, "nobody is placed twice after {op:?}");
                // The past is unchanged.
                for (d, snap) in &history {
                    assert_eq!(&snapshot(&app, *d).await, snap, "history of {d} after {op:?}");
                }
                history.push((day, after));
            }
        });
    }
}

#[tokio::test]
async fn merge_moves_members_with_the_date() {
    let (_t, app, total) = setup().await;
    let on = Date::constant(2025, 7, 1);
    let new = NewOrg {
        code: code("AB"),
        name: name("Chi bộ hợp nhất"),
        kind: OrgKind::BaseCell,
        level: Level::Province,
        parent: Some(code("LS")),
    };
    let done = app
        .merge_orgs(&[code("A.C0"), code("B.C0")], &code("AB"), Some(&new), on)
        .await
        .unwrap();
    assert_eq!(done.people, 4);
    let before = snapshot(&app, Date::constant(2025, 6, 30)).await;
    let after = snapshot(&app, on).await;
    assert!(before.contains_key("A.C0") && !after.contains_key("A.C0"));
    assert_eq!(after["AB"].3.len(), 4);
    assert_eq!(people(&before).len(), total);
    assert_eq!(people(&after).len(), total);
    // Merging people into a committee (not a cell) is refused and changes nothing.
    let err = app.merge_orgs(&[code("C.C0")], &code("C"), None, on).await.unwrap_err();
    assert!(
        err.message(dangbo_domain::Lang::Vi).contains("không phải chi bộ"),
        "{}",
        err.message(dangbo_domain::Lang::Vi)
    );
    assert_eq!(snapshot(&app, on).await, after);
}

#[tokio::test]
async fn moving_under_ones_own_subtree_is_refused() {
    let (_t, app, _) = setup().await;
    let on = Date::constant(2025, 7, 1);
    let err = app.move_org(&code("A"), &code("A.B"), on).await.unwrap_err();
    assert!(matches!(err, AppError::Rejected { .. }));
    // A change dated before the last recorded change is refused: history is not rewritten.
    app.rename_org(&code("A"), &name("Khối A mới"), on).await.unwrap();
    let err = app
        .rename_org(&code("A"), &name("Khối A cũ"), Date::constant(2025, 1, 1))
        .await
        .unwrap_err();
    let msg = err.message(dangbo_domain::Lang::Vi);
    assert!(msg.contains("hãy chọn ngày từ 01/07/2025"), "{msg}");
}

fn rejected(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(e @ AppError::Rejected { .. }) => e.message(dangbo_domain::Lang::Vi),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn changes_dated_after_today_are_refused() {
    let (_t, app, _) = setup().await; // today is 01/06/2027
    let msg = rejected(
        app.transfer_member("10000001", &code("A.C1"), Date::constant(2027, 6, 2))
            .await,
    );
    assert!(msg.contains("sau hôm nay (01/06/2027)"), "{msg}");
    assert!(
        app.rename_org(&code("A"), &name("Khối A"), Date::constant(2030, 1, 1))
            .await
            .is_err()
    );
    app.transfer_member("10000001", &code("A.C1"), Date::constant(2027, 6, 1))
        .await
        .unwrap();
}

#[tokio::test]
async fn later_people_changes_block_earlier_restructuring() {
    let (_t, app, total) = setup().await;
    let d = |m: i8, day: i8| Date::constant(2026, m, day);
    // A transfer on 1/12 into A.C1, then a merge of A.C0 (where the member was) dated
    // 25/11: the member's later move would be contradicted, so the merge is refused.
    app.transfer_member("10000001", &code("A.C1"), d(12, 1)).await.unwrap();
    let msg = rejected(app.merge_orgs(&[code("A.C0")], &code("B.C0"), None, d(11, 25)).await);
    assert!(msg.contains("01/12/2026"), "{msg}");
    // Dissolving the receiving cell before the transfer's date is refused too.
    let msg = rejected(app.dissolve_org(&code("A.C1"), d(11, 30)).await);
    assert!(msg.contains("không thể") || msg.contains("01/12/2026"), "{msg}");
    // A transfer into a cell recorded to end later is refused.
    app.create_org(
        &NewOrg {
            code: code("T"),
            name: name("Chi bộ tạm"),
            kind: OrgKind::BaseCell,
            level: Level::Province,
            parent: Some(code("LS")),
        },
        d(11, 1),
    )
    .await
    .unwrap();
    app.dissolve_org(&code("T"), d(12, 5)).await.unwrap();
    let msg = rejected(app.transfer_member("10000003", &code("T"), d(12, 2)).await);
    assert!(msg.contains("05/12/2026"), "{msg}");
    assert_eq!(people(&snapshot(&app, d(12, 31)).await).len(), total);
}

#[tokio::test]
async fn building_on_an_organization_that_changes_later_is_refused() {
    let (_t, app, _) = setup().await;
    let d = |m: i8, day: i8| Date::constant(2026, m, day);
    // B moves under C on 20/12; a cell cannot be moved under B on 15/12, before that.
    app.move_org(&code("C.C0"), &code("B"), d(12, 10)).await.unwrap();
    app.move_org(&code("B"), &code("C"), d(12, 20)).await.unwrap();
    let msg = rejected(app.move_org(&code("A.C0"), &code("B"), d(12, 15)).await);
    assert!(msg.contains("20/12/2026"), "{msg}");
    // A later rename keeps C's place in the tree, so moving under it earlier is fine.
    app.rename_org(&code("C"), &name("Khối C mới"), d(12, 28))
        .await
        .unwrap();
    app.move_org(&code("A.C1"), &code("C"), d(12, 26)).await.unwrap();
    let msg = rejected(
        app.merge_orgs(&[code("A"), code("A.C0")], &code("C"), None, d(12, 30))
            .await,
    );
    assert!(msg.contains("lồng nhau"), "{msg}");
}

#[tokio::test]
async fn positions_end_with_their_organization() {
    let (_t, app, _) = setup().await;
    let on = Date::constant(2026, 3, 1);
    let mut tx = app.db.write().await.unwrap();
    let org = tx.org_by_code(&code("A.C0"), on).await.unwrap().unwrap();
    let who = tx.person_keys().await.unwrap()[0].0;
    tx.insert_position(&dangbo_store::PositionRow {
        id: 0,
        person_id: who,
        org_id: org.id,
        body_id: None,
        title: dangbo_domain::cadre::Title::parse("Bí thư chi bộ").unwrap(),
        source: dangbo_domain::cadre::PositionSource::Election,
        validity: dangbo_domain::Validity::since(Date::constant(2025, 1, 1)),
        managed_by: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.merge_orgs(&[code("A.C0")], &code("A.C1"), None, on).await.unwrap();
    let held = app.db.read().await.unwrap().positions_of(who).await.unwrap();
    assert_eq!(held[0].validity.to, Some(on));
}

#[tokio::test]
async fn crossed_moves_at_the_same_time_never_make_a_cycle() {
    for backend in ["sqlite", "postgres"] {
        let t = match backend {
            "sqlite" => testing::sqlite().await.unwrap(),
            _ => match testing::postgres().await.unwrap() {
                Some(t) => t,
                None => {
                    eprintln!("skipped on PostgreSQL: DANGBO_TEST_POSTGRES is not set");
                    continue;
                }
            },
        };
        let app = App::new(t.db.clone(), Clock::Fixed(Date::constant(2026, 1, 1)), "test");
        let on = Date::constant(2015, 1, 1);
        let mk = |c: &str, k: OrgKind, p: Option<&str>| NewOrg {
            code: code(c),
            name: name(&format!("Tổ chức {c}")),
            kind: k,
            level: Level::Province,
            parent: p.map(code),
        };
        app.create_org(&mk("LS", OrgKind::Provincial, None), on).await.unwrap();
        app.create_org(&mk("U1", OrgKind::UpperBase, Some("LS")), on)
            .await
            .unwrap();
        app.create_org(&mk("U2", OrgKind::UpperBase, Some("LS")), on)
            .await
            .unwrap();
        for round in 0..5 {
            let day = Date::constant(2020 + round, 1, 1);
            let (u1, u2) = (code("U1"), code("U2"));
            let (a, b) = tokio::join!(app.move_org(&u1, &u2, day), app.move_org(&u2, &u1, day));
            assert!(!(a.is_ok() && b.is_ok()), "{backend}: both crossed moves succeeded");
            snapshot(&app, day).await; // asserts every path is consistent
            // Put the moved one back under the root for the next round.
            let moved = if a.is_ok() { "U1" } else { "U2" };
            app.move_org(&code(moved), &code("LS"), Date::constant(2020 + round, 6, 1))
                .await
                .unwrap();
        }
    }
}
