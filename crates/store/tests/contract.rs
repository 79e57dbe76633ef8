//! The storage contract: every test runs against SQLite, and against PostgreSQL when
//! `DANGBO_TEST_POSTGRES` names a server. Both backends must behave identically.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_domain::cadre::{BodyKind, PositionSource, Term, Title};
use dangbo_domain::member::{CardNumber, CitizenId, Ethnicity, Gender, MemberStatus, PersonId, PersonKind, Phone};
use dangbo_domain::name::{PersonName, fold};
use dangbo_domain::org::{Level, OrgCode, OrgId, OrgKind, OrgName, OrgPath};
use dangbo_domain::{Date, Validity};
use dangbo_store::testing::TestDb;
use dangbo_store::{
    AuditLine, AuditQuery, MemberFilter, MembershipRow, NewOrgVersion, NewPerson, PositionRow, StoreError, Total, Tx,
};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(dangbo_store::testing::sqlite().await.unwrap()).await;
                }
                #[tokio::test]
                async fn postgres() {
                    match dangbo_store::testing::postgres().await.unwrap() {
                        Some(db) => super::$name(db).await,
                        None => eprintln!("skipped: set DANGBO_TEST_POSTGRES to run against PostgreSQL"),
                    }
                }
            }
        )*
    };
}

contract!(
    migrations_are_idempotent,
    tree_as_of_a_date,
    codes_are_unique,
    names_sort_and_search_the_same_way,
    rollback_leaves_nothing,
    placements_and_counts,
    bodies_and_positions,
    audit_and_meta,
    stale_name_keys_are_recomputed,
    keyset_pages_cover_the_list_once,
    name_search_three_ways,
    a_name_search_counts_to_a_bound,
    province_lists_follow_restructures,
    searches_within_a_subtree,
);

fn day(y: i16, m: i8, d: i8) -> Date {
    Date::constant(y, m, d)
}

async fn org(
    tx: &mut Tx,
    code: &str,
    name: &str,
    kind: OrgKind,
    parent: Option<(OrgId, &OrgPath)>,
    from: Date,
) -> (OrgId, OrgPath) {
    let id = tx.insert_org(&OrgCode::parse(code).unwrap()).await.unwrap();
    let path = match parent {
        Some((_, p)) => p.child(id),
        None => OrgPath::root(id),
    };
    tx.insert_org_version(&NewOrgVersion {
        id,
        parent: parent.map(|p| p.0),
        name: OrgName::parse(name).unwrap(),
        kind,
        level: Level::Province,
        path: path.clone(),
        from,
        change: "create".into(),
    })
    .await
    .unwrap();
    (id, path)
}

fn person(name: &str, cid: Option<&str>) -> NewPerson {
    NewPerson {
        kind: PersonKind::Member,
        name: PersonName::parse(name).unwrap(),
        gender: Gender::Female,
        birth_date: day(1985, 3, 4),
        ethnicity: Ethnicity::parse("Tày").unwrap(),
        citizen_id: cid.map(|c| CitizenId::parse(c).unwrap()),
        phone: Some(Phone::parse("0912345678").unwrap()),
    }
}

async fn migrations_are_idempotent(t: TestDb) {
    assert_eq!(t.db.migrate().await.unwrap(), 0);
    assert!(t.db.is_migrated().await.unwrap());
    // A database that applied a different text of migration 1 is refused, not used.
    let mut tx = t.db.write().await.unwrap();
    tx.tamper_migration_checksum_for_tests().await.unwrap();
    tx.commit().await.unwrap();
    let err = t.db.migrate().await.unwrap_err();
    assert!(
        err.to_string().contains("was changed after this database applied it"),
        "{err}"
    );
}

