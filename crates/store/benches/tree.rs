//! Subtree queries on a national tree: 34 provinces, about 300,000 organizations, and a
//! province of 100,000 members. Prints how long the queries take on SQLite (and on
//! PostgreSQL too when `DANGBO_TEST_POSTGRES` is set).
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_domain::Date;
use dangbo_domain::member::{Ethnicity, Gender, PersonKind};
use dangbo_domain::name::{PersonName, fold};
use dangbo_domain::org::{Level, OrgCode, OrgId, OrgKind, OrgName, OrgPath};
use dangbo_store::testing::{self, TestDb};
use dangbo_store::{MemberFilter, MembershipRow, NewOrgVersion, NewPerson};
use std::time::Instant;

const PROVINCES: usize = 34;
const UPPER: usize = 30;
const BASES: usize = 30;
const CELLS: usize = 10;
const MEMBERS: usize = 100_000;

async fn node(
    tx: &mut dangbo_store::Tx,
    n: &mut usize,
    day: Date,
    parent: Option<&OrgPath>,
    kind: OrgKind,
) -> (OrgId, OrgPath) {
    *n += 1;
    let id = tx.insert_org(&OrgCode::parse(&format!("N{n}")).unwrap()).await.unwrap();
    let path = match parent {
        Some(p) => p.child(id),
        None => OrgPath::root(id),
    };
    tx.insert_org_version(&NewOrgVersion {
        id,
        parent: parent.and_then(|p| p.ids().last().copied()),
        name: OrgName::parse(&format!("Tổ chức số {n}")).unwrap(),
        kind,
        level: Level::Commune,
        path: path.clone(),
        from: day,
        change: "bench".into(),
    })
    .await
    .unwrap();
    (id, path)
}

async fn build(t: &TestDb) -> (OrgPath, OrgPath, OrgId, Vec<OrgId>) {
    let day = Date::constant(2015, 1, 1);
    let mut tx = t.db.write().await.unwrap();
    let mut n = 0usize;
    let mut first_province = None;
    let mut a_commune = None;
    let mut cells_of_first = Vec::new();
    for p in 0..PROVINCES {
        let (_, pp) = node(&mut tx, &mut n, day, None, OrgKind::Provincial).await;
        for _ in 0..UPPER {
            let (_, up) = node(&mut tx, &mut n, day, Some(&pp), OrgKind::UpperBase).await;
            for _ in 0..BASES {
                let (_, bp) = node(&mut tx, &mut n, day, Some(&up), OrgKind::BaseCommittee).await;
                if a_commune.is_none() {
                    a_commune = Some(bp.clone());
                }
                for _ in 0..CELLS {
                    let (cid, _) = node(&mut tx, &mut n, day, Some(&bp), OrgKind::SubordinateCell).await;
                    if p == 0 {
                        cells_of_first.push(cid);
                    }
                }
            }
        }
        if first_province.is_none() {
            first_province = Some(pp);
        }
    }
    tx.commit().await.unwrap();
    let province = first_province.unwrap();
    let root = province.ids()[0];
    (province, a_commune.unwrap(), root, cells_of_first)
}

