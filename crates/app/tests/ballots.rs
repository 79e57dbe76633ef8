//! A nomination modelled on seed 003, with our own names and counts: the bloc office
//! nominates cadres for its executive committee's plan at three conferences in turn, the
//! first by electronic ballot with printed codes, the next two on paper counted by the
//! board. Every figure is checked against counts the test makes itself. Then the test
//! looks, as an administrator holding the database and the audit log would, for anything
//! that links a voter to a ballot. On SQLite, and on PostgreSQL when
//! `DANGBO_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::{Caller, Role};
use dangbo_app::ballots::{BallotSettings, Cast, NominationInput};
use dangbo_app::conferences::{ConferenceInput, Live, PointInput};
use dangbo_app::orgs::NewOrg;
use dangbo_app::planning::PlanListInput;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang};
use dangbo_store::{CheckinRequest, Db, testing};
use std::collections::HashSet;

const FOUNDED: Date = Date::constant(2015, 1, 1);
const DAY: Date = Date::constant(2022, 4, 15);
const PASSWORD: &str = "mat-khau-thu-nghiem";

fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

fn card(i: usize) -> String {
    format!("020{i:05}")
}

async fn caller_of(app: &App, user: &str, role: Role, org: Option<&str>) -> Caller {
    app.add_user(user, &format!("Đồng chí {user}"), PASSWORD, None)
        .await
        .unwrap();
    app.grant(user, role, org.map(code).as_ref(), FOUNDED).await.unwrap();
    let opened = app.login(user, PASSWORD, Lang::Vi).await.unwrap();
    app.session(&opened.token).await.unwrap().unwrap().caller
}

/// What voter `v` answers for candidate `c` in the first ballot: a pattern of our own,
/// different for every voter, whose counts the test makes apart from dangbo.
fn agrees(v: usize, c: usize) -> bool {
    // Candidates 0 and 1 are agreed with by few, 2 to 24 by most; the answers on 25 to 29
    // spell the voter's number in binary, so that no two ballots are alike.
    match c {
        0 => v.is_multiple_of(3),
        1 => v.is_multiple_of(2) && v < 30,
        25.. => (v >> (c - 25)) & 1 == 1,
        _ => !(v * 7 + c * 3).is_multiple_of(11) || v == c,
    }
}

