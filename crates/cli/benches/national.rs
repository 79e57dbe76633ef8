//! The national registry served by `dangbo serve`: member search without diacritics over
//! the whole nation, pages under 100 concurrent users, and the server's memory.
//!
//! For each database it finds (or makes, with `dangbo generate`, which takes minutes) a
//! national registry, starts `dangbo serve` on it as a process of its own, signs in as an
//! administrator of the nation through the sign-in form, and then measures over loopback:
//!
//! - searching members by a name typed without diacritics (`nguyen van an`) over the whole
//!   nation, one request at a time, 300 names: p50 and p99 (aim p99 < 20 ms);
//! - 100 concurrent clients, each keeping its connection open as a browser does, for 10
//!   seconds each (and at most 100,000 requests) on the dashboard, a province's page with
//!   its tree, and a province's member list, with `/healthz` measured the same way as the
//!   reference: requests per second, p50 and p99 (aim p99 < 100 ms);
//! - the national conference replayed: its 1.93 million participants arrive evenly at its
//!   31,000 points over `DANGBO_BENCH_REPLAY_SECS` (default 600; the server runs with
//!   `--today 07/02/2026`, the conference's day), every check-in acknowledged and stored,
//!   and the live figures' lag behind what was acknowledged (aim < 1 s); 0 skips it;
//! - the server's resident memory afterwards, now and at its peak (aim < 500 MiB).
//!
//! SQLite: `DANGBO_BENCH_SQLITE` (default `/var/tmp/dangbo-national.db`; `skip` to
//! skip). PostgreSQL:
//! `DANGBO_BENCH_POSTGRES`, the URL of a database of its own (skipped when unset).
//! `DANGBO_BENCH_MEMBERS` sets the size of a registry it has to generate (default
//! 5,600,000). Run with `cargo bench -p dangbo-cli --bench national`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENTS: usize = 100;
const SECONDS: u64 = 10;
const MAX_REQUESTS: usize = 100_000;
const NAMES: &[&str] = &[
    "nguyen van an",
    "tran thi lan",
    "le van hung",
    "hoang thi mai",
    "pham van minh",
    "vu thi hoa",
    "dang van son",
    "bui thi thu",
    "do van tuan",
    "ngo thi huong",
    "nong van binh",
    "luong thi nga",
];
/// What a user types to find someone with a common name: hundreds of thousands match.
const COMMON: &[&str] = &["nguyen van", "tran thi", "le", "nguyen thi h"];
const BIN: &str = env!("CARGO_BIN_EXE_dangbo");
/// The day of the generated national conference: the server takes it to be today, so
/// that the conference can be replayed (its point keys hold until two days after it).
const HELD_ON: &str = "07/02/2026";
const PASSWORD: &str = "mat-khau-do-hieu-nang-2026";
/// Requests in flight at once during the replay (the devices' connections).
const IN_FLIGHT: usize = 256;

fn dangbo(url: &str, args: &[&str], stdin: Option<&str>) -> bool {
    let mut child = Command::new(BIN)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait().unwrap().success()
}

/// A national registry at `url`, generated if it is not there yet.
fn ensure_registry(url: &str) {
    assert!(dangbo(url, &["migrate"], None));
    if dangbo(url, &["org", "show", "TW"], None) {
        return;
    }
    let members = std::env::var("DANGBO_BENCH_MEMBERS").unwrap_or_else(|_| "5600000".into());
    eprintln!("generating a national registry of {members} members at {url} (minutes)…");
    assert!(dangbo(url, &["generate", "--members", &members], None));
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One exchange on a fresh connection: status, the `Set-Cookie` values, and the body.
async fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    body: &str,
) -> std::io::Result<(u16, Vec<String>, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    let text = String::from_utf8_lossy(&out);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .collect();
    Ok((status, cookies, body.to_string()))
}

