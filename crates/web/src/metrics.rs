//! `/healthz` and `/metrics`: request counts and latencies by route and status, in the
//! Prometheus text format, kept in this process (each instance reports its own).

use crate::State;
use axum::extract::{MatchedPath, Request, State as St};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 9] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters by (method, route, status).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut map) = self.series.lock() else { return };
        let s = map.entry((method.to_string(), route.to_string(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (b, le) in s.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= le {
                *b += 1;
            }
        }
    }
}

/// Times every request and logs it.
pub async fn track(St(state): St<State>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    state.metrics.observe(&method, &route, status, secs);
    tracing::info!(method, route, status, ms = secs * 1000.0, "request");
    res
}

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(St(state): St<State>) -> Response {
    match state.app.db.read().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// `GET /metrics` in the Prometheus text format.
pub async fn render(St(state): St<State>) -> Response {
    let mut out = String::new();
    out.push_str(
        "# HELP dangbo_http_requests_total HTTP requests served.\n# TYPE dangbo_http_requests_total counter\n",
    );
    let map = match state.metrics.series.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    };
    for ((m, r, s), v) in map.iter() {
        let _ = writeln!(
            out,
            "dangbo_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {}",
            v.count
        );
    }
    out.push_str("# HELP dangbo_http_request_seconds Time to answer HTTP requests.\n# TYPE dangbo_http_request_seconds histogram\n");
    for ((m, r, s), v) in map.iter() {
        let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{s}\"");
        for (le, n) in BUCKETS.iter().zip(v.buckets) {
            let _ = writeln!(out, "dangbo_http_request_seconds_bucket{{{labels},le=\"{le}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "dangbo_http_request_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            v.count
        );
        let _ = writeln!(out, "dangbo_http_request_seconds_sum{{{labels}}} {}", v.sum);
        let _ = writeln!(out, "dangbo_http_request_seconds_count{{{labels}}} {}", v.count);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
