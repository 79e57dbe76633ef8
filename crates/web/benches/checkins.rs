//! Check-ins per second over loopback, with nothing lost.
//!
//! Starts `dangbo serve` in this process on a fresh database holding a generated province
//! (10 blocs of 20 base cells, 20,000 members with party card numbers), opens a conference
//! of the province held today with one point per base, and has many concurrent clients
//! post check-ins to `POST /api/v1/points/{id}/checkins` with point keys, as operators'
//! devices do, for `DANGBO_BENCH_SECS` seconds (default 60) in two modes: one check-in per
//! request (an operator scanning) and 50 per request (a device resending its
//! queue), each on a conference of its own. Every check-in has a request id of its own;
//! codes go round the registry's card numbers (one in 25 names nobody), so after the first
//! round people are answered "conflict" (or "already"), which is still a stored request.
//!
//! After each run the check-ins acknowledged (answered 200, counted result by result) are
//! compared with the rows the `checkin` table holds for that conference. `/healthz` is
//! measured in the same run, with the same clients, for `min(DANGBO_BENCH_SECS, 10)`
//! seconds, as the reference. SQLite always; PostgreSQL too when `DANGBO_TEST_POSTGRES`
//! names a server. `DANGBO_BENCH_CLIENTS` sets the concurrency (default 128).
//! Run with `cargo bench -p dangbo-web --bench checkins`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::http::{Request, StatusCode, header};
use dangbo_app::conferences::{ConferenceInput, Live, PointInput};
use dangbo_app::orgs::NewOrg;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang};
use dangbo_store::{MembershipRow, NewPerson, testing};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A bound on requests per client task, so a fast endpoint cannot run away.
const MAX_PER_CLIENT: usize = 2_000_000;
const FOUNDED: Date = Date::constant(2015, 1, 1);
const BLOCS: usize = 10;
const BASES_PER_BLOC: usize = 20;
const MEMBERS_PER_BASE: usize = 100;
/// One code in this many names nobody.
const UNKNOWN_EVERY: usize = 25;

type Http = Client<HttpConnector, Full<bytes::Bytes>>;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// `12,345`.
fn sep(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Deserialize)]
struct Results {
    results: Vec<ResultOut>,
}

#[derive(Deserialize)]
struct ResultOut {
    request_id: String,
    status: String,
}

/// What is driven.
#[derive(Clone)]
enum Target {
    Healthz,
    Checkins {
        per_request: usize,
        /// Point id and its key, one per base organization.
        points: Arc<Vec<(i64, String)>>,
        cards: Arc<Vec<String>>,
    },
}

#[derive(Default)]
struct Figures {
    requests: u64,
    acknowledged: u64,
    counted: u64,
    already: u64,
    conflict: u64,
    unknown: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed: f64,
    p50: Duration,
    p99: Duration,
}

#[derive(Default)]
struct ClientFigures {
    lat: Vec<Duration>,
    acknowledged: u64,
    counted: u64,
    already: u64,
    conflict: u64,
    unknown: u64,
    errors: u64,
    first_error: Option<String>,
}