async fn nomination(db: Db) {
    let app = App::new(db.clone(), Clock::Fixed(DAY), "test");
    for (c, n, kind, parent) in [
        ("LS", "Đảng bộ tỉnh Lạng Sơn", OrgKind::Provincial, None),
        ("LS.KCQ", "Đảng bộ Khối Cơ quan tỉnh", OrgKind::UpperBase, Some("LS")),
        ("LS.KCQ.VP", "Chi bộ Văn phòng", OrgKind::BaseCell, Some("LS.KCQ")),
        ("LS.KDN", "Đảng bộ Khối Doanh nghiệp", OrgKind::UpperBase, Some("LS")),
    ] {
        let new = NewOrg {
            code: code(c),
            name: OrgName::parse(n).unwrap(),
            kind,
            level: Level::Province,
            parent: parent.map(code),
        };
        app.create_org(&new, FOUNDED).await.unwrap();
    }
    let family = ["Hoàng", "Lương", "Nông", "Vi", "Lăng", "Hà"];
    let given = ["Minh", "Thu", "Quang", "Hạnh", "Tùng", "Yến", "Phúc"];
    for i in 0..40 {
        let record = PersonRecord {
            kind: PersonKind::Member,
            name: PersonName::parse(&format!("{} Thị {}", family[i % 6], given[(i / 6) % 7])).unwrap(),
            gender: if i % 3 == 0 { Gender::Female } else { Gender::Male },
            // The first was born in 1963: no term's working age left in 2025.
            birth_date: if i == 0 {
                Date::constant(1963, 2, 1)
            } else {
                Date::constant(1970 + (i % 15) as i16, 6, 1)
            },
            ethnicity: Ethnicity::parse("Tày").unwrap(),
            citizen_id: None,
            card_number: Some(CardNumber::parse(&card(i)).unwrap()),
            admitted_on: Some(Date::constant(2005, 1, 1)),
            full_on: Some(Date::constant(2006, 1, 1)),
            exempt: false,
            phone: None,
        };
        app.add_member(&record, &code("LS.KCQ.VP"), FOUNDED).await.unwrap();
    }
    let office = caller_of(&app, "vanphong", Role::Office, Some("LS.KCQ")).await;
    let other_office = caller_of(&app, "vanphongdn", Role::Office, Some("LS.KDN")).await;
    let leader = caller_of(&app, "capuy", Role::Leadership, Some("LS.KCQ")).await;
    let admin = caller_of(&app, "quantri", Role::Admin, None).await;
    let board = caller_of(&app, "kiemphieu", Role::CountingBoard, Some("LS.KCQ")).await;
    let board2 = caller_of(&app, "kiemphieu2", Role::CountingBoard, Some("LS.KCQ")).await;
    let plan = app
        .create_plan_list(
            &office,
            &PlanListInput {
                org: "LS.KCQ".into(),
                term_ordinal: "15".into(),
                term_years: "2025-2030".into(),
                target: "BCH".into(),
                size: "25".into(),
            },
        )
        .await
        .unwrap();

    // Three conferences on the day, each inviting its people by card, and check-ins.
    let live = Live::start(app.clone()).await.unwrap();
    let mut conferences = Vec::new();
    for (title, invited, present) in [
        ("Hội nghị cán bộ chủ chốt", 0..36, 34),
        ("Hội nghị Ban Chấp hành", 0..27, 25),
        ("Hội nghị Ban Thường vụ", 0..9, 5),
    ] {
        let invited: Vec<String> = invited.map(|i| format!("@{}", card(i))).collect();
        let id = app
            .create_conference(
                &office,
                &ConferenceInput {
                    org: "LS.KCQ".into(),
                    kind: "key_cadre".into(),
                    title: title.into(),
                    held_on: "15/04/2022".into(),
                    starts_at: "08:00".into(),
                    format: "in_person".into(),
                    invited: invited.join(" "),
                    ..ConferenceInput::default()
                },
            )
            .await
            .unwrap();
        let point = app
            .add_point(
                &office,
                id,
                &PointInput {
                    host: "LS.KCQ".into(),
                    name: "Hội trường".into(),
                    ..PointInput::default()
                },
            )
            .await
            .unwrap();
        let requests = (0..present)
            .map(|i| CheckinRequest {
                request_id: format!("{id}-{i}"),
                point_id: point,
                code: card(i),
                person: None,
                method: "typed".into(),
                by_account: Some(office.account_id),
            })
            .collect();
        live.checkin(id, requests).await.unwrap();
        conferences.push((id, point));
    }

    // The nomination: three steps. Bad input first.
    let input = |title: &str, steps: &str| NominationInput {
        org: "LS.KCQ".into(),
        title: title.into(),
        plan_list: plan.to_string(),
        steps: steps.into(),
    };
    let steps = "Hội nghị cán bộ chủ chốt\nHội nghị Ban Chấp hành\nHội nghị Ban Thường vụ";
    assert!(app.create_nomination(&office, &input("", steps)).await.is_err());
    assert!(app.create_nomination(&office, &input("Giới thiệu", "")).await.is_err());
    assert!(
        app.create_nomination(&other_office, &input("Giới thiệu", steps))
            .await
            .is_err(),
        "another bloc's office cannot nominate here"
    );
    assert!(
        app.create_nomination(&leader, &input("Giới thiệu", steps))
            .await
            .is_err(),
        "leadership reads, it does not set up"
    );
    let title = "Giới thiệu nhân sự quy hoạch Ban Chấp hành Đảng bộ Khối nhiệm kỳ 2025-2030";
    let nom = app.create_nomination(&office, &input(title, steps)).await.unwrap();
    let (_, _, ballots) = app.nomination(&leader, nom).await.unwrap();
    assert_eq!(ballots.len(), 3);
    assert!(app.nomination(&other_office, nom).await.is_err());
    let ids: Vec<i64> = ballots.iter().map(|b| b.id).collect();

    // Step 1: the key-cadre conference, electronic, 30 candidates (cards 0..30).
    let settings = |conf: i64, mode: &str, candidates: &str| BallotSettings {
        name: "Hội nghị cán bộ chủ chốt".into(),
        conference: conf.to_string(),
        mode: mode.into(),
        kind: "approve".into(),
        max_choices: String::new(),
        base: "convened".into(),
        threshold: "gt1/2".into(),
        quorum: false,
        board: "kiemphieu, kiemphieu2".into(),
        candidates: candidates.into(),
    };
    let candidates: String = (0..30).map(|i| card(i) + "\n").collect();
    for bad in [
        BallotSettings {
            board: "khongco".into(),
            ..settings(conferences[0].0, "electronic", &candidates)
        },
        BallotSettings {
            candidates: format!("{}\n{}", card(1), card(1)),
            ..settings(conferences[0].0, "electronic", "")
        },
        settings(conferences[0].0, "bằng miệng", &candidates),
        settings(999, "electronic", &candidates),
        BallotSettings {
            threshold: "gt9/2".into(),
            ..settings(conferences[0].0, "electronic", &candidates)
        },
    ] {
        let e = app.configure_ballot(&office, ids[0], &bad).await.unwrap_err();
        assert!(!e.message(Lang::Vi).is_empty());
    }
    assert!(
        app.open_ballot(&office, ids[0]).await.is_err(),
        "no conference nor board yet"
    );
    app.configure_ballot(&office, ids[0], &settings(conferences[0].0, "electronic", &candidates))
        .await
        .unwrap();
    assert!(
        app.configure_ballot(&board, ids[0], &settings(conferences[0].0, "paper", &candidates))
            .await
            .is_err(),
        "the board counts, it does not set up"
    );
    app.open_ballot(&office, ids[0]).await.unwrap();
    let v = app.ballot(&leader, ids[0]).await.unwrap();
    assert_eq!((v.ballot.convened, v.ballot.present), (36, 34));
    assert_eq!(v.candidates.len(), 30);
    assert!(
        v.findings.iter().any(|f| f.subject.starts_with("Hoàng Thị Minh")),
        "the cadre born in 1963 has no term left: {:?}",
        v.findings
    );
    // Frozen now.
    assert!(
        app.configure_ballot(&office, ids[0], &settings(conferences[1].0, "electronic", &candidates))
            .await
            .is_err()
    );

    // Slips: at most one per person present.
    assert!(app.issue_slips(&office, ids[0], "35").await.is_err());
    assert!(
        app.issue_slips(&leader, ids[0], "1").await.is_err(),
        "leadership prints nothing"
    );
    let mut codes = app.issue_slips(&board, ids[0], "30").await.unwrap();
    codes.extend(app.issue_slips(&office, ids[0], "").await.unwrap());
    assert_eq!(codes.len(), 34);
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 34);
    assert!(app.issue_slips(&office, ids[0], "1").await.is_err());

    // 32 of the 34 vote; each pattern is different.
    let voters = 32;
    let choices = |v: usize| -> String { (0..30).map(|c| if agrees(v, c) { 'y' } else { 'n' }).collect() };
    assert_eq!((0..voters).map(choices).collect::<HashSet<_>>().len(), voters);
    let b = app.ballot_for_code(&codes[0].to_lowercase()).await.unwrap();
    assert_eq!(b.candidates.len(), 30);
    assert!(app.cast(&codes[0], "yyy").await.is_err(), "one answer per candidate");
    assert!(app.cast("AAAA-BBBB-CCCC", &choices(0)).await.is_err(), "unknown code");
    let mut receipts = Vec::new();
    for (v, c) in codes.iter().enumerate().take(voters) {
        match app.cast(c, &choices(v)).await.unwrap() {
            Cast::Counted { receipt } => receipts.push(receipt),
            other => panic!("{other:?}"),
        }
    }
    // Sent again, it is not counted twice; the voter gets their receipt.
    assert_eq!(
        app.cast(&codes[3], &choices(0)).await.unwrap(),
        Cast::AlreadyCounted {
            receipt: receipts[3].clone()
        }
    );
    assert_eq!(
        app.check_receipt(ids[0], &receipts[0]).await.unwrap(),
        None,
        "not closed yet"
    );
    app.close_ballot(&office, ids[0]).await.unwrap();
    assert!(app.cast(&codes[33], &choices(0)).await.is_err(), "closed");

    let v = app.ballot(&board, ids[0]).await.unwrap();
    assert_eq!(
        (v.ballot.totals.issued, v.ballot.totals.returned, v.ballot.totals.valid),
        (34, 32, 32)
    );
    let mut reached_first = Vec::new();
    for (c, r) in v.candidates.iter().enumerate() {
        let agree = (0..voters).filter(|v| agrees(*v, c)).count() as u64;
        let o = r.outcome.as_ref().unwrap();
        assert_eq!(o.agree, agree, "candidate {c}");
        assert_eq!(r.candidate.disagree, Some((voters as u64 - agree) as i64));
        // More than half of the 36 convened.
        assert_eq!(o.reached, agree * 2 > 36, "candidate {c}");
        let whole = agree * 10_000 / 36;
        assert_eq!(o.percent, format!("{},{:02}%", whole / 100, whole % 100));
        if o.reached {
            reached_first.push(r.candidate.person);
        }
    }
    assert!(!v.candidates[0].outcome.as_ref().unwrap().reached);
    assert!(
        reached_first.len() >= 20 && reached_first.len() < 30,
        "{}",
        reached_first.len()
    );
    let mut sorted = receipts.clone();
    sorted.sort();
    assert_eq!(v.receipts, sorted, "every receipt is listed, in an order of its own");
    assert_eq!(app.check_receipt(ids[0], &receipts[5]).await.unwrap(), Some(true));
    assert_eq!(app.check_receipt(ids[0], "ZZZZZZZZZ").await.unwrap(), Some(false));
    assert!(app.lock_ballot(&office, ids[0]).await.is_err(), "the board locks");
    let hash = app.acting_as(&board2).lock_ballot(&board2, ids[0]).await.unwrap();

    // Step 2: the executive committee, on paper; its candidates come from step 1.
    let paper = BallotSettings {
        name: "Hội nghị Ban Chấp hành".into(),
        ..settings(conferences[1].0, "paper", "")
    };
    assert!(
        app.configure_ballot(
            &office,
            ids[1],
            &BallotSettings {
                candidates: card(35),
                ..paper.clone()
            }
        )
        .await
        .is_err(),
        "a later step's candidates are not typed"
    );
    app.configure_ballot(&office, ids[1], &paper).await.unwrap();
    app.open_ballot(&office, ids[1]).await.unwrap();
    let v = app.ballot(&office, ids[1]).await.unwrap();
    assert_eq!((v.ballot.convened, v.ballot.present), (27, 25));
    let second: Vec<_> = v.candidates.iter().map(|c| c.candidate.person).collect();
    assert_eq!(second, reached_first);
    assert!(
        app.issue_slips(&office, ids[1], "").await.is_err(),
        "no codes for paper"
    );
    app.close_ballot(&board, ids[1]).await.unwrap();
    let n = second.len();
    // The board's count: the last candidate gets 13 of 25 (not more than half of 27).
    let agree_of = |i: usize| if i + 1 == n { 13 } else { 24 - (i % 4) as u64 };
    let good: Vec<(String, String)> = (0..n)
        .map(|i| (agree_of(i).to_string(), (24 - agree_of(i)).to_string()))
        .collect();
    for (totals, counts) in [
        (["25", "26", "24"], good.clone()),
        (["26", "25", "24"], good.clone()),
        (["25", "25", "24"], {
            let mut c = good.clone();
            c[0].1 = "5".into();
            c
        }),
        (["25", "25", "hai mươi"], good.clone()),
        (["25", "25", "24"], good[1..].to_vec()),
    ] {
        let e = app.enter_count(&board, ids[1], totals, &counts).await.unwrap_err();
        assert!(!e.message(Lang::Vi).is_empty());
    }
    assert!(
        app.enter_count(&office, ids[1], ["25", "25", "24"], &good)
            .await
            .is_err(),
        "only the board counts"
    );
    app.enter_count(&board, ids[1], ["25", "25", "24"], &good)
        .await
        .unwrap();
    let v = app.ballot(&office, ids[1]).await.unwrap();
    assert_eq!(v.ballot.totals.invalid(), 1);
    assert_eq!(v.reached(), n - 1);
    let last = v.candidates.last().unwrap().outcome.as_ref().unwrap();
    assert_eq!((last.agree, last.percent.as_str(), last.reached), (13, "48,14%", false));
    app.lock_ballot(&board, ids[1]).await.unwrap();
    assert!(
        app.enter_count(&board, ids[1], ["25", "25", "25"], &good)
            .await
            .is_err(),
        "locked"
    );

    // Step 3: the standing committee votes with a quorum of two thirds; 5 of 9 is short.
    let standing = BallotSettings {
        name: "Hội nghị Ban Thường vụ".into(),
        quorum: true,
        ..settings(conferences[2].0, "paper", "")
    };
    app.configure_ballot(&office, ids[2], &standing).await.unwrap();
    let e = app.open_ballot(&office, ids[2]).await.unwrap_err();
    assert!(e.message(Lang::Vi).contains("5/9"), "{}", e.message(Lang::Vi));
    live.checkin(
        conferences[2].0,
        vec![CheckinRequest {
            request_id: "late".into(),
            point_id: conferences[2].1,
            code: card(5),
            person: None,
            method: "typed".into(),
            by_account: Some(office.account_id),
        }],
    )
    .await
    .unwrap();
    app.open_ballot(&office, ids[2]).await.unwrap();
    app.close_ballot(&office, ids[2]).await.unwrap();
    let third = app.ballot(&office, ids[2]).await.unwrap();
    assert_eq!(third.candidates.len(), n - 1);
    let counts: Vec<(String, String)> = (0..n - 1)
        .map(|i| ((6 - i % 2).to_string(), (i % 2).to_string()))
        .collect();
    app.enter_count(&board, ids[2], ["6", "6", "6"], &counts).await.unwrap();
    app.lock_ballot(&board, ids[2]).await.unwrap();
    let third = app.ballot(&office, ids[2]).await.unwrap();
    assert_eq!(third.reached(), n - 1, "5 and 6 of 9 are both more than half");

    // The minutes of step 1.
    let m = app.minutes(&leader, ids[0]).await.unwrap();
    assert_eq!(m.day_line, "ngày 15 tháng 4 năm 2022");
    assert_eq!(m.superior.as_deref(), Some("Đảng bộ tỉnh Lạng Sơn"));
    assert_eq!(m.view.ballot.result_hash.as_deref(), Some(hash.as_str()));

    // The audit chain holds the lock with the results' hash, and is whole.
    let mut tx = db.read().await.unwrap();
    let lines = tx.audit_for(&format!("ballot:{}", ids[0])).await.unwrap();
    assert!(
        lines.iter().any(|(_, actor, action, detail)| action == "ballot.lock"
            && actor == "user:kiemphieu2"
            && detail == &format!("sha256:{hash}")),
        "{lines:?}"
    );
    assert!(tx.verify_audit().await.unwrap().is_ok());
    drop(tx);

    // What an administrator holding the database and the audit log finds.
    secrecy(&db, ids[0], &codes, &receipts, voters, &choices).await;
    // An administrator of dangbo sees the results, like the office, and no ballot.
    let v = app.ballot(&admin, ids[0]).await.unwrap();
    assert!(v.counted());
}

