//! A small registry for the web tests: province T with two base committees B1 and B2,
//! each with one cell (C1, C2) and one member, and an account for every role, each held
//! over B1 or C1, so that B2, C2 and their member are outside every scope but the
//! administrator's. Each base also has a document with a file and a follow-up task, a
//! conference with one point hosted by its cell, and a study campaign over the base
//! linked to that conference: those of B1 are in scope, those of B2 are not.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dangbo_app::access::{Caller, Role};
use dangbo_app::conferences::{ConferenceInput, PointInput};
use dangbo_app::documents::DocumentInput;
use dangbo_app::orgs::NewOrg;
use dangbo_app::study::CampaignInput;
use dangbo_app::{App, Clock};
use dangbo_domain::member::{CardNumber, Ethnicity, Gender, PersonKind, PersonRecord};
use dangbo_domain::name::PersonName;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang};
use dangbo_store::Db;
use http_body_util::BodyExt;
use std::collections::HashMap;
use tower::ServiceExt;

pub const TODAY: Date = Date::constant(2026, 11, 21);
pub const PASSWORD: &str = "mat-khau-thu-nghiem";

pub fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

/// A signed-in role: its session secret and CSRF token, and an API token.
pub struct Login {
    pub token: String,
    pub csrf: String,
    pub api: String,
}

pub struct Fixture {
    pub app: App,
    pub router: Router,
    pub logins: HashMap<&'static str, Login>,
    /// The member of C1 (in scope) and of C2 (out of scope).
    pub p1: i64,
    pub p2: i64,
    /// Documents registered by B1 (`1-NQ/ĐU`) and B2 (`2-NQ/ĐU`), and a PDF attached to each.
    pub doc1: i64,
    pub doc2: i64,
    pub file1: i64,
    pub file2: i64,
    /// Conferences run by B1 and B2, each with one point, hosted by C1 and C2.
    pub conf1: i64,
    pub conf2: i64,
    pub point1: i64,
    pub point2: i64,
    /// Study campaigns over B1 and B2 (documents 1 and 2, conferences 1 and 2); the
    /// member's person, p1, is in campaign 1 only.
    pub campaign1: i64,
    pub campaign2: i64,
    /// Follow-up tasks of documents 1 and 2, given to C1 and C2.
    pub task1: i64,
    pub task2: i64,
    /// Planning lists of B1 and B2 (their executive committees).
    pub plan1: i64,
    pub plan2: i64,
    pub nomination1: i64,
    pub nomination2: i64,
    pub ballot1: i64,
    pub ballot2: i64,
    pub report1: i64,
    pub report2: i64,
    /// News articles drafted about conferences 1 and 2.
    pub article1: i64,
    pub article2: i64,
    /// Targets of documents 1 and 2 that the organizations report themselves.
    pub target1: i64,
    pub target2: i64,
    /// Make-up sessions of campaigns 1 and 2, scheduled at C1 and C2 for a day to come.
    pub makeup1: i64,
    pub makeup2: i64,
}

/// What [`dissemination`] made for one base.
struct Made {
    doc: i64,
    file: i64,
    conf: i64,
    point: i64,
    campaign: i64,
    task: i64,
    plan: i64,
    nomination: i64,
    ballot: i64,
    report: i64,
    article: i64,
    target: i64,
    makeup: i64,
}

/// The day documents are issued and campaigns start; conferences are held on [`TODAY`].
pub const ISSUED_ON: &str = "01/11/2026";

