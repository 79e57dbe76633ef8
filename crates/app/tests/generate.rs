//! The national generator at a small scale, on SQLite and PostgreSQL: the same seed gives
//! the same registry row for row; the tree holds 63 provinces until 30/6/2025 and 34
//! after, with every version's path matching its parent's on its first day; everyone is
//! placed; the committees' members are members placed under them; the national
//! conference's points are there; a database that holds data is refused; and the files
//! written for the importers import into an empty database as the same tree and members.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::generate::{GenerateOptions, Generated, Progress, generate_files};
use dangbo_app::import::ImportOptions;
use dangbo_app::{App, Clock};
use dangbo_domain::Date;
use dangbo_domain::org::{OrgCode, OrgKind};
use dangbo_store::Db;
use dangbo_store::testing::{self, TestDb};
use std::collections::HashMap;
use std::sync::Mutex;

const TODAY: Date = Date::constant(2026, 11, 1);
const MEMBERS: u64 = 30_000;

#[derive(Default)]
struct Stages(Mutex<Vec<(String, u64, u64)>>);

impl Progress for Stages {
    fn stage(&self, name: &str, total: u64) {
        self.0.lock().unwrap().push((name.to_string(), total, 0));
    }
    fn advance(&self, n: u64) {
        if let Some(last) = self.0.lock().unwrap().last_mut() {
            last.2 += n;
        }
    }
}

async fn dump(db: &Db, table: &str) -> Vec<Vec<String>> {
    let mut tx = db.read().await.unwrap();
    tx.dump_for_tests(table).await.unwrap()
}

/// Rows of a table by column name.
async fn rows(db: &Db, table: &str) -> Vec<HashMap<String, String>> {
    let mut tx = db.read().await.unwrap();
    let cols = tx.columns_of(table).await.unwrap();
    let data = tx.dump_for_tests(table).await.unwrap();
    data.into_iter()
        .map(|r| cols.iter().cloned().zip(r).collect())
        .collect()
}

async fn generate(t: &TestDb, seed: u64) -> Generated {
    let app = App::new(t.db.clone(), Clock::Fixed(TODAY), "test");
    let stages = Stages::default();
    let s = app
        .generate(GenerateOptions { members: MEMBERS, seed }, &stages)
        .await
        .unwrap();
    let stages = stages.0.into_inner().unwrap();
    assert!(stages.len() >= 4, "{stages:?}");
    let members = stages.iter().find(|s| s.0 == "Đảng viên").unwrap();
    assert_eq!(
        (members.1, members.2),
        (MEMBERS, MEMBERS),
        "the progress bar reaches its end"
    );
    s
}

async fn indexes(db: &Db) -> Vec<(String, String)> {
    let mut tx = db.read().await.unwrap();
    tx.indexes_for_tests().await.unwrap()
}