async fn people(t: &TestDb, cells: &[OrgId]) {
    let given = [
        "An", "Bình", "Cường", "Dũng", "Đoàn", "Hà", "Hương", "Lan", "Minh", "Nga", "Sơn", "Tùng", "Ưng",
    ];
    let family = ["Nguyễn", "Hoàng", "Lương", "Nông", "Vi", "Lăng", "Trần", "Lê"];
    let mut tx = t.db.write().await.unwrap();
    let ids = tx.reserve_person_ids(MEMBERS).await.unwrap();
    let list: Vec<NewPerson> = (0..MEMBERS)
        .map(|i| NewPerson {
            kind: PersonKind::Member,
            name: PersonName::parse(&format!("{} Văn {}", family[i % 8], given[(i / 8) % 13])).unwrap(),
            gender: if i % 3 == 0 { Gender::Female } else { Gender::Male },
            birth_date: Date::constant(1960 + (i % 40) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8),
            ethnicity: Ethnicity::parse(["Tày", "Nùng", "Kinh"][i % 3]).unwrap(),
            citizen_id: None,
            phone: None,
        })
        .collect();
    let rows: Vec<_> = ids.iter().copied().zip(list.iter()).collect();
    tx.insert_people(&rows).await.unwrap();
    let m = MembershipRow {
        card_number: None,
        admitted_on: Date::constant(2000, 1, 1),
        full_on: Some(Date::constant(2001, 1, 1)),
        exempt: false,
    };
    let ms: Vec<_> = ids.iter().map(|i| (*i, &m)).collect();
    tx.upsert_memberships(&ms).await.unwrap();
    let pl: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(k, i)| (*i, cells[k % cells.len()], Date::constant(2015, 1, 1), "bench"))
        .collect();
    tx.insert_placements(&pl).await.unwrap();
    tx.commit().await.unwrap();
    // As after any bulk load in dangbo, the planner's statistics are refreshed.
    t.db.analyze().await.unwrap();
}

async fn time<F, Fut, T>(label: &str, runs: u32, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    f().await; // warm the cache
    let start = Instant::now();
    for _ in 0..runs {
        f().await;
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!("  {label}: {ms:.2} ms");
}

async fn run(name: &str, t: TestDb) {
    let start = Instant::now();
    let (province, commune, root, cells) = build(&t).await;
    let orgs = t.db.read().await.unwrap().org_count().await.unwrap();
    println!(
        "{name}: {orgs} organizations built in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    people(&t, &cells).await;
    println!(
        "{name}: {MEMBERS} members placed in one province in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let on = Date::constant(2024, 1, 1);
    let db = &t.db;
    let n = db.read().await.unwrap().org_subtree(&province, on).await.unwrap().len();
    time(&format!("subtree of a province ({n} organizations)"), 10, || async {
        db.read().await.unwrap().org_subtree(&province, on).await.unwrap().len()
    })
    .await;
    time("subtree of a base committee (11 organizations)", 200, || async {
        db.read().await.unwrap().org_subtree(&commune, on).await.unwrap().len()
    })
    .await;
    time("children of a province", 200, || async {
        db.read().await.unwrap().org_children(root, on).await.unwrap().len()
    })
    .await;
    let filter = |q: Option<&str>, offset: i64| MemberFilter {
        subtree: Some(province.clone()),
        on,
        query: q.map(fold),
        kind: None,
        gender: None,
        status: None,
        ethnicity: None,
        limit: 50,
        offset,
        after: None,
        before: None,
    };
    time(
        "first page of 50 of a province's 100,000 members, in name order, with the total",
        10,
        || async { db.read().await.unwrap().members(&filter(None, 0)).await.unwrap().1 },
    )
    .await;
    // Page 1.000 is reached by key, as the web pages do: after the last person of page 999.
    let before_page = {
        let mut f = filter(None, 49_949);
        f.limit = 1;
        db.read().await.unwrap().members(&f).await.unwrap().0[0].row.id
    };
    time("page 1000 of the same list (by key)", 10, || async {
        let mut f = filter(None, 0);
        f.after = Some(before_page);
        db.read().await.unwrap().members(&f).await.unwrap().1
    })
    .await;
    time("search «nguyen van doan» among them", 10, || async {
        db.read()
            .await
            .unwrap()
            .members(&filter(Some("nguyen van doan"), 0))
            .await
            .unwrap()
            .1
    })
    .await;
    time("head counts of the province (placement_counts)", 10, || async {
        db.read()
            .await
            .unwrap()
            .placement_counts(&province, on)
            .await
            .unwrap()
            .len()
    })
    .await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        run("SQLite", testing::sqlite().await.unwrap()).await;
        if let Some(pg) = testing::postgres().await.unwrap() {
            run("PostgreSQL", pg).await;
        }
    });
}
