//! Study coverage at the root of a national registry: a national node over 34 provinces,
//! about 300,000 organizations and 5.6 million members (`DANGBO_BENCH_MEMBERS` to change),
//! a campaign over all of them with 70% studied. Prints the one-off costs (taking the
//! campaign's scope, rolling up its counts) and how long coverage takes once warm, at the
//! national root and at a province, on SQLite (and on PostgreSQL when
//! `DANGBO_TEST_POSTGRES` is set).
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_domain::Date;
use dangbo_domain::member::{Ethnicity, Gender, PersonKind};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgId, OrgKind, OrgName, OrgPath};
use dangbo_store::testing::{self, TestDb};
use dangbo_store::{CampaignRow, MembershipRow, NewOrgVersion, NewPerson};
use std::time::{Duration, Instant};

const PROVINCES: usize = 34;
const UPPER: usize = 30;
const BASES: usize = 30;
const CELLS: usize = 10;
const DAY: Date = Date::constant(2015, 1, 1);

async fn node(tx: &mut dangbo_store::Tx, n: &mut usize, parent: Option<&OrgPath>, kind: OrgKind) -> (OrgId, OrgPath) {
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
        from: DAY,
        change: "bench".into(),
    })
    .await
    .unwrap();
    (id, path)
}

/// The tree: the national root, its provinces, and every cell.
async fn tree(t: &TestDb) -> (OrgPath, OrgPath, Vec<OrgId>) {
    let mut tx = t.db.write().await.unwrap();
    let mut n = 0usize;
    let (_, nation) = node(&mut tx, &mut n, None, OrgKind::Provincial).await;
    let mut first = None;
    let mut cells = Vec::new();
    for _ in 0..PROVINCES {
        let (_, pp) = node(&mut tx, &mut n, Some(&nation), OrgKind::Provincial).await;
        for _ in 0..UPPER {
            let (_, up) = node(&mut tx, &mut n, Some(&pp), OrgKind::UpperBase).await;
            for _ in 0..BASES {
                let (_, bp) = node(&mut tx, &mut n, Some(&up), OrgKind::BaseCommittee).await;
                for _ in 0..CELLS {
                    cells.push(node(&mut tx, &mut n, Some(&bp), OrgKind::SubordinateCell).await.0);
                }
            }
        }
        first.get_or_insert(pp);
    }
    tx.commit().await.unwrap();
    (nation, first.unwrap(), cells)
}

async fn members(t: &TestDb, cells: &[OrgId], total: usize) {
    let given = [
        "An", "Bình", "Cường", "Dũng", "Đoàn", "Hà", "Hương", "Lan", "Minh", "Nga", "Sơn", "Tùng",
    ];
    let family = ["Nguyễn", "Hoàng", "Lương", "Nông", "Vi", "Lăng", "Trần", "Lê"];
    let m = MembershipRow {
        card_number: None,
        admitted_on: Date::constant(2000, 1, 1),
        full_on: Some(Date::constant(2001, 1, 1)),
        exempt: false,
    };
    let exempt = MembershipRow {
        exempt: true,
        ..m.clone()
    };
    let chunk = 200_000;
    let mut done = 0;
    while done < total {
        let n = chunk.min(total - done);
        let mut tx = t.db.write().await.unwrap();
        let ids = tx.reserve_person_ids(n).await.unwrap();
        let list: Vec<NewPerson> = (0..n)
            .map(|k| {
                let i = done + k;
                NewPerson {
                    kind: PersonKind::Member,
                    name: PersonName::parse(&format!("{} Văn {}", family[i % 8], given[(i / 8) % 12])).unwrap(),
                    gender: if i % 3 == 0 { Gender::Female } else { Gender::Male },
                    birth_date: Date::constant(1960 + (i % 40) as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8),
                    ethnicity: Ethnicity::parse(["Tày", "Nùng", "Kinh"][i % 3]).unwrap(),
                    citizen_id: None,
                    phone: None,
                }
            })
            .collect();
        let rows: Vec<_> = ids.iter().copied().zip(list.iter()).collect();
        tx.insert_people(&rows).await.unwrap();
        let ms: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(k, i)| (*i, if (done + k) % 50 == 0 { &exempt } else { &m }))
            .collect();
        tx.upsert_memberships(&ms).await.unwrap();
        let pl: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(k, i)| (*i, cells[(done + k) % cells.len()], DAY, "bench"))
            .collect();
        tx.insert_placements(&pl).await.unwrap();
        tx.commit().await.unwrap();
        done += n;
        eprint!("\r  {done} / {total} members");
    }
    eprintln!();
    t.db.analyze().await.unwrap();
}