async fn check(a: TestDb, b: TestDb) {
    let schema = indexes(&a.db).await;
    let s = generate(&a, 7).await;
    // The indexes the load set aside are all back, as the migrations made them.
    assert_eq!(indexes(&a.db).await, schema);
    assert_eq!(s.provinces, (63, 34));
    assert_eq!(s.members, MEMBERS);

    // Deterministic: a second database with the same seed holds the same rows.
    let again = generate(&b, 7).await;
    assert_eq!(s, again);
    for table in [
        "org",
        "org_version",
        "person",
        "membership",
        "placement",
        "body",
        "position",
        "point",
    ] {
        let (x, y) = (dump(&a.db, table).await, dump(&b.db, table).await);
        assert!(!x.is_empty(), "{table}");
        // Ids are the same here, as both databases started empty.
        assert!(x == y, "{table} differs between two runs with one seed");
    }

    let app = App::new(a.db.clone(), Clock::Fixed(TODAY), "test");
    // The tree: 63 provinces before the reorganization, 34 after, no district after.
    let tw = OrgCode::parse("TW").unwrap();
    let before = app.tree(Some(&tw), Date::constant(2025, 6, 30)).await.unwrap();
    let after = app.tree(Some(&tw), TODAY).await.unwrap();
    let provinces = |t: &[dangbo_app::orgs::TreeNode]| t.iter().filter(|n| n.org.kind == OrgKind::Provincial).count();
    assert_eq!(provinces(&before), 63);
    assert_eq!(provinces(&after), 34);
    assert_eq!(before[0].org.kind, OrgKind::Central);
    assert_eq!(
        after
            .iter()
            .filter(|n| n.org.level == dangbo_domain::org::Level::District)
            .count(),
        0
    );
    assert_eq!(after[0].people, MEMBERS, "everyone is placed today");
    let hg = app.org_history(&OrgCode::parse("HG").unwrap()).await.unwrap();
    assert_eq!(hg.len(), 1);
    assert_eq!(hg[0].0.ended_by.as_deref(), Some("merge:TQ"));

    // Every version's path is its parent's path on its first day, then its own id.
    let versions = rows(&a.db, "org_version").await;
    let holds = |v: &HashMap<String, String>, on: &str| {
        v["valid_from"].as_str() <= on && (v["valid_to"].is_empty() || on < v["valid_to"].as_str())
    };
    let mut by_org: HashMap<&str, Vec<&HashMap<String, String>>> = HashMap::new();
    for v in &versions {
        by_org.entry(v["org_id"].as_str()).or_default().push(v);
    }
    for v in &versions {
        assert!(v["path"].ends_with(&format!("/{}/", v["org_id"])), "{v:?}");
        if v["parent_id"].is_empty() {
            continue;
        }
        let parent = by_org[v["parent_id"].as_str()]
            .iter()
            .find(|p| holds(p, &v["valid_from"]))
            .unwrap_or_else(|| panic!("no parent version for {v:?}"));
        assert_eq!(v["path"], format!("{}{}/", parent["path"], v["org_id"]), "{v:?}");
    }

    // The committees' members are placed under the committee's organization.
    let positions = rows(&a.db, "position").await;
    assert_eq!(positions.len(), s.positions);
    assert!(positions.iter().all(|p| !p["managed_by"].is_empty()));
    let placements = rows(&a.db, "placement").await;
    let cell_of: HashMap<&str, &str> = placements
        .iter()
        .map(|p| (p["person_id"].as_str(), p["org_id"].as_str()))
        .collect();
    for p in positions.iter().step_by(97) {
        let cell = cell_of[p["person_id"].as_str()];
        let on = p["valid_from"].as_str();
        let cell_path = &by_org[cell].iter().find(|v| holds(v, on)).unwrap()["path"];
        assert!(
            cell_path.contains(&format!("/{}/", p["org_id"])),
            "{p:?} is not placed under its committee"
        );
    }

    // The rosters hold everyone under the top of every version of their cell.
    let top: HashMap<&str, Vec<&str>> = versions.iter().fold(HashMap::new(), |mut m, v| {
        if !v["top_id"].is_empty() {
            m.entry(v["org_id"].as_str()).or_default().push(v["top_id"].as_str());
        }
        m
    });
    let mut expected: Vec<(String, String)> = placements
        .iter()
        .flat_map(|p| {
            top.get(p["org_id"].as_str())
                .into_iter()
                .flatten()
                .map(|t| (t.to_string(), p["person_id"].clone()))
        })
        .collect();
    expected.sort();
    expected.dedup();
    let mut roster: Vec<(String, String)> = rows(&a.db, "roster")
        .await
        .into_iter()
        .map(|r| (r["top_id"].clone(), r["person_id"].clone()))
        .collect();
    roster.sort();
    assert!(!roster.is_empty());
    assert!(roster == expected, "the rosters differ from the placements");

    // The national conference and its points.
    let points = rows(&a.db, "point").await;
    assert_eq!(points.len(), s.points);
    assert!(s.points > 34 + s.communes.1);
    let total: i64 = points.iter().map(|p| p["expected"].parse::<i64>().unwrap()).sum();
    assert_eq!(total, s.expected);

    // A database with data in it is refused, and nothing is added.
    let people = dump(&a.db, "person").await.len();
    let e = app
        .generate(GenerateOptions { members: 100, seed: 7 }, &Stages::default())
        .await
        .unwrap_err();
    assert!(e.message(dangbo_domain::Lang::Vi).contains("cơ sở dữ liệu trống"));
    assert_eq!(dump(&a.db, "person").await.len(), people);

    // Another seed, another registry.
    let c = testing::sqlite().await.unwrap();
    let other = generate(&c, 8).await;
    assert_eq!(other.provinces, (63, 34));
    assert!(dump(&a.db, "person").await != dump(&c.db, "person").await);
}

#[tokio::test]
async fn a_small_nation_on_sqlite() {
    check(testing::sqlite().await.unwrap(), testing::sqlite().await.unwrap()).await;
}

#[tokio::test]
async fn a_small_nation_on_postgres() {
    let (Some(a), Some(b)) = (testing::postgres().await.unwrap(), testing::postgres().await.unwrap()) else {
        eprintln!("DANGBO_TEST_POSTGRES is not set: skipped");
        return;
    };
    check(a, b).await;
}

#[tokio::test]
async fn the_files_import_as_the_same_registry() {
    let dir = tempfile::tempdir().unwrap();
    let opts = GenerateOptions {
        members: 5_000,
        seed: 3,
    };
    let s = generate_files(opts, dir.path(), &Stages::default()).unwrap();
    let t = testing::sqlite().await.unwrap();
    let app = App::new(t.db.clone(), Clock::Fixed(TODAY), "test");
    let orgs = app.import_orgs(&dir.path().join("to-chuc.csv")).await.unwrap().unwrap();
    let report = app
        .import_members(&dir.path().join("dang-vien.csv"), &ImportOptions::on(TODAY), &|_, _| {})
        .await
        .unwrap();
    assert!(
        report.errors.is_empty(),
        "{:?}",
        &report.errors[..report.errors.len().min(5)]
    );
    assert_eq!(report.created as u64, s.members);
    let tree = app.tree(Some(&OrgCode::parse("TW").unwrap()), TODAY).await.unwrap();
    assert_eq!(tree.len(), orgs);
    assert_eq!(tree[0].people, s.members);
    assert_eq!(tree.iter().filter(|n| n.org.kind == OrgKind::Provincial).count(), 34);
    // The same seed writes the same files.
    let again = tempfile::tempdir().unwrap();
    generate_files(opts, again.path(), &Stages::default()).unwrap();
    for f in ["to-chuc.csv", "dang-vien.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join(f)).unwrap(),
            std::fs::read(again.path().join(f)).unwrap(),
            "{f}"
        );
    }
}