/// A document (number `{n}-NQ/ĐU`) with a file, a conference running on it with a point
/// at `cell`, a campaign over `base` and a task for `cell`, all made by `caller`.
async fn dissemination(app: &App, caller: &Caller, n: u8, base: &str, cell: &str, member: i64) -> Made {
    let number = format!("{n}-NQ/ĐU");
    let doc = app
        .register_document(
            caller,
            &DocumentInput {
                number: number.clone(),
                issued_by: "Đảng ủy cơ sở".into(),
                org: base.into(),
                issued_on: ISSUED_ON.into(),
                title: format!("Nghị quyết số {n} về công tác xây dựng Đảng"),
                summary: String::new(),
                solutions: "Nâng cao chất lượng sinh hoạt chi bộ".into(),
                ..DocumentInput::default()
            },
        )
        .await
        .unwrap();
    let file = app
        .attach_document_file(caller, doc, "nghi-quyet.pdf", b"%PDF-1.4\n% thu nghiem\n")
        .await
        .unwrap();
    let conf = app
        .create_conference(
            caller,
            &ConferenceInput {
                org: base.into(),
                kind: "dissemination".into(),
                title: format!("Hội nghị quán triệt Nghị quyết số {n}"),
                organizer: String::new(),
                held_on: "21/11/2026".into(),
                starts_at: "08:00".into(),
                format: "online".into(),
                place: "Hội trường".into(),
                documents: number.clone(),
                agenda: String::new(),
                invited: String::new(),
            },
        )
        .await
        .unwrap();
    let point = app
        .add_point(
            caller,
            conf,
            &PointInput {
                parent: None,
                host: cell.into(),
                name: String::new(),
                place: String::new(),
                operator: String::new(),
                expected: "10".into(),
            },
        )
        .await
        .unwrap();
    let campaign = app
        .create_campaign(
            caller,
            &CampaignInput {
                org: base.into(),
                title: format!("Học tập Nghị quyết số {n}"),
                starts_on: ISSUED_ON.into(),
                ends_on: "31/12/2026".into(),
                report_due: "15/12/2026".into(),
                exempt_counted: false,
                grades: String::new(),
                documents: number,
                conferences: conf.to_string(),
            },
        )
        .await
        .unwrap();
    let task = app
        .add_task(caller, Some(doc), None, cell, "Xây dựng kế hoạch thực hiện", "Q4/2026")
        .await
        .unwrap();
    let plan = app
        .create_plan_list(
            caller,
            &dangbo_app::planning::PlanListInput {
                org: base.into(),
                term_ordinal: "5".into(),
                term_years: "2025-2030".into(),
                target: "BCH".into(),
                size: "15".into(),
            },
        )
        .await
        .unwrap();
    let nomination = app
        .create_nomination(
            caller,
            &dangbo_app::ballots::NominationInput {
                org: base.into(),
                title: "Giới thiệu quy hoạch Ban Chấp hành".into(),
                plan_list: plan.to_string(),
                steps: "Hội nghị cán bộ chủ chốt\nHội nghị Ban Chấp hành".into(),
            },
        )
        .await
        .unwrap();
    let ballot = app.nomination(caller, nomination).await.unwrap().2[0].id;
    let report = app
        .create_report_request(
            caller,
            &dangbo_app::reporting::RequestInput {
                org: base.into(),
                title: "Báo cáo sơ kết".into(),
                period_from: "01/01/2026".into(),
                period_to: "30/06/2026".into(),
                deadline: "31/12/2026".into(),
                fields: "Số đảng viên | số | đảng viên\nGhi chú | chữ".into(),
            },
        )
        .await
        .unwrap();
    let article = app.draft_article(caller, conf, &code(base)).await.unwrap();
    let target = app
        .add_target_typed(
            caller,
            doc,
            &dangbo_app::documents::TargetInput {
                indicator: String::new(),
                label: "Chi bộ xếp loại hoàn thành tốt nhiệm vụ từ 90% trở lên".into(),
                comparison: "ge".into(),
                value: "90".into(),
                value_to: String::new(),
                deadline: "31/12/2026".into(),
                levels: vec!["province".into()],
                managed_by: String::new(),
            },
        )
        .await
        .unwrap();
    let makeup = app
        .record_makeup(
            caller,
            campaign,
            &code(cell),
            "15/12/2026",
            "Nhà văn hóa",
            &[dangbo_domain::member::PersonId(member)],
        )
        .await
        .unwrap();
    // The member's learning report, with a file.
    let learner = Caller {
        account_id: 0,
        username: format!("hoc-vien-{n}"),
        display_name: String::new(),
        person: Some(dangbo_domain::member::PersonId(member)),
        grants: Vec::new(),
    };
    app.submit_report(
        &learner,
        campaign,
        "Thu hoạch: liên hệ bản thân",
        Some(("thu-hoach.pdf", b"%PDF-1.4\n% thu hoach\n")),
    )
    .await
    .unwrap();
    Made {
        doc,
        file,
        conf,
        point,
        campaign,
        task,
        plan,
        nomination,
        ballot,
        report,
        article,
        target,
        makeup,
    }
}

fn person(name: &str, card: &str) -> PersonRecord {
    PersonRecord {
        kind: PersonKind::Member,
        name: PersonName::parse(name).unwrap(),
        gender: Gender::Female,
        birth_date: Date::constant(1985, 3, 4),
        ethnicity: Ethnicity::parse("Tày").unwrap(),
        citizen_id: None,
        card_number: Some(CardNumber::parse(card).unwrap()),
        admitted_on: Some(Date::constant(2010, 5, 19)),
        full_on: Some(Date::constant(2011, 5, 19)),
        exempt: false,
        phone: None,
    }
}

/// Every role's account name, with the role and the organization it is held over.
pub const ACCOUNTS: [(&str, Role, Option<&str>); 7] = [
    ("admin", Role::Admin, None),
    ("office", Role::Office, Some("T.B1")),
    ("leader", Role::Leadership, Some("T.B1")),
    ("secretary", Role::Secretary, Some("T.B1.C1")),
    ("operator", Role::Operator, Some("T.B1.C1")),
    ("member", Role::Member, Some("T.B1.C1")),
    ("counting", Role::CountingBoard, Some("T.B1.C1")),
];