async fn tree_as_of_a_date(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    let (root, rp) = org(
        &mut tx,
        "LS",
        "Đảng bộ tỉnh Lạng Sơn",
        OrgKind::Provincial,
        None,
        day(2015, 1, 1),
    )
    .await;
    let (d, dp) = org(
        &mut tx,
        "LS.CL",
        "Đảng bộ huyện Chi Lăng",
        OrgKind::UpperBase,
        Some((root, &rp)),
        day(2015, 1, 1),
    )
    .await;
    let (c, cp) = org(
        &mut tx,
        "LS.CL.QL",
        "Đảng bộ xã Quang Lang",
        OrgKind::BaseCommittee,
        Some((d, &dp)),
        day(2015, 1, 1),
    )
    .await;
    // A sibling whose id shares a prefix with another (ids 1, 10, …) must not leak into
    // a subtree: filler orgs push ids past 10.
    for i in 0..8 {
        org(
            &mut tx,
            &format!("F{i}"),
            &format!("Chi bộ số {i}"),
            OrgKind::BaseCell,
            Some((root, &rp)),
            day(2015, 1, 1),
        )
        .await;
    }
    // On 1/7/2025 the commune moves directly under the province and the district ends.
    let v = tx
        .org_by_code(&OrgCode::parse("LS.CL.QL").unwrap(), day(2025, 7, 1))
        .await
        .unwrap()
        .unwrap();
    tx.end_org_version(v.version_id, day(2025, 7, 1), "move").await.unwrap();
    let new_path = rp.child(c);
    tx.insert_org_version(&NewOrgVersion {
        id: c,
        parent: Some(root),
        name: OrgName::parse("Đảng bộ xã Quang Lang").unwrap(),
        kind: OrgKind::BaseCommittee,
        level: Level::Commune,
        path: new_path.clone(),
        from: day(2025, 7, 1),
        change: "move".into(),
    })
    .await
    .unwrap();
    let dv = tx
        .org_by_code(&OrgCode::parse("LS.CL").unwrap(), day(2025, 6, 30))
        .await
        .unwrap()
        .unwrap();
    tx.end_org_version(dv.version_id, day(2025, 7, 1), "dissolve")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = t.db.read().await.unwrap();
    let before = tx.org_subtree(&rp, day(2025, 6, 30)).await.unwrap();
    let after = tx.org_subtree(&rp, day(2025, 7, 1)).await.unwrap();
    assert_eq!(before.len(), 11);
    assert_eq!(after.len(), 10);
    assert!(before.iter().any(|v| v.code.as_str() == "LS.CL"));
    assert!(!after.iter().any(|v| v.code.as_str() == "LS.CL"));
    let q_before = before.iter().find(|v| v.id == c).unwrap();
    let q_after = after.iter().find(|v| v.id == c).unwrap();
    assert_eq!(q_before.path, cp);
    assert_eq!(q_after.path, new_path);
    assert_eq!(q_after.validity, Validity::since(day(2025, 7, 1)));
    assert_eq!(tx.org_subtree(&dp, day(2025, 6, 30)).await.unwrap().len(), 2);
    assert_eq!(tx.org_subtree(&dp, day(2025, 7, 1)).await.unwrap().len(), 0);
    assert_eq!(tx.org_children(root, day(2025, 6, 30)).await.unwrap().len(), 9);
    assert_eq!(tx.org_children(root, day(2025, 7, 1)).await.unwrap().len(), 9);
    assert_eq!(tx.org_roots(day(2020, 1, 1)).await.unwrap().len(), 1);
    assert!(tx.org_roots(day(2014, 12, 31)).await.unwrap().is_empty());
    let history = tx.org_history(&OrgCode::parse("LS.CL.QL").unwrap()).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].ended_by.as_deref(), Some("move"));
    assert_eq!(history[1].ended_by, None);
    assert_eq!(
        tx.org_by_name_key(&fold("Đảng bộ huyện Chi Lăng"), day(2023, 1, 1))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        tx.changes_after(root, &rp, day(2025, 6, 1)).await.unwrap(),
        (Some(day(2025, 7, 1)), None)
    );
    assert_eq!(
        tx.changes_after(root, &rp, day(2025, 7, 1)).await.unwrap(),
        (None, None)
    );
    assert_eq!(tx.org_by_id(c, day(2015, 1, 1)).await.unwrap().unwrap().path, cp);
}

async fn codes_are_unique(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    tx.insert_org(&OrgCode::parse("LS").unwrap()).await.unwrap();
    let again = tx.insert_org(&OrgCode::parse("LS").unwrap()).await;
    assert!(matches!(again, Err(StoreError::Duplicate(_))), "{again:?}");
}

async fn seed_people(tx: &mut Tx, names: &[&str]) -> (OrgId, OrgPath) {
    let (root, rp) = org(
        tx,
        "LS",
        "Đảng bộ tỉnh Lạng Sơn",
        OrgKind::Provincial,
        None,
        day(2015, 1, 1),
    )
    .await;
    let (cell, cp) = org(
        tx,
        "C1",
        "Chi bộ Sở Tư pháp",
        OrgKind::BaseCell,
        Some((root, &rp)),
        day(2015, 1, 1),
    )
    .await;
    let people: Vec<NewPerson> = names.iter().map(|n| person(n, None)).collect();
    let ids = tx.reserve_person_ids(people.len()).await.unwrap();
    let rows: Vec<_> = ids.iter().copied().zip(people.iter()).collect();
    tx.insert_people(&rows).await.unwrap();
    let m = MembershipRow {
        card_number: None,
        admitted_on: day(2010, 1, 1),
        full_on: Some(day(2011, 1, 1)),
        exempt: false,
    };
    let ms: Vec<_> = ids.iter().map(|i| (*i, &m)).collect();
    tx.upsert_memberships(&ms).await.unwrap();
    let pl: Vec<_> = ids.iter().map(|i| (*i, cell, day(2015, 1, 1), "test")).collect();
    tx.insert_placements(&pl).await.unwrap();
    (cell, cp)
}

fn filter(path: &OrgPath, query: Option<&str>) -> MemberFilter {
    MemberFilter {
        subtree: Some(path.clone()),
        on: day(2024, 1, 1),
        query: query.map(fold),
        kind: None,
        gender: None,
        status: None,
        ethnicity: None,
        limit: 100,
        offset: 0,
        after: None,
        before: None,
    }
}

