//! `dangbo serve` killed with SIGKILL at random moments, 50 times in each of four kinds of
//! work: a check-in load, an import, a ballot and a planning round. Clients keep what the
//! server acknowledged. After each kill the database is checked while nothing runs:
//! SQLite's `PRAGMA integrity_check` passes; everything acknowledged so far is there; the
//! running totals, the burnt voting codes and the audit log agree with what they count, so
//! nothing was half applied. On SQLite, and on PostgreSQL when `DANGBO_TEST_POSTGRES` is
//! set. `DANGBO_TEST_KILLS` changes the number of kills per kind (default 50).
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::{Caller, Role};
use dangbo_app::conferences::{ConferenceInput, Live, PointInput};
use dangbo_app::generate::{GenerateOptions, Progress};
use dangbo_app::{App, Clock};
use dangbo_domain::Lang;
use dangbo_domain::date::iso;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_store::{CheckinRequest, CheckinStatus, testing};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::server::{free_port, http, serve, wait_up};

const PASSWORD: &str = "mat-khau-kiem-thu-2026";
/// Cards of the generated nation: `010000000` and up.
fn card(k: usize) -> String {
    format!("{:09}", 10_000_000 + k)
}
/// Members of the generated nation.
const MEMBERS: usize = 20_000;
/// Rows of each imported file.
const IMPORT_ROWS: usize = 2_000;