fn build(
    base: &str,
    target: &Target,
    client_no: usize,
    clients: usize,
    seq: usize,
) -> (Request<Full<bytes::Bytes>>, Vec<String>) {
    match target {
        Target::Healthz => (
            Request::get(format!("{base}/healthz"))
                .body(Full::new(bytes::Bytes::new()))
                .unwrap(),
            Vec::new(),
        ),
        Target::Checkins {
            per_request,
            points,
            cards,
        } => {
            let (point, key) = &points[client_no % points.len()];
            let mut ids = Vec::with_capacity(*per_request);
            let mut body = String::with_capacity(24 + per_request * 80);
            body.push_str(r#"{"checkins":["#);
            for j in 0..*per_request {
                // Round the registry in order, the clients interleaved.
                let n = (seq * clients + client_no) * per_request + j;
                let code = if n % UNKNOWN_EVERY == UNKNOWN_EVERY - 1 {
                    format!("99{n:010}")
                } else {
                    // The known codes before this one, so every card comes round in turn.
                    cards[(n - n / UNKNOWN_EVERY) % cards.len()].clone()
                };
                let id = format!("c{client_no}-{seq}-{j}");
                if j > 0 {
                    body.push(',');
                }
                body.push_str(&format!(r#"{{"request_id":"{id}","code":"{code}","method":"scan"}}"#));
                ids.push(id);
            }
            body.push_str("]}");
            (
                Request::post(format!("{base}/api/v1/points/{point}/checkins"))
                    .header(header::AUTHORIZATION, format!("Point {key}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(bytes::Bytes::from(body)))
                    .unwrap(),
                ids,
            )
        }
    }
}

async fn drive(client: &Http, base: &str, target: &Target, clients: usize, seconds: u64) -> Figures {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let base = base.to_string();
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let mut f = ClientFigures::default();
            let mut seq = 0;
            while Instant::now() < deadline && seq < MAX_PER_CLIENT {
                let (req, ids) = build(&base, &target, c, clients, seq);
                seq += 1;
                let t = Instant::now();
                let res = match client.request(req).await {
                    Ok(res) => res,
                    Err(e) => {
                        f.errors += 1;
                        f.first_error.get_or_insert_with(|| e.to_string());
                        continue;
                    }
                };
                let status = res.status();
                let body = match res.into_body().collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(e) => {
                        f.errors += 1;
                        f.first_error.get_or_insert_with(|| e.to_string());
                        continue;
                    }
                };
                let took = t.elapsed();
                if status != StatusCode::OK {
                    f.errors += 1;
                    f.first_error
                        .get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
                    continue;
                }
                if let Target::Checkins { .. } = target {
                    let Ok(out) = serde_json::from_slice::<Results>(&body) else {
                        f.errors += 1;
                        f.first_error
                            .get_or_insert_with(|| format!("unreadable answer: {}", String::from_utf8_lossy(&body)));
                        continue;
                    };
                    if out.results.len() != ids.len() || out.results.iter().zip(&ids).any(|(r, id)| r.request_id != *id)
                    {
                        f.errors += 1;
                        f.first_error
                            .get_or_insert_with(|| "answers do not match the check-ins sent".into());
                        continue;
                    }
                    for r in &out.results {
                        match r.status.as_str() {
                            "counted" => f.counted += 1,
                            "already" => f.already += 1,
                            "conflict" => f.conflict += 1,
                            _ => f.unknown += 1,
                        }
                    }
                    f.acknowledged += out.results.len() as u64;
                }
                f.lat.push(took);
            }
            f
        }));
    }
    let mut all = Vec::new();
    let mut fig = Figures::default();
    for t in tasks {
        let f = t.await.unwrap();
        all.extend(f.lat);
        fig.acknowledged += f.acknowledged;
        fig.counted += f.counted;
        fig.already += f.already;
        fig.conflict += f.conflict;
        fig.unknown += f.unknown;
        fig.errors += f.errors;
        if fig.first_error.is_none() {
            fig.first_error = f.first_error;
        }
    }
    fig.elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    fig.requests = all.len() as u64;
    fig.p50 = pick(0.50);
    fig.p99 = pick(0.99);
    fig
}

