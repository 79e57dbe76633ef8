//! A planning list and a nomination ballot of an organization, open at one of its
//! conferences, with a voting code for each of those present.
#![allow(dead_code)]

use dangbo_app::App;
use dangbo_app::access::{Caller, Role};
use dangbo_app::ballots::{BallotSettings, NominationInput};
use dangbo_app::planning::PlanListInput;
use dangbo_domain::org::OrgCode;

/// What [`open`] made.
pub struct OpenBallot {
    /// The planning list the nomination is for.
    pub plan: i64,
    /// The ballot, open.
    pub ballot: i64,
    /// How many candidates it has (the first cards of `candidates`).
    pub candidates: usize,
    /// One code for each person present at the conference.
    pub codes: Vec<String>,
}

/// Opens an electronic approval ballot of `org` at conference `conf` on `candidates`
/// (party card numbers), with a counting board account `board` (password `password`).
pub async fn open(
    app: &App,
    admin: &Caller,
    org: &str,
    conf: i64,
    candidates: &[String],
    board: (&str, &str),
) -> OpenBallot {
    let today = app.clock.today();
    let plan = app
        .create_plan_list(
            admin,
            &PlanListInput {
                org: org.into(),
                term_ordinal: "14".into(),
                term_years: "2026-2031".into(),
                target: "BCH".into(),
                size: "2000".into(),
            },
        )
        .await
        .unwrap();
    let nomination = app
        .create_nomination(
            admin,
            &NominationInput {
                org: org.into(),
                title: "Giới thiệu nhân sự quy hoạch".into(),
                plan_list: plan.to_string(),
                steps: "Hội nghị cán bộ chủ chốt".into(),
            },
        )
        .await
        .unwrap();
    let ballot = app.nomination(admin, nomination).await.unwrap().2[0].id;
    app.add_user(board.0, "Tổ kiểm phiếu", board.1, None).await.unwrap();
    app.grant(board.0, Role::CountingBoard, Some(&OrgCode::parse(org).unwrap()), today)
        .await
        .unwrap();
    app.configure_ballot(
        admin,
        ballot,
        &BallotSettings {
            name: "Hội nghị cán bộ chủ chốt".into(),
            conference: conf.to_string(),
            mode: "electronic".into(),
            kind: "approve".into(),
            max_choices: String::new(),
            base: "convened".into(),
            threshold: "gt1/2".into(),
            quorum: false,
            board: board.0.into(),
            candidates: candidates.iter().map(|c| format!("{c}\n")).collect(),
        },
    )
    .await
    .unwrap();
    app.open_ballot(admin, ballot).await.unwrap();
    let codes = app.issue_slips(admin, ballot, "").await.unwrap();
    OpenBallot {
        plan,
        ballot,
        candidates: candidates.len(),
        codes,
    }
}