fn kills() -> usize {
    std::env::var("DANGBO_TEST_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

struct Quiet;

impl Progress for Quiet {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// A small deterministic generator for the moments of the kills.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A generated nation with a conference of the whole party today (a point per base, all
/// live), a nomination ballot open at it with a code for each of those present, a
/// planning list, and an administrator's session.
struct Fixture {
    t: testing::TestDb,
    app: App,
    cookie: String,
    csrf: String,
    points: Vec<(i64, String)>,
    ballot: i64,
    candidates: usize,
    codes: Vec<String>,
    plan: i64,
    account: i64,
}

async fn fixture(t: testing::TestDb) -> Fixture {
    let app = App::new(t.db.clone(), Clock::System, "test");
    app.generate(
        GenerateOptions {
            members: MEMBERS as u64,
            seed: 11,
        },
        &Quiet,
    )
    .await
    .unwrap();
    let today = app.clock.today();
    // The cell the imported members join.
    app.create_org(
        &dangbo_app::orgs::NewOrg {
            code: OrgCode::parse("HN.KT").unwrap(),
            name: OrgName::parse("Chi bộ Kiểm thử").unwrap(),
            kind: OrgKind::BaseCell,
            level: Level::Province,
            parent: Some(OrgCode::parse("HN").unwrap()),
        },
        dangbo_domain::Date::constant(2020, 1, 1),
    )
    .await
    .unwrap();
    app.add_user("quantri", "Quản trị", PASSWORD, None).await.unwrap();
    app.grant("quantri", Role::Admin, None, today).await.unwrap();
    let opened = app.login("quantri", PASSWORD, Lang::Vi).await.unwrap();
    let session = app.session(&opened.token).await.unwrap().unwrap();
    let admin: Caller = session.caller.clone();
    let live = Live::start(app.clone()).await.unwrap();
    let conf = app
        .create_conference(
            &admin,
            &ConferenceInput {
                org: "TW".into(),
                kind: "key_cadre".into(),
                title: "Hội nghị cán bộ chủ chốt".into(),
                organizer: "Bộ Chính trị".into(),
                held_on: dangbo_domain::date::short(today),
                starts_at: "08:00".into(),
                format: "online".into(),
                // Two cities: a ballot convenes at most 5,000.
                invited: "HN,HCM".into(),
                ..ConferenceInput::default()
            },
        )
        .await
        .unwrap();
    let main = app
        .add_point(
            &admin,
            conf,
            &PointInput {
                host: "TW".into(),
                ..PointInput::default()
            },
        )
        .await
        .unwrap();
    app.add_base_points(&admin, conf, "TW", Some(main)).await.unwrap();
    let view = app.conference(&admin, conf, Lang::Vi).await.unwrap();
    let mut points = Vec::new();
    for (p, _) in &view.points {
        app.set_point_status(&admin, p.id, "live").await.unwrap();
        points.push((p.id, app.point_key(&admin, p.id, &live.signer).await.unwrap()));
    }
    // Those present, checked in before the server starts: everyone invited.
    let requests = (0..MEMBERS)
        .map(|k| CheckinRequest {
            request_id: format!("present-{k}"),
            point_id: main,
            code: card(k),
            person: None,
            method: "typed".into(),
            by_account: Some(session.caller.account_id),
        })
        .collect();
    let out = live.checkin(conf, requests).await.unwrap();
    assert!(out.iter().all(|o| o.status == CheckinStatus::Counted));

    let cards: Vec<String> = (0..5).map(card).collect();
    let common::ballot::OpenBallot {
        plan,
        ballot,
        candidates,
        codes,
    } = common::ballot::open(&app, &admin, "TW", conf, &cards, ("kiemphieu", PASSWORD)).await;
    // One for each of those convened (the two cities' members) who are present.
    assert!((3_000..=5_000).contains(&codes.len()), "{} codes", codes.len());
    drop(live);
    Fixture {
        t,
        app,
        cookie: format!("dangbo_session={}", opened.token),
        csrf: session.csrf,
        points,
        ballot,
        candidates,
        codes,
        plan,
        account: session.caller.account_id,
    }
}

/// What the clients were told was done, across all the kills of one kind.
#[derive(Default)]
struct Acknowledged {
    /// Check-in request ids.
    checkins: Vec<String>,
    /// Imports: (first card of the file, whether the server said it was imported).
    imports: Vec<(usize, bool)>,
    /// Voting codes and their receipts.
    votes: Vec<(String, String)>,
    /// Cards added to the plan.
    planned: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Work {
    Checkins,
    Import,
    Ballot,
    Planning,
}

/// Sends one kind of work until the server stops answering; returns what was
/// acknowledged. `next` hands out work items (check-in batches, codes, cadres) so that
/// none is sent twice as new.
async fn client(f: Arc<Shared>, work: Work, port: u16, c: usize, kill: usize) -> Acknowledged {
    let mut acked = Acknowledged::default();
    for s in 0.. {
        if f.stop.load(Ordering::SeqCst) {
            break;
        }
        match work {
            Work::Checkins => {
                let (point, key) = &f.points[(c * 7 + s) % f.points.len()];
                let ids: Vec<String> = (0..10).map(|j| format!("k{kill}-c{c}-s{s}-{j}")).collect();
                let items: Vec<String> = ids
                    .iter()
                    .enumerate()
                    .map(|(j, id)| {
                        let k = (kill * 7919 + c * 104_729 + s * 10 + j) % MEMBERS;
                        format!(r#"{{"request_id":"{id}","code":"{}","method":"scan"}}"#, card(k))
                    })
                    .collect();
                let body = format!(r#"{{"checkins":[{}]}}"#, items.join(","));
                let r = http(
                    port,
                    "POST",
                    &format!("/api/v1/points/{point}/checkins"),
                    &[
                        ("Authorization", &format!("Point {key}")),
                        ("Content-Type", "application/json"),
                    ],
                    &body,
                )
                .await;
                match r {
                    Ok((200, answer)) => {
                        assert!(ids.iter().all(|id| answer.contains(id.as_str())), "{answer}");
                        acked.checkins.extend(ids);
                    }
                    Ok((status, answer)) => panic!("a check-in answered {status}: {answer:.300}"),
                    Err(_) => break,
                }
            }
            Work::Import => {
                // One import per kill, sent by the first client.
                if c > 0 || s > 0 {
                    break;
                }
                let (first, token) = f.upload.clone().unwrap();
                let r = confirm_import(port, &f.cookie, &f.csrf, &token, f.today).await;
                match r {
                    Ok((200, _)) => acked.imports.push((first, true)),
                    Ok((status, answer)) => panic!("the import answered {status}: {answer:.600}"),
                    Err(_) => acked.imports.push((first, false)),
                }
                break;
            }
            Work::Ballot => {
                let i = f.next.fetch_add(1, Ordering::SeqCst);
                let Some(code) = f.codes.get(i) else { break };
                let choices: String = (1..=f.candidates)
                    .map(|n| format!("&c{n}={}", if (i + n).is_multiple_of(3) { "n" } else { "y" }))
                    .collect();
                let r = http(
                    port,
                    "POST",
                    "/vote",
                    &[("Content-Type", "application/x-www-form-urlencoded")],
                    &format!("code={code}{choices}"),
                )
                .await;
                match r {
                    Ok((200, page)) => {
                        // Voters come one after another, not all at once: the codes
                        // last through every kill.
                        tokio::time::sleep(Duration::from_millis(15)).await;
                        let receipt = page
                            .split_once(r#"<code id="receipt">"#)
                            .and_then(|(_, rest)| rest.split_once("</code>"))
                            .map(|(r, _)| r.to_string())
                            .unwrap_or_else(|| panic!("no receipt: {page:.600}"));
                        acked.votes.push((code.clone(), receipt));
                    }
                    Ok((status, page)) => panic!("a vote answered {status}: {page:.600}"),
                    Err(_) => break,
                }
            }
            Work::Planning => {
                let i = f.next.fetch_add(1, Ordering::SeqCst);
                let cadre = card(i);
                let body = format!(
                    "csrf={}&cadre={cadre}&on={}&decision=Quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh+s%E1%BB%91+{i}-Q%C4%90%2FTW&override_reason=Ki%E1%BB%83m+th%E1%BB%AD",
                    f.csrf,
                    iso(f.today)
                );
                let r = http(
                    port,
                    "POST",
                    &format!("/plans/{}/add", f.plan),
                    &[
                        ("Cookie", &f.cookie),
                        ("Content-Type", "application/x-www-form-urlencoded"),
                    ],
                    &body,
                )
                .await;
                match r {
                    Ok((303, _)) => acked.planned.push(cadre),
                    // Someone the generator did not make a member, or not a cadre one may plan.
                    Ok((422, _)) => {}
                    Ok((status, page)) => panic!("adding to the plan answered {status}: {page:.600}"),
                    Err(_) => break,
                }
            }
        }
    }
    acked
}

/// What the clients of one kill share.
struct Shared {
    points: Vec<(i64, String)>,
    codes: Vec<String>,
    candidates: usize,
    next: AtomicUsize,
    stop: AtomicBool,
    cookie: String,
    csrf: String,
    plan: i64,
    today: dangbo_domain::Date,
    upload: Option<(usize, String)>,
}

/// Stages the `n`th file to import, of new members; returns its first card and the
/// upload's token.
async fn stage(f: &Fixture, n: usize) -> (usize, String) {
    let first = 20_000 + n * IMPORT_ROWS;
    let token = f
        .app
        .stage_upload(f.account, "dang-vien.csv", &import_file(first))
        .await
        .unwrap();
    (first, token)
}

/// Confirms a staged import as the page's form does.
async fn confirm_import(
    port: u16,
    cookie: &str,
    csrf: &str,
    token: &str,
    on: dangbo_domain::Date,
) -> std::io::Result<(u16, String)> {
    let body = format!("csrf={csrf}&upload={token}&on={}", iso(on));
    let headers = [
        ("Cookie", cookie),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    http(port, "POST", "/import/confirm", &headers, &body).await
}

/// One import left to finish: how long it took, and what it imported.
async fn import_once(f: &Fixture) -> (Duration, (usize, bool)) {
    let (first, token) = stage(f, 0).await;
    let port = free_port();
    let _server = serve(&f.t.url, port);
    wait_up(port).await;
    let started = Instant::now();
    let (status, page) = confirm_import(port, &f.cookie, &f.csrf, &token, f.app.clock.today())
        .await
        .unwrap();
    assert_eq!(status, 200, "{page:.600}");
    (started.elapsed(), (first, true))
}

fn import_file(first: usize) -> Vec<u8> {
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số thẻ đảng viên,Ngày vào Đảng,Mã chi bộ\n");
    for k in first..first + IMPORT_ROWS {
        csv.push_str(&format!(
            "Nông Văn Sơn,01/01/1980,Nam,Tày,{},01/01/2005,HN.KT\n",
            card(k)
        ));
    }
    csv.into_bytes()
}

/// Members' ids by their card numbers.
async fn members_by_card(tx: &mut dangbo_store::Tx) -> HashMap<String, String> {
    let cols = tx.columns_of("membership").await.unwrap();
    let position = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let (id, card) = (position("person_id"), position("card_number"));
    tx.dump_for_tests("membership")
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r[card].clone(), r[id].clone()))
        .collect()
}

/// Checks the database while no server runs: integrity, everything acknowledged, and the
/// totals that must agree with what they count.
async fn check(f: &Fixture, work: Work, acked: &Acknowledged, kill: usize) {
    let db = &f.t.db;
    db.check_integrity().await.unwrap();
    let mut tx = db.read().await.unwrap();
    assert!(
        tx.verify_audit().await.unwrap().is_ok(),
        "kill {kill}: the audit chain is broken"
    );
    let column = |cols: &[String], name: &str| cols.iter().position(|c| c == name).unwrap();
    match work {
        Work::Checkins => {
            let cols = tx.columns_of("checkin").await.unwrap();
            let rid = column(&cols, "request_id");
            let rows = tx.dump_for_tests("checkin").await.unwrap();
            let stored: HashSet<&str> = rows.iter().map(|r| r[rid].as_str()).collect();
            let lost = acked.checkins.iter().filter(|id| !stored.contains(id.as_str())).count();
            assert_eq!(lost, 0, "kill {kill}: {lost} acknowledged check-ins lost");
            // The running totals agree with the attendance they count.
            let cols = tx.columns_of("point_tally").await.unwrap();
            let named = column(&cols, "named");
            let tallied: i64 = tx
                .dump_for_tests("point_tally")
                .await
                .unwrap()
                .iter()
                .map(|r| r[named].parse::<i64>().unwrap())
                .sum();
            let attendees = tx.dump_for_tests("attendee").await.unwrap().len() as i64;
            assert_eq!(
                tallied, attendees,
                "kill {kill}: the tallies disagree with the attendance"
            );
        }
        Work::Import => {
            let cards = members_by_card(&mut tx).await;
            for (first, ok) in &acked.imports {
                let n = (*first..first + IMPORT_ROWS)
                    .filter(|k| cards.contains_key(&card(*k)))
                    .count();
                assert!(
                    n == 0 || n == IMPORT_ROWS,
                    "kill {kill}: {n} of {IMPORT_ROWS} rows of an import"
                );
                assert!(
                    !ok || n == IMPORT_ROWS,
                    "kill {kill}: an acknowledged import is missing"
                );
            }
        }
        Work::Ballot => {
            let cast = tx.casts(f.ballot).await.unwrap().len();
            let burnt = tx.used_credentials(f.ballot).await.unwrap().len();
            assert_eq!(cast, burnt, "kill {kill}: {cast} ballots for {burnt} used codes");
            drop(tx);
            for (code, receipt) in &acked.votes {
                let b = f.app.ballot_for_code(code).await.unwrap();
                assert_eq!(
                    b.used.as_ref(),
                    Some(receipt),
                    "kill {kill}: an acknowledged vote is missing"
                );
            }
        }
        Work::Planning => {
            let cols = tx.columns_of("plan_entry").await.unwrap();
            let person = column(&cols, "person_id");
            let entries: HashSet<String> = tx
                .dump_for_tests("plan_entry")
                .await
                .unwrap()
                .into_iter()
                .map(|r| r[person].clone())
                .collect();
            let by_card = members_by_card(&mut tx).await;
            for cadre in &acked.planned {
                assert!(
                    entries.contains(&by_card[cadre]),
                    "kill {kill}: {cadre} was acknowledged but is not in the plan"
                );
            }
            // Every entry was written with its audit record, in one transaction.
            let acols = tx.columns_of("audit_log").await.unwrap();
            let (action, subject) = (column(&acols, "action"), column(&acols, "subject"));
            let audited = tx
                .dump_for_tests("audit_log")
                .await
                .unwrap()
                .iter()
                .filter(|r| r[action] == "plan.add" && r[subject] == format!("plan:{}", f.plan))
                .count();
            assert_eq!(
                audited,
                entries.len(),
                "kill {kill}: plan entries and their audit records differ"
            );
        }
    }
}

async fn kill_during(f: &Fixture, work: Work, backend: &str) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ work as u64);
    let mut acked = Acknowledged::default();
    let mut next = 0;
    let start = Instant::now();
    let n = kills();
    // The moments of the kills lie within the time the work takes here: for an import,
    // first as long as one whole import, then moving toward the span that lets about a
    // quarter of the imports finish (a fresh server's import may be slower than the timed
    // one, a busy CI machine slower still, and imports slow down as killed ones leave
    // their dead rows); the others within a second of steady requests.
    let mut span = if work == Work::Import {
        let (import, ok) = import_once(f).await;
        acked.imports.push(ok);
        (import.as_millis() as u64 * 5 / 4).max(50)
    } else {
        800
    };
    for kill in 0..n {
        let upload = if work == Work::Import {
            Some(stage(f, kill + 1).await)
        } else {
            None
        };
        let shared = Arc::new(Shared {
            points: f.points.clone(),
            codes: f.codes.clone(),
            candidates: f.candidates,
            next: AtomicUsize::new(next),
            stop: AtomicBool::new(false),
            cookie: f.cookie.clone(),
            csrf: f.csrf.clone(),
            plan: f.plan,
            today: f.app.clock.today(),
            upload,
        });
        let port = free_port();
        let server = serve(&f.t.url, port);
        wait_up(port).await;
        let clients: Vec<_> = (0..if work == Work::Ballot { 2 } else { 4 })
            .map(|c| tokio::spawn(client(shared.clone(), work, port, c, kill)))
            .collect();
        tokio::time::sleep(Duration::from_millis(20 + rng.below(span))).await;
        drop(server); // SIGKILL, and wait for it to be gone
        shared.stop.store(true, Ordering::SeqCst);
        for c in clients {
            let a = c.await.unwrap();
            acked.checkins.extend(a.checkins);
            acked.imports.extend(a.imports);
            acked.votes.extend(a.votes);
            acked.planned.extend(a.planned);
        }
        next = shared.next.load(Ordering::SeqCst);
        check(f, work, &acked, kill).await;
        if work == Work::Import {
            let finished = acked.imports.last().is_some_and(|i| i.1);
            span = if finished { span * 3 / 4 } else { span * 11 / 10 }.max(50);
        }
    }
    let done = match work {
        Work::Checkins => format!("{} check-ins", acked.checkins.len()),
        Work::Import => format!(
            "{} imports, {}",
            acked.imports.len(),
            acked.imports.iter().filter(|i| i.1).count()
        ),
        Work::Ballot => format!("{} votes", acked.votes.len()),
        Work::Planning => format!("{} cadres planned", acked.planned.len()),
    };
    eprintln!(
        "{backend}: {n} kills during {work:?} in {:.0} s: {done} acknowledged, 0 lost, nothing half applied",
        start.elapsed().as_secs_f64()
    );
    // The kills came during the work: some were acknowledged, some not yet.
    match work {
        Work::Checkins => assert!(!acked.checkins.is_empty()),
        Work::Import => {
            // The first was the one timed, left to finish.
            let ok = acked.imports[1..].iter().filter(|i| i.1).count();
            assert!(
                n < 10 || (ok > 0 && ok < n),
                "{ok} of {n} imports finished before their kill"
            );
        }
        Work::Ballot => assert!(
            !acked.votes.is_empty() && next < f.codes.len(),
            "the codes ran out before the last kill"
        ),
        Work::Planning => assert!(!acked.planned.is_empty()),
    }
}

async fn all_kinds(t: testing::TestDb, backend: &str) {
    let f = fixture(t).await;
    for work in [Work::Checkins, Work::Import, Work::Ballot, Work::Planning] {
        kill_during(&f, work, backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kills() {
    all_kinds(testing::sqlite().await.unwrap(), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_kills() {
    let Some(t) = testing::postgres().await.unwrap() else {
        eprintln!("DANGBO_TEST_POSTGRES is not set: skipped");
        return;
    };
    all_kinds(t, "PostgreSQL").await;
}