/// A line of the final table.
struct Row {
    backend: String,
    what: String,
    per_s: f64,
    req_s: f64,
    p50: Duration,
    p99: Duration,
    check: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A conference of the province held today, with one point per base organization, all
/// live; returns it with each point's key.
async fn conference(
    app: &App,
    office: &dangbo_app::access::Caller,
    live: &Live,
    title: &str,
) -> (i64, Vec<(i64, String)>) {
    let today = app.clock.today();
    let id = app
        .create_conference(
            office,
            &ConferenceInput {
                org: "LS".into(),
                kind: "dissemination".into(),
                title: title.into(),
                organizer: "Ban Thường vụ Tỉnh ủy".into(),
                held_on: dangbo_domain::date::short(today),
                starts_at: "08:00".into(),
                format: "online".into(),
                ..ConferenceInput::default()
            },
        )
        .await
        .unwrap();
    let province = app
        .add_point(
            office,
            id,
            &PointInput {
                host: "LS".into(),
                ..PointInput::default()
            },
        )
        .await
        .unwrap();
    app.add_base_points(office, id, "LS", Some(province)).await.unwrap();
    let view = app.conference(office, id, Lang::Vi).await.unwrap();
    let mut points = Vec::new();
    for (p, _) in &view.points {
        app.set_point_status(office, p.id, "live").await.unwrap();
        if p.id != province {
            points.push((p.id, app.point_key(office, p.id, &live.signer).await.unwrap()));
        }
    }
    (id, points)
}

/// The registry: the province, 10 blocs of 20 base cells each, and 100 members with a
/// party card in each base (20,000). Organizations go through the use case; the people
/// are written in bulk through the store, as an import would, then the planner's
/// statistics are refreshed as dangbo does after every bulk load. Returns the card numbers.
async fn registry(app: &App) -> Vec<String> {
    let org = |code: &str, name: &str, kind: OrgKind, parent: Option<&str>| NewOrg {
        code: OrgCode::parse(code).unwrap(),
        name: OrgName::parse(name).unwrap(),
        kind,
        level: Level::Province,
        parent: parent.map(|p| OrgCode::parse(p).unwrap()),
    };
    app.create_org(&org("LS", "Đảng bộ tỉnh Lạng Sơn", OrgKind::Provincial, None), FOUNDED)
        .await
        .unwrap();
    let mut bases = Vec::new();
    for k in 1..=BLOCS {
        let bloc = format!("LS.K{k:02}");
        app.create_org(
            &org(&bloc, &format!("Đảng bộ Khối số {k}"), OrgKind::UpperBase, Some("LS")),
            FOUNDED,
        )
        .await
        .unwrap();
        for b in 1..=BASES_PER_BLOC {
            let id = app
                .create_org(
                    &org(
                        &format!("{bloc}.B{b:02}"),
                        &format!("Chi bộ cơ quan số {b} khối {k}"),
                        OrgKind::BaseCell,
                        Some(&bloc),
                    ),
                    FOUNDED,
                )
                .await
                .unwrap();
            bases.push(id);
        }
    }
    let given = [
        "An", "Bình", "Cường", "Dũng", "Đoàn", "Hà", "Hương", "Lan", "Minh", "Nga", "Sơn", "Tùng", "Ưng",
    ];
    let family = ["Nguyễn", "Hoàng", "Lương", "Nông", "Vi", "Lăng", "Trần", "Lê"];
    let n = bases.len() * MEMBERS_PER_BASE;
    let people: Vec<NewPerson> = (0..n)
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
    let cards: Vec<String> = (0..n).map(|i| format!("{}", 20_000_000 + i)).collect();
    let memberships: Vec<MembershipRow> = cards
        .iter()
        .map(|c| MembershipRow {
            card_number: Some(CardNumber::parse(c).unwrap()),
            admitted_on: Date::constant(2000, 1, 1),
            full_on: Some(Date::constant(2001, 1, 1)),
            exempt: false,
        })
        .collect();
    let mut tx = app.db.write().await.unwrap();
    let ids = tx.reserve_person_ids(n).await.unwrap();
    let rows: Vec<_> = ids.iter().copied().zip(people.iter()).collect();
    tx.insert_people(&rows).await.unwrap();
    let ms: Vec<_> = ids.iter().copied().zip(memberships.iter()).collect();
    tx.upsert_memberships(&ms).await.unwrap();
    let pl: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, bases[i / MEMBERS_PER_BASE], FOUNDED, "bench"))
        .collect();
    tx.insert_placements(&pl).await.unwrap();
    tx.commit().await.unwrap();
    app.db.analyze().await.unwrap();
    cards
}