async fn names_sort_and_search_the_same_way(t: TestDb) {
    let names = [
        "Nguyễn Quốc Đoàn",
        "Lê Văn Dũng",
        "Hoàng Thị Ánh",
        "Trần An",
        "Vi Văn Ân",
        "Lương Thị Ăn",
        "Nông Đức Ưng",
        "Hà Uy",
        "Đàm Văn Đạt",
        "Dương Thị Dung",
        "Lăng Văn Bình",
        "Mã Thị Hạnh",
        "Bế Thị Hà",
        "Lục Văn Hả",
        "Chu Thị Há",
        "Nguyễn Văn Đoan",
    ];
    let mut tx = t.db.write().await.unwrap();
    let (_, path) = seed_people(&mut tx, &names).await;
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let (rows, total) = tx.members(&filter(&path, None)).await.unwrap();
    assert_eq!(total, Total::exact(names.len() as i64));
    let got: Vec<String> = rows.iter().map(|r| r.row.person.name.full().to_string()).collect();
    let mut expected: Vec<PersonName> = names.iter().map(|n| PersonName::parse(n).unwrap()).collect();
    expected.sort_by(|a, b| {
        dangbo_domain::name::compare(a.given(), b.given())
            .then_with(|| dangbo_domain::name::compare(a.family(), b.family()))
            .then_with(|| dangbo_domain::name::compare(a.middle(), b.middle()))
    });
    let expected: Vec<String> = expected.iter().map(|n| n.full().to_string()).collect();
    assert_eq!(got, expected);

    for (q, want) in [
        ("nguyen quoc doan", vec!["Nguyễn Quốc Đoàn"]),
        ("Nguyen Quoc Doan", vec!["Nguyễn Quốc Đoàn"]),
        ("NGUYỄN QUỐC ĐOÀN", vec!["Nguyễn Quốc Đoàn"]),
        ("doa", vec!["Nguyễn Văn Đoan", "Nguyễn Quốc Đoàn"]),
        ("quoc doan", vec!["Nguyễn Quốc Đoàn"]),
        (
            "d",
            vec![
                "Đàm Văn Đạt",
                "Dương Thị Dung",
                "Lê Văn Dũng",
                "Nguyễn Văn Đoan",
                "Nguyễn Quốc Đoàn",
                "Nông Đức Ưng",
            ],
        ),
        ("xyz", vec![]),
    ] {
        let (rows, total) = tx.members(&filter(&path, Some(q))).await.unwrap();
        let mut got: Vec<&str> = rows.iter().map(|r| r.row.person.name.full()).collect();
        let mut want = want.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "query {q:?}");
        assert_eq!(total, Total::exact(want.len() as i64));
    }
    let mut f = filter(&path, None);
    f.limit = 5;
    f.offset = 5;
    let (page, total) = tx.members(&f).await.unwrap();
    assert_eq!(total, Total::exact(names.len() as i64));
    let page: Vec<String> = page.iter().map(|r| r.row.person.name.full().to_string()).collect();
    assert_eq!(page, expected[5..10]);
}

async fn rollback_leaves_nothing(t: TestDb) {
    {
        let mut tx = t.db.write().await.unwrap();
        seed_people(&mut tx, &["Nguyễn Văn A", "Trần Thị B"]).await;
        // dropped without commit
    }
    let mut tx = t.db.read().await.unwrap();
    assert_eq!(tx.org_count().await.unwrap(), 0);
    assert_eq!(tx.person_count().await.unwrap(), 0);
}

async fn placements_and_counts(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    let (cell, _) = seed_people(&mut tx, &["Nguyễn Văn A", "Trần Thị B", "Lê Văn C"]).await;
    let a = tx.person_keys().await.unwrap()[0].0;
    let open = tx.open_placement(a).await.unwrap().unwrap();
    assert_eq!(open.org_id, cell);
    tx.end_placements(&[open.id], day(2024, 6, 1)).await.unwrap();
    let cid = CitizenId::parse("020085012345").unwrap();
    let ids = [add_d(&mut tx, cell, &cid).await];
    let dup = tx
        .insert_people(&[(PersonId_(ids[0].0 + 1), &person("Lò Văn E", Some(cid.as_str())))])
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    drop(tx);

    let mut tx = t.db.write().await.unwrap();
    // Rolled back: the same rows again (PostgreSQL does not hand sequence numbers back,
    // so the ids may differ).
    let (cell, path) = seed_people(&mut tx, &["Nguyễn Văn A", "Trần Thị B", "Lê Văn C"]).await;
    let ids = [add_d(&mut tx, cell, &cid).await];
    tx.commit().await.unwrap();

    let mut tx = t.db.read().await.unwrap();
    assert_eq!(tx.person_by_citizen_id(&cid).await.unwrap(), Some(ids[0]));
    assert_eq!(
        tx.person_by_card(&CardNumber::parse("20012345").unwrap())
            .await
            .unwrap(),
        Some(ids[0])
    );
    let counts = tx.placement_counts(&path, day(2024, 1, 1)).await.unwrap();
    assert_eq!(counts.get(&cell), Some(&4));
    assert_eq!(
        tx.placement_counts(&path, day(2023, 1, 1)).await.unwrap().get(&cell),
        Some(&3)
    );
    let facts = tx.member_facts(&path, day(2024, 1, 1)).await.unwrap();
    assert_eq!(facts.len(), 4);
    assert_eq!(facts.iter().filter(|f| f.exempt).count(), 1);
    let mut f = filter(&path, None);
    f.status = Some(MemberStatus::Probationary);
    assert_eq!(tx.members(&f).await.unwrap().1, Total::exact(1));
    f.status = Some(MemberStatus::Full);
    assert_eq!(tx.members(&f).await.unwrap().1, Total::exact(3));
    let p = tx.person(ids[0]).await.unwrap().unwrap();
    assert_eq!(p.person.name.full(), "Hoàng Văn D");
    assert!(p.membership.unwrap().exempt);
    assert_eq!(tx.placements_of(ids[0]).await.unwrap().len(), 1);
    assert_eq!(tx.open_placements().await.unwrap().len(), 4);
}