/// Looks for every link between a voter and a ballot: a column that could hold one, a
/// code or its hash or a receipt stored or logged anywhere beside a ballot, a time, and
/// an order of the stored ballots that follows the order of voting.
async fn secrecy(
    db: &Db,
    ballot: i64,
    codes: &[String],
    receipts: &[String],
    voters: usize,
    choices: &dyn Fn(usize) -> String,
) {
    let mut tx = db.read().await.unwrap();
    // What a cast ballot and a code keep, and nothing more.
    assert_eq!(
        tx.columns_of("ballot_cast").await.unwrap(),
        ["ballot_id", "id", "choices"]
    );
    assert_eq!(
        tx.columns_of("ballot_credential").await.unwrap(),
        ["hash", "ballot_id", "used"]
    );
    let casts = tx.dump_for_tests("ballot_cast").await.unwrap();
    let ours: Vec<&Vec<String>> = casts.iter().filter(|r| r[0] == ballot.to_string()).collect();
    assert_eq!(ours.len(), voters);
    // The ids are random: 32 hexadecimal bytes, none a number in sequence.
    for r in &ours {
        assert_eq!(r[1].len(), 32);
        assert!(r[1].parse::<u128>().is_err() || r[1].chars().any(|c| c.is_ascii_alphabetic()));
    }
    // As stored, and in the order of their ids, the ballots do not come in the order
    // they were cast (with 32 distinct ballots, a random order matches 1 time in 32!).
    let cast_order: Vec<String> = (0..voters).map(choices).collect();
    let stored: Vec<String> = ours.iter().map(|r| r[2].clone()).collect();
    assert_ne!(stored, cast_order, "the stored order follows the order of voting");
    let by_id = tx.casts(ballot).await.unwrap();
    assert_ne!(by_id, cast_order);
    let mut a = by_id.clone();
    let mut b = cast_order.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "every ballot is there");
    // No table holds a code, a receipt, or a time of voting; the only hash of a code is
    // the code's own row, which names no one.
    let secrets: Vec<String> = codes
        .iter()
        .chain(receipts)
        .flat_map(|c| [c.clone(), c.replace('-', "")])
        .collect();
    for table in tx.tables_for_tests().await.unwrap() {
        let rows = tx.dump_for_tests(&table).await.unwrap();
        for row in &rows {
            for value in row {
                for s in &secrets {
                    assert!(
                        !value.contains(s.as_str()),
                        "{table} holds a code or a receipt: {value}"
                    );
                }
            }
        }
    }
    // The audit log says what was done to the ballot, never who voted or when.
    let lines = tx.audit_for(&format!("ballot:{ballot}")).await.unwrap();
    let actions: HashSet<&str> = lines.iter().map(|(_, _, a, _)| a.as_str()).collect();
    for a in &actions {
        assert!(
            [
                "ballot.configure",
                "ballot.open",
                "ballot.slips",
                "ballot.close",
                "ballot.lock",
                "ballot.view"
            ]
            .contains(a),
            "unexpected audit action {a}"
        );
    }
    let slips: Vec<_> = lines.iter().filter(|(_, _, a, _)| a == "ballot.slips").collect();
    assert_eq!(slips.len(), 2, "one line per sheet printed, with its count only");
    // Nothing about codes links to a person: the codes' table has no person, and no
    // table was given a row per code beside a person while the slips were printed.
    let credentials = tx.dump_for_tests("ballot_credential").await.unwrap();
    assert_eq!(credentials.iter().filter(|r| r[1] == ballot.to_string()).count(), 34);
    for r in &credentials {
        assert_eq!(r[0].len(), 64, "a SHA-256, nothing else");
    }
}

#[tokio::test]
async fn nomination_sqlite() {
    let t = testing::sqlite().await.unwrap();
    nomination(t.db.clone()).await;
}

#[tokio::test]
async fn nomination_postgres() {
    let Some(t) = testing::postgres().await.unwrap() else {
        eprintln!("DANGBO_TEST_POSTGRES is not set: skipped");
        return;
    };
    nomination(t.db.clone()).await;
}