async fn sign_in(port: u16) -> String {
    let (_, cookies, page) = http(port, "GET", "/login", "", "").await.unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the sign-in form's token")
        .to_string();
    let body = format!("username=bench&password={PASSWORD}&csrf={csrf}");
    let (status, cookies, _) = http(port, "POST", "/login", &cookies.join("; "), &body).await.unwrap();
    assert!(status == 303 || status == 302, "sign-in answered {status}");
    cookies
        .into_iter()
        .find(|c| c.starts_with("dangbo_session="))
        .expect("a session cookie")
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// `CLIENTS` clients on one path, each a browser keeping its connection open between
/// requests: requests per second, p50, p99, errors.
async fn load(port: u16, path: &str, cookie: &str) -> (f64, f64, f64, usize) {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (path, cookie) = (path.to_string(), cookie.to_string());
        // A client of its own per user: one kept-alive connection each.
        let client: Client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_max_idle_per_host(1)
            .build_http();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline && lat.len() < MAX_REQUESTS / CLIENTS {
                let t = Instant::now();
                // A request unanswered in 30 s counts as an error, so that a run ends.
                match tokio::time::timeout(Duration::from_secs(30), get(&client, port, &path, &cookie)).await {
                    Ok(Ok(200)) => lat.push(t.elapsed()),
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    (
        all.len() as f64 / secs,
        quantile(&all, 0.5),
        quantile(&all, 0.99),
        errors,
    )
}

fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|k| k.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn run(label: &str, url: &str) {
    ensure_registry(url);
    // An administrator of the nation to sign in as (already there on a second run).
    let _ = dangbo(
        url,
        &["user", "add", "bench", "--name", "Đo hiệu năng", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    // From before the conference, which the replay serves as "today".
    let _ = dangbo(url, &["user", "grant", "bench", "admin", "--from", "01/01/2026"], None);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server(
        Command::new(BIN)
            .args([
                "--database-url",
                url,
                "--today",
                HELD_ON,
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .env("DANGBO_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let up = Instant::now();
    while http(port, "GET", "/healthz", "", "").await.map(|r| r.0).ok() != Some(200) {
        assert!(up.elapsed() < Duration::from_secs(60), "the server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cookie = sign_in(port).await;

    // Figure 5: search over the nation, one request at a time; and within a province,
    // where a common name is what is slow to find (the nation's matches are millions).
    for (scope, org, names) in [
        ("over the nation", "", NAMES),
        ("within a province", "&org=HN", NAMES),
        ("over the nation, common", "", COMMON),
        ("in a province, common", "&org=HN", COMMON),
    ] {
        let mut lat = Vec::new();
        let mut found = 0usize;
        let n = if names.len() < 10 { 40 } else { 300 };
        for i in 0..n {
            let q = names[i % names.len()].replace(' ', "+");
            let t = Instant::now();
            let (status, _, body) = http(port, "GET", &format!("/api/v1/members?q={q}{org}"), &cookie, "")
                .await
                .unwrap();
            lat.push(t.elapsed());
            assert_eq!(status, 200, "{body:.200}");
            found += usize::from(body.contains("\"id\""));
        }
        lat.sort_unstable();
        println!(
            "{label:<10} member search {scope:<25} (API, {found}/{n} found)   p50 {:>7.1} ms  p99 {:>7.1} ms   (aim p99 < 20 ms)",
            quantile(&lat, 0.5),
            quantile(&lat, 0.99)
        );
    }

    // Figure 6: pages under 100 concurrent users, /healthz as the reference.
    for (what, path) in [
        ("/healthz (reference)", "/healthz"),
        ("dashboard", "/"),
        ("a province and its tree", "/orgs/HN"),
        ("a province's member list", "/members?org=HN"),
    ] {
        // Once warm, as a user meets it after the first visit: the first request makes
        // the head counts the page is built from (over the nation, seconds), and is
        // timed on its own.
        let t = Instant::now();
        let first = tokio::time::timeout(Duration::from_secs(300), http(port, "GET", path, &cookie, "")).await;
        let first_status = first.ok().and_then(Result::ok).map_or(0, |r| r.0);
        println!(
            "{label:<10} {what:<28} first request {:>8.0} ms (status {first_status})",
            t.elapsed().as_secs_f64() * 1000.0
        );
        let (rps, p50, p99, errors) = load(port, path, &cookie).await;
        println!(
            "{label:<10} {what:<28} {CLIENTS} clients  {rps:>8.0} req/s  p50 {p50:>7.1} ms  p99 {p99:>7.1} ms  errors {errors}"
        );
    }

    // Figure 3: the national conference replayed.
    replay(label, url, port, &cookie).await;

    // Figure 7: the server's memory.
    let (now, peak) = memory_mib(server.0.id());
    println!("{label:<10} server resident memory  now {now:.0} MiB  peak {peak:.0} MiB   (aim < 500 MiB)");
}

type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

/// One POST of check-ins on a kept-alive connection: the status and the body.
async fn post(client: &Client, port: u16, path: &str, key: &str, body: String) -> Result<(u16, String), String> {
    use http_body_util::BodyExt;
    let req = hyper::Request::post(format!("http://127.0.0.1:{port}{path}"))
        .header("authorization", format!("Point {key}"))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let res = client.request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// One GET on a kept-alive connection, its body read to the end: the status.
async fn get(client: &Client, port: u16, path: &str, cookie: &str) -> Result<u16, String> {
    use http_body_util::BodyExt;
    let req = hyper::Request::get(format!("http://127.0.0.1:{port}{path}"))
        .header("cookie", cookie)
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .map_err(|e| e.to_string())?;
    let res = client.request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    res.into_body().collect().await.map_err(|e| e.to_string())?;
    Ok(status)
}

/// The people counted so far, as the live figures show them (`1.234.567`).
async fn live_total(port: u16, conference: i64, cookie: &str) -> Option<u64> {
    live_figure(port, conference, cookie, "total").await
}

/// One of the live figures (`total`, `connected` …), as a number.
async fn live_figure(port: u16, conference: i64, cookie: &str, name: &str) -> Option<u64> {
    let (status, _, body) = http(
        port,
        "GET",
        &format!("/api/v1/conferences/{conference}/live"),
        cookie,
        "",
    )
    .await
    .ok()?;
    if status != 200 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&body).ok()?;
    v["figs"][name].as_str()?.replace('.', "").parse().ok()
}

/// Figure 3: the national conference of the generated registry replayed at the pace of
/// its day. Each of its points is a device with its share of the participants, who
/// arrive evenly over `DANGBO_BENCH_REPLAY_SECS` (default 600); a device sends what has
/// queued since its last answer (up to 1,000) and sends it again, with the same request
/// ids, until it is acknowledged. Meanwhile the live figures are read twice a second:
/// the lag is how long ago the acknowledged count last stood at the figure shown. After
/// it, the rows stored are compared with what was acknowledged.
async fn replay(label: &str, url: &str, port: u16, cookie: &str) {
    use dangbo_app::conferences::Live;
    use dangbo_app::{App, Clock};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    let secs = std::env::var("DANGBO_BENCH_REPLAY_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(600);
    if secs == 0 {
        println!("{label:<10} national conference replayed: skipped (DANGBO_BENCH_REPLAY_SECS=0)");
        return;
    }
    let setup = Instant::now();
    let held = dangbo_domain::date::parse_date(HELD_ON).unwrap();
    let db = dangbo_store::Db::open(url).await.unwrap();
    let app = App::new(db, Clock::as_if(held), "bench");
    // The signing secret is the server's (kept in the database), so these keys are its.
    let live = Live::start(app.clone()).await.unwrap();
    let opened = app.login("bench", PASSWORD, dangbo_domain::Lang::Vi).await.unwrap();
    let caller = app.session(&opened.token).await.unwrap().unwrap().caller;
    let conference = {
        let mut tx = app.db.read().await.unwrap();
        tx.conferences()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.held_on == held)
            .expect("the generated national conference")
    };
    let view = app
        .conference(&caller, conference.id, dangbo_domain::Lang::Vi)
        .await
        .unwrap();
    let before = app.db.read().await.unwrap().checkin_count(conference.id).await.unwrap();
    let mut points = Vec::new();
    let mut expected = 0u64;
    for (p, _) in &view.points {
        expected += p.expected.max(0) as u64;
        // Each point's technician has connected it before the conference starts.
        if before == 0 && p.status != "live" {
            app.set_point_status(&caller, p.id, "live").await.unwrap();
        }
        points.push((p.id, app.point_key(&caller, p.id, &live.signer).await.unwrap()));
    }
    drop(live);
    if before > 0 {
        println!(
            "{label:<10} national conference replayed: skipped, its {before} check-ins are from an earlier run \
             (generate the registry again to replay it)"
        );
        return;
    }
    let people = expected as usize;
    let n_points = points.len();
    eprintln!(
        "{label}: replaying {} participants at {n_points} points over {secs} s (ready in {:.0} s)",
        people,
        setup.elapsed().as_secs_f64()
    );

    let client: Client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let gate = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    // Acknowledged: every result answered; counted: those answered "counted".
    let acknowledged = Arc::new(AtomicU64::new(0));
    let counted = Arc::new(AtomicU64::new(0));
    let retries = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let rate = people as f64 / secs as f64;
    let mut devices = Vec::new();
    for (i, (point, key)) in points.into_iter().enumerate() {
        let (client, gate) = (client.clone(), gate.clone());
        let (acknowledged, counted, retries) = (acknowledged.clone(), counted.clone(), retries.clone());
        devices.push(tokio::spawn(async move {
            // This point's participants: every n_points-th, the k-th arriving at k / rate.
            let mine: Vec<usize> = (i..people).step_by(n_points).collect();
            let path = format!("/api/v1/points/{point}/checkins");
            let mut next = 0;
            let mut lat = Vec::new();
            while next < mine.len() {
                let due = Duration::from_secs_f64(mine[next] as f64 / rate);
                if let Some(wait) = due.checked_sub(start.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
                let now = start.elapsed().as_secs_f64() * rate;
                let mut end = next + 1;
                while end < mine.len() && (mine[end] as f64) <= now && end - next < 1000 {
                    end += 1;
                }
                let items: Vec<String> = mine[next..end]
                    .iter()
                    .map(|k| {
                        let card = 10_000_000 + k;
                        format!(r#"{{"request_id":"r{k}","code":"{card:09}","method":"scan"}}"#)
                    })
                    .collect();
                let body = format!(r#"{{"checkins":[{}]}}"#, items.join(","));
                let sent = Instant::now();
                loop {
                    let answer = {
                        let _slot = gate.acquire().await.unwrap();
                        tokio::time::timeout(Duration::from_secs(30), post(&client, port, &path, &key, body.clone()))
                            .await
                    };
                    match answer {
                        Ok(Ok((200, text))) => {
                            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                            let results = v["results"].as_array().unwrap();
                            assert_eq!(results.len(), end - next, "every check-in answered");
                            let c = results.iter().filter(|r| r["status"] == "counted").count();
                            acknowledged.fetch_add(results.len() as u64, Ordering::SeqCst);
                            counted.fetch_add(c as u64, Ordering::SeqCst);
                            break;
                        }
                        _ => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                    }
                }
                lat.push(sent.elapsed());
                next = end;
            }
            lat
        }));
    }
    // The live figures, twice a second, against the acknowledged count's history
    // (sampled every 20 ms).
    let history: Arc<std::sync::Mutex<Vec<(Duration, u64)>>> = Arc::default();
    let sampler = {
        let (counted, history) = (counted.clone(), history.clone());
        tokio::spawn(async move {
            while start.elapsed() < Duration::from_secs(secs + 5) {
                history
                    .lock()
                    .unwrap()
                    .push((start.elapsed(), counted.load(Ordering::SeqCst)));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let watcher = {
        let (history, cookie) = (history.clone(), cookie.to_string());
        let conference = conference.id;
        tokio::spawn(async move {
            let mut lags = Vec::new();
            let mut polls_failed = 0;
            while start.elapsed() < Duration::from_secs(secs + 5) {
                match live_total(port, conference, &cookie).await {
                    Some(shown) => {
                        let at = start.elapsed();
                        // The last moment the acknowledged count was at most what is shown.
                        let h = history.lock().unwrap();
                        let since = h
                            .iter()
                            .rev()
                            .find(|(_, n)| *n <= shown)
                            .map_or(Duration::ZERO, |(t, _)| *t);
                        lags.push(at.saturating_sub(since));
                    }
                    None => polls_failed += 1,
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            (lags, polls_failed)
        })
    };
    let mut lat = Vec::new();
    for d in devices {
        lat.extend(d.await.unwrap());
    }
    let took = start.elapsed().as_secs_f64();
    let (mut lags, polls_failed) = watcher.await.unwrap();
    sampler.await.unwrap();
    lat.sort_unstable();
    lags.sort_unstable();
    let stored = app.db.read().await.unwrap().checkin_count(conference.id).await.unwrap();
    let shown = live_total(port, conference.id, cookie).await.unwrap_or(0);
    let connected = live_figure(port, conference.id, cookie, "connected").await.unwrap_or(0);
    let (acked, counted) = (acknowledged.load(Ordering::SeqCst), counted.load(Ordering::SeqCst));
    println!(
        "{label:<10} national conference replayed: {acked} of {people} check-ins acknowledged in {took:.0} s \
         ({:.0}/s), {counted} counted, {} resent; stored {stored}, live total {shown} at {connected} points",
        acked as f64 / took,
        retries.load(Ordering::Relaxed)
    );
    println!(
        "{label:<10} replay requests p50 {:.1} ms  p99 {:.1} ms; live figures' lag p50 {:.0} ms  p99 {:.0} ms  max {:.0} ms \
         ({} reads, {polls_failed} failed)   (aim: all acknowledged and counted, lag < 1 s)",
        quantile(&lat, 0.5),
        quantile(&lat, 0.99),
        quantile(&lags, 0.5),
        quantile(&lags, 0.99),
        lags.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        lags.len()
    );
    assert!(stored >= acked as i64, "an acknowledged check-in is missing");
}

#[tokio::main]
async fn main() {
    let sqlite = std::env::var("DANGBO_BENCH_SQLITE").unwrap_or_else(|_| "/var/tmp/dangbo-national.db".into());
    if sqlite == "skip" {
        println!("SQLite: DANGBO_BENCH_SQLITE=skip, skipped");
    } else {
        run("SQLite", &sqlite).await;
    }
    match std::env::var("DANGBO_BENCH_POSTGRES") {
        Ok(pg) => run("PostgreSQL", &pg).await,
        Err(_) => println!("PostgreSQL: DANGBO_BENCH_POSTGRES is not set, skipped"),
    }
}