/// Adds «Hoàng Văn D», an exempt probationary member with a card and a citizen ID.
async fn add_d(tx: &mut Tx, cell: OrgId, cid: &CitizenId) -> dangbo_domain::member::PersonId {
    let id = tx.reserve_person_ids(1).await.unwrap()[0];
    tx.insert_people(&[(id, &person("Hoàng Văn D", Some(cid.as_str())))])
        .await
        .unwrap();
    let m = MembershipRow {
        card_number: Some(CardNumber::parse("20012345").unwrap()),
        admitted_on: day(2023, 5, 1),
        full_on: None,
        exempt: true,
    };
    tx.upsert_memberships(&[(id, &m)]).await.unwrap();
    tx.insert_placements(&[(id, cell, day(2023, 5, 1), "admission")])
        .await
        .unwrap();
    id
}

#[allow(non_snake_case)]
fn PersonId_(i: i64) -> dangbo_domain::member::PersonId {
    dangbo_domain::member::PersonId(i)
}

async fn bodies_and_positions(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    let (cell, _) = seed_people(&mut tx, &["Nguyễn Hoàng Tùng", "Lê Thị Hoa"]).await;
    let keys = tx.person_keys().await.unwrap();
    let (who, other) = (keys[0].0, keys[1].0);
    let term = Term::new(14, 2020, 2025).unwrap();
    let body = tx.insert_body(cell, BodyKind::Executive, term, 25).await.unwrap();
    tx.insert_position(&PositionRow {
        id: 0,
        person_id: who,
        org_id: cell,
        body_id: Some(body),
        title: Title::parse("Bí thư").unwrap(),
        source: PositionSource::Election,
        validity: Validity {
            from: day(2020, 10, 15),
            to: Some(day(2025, 7, 1)),
        },
        managed_by: Some(cell),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.write().await.unwrap();
    assert!(matches!(
        tx.insert_body(cell, BodyKind::Executive, term, 25).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    let mut tx = t.db.read().await.unwrap();
    let bodies = tx.bodies_of(cell).await.unwrap();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0].prescribed_size, 25);
    assert_eq!(bodies[0].term, term);
    let held = tx.positions_of(who).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].validity.to, Some(day(2025, 7, 1)));
    assert_eq!(held[0].managed_by, Some(cell));
    assert_eq!(tx.positions_in_body(body).await.unwrap().len(), 1);
    drop(tx);

    // Seats counted in one statement: on a day, the people holding one; ever, each person
    // once however many positions they held.
    let mut tx = t.db.write().await.unwrap();
    for (person, title, from, to) in [
        (who, "Phó Bí thư", day(2025, 7, 1), None),
        (other, "Bí thư", day(2025, 7, 1), Some(day(2026, 1, 1))),
    ] {
        tx.insert_position(&PositionRow {
            id: 0,
            person_id: person,
            org_id: cell,
            body_id: Some(body),
            title: Title::parse(title).unwrap(),
            source: PositionSource::Appointment,
            validity: Validity { from, to },
            managed_by: Some(cell),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let seats = |v: Vec<(dangbo_store::BodyRow, usize, usize)>| {
        v.iter().map(|(b, now, ever)| (b.id, *now, *ever)).collect::<Vec<_>>()
    };
    assert_eq!(
        seats(tx.bodies_with_seats(cell, day(2021, 1, 1)).await.unwrap()),
        [(body, 1, 2)]
    );
    assert_eq!(
        seats(tx.bodies_with_seats(cell, day(2025, 9, 1)).await.unwrap()),
        [(body, 2, 2)]
    );
    assert_eq!(
        seats(tx.bodies_with_seats(cell, day(2026, 1, 1)).await.unwrap()),
        [(body, 1, 2)]
    );
    assert_eq!(
        seats(tx.bodies_with_seats(cell, day(2019, 1, 1)).await.unwrap()),
        [(body, 0, 2)]
    );
    assert!(
        tx.bodies_with_seats(OrgId(cell.0 + 1000), day(2026, 1, 1))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn audit_and_meta(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    tx.audit("2026-11-21T09:00:00+07:00", "cli:test", "member.view", "person:1", "")
        .await
        .unwrap();
    tx.set_meta("k", "v1").await.unwrap();
    tx.set_meta("k", "v2").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let lines = tx.audit_for("person:1").await.unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].1, "cli:test");
    assert_eq!(tx.meta("k").await.unwrap().as_deref(), Some("v2"));
    assert_eq!(tx.meta("missing").await.unwrap(), None);
    drop(tx);

    // Several lines in one append continue the chain in order.
    let mut tx = t.db.write().await.unwrap();
    let lines: Vec<AuditLine> = (2..5)
        .map(|i| AuditLine {
            at: format!("2026-11-21T09:0{i}:00+07:00"),
            actor: "user:a".into(),
            action: "member.list".into(),
            subject: format!("person:{i}"),
            detail: String::new(),
        })
        .collect();
    tx.audit_lines(&lines).await.unwrap();
    tx.audit_lines(&[]).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    assert_eq!(tx.verify_audit().await.unwrap(), Ok(4));
    let found = tx
        .audit_search(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let subjects: Vec<&str> = found.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["person:4", "person:3", "person:2", "person:1"]);
}

async fn stale_name_keys_are_recomputed(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    let (_, path) = seed_people(&mut tx, &["Trần Văn Bình", "Lê Thị An"]).await;
    tx.set_meta("name_key_version", "an older algorithm").await.unwrap();
    tx.commit().await.unwrap();
    sqlx_free_corrupt(&t).await;
    let mut tx = t.db.read().await.unwrap();
    assert!(
        tx.members(&filter(&path, Some("an"))).await.unwrap().0.is_empty(),
        "keys are stale"
    );
    drop(tx);
    t.db.migrate().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let (rows, _) = tx.members(&filter(&path, None)).await.unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.row.person.name.full()).collect();
    assert_eq!(names, ["Lê Thị An", "Trần Văn Bình"]);
    assert_eq!(tx.members(&filter(&path, Some("an"))).await.unwrap().0.len(), 1);
}

/// Makes every stored key wrong, as a collation update would.
async fn sqlx_free_corrupt(t: &TestDb) {
    let mut tx = t.db.write().await.unwrap();
    tx.scramble_name_keys_for_tests().await.unwrap();
    tx.commit().await.unwrap();
}

/// A name is found typed from the family name, from the middle name, or as the given
/// name alone, without diacritics, and only by the start of those parts.
async fn name_search_three_ways(t: TestDb) {
    let mut tx = t.db.write().await.unwrap();
    let (_, path) = seed_people(
        &mut tx,
        &[
            "Nguyễn Văn An",
            "Lê Thị An",
            "Trần Văn Bình",
            "Hoàng Thị Ngọc Ánh",
            "Vi Văn Toàn",
            // Found two ways by «an»: from the family name and from the given name.
            "An Thị Anh",
        ],
    )
    .await;
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    for (q, want) in [
        ("nguyen van", vec!["Nguyễn Văn An"]),
        ("van an", vec!["Nguyễn Văn An"]),
        ("thi ngoc", vec!["Hoàng Thị Ngọc Ánh"]),
        (
            "an",
            vec!["Lê Thị An", "Nguyễn Văn An", "An Thị Anh", "Hoàng Thị Ngọc Ánh"],
        ),
        ("van", vec!["Nguyễn Văn An", "Trần Văn Bình", "Vi Văn Toàn"]),
        ("toan", vec!["Vi Văn Toàn"]),
        ("oan", vec![]),
    ] {
        let (rows, total) = tx.members(&filter(&path, Some(q))).await.unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.row.person.name.full()).collect();
        assert_eq!(names, want, "«{q}»");
        assert_eq!(total, Total::exact(want.len() as i64), "«{q}»");
    }
}

/// Paging by key gives every person exactly once, in the same order as one sorted read,
/// for a list large enough to be read in name order and for a small one.
async fn keyset_pages_cover_the_list_once(t: TestDb) {
    const GIVEN: [&str; 12] = [
        "An", "Ánh", "Bình", "Dũng", "Đạt", "Hà", "Hạnh", "Lan", "Mai", "Ưng", "Yến", "Ân",
    ];
    const MIDDLE: [&str; 5] = ["Văn", "Thị", "Đức", "Quốc", "Minh"];
    const FAMILY: [&str; 6] = ["Nguyễn", "Hoàng", "Lò", "Đàm", "Vi", "Lương"];
    let mut names = Vec::new();
    for (i, g) in GIVEN.iter().cycle().take(1300).enumerate() {
        names.push(format!("{} {} {g}", FAMILY[i % 6], MIDDLE[(i / 6) % 5]));
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut tx = t.db.write().await.unwrap();
    let (_, path) = seed_people(&mut tx, &refs).await;
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    for query in [None, Some("nguyen van")] {
        let mut all = filter(&path, query);
        all.limit = 2000;
        let (everyone, total) = tx.members(&all).await.unwrap();
        assert_eq!(Total::exact(everyone.len() as i64), total);
        let mut f = filter(&path, query);
        f.limit = 97;
        let mut paged = Vec::new();
        loop {
            let (page, t2) = tx.members(&f).await.unwrap();
            assert_eq!(t2, total, "the total does not depend on the page");
            let Some(last) = page.last() else { break };
            f.after = Some(last.row.id);
            paged.extend(page.into_iter().map(|v| v.row.id));
        }
        let ids: Vec<_> = everyone.iter().map(|v| v.row.id).collect();
        assert_eq!(paged, ids, "query {query:?}");
        // Paging back from the end gives the same people in the same order.
        let mut f = filter(&path, query);
        f.limit = 97;
        f.before = None;
        let mut back: Vec<_> = Vec::new();
        let mut before = None;
        loop {
            f.before = before;
            if before.is_none() && !back.is_empty() {
                break;
            }
            let (page, _) = if before.is_none() {
                // The last page: everything after the person 97 from the end.
                let mut last = filter(&path, query);
                last.limit = 97;
                last.after = ids.len().checked_sub(98).map(|i| ids[i]);
                tx.members(&last).await.unwrap()
            } else {
                tx.members(&f).await.unwrap()
            };
            let Some(first) = page.first() else { break };
            before = Some(first.row.id);
            let mut chunk: Vec<_> = page.into_iter().map(|v| v.row.id).collect();
            chunk.extend(back);
            back = chunk;
        }
        assert_eq!(back, ids, "backwards, query {query:?}");
    }
}

/// A name search stops counting past [`Total::CAP`] and says there are more; its pages
/// still hold everyone who matches, in name order.
async fn a_name_search_counts_to_a_bound(t: TestDb) {
    const GIVEN: [&str; 7] = ["An", "Bình", "Đạt", "Hà", "Lan", "Yến", "Ân"];
    const MIDDLE: [&str; 3] = ["Văn", "Thị", "Đức"];
    let names: Vec<String> = (0..Total::CAP as usize + 50)
        .map(|i| format!("Nguyễn {} {}", MIDDLE[i % 3], GIVEN[(i / 3) % 7]))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut tx = t.db.write().await.unwrap();
    let (_, path) = seed_people(&mut tx, &refs).await;
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let mut all = filter(&path, None);
    all.limit = 5000;
    let (everyone, total) = tx.members(&all).await.unwrap();
    assert_eq!(
        total,
        Total::exact(names.len() as i64),
        "a list without a search counts everyone"
    );
    let ids: Vec<_> = everyone.iter().map(|v| v.row.id).collect();

    let mut f = filter(&path, Some("nguyen"));
    f.limit = 400;
    let mut paged = Vec::new();
    loop {
        let (page, total) = tx.members(&f).await.unwrap();
        assert_eq!(
            total,
            Total {
                n: Total::CAP,
                more: true
            }
        );
        assert!(total.beyond(Total::CAP), "a capped count always leaves more");
        let Some(last) = page.last() else { break };
        f.after = Some(last.row.id);
        paged.extend(page.into_iter().map(|v| v.row.id));
    }
    assert_eq!(paged, ids, "every match once, in name order");

    // Under the bound, the count is exact.
    let (rows, total) = tx.members(&filter(&path, Some("nguyen duc yen"))).await.unwrap();
    let want = names.iter().filter(|n| n.as_str() == "Nguyễn Đức Yến").count() as i64;
    assert_eq!(total, Total::exact(want));
    assert_eq!(rows.len() as i64, want.min(filter(&path, None).limit));
    assert!(!total.beyond(want));
    drop(tx);

    // Nine in ten leave before the day: the search reads more and more matches until its
    // page is full, and still pages through exactly those who stay, in name order.
    let mut tx = t.db.write().await.unwrap();
    let open = tx.open_placements().await.unwrap();
    let leaving: Vec<i64> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 0)
        .map(|(_, id)| open[id].0)
        .collect();
    tx.end_placements(&leaving, day(2020, 1, 1)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let staying: Vec<_> = ids.iter().step_by(10).copied().collect();
    let mut f = filter(&path, Some("nguyen"));
    f.limit = 30;
    let mut paged = Vec::new();
    loop {
        let (page, total) = tx.members(&f).await.unwrap();
        assert_eq!(total, Total::exact(staying.len() as i64));
        let Some(last) = page.last() else { break };
        f.after = Some(last.row.id);
        paged.extend(page.into_iter().map(|v| v.row.id));
    }
    assert_eq!(paged, staying);
    let mut f = filter(&path, Some("nguyen"));
    f.limit = 30;
    f.before = Some(staying[40]);
    let back: Vec<_> = tx.members(&f).await.unwrap().0.iter().map(|v| v.row.id).collect();
    assert_eq!(back, staying[10..40], "the page before, in name order");
    f.offset = 5;
    f.before = None;
    let skipped: Vec<_> = tx.members(&f).await.unwrap().0.iter().map(|v| v.row.id).collect();
    assert_eq!(skipped, staying[5..35], "an offset skips that many who match");
}

/// A nation with provinces A and B, each with a cell (A1, B1): the first `in_a` of
/// `people` are placed in A1 from `from`, the rest in B1; on `moved_on` cell A1 moves to
/// province B, whose roster then holds people placed under A before.
struct TwoProvinces {
    np: OrgPath,
    ap: OrgPath,
    bp: OrgPath,
    /// Cell A1's path after the move.
    a1: OrgPath,
    /// Cell B1's path.
    b1: OrgPath,
    ids: Vec<PersonId>,
}

async fn two_provinces(tx: &mut Tx, people: &[NewPerson], in_a: usize, from: Date, moved_on: Date) -> TwoProvinces {
    let (nation, np) = org(tx, "TW", "Ban Chấp hành Trung ương", OrgKind::Provincial, None, from).await;
    let (a, ap) = org(
        tx,
        "A",
        "Đảng bộ tỉnh A",
        OrgKind::Provincial,
        Some((nation, &np)),
        from,
    )
    .await;
    let (b, bp) = org(
        tx,
        "B",
        "Đảng bộ tỉnh B",
        OrgKind::Provincial,
        Some((nation, &np)),
        from,
    )
    .await;
    let (ca, _) = org(tx, "CA", "Chi bộ A1", OrgKind::BaseCell, Some((a, &ap)), from).await;
    let (cb, b1) = org(tx, "CB", "Chi bộ B1", OrgKind::BaseCell, Some((b, &bp)), from).await;
    let ids = tx.reserve_person_ids(people.len()).await.unwrap();
    let rows: Vec<_> = ids.iter().copied().zip(people.iter()).collect();
    tx.insert_people(&rows).await.unwrap();
    let pl: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, if i < in_a { ca } else { cb }, from, "test"))
        .collect();
    tx.insert_placements(&pl).await.unwrap();
    let old = tx.org_by_id(ca, moved_on).await.unwrap().unwrap();
    tx.end_org_version(old.version_id, moved_on, "move").await.unwrap();
    let a1 = bp.child(ca);
    tx.insert_org_version(&NewOrgVersion {
        id: ca,
        parent: Some(b),
        name: old.name.clone(),
        kind: old.kind,
        level: old.level,
        path: a1.clone(),
        from: moved_on,
        change: "move".into(),
    })
    .await
    .unwrap();
    TwoProvinces {
        np,
        ap,
        bp,
        a1,
        b1,
        ids,
    }
}