pub async fn fixture(db: Db) -> Fixture {
    let app = App::new(db, Clock::Fixed(TODAY), "test");
    let founded = Date::constant(2020, 1, 1);
    let orgs = [
        ("T", "Đảng bộ tỉnh Thử", OrgKind::Provincial, None),
        ("T.B1", "Đảng bộ cơ sở Một", OrgKind::BaseCommittee, Some("T")),
        ("T.B2", "Đảng bộ cơ sở Hai", OrgKind::BaseCommittee, Some("T")),
        ("T.B1.C1", "Chi bộ Một", OrgKind::SubordinateCell, Some("T.B1")),
        ("T.B2.C2", "Chi bộ Hai", OrgKind::SubordinateCell, Some("T.B2")),
    ];
    for (c, n, kind, parent) in orgs {
        let new = NewOrg {
            code: code(c),
            name: OrgName::parse(n).unwrap(),
            kind,
            level: Level::Province,
            parent: parent.map(code),
        };
        app.create_org(&new, founded).await.unwrap();
    }
    let p1 = app
        .add_member(&person("Nguyễn Thị Mai", "01000001"), &code("T.B1.C1"), founded)
        .await
        .unwrap();
    let p2 = app
        .add_member(&person("Trần Văn Bình", "01000002"), &code("T.B2.C2"), founded)
        .await
        .unwrap();
    let mut logins = HashMap::new();
    for (user, role, org) in ACCOUNTS {
        let person = (role == Role::Member).then_some("01000001");
        app.add_user(user, user, PASSWORD, person).await.unwrap();
        app.grant(user, role, org.map(code).as_ref(), founded).await.unwrap();
        let opened = app.login(user, PASSWORD, Lang::Vi).await.unwrap();
        let api = app.create_token(user, "test", 30).await.unwrap();
        logins.insert(
            user,
            Login {
                token: opened.token,
                csrf: opened.csrf,
                api,
            },
        );
    }
    let admin = app.session(&logins["admin"].token).await.unwrap().unwrap().caller;
    let as_admin = app.acting_as(&admin);
    let one = dissemination(&as_admin, &admin, 1, "T.B1", "T.B1.C1", p1.0).await;
    let two = dissemination(&as_admin, &admin, 2, "T.B2", "T.B2.C2", p2.0).await;
    let router = dangbo_web::router(app.clone(), dangbo_web::Config::default())
        .await
        .unwrap();
    Fixture {
        app,
        router,
        logins,
        p1: p1.0,
        p2: p2.0,
        doc1: one.doc,
        doc2: two.doc,
        file1: one.file,
        file2: two.file,
        conf1: one.conf,
        conf2: two.conf,
        point1: one.point,
        point2: two.point,
        campaign1: one.campaign,
        campaign2: two.campaign,
        task1: one.task,
        task2: two.task,
        plan1: one.plan,
        plan2: two.plan,
        nomination1: one.nomination,
        nomination2: two.nomination,
        ballot1: one.ballot,
        ballot2: two.ballot,
        report1: one.report,
        report2: two.report,
        article1: one.article,
        article2: two.article,
        target1: one.target,
        target2: two.target,
        makeup1: one.makeup,
        makeup2: two.makeup,
    }
}

/// A response's status and body.
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
    /// The cookies set, as `name=value`.
    pub cookies: Vec<String>,
}

impl Fixture {
    /// Sends a request as `user` (a browser session; `None`: nobody).
    pub async fn send(&self, user: Option<&str>, method: &str, uri: &str, body: Option<(&str, String)>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(u) = user {
            let l = &self.logins[u];
            if uri.starts_with("/api/") {
                req = req.header(header::AUTHORIZATION, format!("Bearer {}", l.api));
            } else {
                req = req.header(header::COOKIE, format!("dangbo_session={}", l.token));
            }
        }
        let req = match body {
            Some((kind, b)) => req.header(header::CONTENT_TYPE, kind).body(Body::from(b)).unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        self.request(req).await
    }

    /// Sends a request as built. A stream of server-sent events is not read (it does not
    /// end): its body comes back empty.
    pub async fn request(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
            .collect();
        let events = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let body = if events {
            String::new()
        } else {
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        Reply {
            status,
            body,
            location,
            cookies,
        }
    }

    /// The caller behind `user`'s session, as the handlers see it.
    pub async fn caller(&self, user: &str) -> Caller {
        self.app
            .session(&self.logins[user].token)
            .await
            .unwrap()
            .unwrap()
            .caller
    }

    /// A URL-encoded form with the user's CSRF token added.
    pub fn form(&self, user: &str, fields: &[(&str, &str)]) -> (&'static str, String) {
        let mut parts = vec![format!("csrf={}", self.logins[user].csrf)];
        for (k, v) in fields {
            parts.push(format!("{k}={}", dangbo_web::auth::form_urlencoded(v)));
        }
        ("application/x-www-form-urlencoded", parts.join("&"))
    }

    /// A multipart form with the user's CSRF token added: (name, file name for a file, content).
    pub fn multipart(&self, user: &str, fields: &[(&str, Option<&str>, &str)]) -> (&'static str, String) {
        let b = "----dangbo-test-boundary";
        let mut body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
            self.logins[user].csrf
        );
        for (name, file, content) in fields {
            match file {
                Some(f) => body.push_str(&format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n{content}\r\n"
                )),
                None => body.push_str(&format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{content}\r\n"
                )),
            }
        }
        body.push_str(&format!("--{b}--\r\n"));
        ("multipart/form-data; boundary=----dangbo-test-boundary", body)
    }
}
