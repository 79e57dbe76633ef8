//! Load on the member list and search pages over loopback, on the demo data.
//!
//! Starts `dangbo serve` in this process on a fresh database with the Lạng Sơn demo,
//! signs in as the provincial office, then runs concurrent clients against each page for
//! a fixed time and prints requests per second and p50/p99 latency, beside `/healthz`
//! measured in the same run as the reference. SQLite always; PostgreSQL too when
//! `DANGBO_TEST_POSTGRES` names a server. Run with `cargo bench -p dangbo-web --bench pages`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::http::{Request, header};
use dangbo_app::{App, Clock};
use dangbo_domain::Lang;
use dangbo_store::testing;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::time::{Duration, Instant};

const CLIENTS: usize = 16;
const SECONDS: u64 = 5;
/// A bound on requests per target, so a fast endpoint cannot run away.
const MAX_REQUESTS: usize = 200_000;

struct Figures {
    requests: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

async fn drive(base: &str, path: &str, cookie: &str) -> Figures {
    let client: Client<_, Empty<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let client = client.clone();
        let uri = format!("{base}{path}");
        let cookie = cookie.to_string();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline && lat.len() < MAX_REQUESTS / CLIENTS {
                let req = Request::get(&uri)
                    .header(header::COOKIE, &cookie)
                    .body(Empty::new())
                    .unwrap();
                let t = Instant::now();
                match client.request(req).await {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        let _ = res.into_body().collect().await;
                        if ok {
                            lat.push(t.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.unwrap();
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Figures {
        requests: all.len(),
        rps: all.len() as f64 / elapsed,
        p50: pick(0.50),
        p99: pick(0.99),
        errors,
    }
}

async fn run(name: &str, db: dangbo_store::Db) {
    let app = App::new(db, Clock::System, "bench");
    let t = Instant::now();
    app.load_demo(2023, &|_| {}).await.unwrap();
    app.add_user("bench", "Văn phòng", "mat-khau-do-tai", None)
        .await
        .unwrap();
    let root = dangbo_domain::org::OrgCode::parse("LS").unwrap();
    app.grant(
        "bench",
        dangbo_app::access::Role::Office,
        Some(&root),
        app.clock.today(),
    )
    .await
    .unwrap();
    let opened = app.login("bench", "mat-khau-do-tai", Lang::Vi).await.unwrap();
    let people = app.member_stats(&root, app.clock.today()).await.unwrap();
    eprintln!("{name}: demo loaded in {:.1} s", t.elapsed().as_secs_f64());

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
    let cookie = format!("dangbo_session={}", opened.token);
    println!(
        "\n{name}: {} members under LS, {CLIENTS} clients, {SECONDS} s per page",
        people.members + people.non_members
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "page", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for (label, path) in [
        ("/healthz (reference)", "/healthz"),
        ("member list, first page", "/members?org=LS"),
        (
            "member list, a later page (keyset)",
            "/members?org=LS&after=15000&page=40",
        ),
        ("search «nguyen van» (no diacritics)", "/members?org=LS&q=nguyen+van"),
        (
            "search «thi» with filters",
            "/members?org=LS&q=thi&gender=female&status=full",
        ),
        ("API member search", "/api/v1/members?org=LS&q=hoang"),
    ] {
        let f = drive(&base, path, &cookie).await;
        println!(
            "{label:<44} {:>9} {:>9.0} {:>9.1} {:>9.1} {:>7}",
            f.requests,
            f.rps,
            f.p50.as_secs_f64() * 1000.0,
            f.p99.as_secs_f64() * 1000.0,
            f.errors
        );
    }
    let _ = stop.send(());
    let _ = server.await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sqlite = testing::sqlite().await.unwrap();
        run("SQLite", sqlite.db.clone()).await;
        if let Some(pg) = testing::postgres().await.unwrap() {
            run("PostgreSQL", pg.db.clone()).await;
        } else {
            println!("\nPostgreSQL: skipped (set DANGBO_TEST_POSTGRES to measure it)");
        }
    });
}