fn quantiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[(v.len() * 99 / 100).min(v.len() - 1)]))
}

async fn run(label: &str, t: TestDb, total: usize) {
    let started = Instant::now();
    let (nation, province, cells) = tree(&t).await;
    eprintln!(
        "{label}: tree of {} organizations in {:.0?}",
        cells.len() * 111 / 100,
        started.elapsed()
    );
    let started = Instant::now();
    members(&t, &cells, total).await;
    eprintln!("{label}: {total} members in {:.0?}", started.elapsed());

    let on = Date::constant(2023, 12, 4);
    let mut tx = t.db.write().await.unwrap();
    let campaign = tx
        .insert_campaign(
            &CampaignRow {
                id: 0,
                org_id: nation.ids()[0],
                title: "Học tập Nghị quyết".into(),
                starts_on: on,
                ends_on: Date::constant(2023, 12, 31),
                report_due: None,
                exempt_counted: false,
                grades: vec![],
            },
            "bench",
        )
        .await
        .unwrap();
    let t0 = Instant::now();
    let in_scope = tx.refresh_campaign_members(campaign, &nation, on).await.unwrap();
    let scope_time = t0.elapsed();
    tx.commit().await.unwrap();
    // 70% attended a national conference; closing it marks them as having studied.
    let t0 = Instant::now();
    let mut tx = t.db.write().await.unwrap();
    let conference = 1;
    tx.attend_for_benchmark(conference, campaign, 7).await.unwrap();
    let marked = tx.apply_conference_study(campaign, conference, on).await.unwrap();
    let rows = tx.rebuild_campaign_tally(campaign, &nation).await.unwrap();
    tx.commit().await.unwrap();
    let rollup_time = t0.elapsed();
    t.db.analyze().await.unwrap();

    let nation_id = *nation.ids().last().unwrap();
    let province_id = *province.ids().last().unwrap();
    let mut root_times = Vec::new();
    let mut children_times = Vec::new();
    let mut province_times = Vec::new();
    let mut check = None;
    for i in 0..220 {
        let mut tx = t.db.read().await.unwrap();
        let t0 = Instant::now();
        let c = tx.coverage(campaign, nation_id).await.unwrap().unwrap();
        let d0 = t0.elapsed();
        let t1 = Instant::now();
        let kids = tx.coverage_children(campaign, nation_id).await.unwrap();
        let d1 = t1.elapsed();
        let t2 = Instant::now();
        let p = tx.coverage(campaign, province_id).await.unwrap().unwrap();
        let d2 = t2.elapsed();
        assert_eq!(kids.len(), PROVINCES);
        assert_eq!(kids.iter().map(|k| k.members).sum::<i64>(), c.members);
        assert!(p.members > 0);
        // The first 20 warm the caches.
        if i >= 20 {
            root_times.push(d0);
            children_times.push(d1);
            province_times.push(d2);
        }
        check = Some(c);
    }
    let c = check.unwrap();
    let (r50, r99) = quantiles(root_times);
    let (c50, c99) = quantiles(children_times);
    let (p50, p99) = quantiles(province_times);
    println!(
        "{label:<8} members in scope {in_scope:>9}  studied {:>9} ({}% of {} counted)  [{} tally rows]",
        c.studied - c.studied_exempt,
        (c.studied - c.studied_exempt) * 100 / (c.members - c.exempt).max(1),
        c.members - c.exempt,
        rows
    );
    println!(
        "{label:<8} one-off: taking the scope {:.1} s, marking {marked} and rolling up {:.1} s",
        scope_time.as_secs_f64(),
        rollup_time.as_secs_f64()
    );
    println!("{label:<8} coverage at the national root      p50 {r50:>7.3} ms  p99 {r99:>7.3} ms   (aim < 50 ms)");
    println!("{label:<8} coverage of the 34 provinces      p50 {c50:>7.3} ms  p99 {c99:>7.3} ms");
    println!("{label:<8} coverage at a province            p50 {p50:>7.3} ms  p99 {p99:>7.3} ms");
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("DANGBO_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(5_600_000);
    run("sqlite", testing::sqlite().await.unwrap(), total).await;
    if let Some(pg) = testing::postgres().await.unwrap() {
        run("postgres", pg, total).await;
    }
}