/// A province's long list is read from its roster in name order: people placed there,
/// people whose cell a restructure moved there, renamed people at their new place.
async fn province_lists_follow_restructures(t: TestDb) {
    const GIVEN: [&str; 10] = ["An", "Bình", "Chi", "Dũng", "Đạt", "Hà", "Lan", "Mai", "Ưng", "Yến"];
    const MIDDLE: [&str; 4] = ["Văn", "Thị", "Đức", "Minh"];
    const FAMILY: [&str; 5] = ["Nguyễn", "Hoàng", "Lò", "Đàm", "Vi"];
    let name = |i: usize| format!("{} {} {}", FAMILY[i % 5], MIDDLE[(i / 5) % 4], GIVEN[(i / 20) % 10]);
    let (from, moved_on) = (day(2015, 1, 1), day(2024, 6, 1));
    let mut tx = t.db.write().await.unwrap();
    let names: Vec<String> = (0..1100).map(name).collect();
    let people: Vec<NewPerson> = names.iter().map(|n| person(n, None)).collect();
    // Cell A1 (the first 700) moves to province B.
    let TwoProvinces { ap, bp, ids, .. } = two_provinces(&mut tx, &people, 700, from, moved_on).await;
    // One of B's people is renamed: «Yến» sorts last, «An» first.
    let renamed = ids[1099];
    let was = PersonName::parse(&names[1099]).unwrap();
    tx.update_person(renamed, &person("Vi Thị An", None), Some(&was))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let in_name_order = |who: &[usize], renamed_to: Option<&str>| {
        let mut v: Vec<(PersonName, PersonId)> = who
            .iter()
            .map(|&i| {
                let n = if ids[i] == renamed {
                    renamed_to.unwrap_or(&names[i])
                } else {
                    &names[i]
                };
                (PersonName::parse(n).unwrap(), ids[i])
            })
            .collect();
        v.sort_by(|(x, i), (y, j)| {
            dangbo_domain::name::compare(x.given(), y.given())
                .then_with(|| dangbo_domain::name::compare(x.family(), y.family()))
                .then_with(|| dangbo_domain::name::compare(x.middle(), y.middle()))
                .then_with(|| i.cmp(j))
        });
        v.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    let mut tx = t.db.read().await.unwrap();
    let list = |path: &OrgPath, on: Date, limit: i64| {
        let mut f = filter(path, None);
        f.on = on;
        f.limit = limit;
        f
    };
    let all: Vec<usize> = (0..1100).collect();
    let want = in_name_order(&all, Some("Vi Thị An"));
    let (rows, total) = tx.members(&list(&bp, day(2025, 1, 1), 2000)).await.unwrap();
    assert_eq!(total, Total::exact(1100));
    let got: Vec<_> = rows.iter().map(|v| v.row.id).collect();
    assert_eq!(got, want, "province B after the move, in name order");
    let at = got.iter().position(|id| *id == renamed).unwrap();
    assert!(
        at <= 120,
        "the renamed person sorts among the 120 «An», not the «Yến»: {at}"
    );
    // Paged by key, the same.
    let mut f = list(&bp, day(2025, 1, 1), 300);
    let mut paged = Vec::new();
    loop {
        let page = tx.members(&f).await.unwrap().0;
        let Some(last) = page.last() else { break };
        f.after = Some(last.row.id);
        paged.extend(page.iter().map(|v| v.row.id));
    }
    assert_eq!(paged, want);
    // Before the move, B had only its own cell; A has no one after it.
    let (rows, total) = tx.members(&list(&bp, day(2020, 1, 1), 2000)).await.unwrap();
    assert_eq!(total, Total::exact(400));
    let b_own: Vec<usize> = (700..1100).collect();
    assert_eq!(
        rows.iter().map(|v| v.row.id).collect::<Vec<_>>(),
        in_name_order(&b_own, Some("Vi Thị An"))
    );
    assert_eq!(
        tx.members(&list(&ap, day(2025, 1, 1), 10)).await.unwrap().1,
        Total::exact(0)
    );
}

/// A search within a subtree finds the nation's matches placed in it, in name order,
/// whichever way its page is found: below a province by sorting the subtree's people, in
/// a province by walking its roster (a common name) or by sorting the matches (a rarer
/// one), over the nation by sorting the matches.
async fn searches_within_a_subtree(t: TestDb) {
    const GIVEN: [&str; 6] = ["An", "Bình", "Chi", "Dũng", "Hà", "Yến"];
    const MIDDLE: [&str; 3] = ["Văn", "Thị", "Đức"];
    const FAMILY: [&str; 4] = ["Nguyễn", "Lò", "Đàm", "Vi"];
    let name = |i: usize| format!("{} {} {}", FAMILY[i % 4], MIDDLE[(i / 4) % 3], GIVEN[(i / 12) % 6]);
    let (from, moved_on) = (day(2015, 1, 1), day(2024, 6, 1));
    let mut tx = t.db.write().await.unwrap();
    let people: Vec<NewPerson> = (0..300)
        .map(|i| NewPerson {
            gender: if i % 3 == 0 { Gender::Male } else { Gender::Female },
            ..person(&name(i), None)
        })
        .collect();
    let TwoProvinces { np, ap, bp, a1, b1, .. } = two_provinces(&mut tx, &people, 180, from, moved_on).await;
    tx.commit().await.unwrap();

    // Every page of a list, paged by key, and its count.
    async fn pages(tx: &mut Tx, mut f: MemberFilter) -> (Vec<PersonId>, Total) {
        let total = tx.member_count(&f).await.unwrap();
        let mut ids = Vec::new();
        loop {
            let page = tx.member_page(&f, total).await.unwrap();
            let Some(last) = page.last() else { break };
            f.after = Some(last.row.id);
            ids.extend(page.iter().map(|v| v.row.id));
        }
        (ids, total)
    }
    let scopes = [np.clone(), ap.clone(), bp.clone(), b1, a1];
    let mut found = 0;
    for q in ["nguyen", "thi", "van an", "lo duc y", "yen", "dam van", "x"] {
        for on in [day(2020, 1, 1), day(2025, 1, 1)] {
            for gender in [None, Some(Gender::Male)] {
                let f = MemberFilter {
                    subtree: None,
                    on,
                    gender,
                    limit: 7,
                    ..filter(&np, Some(q))
                };
                let mut tx = t.db.read().await.unwrap();
                let (nation, _) = pages(&mut tx, f.clone()).await;
                for subtree in &scopes {
                    let f = MemberFilter {
                        subtree: Some(subtree.clone()),
                        ..f.clone()
                    };
                    let (here, _) = pages(
                        &mut tx,
                        MemberFilter {
                            query: None,
                            ..f.clone()
                        },
                    )
                    .await;
                    let want: Vec<PersonId> = nation.iter().filter(|id| here.contains(id)).copied().collect();
                    for common in [false, true] {
                        let mut tx = t.db.read().await.unwrap();
                        tx.take_names_as_common_for_tests(common);
                        let (got, total) = pages(&mut tx, f.clone()).await;
                        let case = format!("«{q}» under {subtree:?} on {on:?}, {gender:?}, common: {common}");
                        assert_eq!(got, want, "{case}");
                        assert_eq!(total, Total::exact(want.len() as i64), "{case}");
                        // Paged back from the last, the seven before it.
                        if let [_, .., last] = want[..] {
                            let n = want.len();
                            let back = MemberFilter {
                                before: Some(last),
                                ..f.clone()
                            };
                            let page = tx.member_page(&back, total).await.unwrap();
                            let ids: Vec<_> = page.iter().map(|v| v.row.id).collect();
                            assert_eq!(ids, want[n.saturating_sub(8)..n - 1], "{case}, back");
                        }
                    }
                    found += want.len();
                }
            }
        }
    }
    assert!(found > 1000, "the searches found people: {found}");
}