async fn run(name: &str, db: dangbo_store::Db, seconds: u64, clients: usize, table: &mut Vec<Row>) {
    let app = App::new(db, Clock::System, "bench");
    let t = Instant::now();
    let cards = Arc::new(registry(&app).await);
    app.add_user("bench", "Văn phòng", "mat-khau-do-tai", None)
        .await
        .unwrap();
    let root = OrgCode::parse("LS").unwrap();
    let today = app.clock.today();
    app.grant("bench", dangbo_app::access::Role::Office, Some(&root), today)
        .await
        .unwrap();
    let opened = app.login("bench", "mat-khau-do-tai", Lang::Vi).await.unwrap();
    let office = app.session(&opened.token).await.unwrap().unwrap().caller;

    // The bench's own `Live` reads (or first writes) the signing secret the server's will
    // use, so the point keys it signs are the server's; its writer stays idle.
    let live = Live::start(app.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dangbo_web::serve_on(
        listener,
        app.clone(),
        dangbo_web::Config::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let base = format!("http://{addr}");
    let client: Http = Client::builder(TokioExecutor::new()).build_http();

    let (one, one_points) = conference(&app, &office, &live, "Điểm danh từng người").await;
    let (fifty, fifty_points) = conference(&app, &office, &live, "Điểm danh theo lô").await;
    eprintln!(
        "{name}: {} members with a card, 2 conferences of {} base points each, ready in {:.1} s",
        sep(cards.len() as u64),
        one_points.len(),
        t.elapsed().as_secs_f64()
    );
    // The server is up once /healthz answers.
    for _ in 0..100 {
        let ok = client
            .request(Request::get(format!("{base}/healthz")).body(Full::default()).unwrap())
            .await
            .is_ok_and(|r| r.status().is_success());
        if ok {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let health_secs = seconds.min(10);
    println!("\n{name}: {clients} clients, {seconds} s per check-in run, {health_secs} s for /healthz");
    let h = drive(&client, &base, &Target::Healthz, clients, health_secs).await;
    let line = format!(
        "{:<8} /healthz              : {:>9} req/s        p50 {:>5.1} ms  p99 {:>5.1} ms  requests {} errors {}",
        name.to_lowercase(),
        sep((h.requests as f64 / h.elapsed) as u64),
        ms(h.p50),
        ms(h.p99),
        sep(h.requests),
        h.errors
    );
    println!("{line}");
    table.push(Row {
        backend: name.into(),
        what: "/healthz (reference)".into(),
        per_s: h.requests as f64 / h.elapsed,
        req_s: h.requests as f64 / h.elapsed,
        p50: h.p50,
        p99: h.p99,
        check: String::new(),
    });

    for (per_request, conf, points) in [(1usize, one, one_points), (50, fifty, fifty_points)] {
        let target = Target::Checkins {
            per_request,
            points: Arc::new(points),
            cards: cards.clone(),
        };
        let f = drive(&client, &base, &target, clients, seconds).await;
        if f.errors > 0 {
            // A request the client gave up on may still be in the writer's queue.
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        let stored = app.db.read().await.unwrap().checkin_count(conf).await.unwrap() as u64;
        let verdict = if stored == f.acknowledged {
            "OK".to_string()
        } else if stored > f.acknowledged {
            format!(
                "OK, none lost ({} stored but not acknowledged)",
                sep(stored - f.acknowledged)
            )
        } else {
            format!("FAIL: {} acknowledged but not stored", sep(f.acknowledged - stored))
        };
        let per_s = f.acknowledged as f64 / f.elapsed;
        let what = format!("checkins {per_request}/request");
        println!(
            "{:<8} {what:<21}: {:>9} check-ins/s  p50 {:>5.1} ms  p99 {:>5.1} ms  acknowledged {} stored {} {verdict}",
            name.to_lowercase(),
            sep(per_s as u64),
            ms(f.p50),
            ms(f.p99),
            sep(f.acknowledged),
            sep(stored),
        );
        println!(
            "{:<8} {:<21}  {} requests ({:.0}/s), {} errors; counted {} already {} conflict {} unknown {}",
            "",
            "",
            sep(f.requests),
            f.requests as f64 / f.elapsed,
            f.errors,
            sep(f.counted),
            sep(f.already),
            sep(f.conflict),
            sep(f.unknown)
        );
        if let Some(e) = &f.first_error {
            println!("{:<8} first error: {e}", "");
        }
        table.push(Row {
            backend: name.into(),
            what,
            per_s,
            req_s: f.requests as f64 / f.elapsed,
            p50: f.p50,
            p99: f.p99,
            check: if f.errors > 0 {
                format!("{verdict}, {} errors", f.errors)
            } else {
                verdict
            },
        });
    }
    let _ = stop.send(());
    let _ = server.await;
}

fn main() {
    let seconds = env_num("DANGBO_BENCH_SECS", 60);
    let clients = env_num("DANGBO_BENCH_CLIENTS", 128) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut table = Vec::new();
        let sqlite = testing::sqlite().await.unwrap();
        run("SQLite", sqlite.db.clone(), seconds, clients, &mut table).await;
        if let Some(pg) = testing::postgres().await.unwrap() {
            run("PostgreSQL", pg.db.clone(), seconds, clients, &mut table).await;
        } else {
            println!("\nPostgreSQL: skipped (set DANGBO_TEST_POSTGRES to measure it)");
        }
        println!("\n{clients} clients over loopback, {seconds} s per check-in run");
        println!(
            "{:<11} {:<22} {:>13} {:>9} {:>7} {:>7}  nothing lost",
            "backend", "what", "check-ins/s", "req/s", "p50 ms", "p99 ms"
        );
        for r in &table {
            let per = if r.what.starts_with('/') {
                "—".to_string()
            } else {
                sep(r.per_s as u64)
            };
            println!(
                "{:<11} {:<22} {:>13} {:>9} {:>7.1} {:>7.1}  {}",
                r.backend,
                r.what,
                per,
                sep(r.req_s as u64),
                ms(r.p50),
                ms(r.p99),
                r.check
            );
        }
    });
}
