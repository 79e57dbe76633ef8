//! Every route against every role, in scope (C1, its member, and B1's document, task,
//! conference, point and campaign) and out of scope (C2, its member, and B2's): allowed
//! requests answer, everything else is a 404, never a 403, so that existence does not
//! leak. The check-ins of operators' devices, authorized by a point key, are checked
//! apart. On SQLite, and on PostgreSQL when `DANGBO_TEST_POSTGRES` is set.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use axum::http::{Request, StatusCode, header};
use common::{Fixture, fixture};
use dangbo_app::access::{Action, Role};
use dangbo_store::testing;

/// Who may call a route, given the role and whether the ids it names are in its scope.
#[derive(Clone, Copy)]
enum Rule {
    /// Every signed-in account.
    Anyone,
    /// A role that allows the action, over the ids named (the administrator's scope is
    /// everything).
    In(Action),
    /// A rule of its own, spelled out in the function.
    Own(fn(Role, bool) -> bool),
}

impl Rule {
    fn allows(self, role: Role, inside: bool) -> bool {
        match self {
            Rule::Anyone => true,
            Rule::In(a) => in_scope(role, a, inside),
            Rule::Own(f) => f(role, inside),
        }
    }
}

fn in_scope(role: Role, action: Action, inside: bool) -> bool {
    role.allows(action) && (inside || role == Role::Admin)
}

/// Whether the role's account is linked to a person: in the fixture, only the member's
/// (p1, a member of C1).
fn linked(role: Role) -> bool {
    role == Role::Member
}

/// A person's record: those who see the people of its organization, and the person.
fn record(role: Role, inside: bool) -> bool {
    in_scope(role, Action::ViewMembers, inside) || (linked(role) && inside)
}

/// Documents are not personal data: whoever browses, or has a person, reads all of them.
fn reader(role: Role, _inside: bool) -> bool {
    role.allows(Action::Browse) || linked(role)
}

/// A member's own pages (their study, their check-in).
fn own(role: Role, _inside: bool) -> bool {
    linked(role)
}

/// A member's own campaign: p1 is in campaign 1 (over B1), not in campaign 2 (over B2).
fn own_campaign(role: Role, inside: bool) -> bool {
    linked(role) && inside
}

/// A report request of a base organization: its office (and administrators), not the
/// secretary of a cell under it.
fn requester(role: Role, inside: bool) -> bool {
    in_scope(role, Action::Report, inside) && role != Role::Secretary
}

/// Nobody: the route exists but the ids the table gives it are not of its kind.
fn nobody(_role: Role, _inside: bool) -> bool {
    false
}

/// A request body.
#[derive(Clone, Copy)]
enum Body {
    None,
    /// URL-encoded fields (the CSRF token is added).
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    /// Multipart fields: name, file name for a file, content (the CSRF token is added).
    Multipart(&'static [(&'static str, Option<&'static str>, &'static str)]),
}

/// What a route needs, and how to call it in or out of scope.
struct Route {
    method: &'static str,
    /// The path, with placeholders to fill in (see [`fill`]).
    path: &'static str,
    rule: Rule,
    /// A body (with placeholders filled) that is refused for its content, so that an
    /// allowed call answers without changing anything.
    body: Body,
    /// The status when allowed; `None` when an allowed call would change something (no
    /// body is refused for its content): only refusals are checked.
    ok: Option<u16>,
    /// Whether it names something in or out of scope (else only the in-scope call is made).
    scoped: bool,
}

const fn get(path: &'static str, rule: Rule, scoped: bool) -> Route {
    Route {
        method: "GET",
        path,
        rule,
        body: Body::None,
        ok: Some(200),
        scoped,
    }
}

/// A GET that answers `status` when allowed (a page refused for what it asks).
const fn get_status(path: &'static str, rule: Rule, status: u16) -> Route {
    Route {
        method: "GET",
        path,
        rule,
        body: Body::None,
        ok: Some(status),
        scoped: true,
    }
}

/// A form sent with POST, in and out of scope.
const fn post(path: &'static str, rule: Rule, body: Body, ok: Option<u16>) -> Route {
    Route {
        method: "POST",
        path,
        rule,
        body,
        ok,
        scoped: true,
    }
}

use Action::*;
use Rule::{Anyone, In, Own};

const ROUTES: &[Route] = &[
    get("/", Anyone, false),
    get("/orgs", Anyone, false),
    get("/orgs?root={org}", In(Browse), true),
    get("/orgs/{org}", In(Browse), true),
    get("/orgs/{org}/rename", In(EditOrgs), true),
    get("/orgs/{org}/restructure?op=move", In(EditOrgs), true),
    get("/orgs/new?parent={org}", In(EditOrgs), true),
    get("/members?org={org}", In(ViewMembers), true),
    get("/members/{person}", Own(record), true),
    get("/members/{person}/edit", In(EditMembers), true),
    get("/members/new?org={org}", In(EditMembers), false),
    get("/export/members?org={org}", In(Export), true),
    get("/export/orgs?org={org}", In(Export), true),
    get("/import", In(Import), false),
    get("/admin/audit", In(Administer), false),
    get("/admin/accounts", In(Administer), false),
    get("/admin/rules", In(Administer), false),
    Route {
        method: "POST",
        path: "/admin/rules",
        rule: In(Administer),
        body: Body::Form(&[("source", "377-QĐ/TW"), ("from", "08/10/2025"), ("per_seat", "ba")]),
        ok: Some(422),
        scoped: false,
    },
    post(
        "/orgs/{org}/rename",
        In(EditOrgs),
        Body::Form(&[("name", ""), ("on", "21/11/2026")]),
        Some(422),
    ),
    post(
        "/orgs/{org}/restructure",
        In(EditOrgs),
        Body::Form(&[("op", "nothing"), ("on", "21/11/2026")]),
        Some(422),
    ),
    post(
        "/members/{person}/edit",
        In(EditMembers),
        Body::Form(&[("name", ""), ("birth_date", "31/02/2020")]),
        Some(422),
    ),
    // Documents and their tasks.
    get("/documents", Own(reader), false),
    get("/documents/new", In(Disseminate), false),
    get("/documents/{doc}", Own(reader), true),
    get("/documents/{doc}/files/{file}", Own(reader), true),
    // A resolution's targets measured over an organization the caller browses.
    get("/documents/{doc}/indicators?org={org}", In(Browse), true),
    // The same as a document in the party's format (DOCX needs no fonts on the machine).
    get_status("/paper/indicators/{doc}?org={org}&format=docx", In(Browse), 200),
    // A document's file is not a reported value's evidence.
    get("/indicator-evidence/{file}", Own(nobody), true),
    // A draft ballot has no minutes yet.
    get_status("/paper/minutes/{ballot}", In(ViewPlans), 422),
    // The number and day of document 1: registering it again is a duplicate.
    post(
        "/documents",
        In(Disseminate),
        Body::Form(&[
            ("number", "1-NQ/ĐU"),
            ("issued_by", "Đảng ủy cơ sở"),
            ("org", "{org}"),
            ("issued_on", "01/11/2026"),
            ("title", "Trùng số và ngày"),
        ]),
        Some(422),
    ),
    // Neither PDF nor Word.
    post(
        "/documents/{doc}/files",
        In(Disseminate),
        Body::Multipart(&[("file", Some("ghi-chu.pdf"), "không phải PDF")]),
        Some(422),
    ),
    post(
        "/documents/{doc}/tasks",
        In(Disseminate),
        Body::Form(&[("org", "{org}"), ("title", ""), ("due", "Q4/2026")]),
        Some(422),
    ),
    // A target with no level: refused, with the form kept.
    post(
        "/documents/{doc}/targets",
        In(Disseminate),
        Body::Form(&[
            ("label", "Cán bộ trẻ được bổ nhiệm từ 10% trở lên"),
            ("indicator", "young_appointment_share"),
            ("comparison", "ge"),
            ("value", "10"),
            ("deadline", "31/12/2030"),
        ]),
        Some(422),
    ),
    get("/tasks", In(Browse), false),
    // The status is checked before the task: a valid one it already has changes nothing
    // but an audit line.
    post(
        "/tasks/{task}/status",
        In(Disseminate),
        Body::Form(&[("status", "open")]),
        Some(303),
    ),
    // Conferences, seen by those whose Browse scope holds the running organization or
    // lies inside it (the secretary of C1 sees B1's conference from C1).
    get("/conferences", Anyone, false),
    get("/conferences/new", In(Disseminate), false),
    get("/conferences/{conf}", In(Browse), true),
    get("/conferences/{conf}?org={org}", In(Browse), true),
    get("/conferences/{conf}/events", In(Browse), true),
    post(
        "/conferences",
        In(Disseminate),
        Body::Form(&[
            ("org", "{org}"),
            ("kind", "nothing"),
            ("title", "Hội nghị"),
            ("held_on", "21/11/2026"),
            ("starts_at", "08:00"),
            ("format", "online"),
        ]),
        Some(422),
    ),
    post(
        "/conferences/{conf}/points",
        In(Disseminate),
        Body::Form(&[("host", "{org}"), ("expected", "nhiều")]),
        Some(422),
    ),
    post(
        "/conferences/{conf}/base-points",
        In(Disseminate),
        Body::Form(&[("under", "không hợp lệ")]),
        Some(422),
    ),
    post("/conferences/{conf}/close", In(Disseminate), Body::Form(&[]), None),
    post(
        "/conferences/{conf}/duplicate",
        In(Disseminate),
        Body::Form(&[("held_on", "31/02/2026")]),
        Some(422),
    ),
    post(
        "/conferences/{conf}/amend",
        In(Disseminate),
        Body::Form(&[("person", "{person}"), ("reason", "")]),
        Some(422),
    ),
    // Points: operated by whoever runs points over the host (C1 for point 1); the
    // operator may not browse.
    get("/points/{point}", In(Operate), true),
    // Any code is recorded, even one naming nobody.
    post(
        "/points/{point}/checkin",
        In(Operate),
        Body::Form(&[("code", "")]),
        None,
    ),
    // The office sets a point's details; a head count that is not a number is refused.
    post(
        "/points/{point}/details",
        In(Disseminate),
        Body::Form(&[("expected", "nhiều")]),
        Some(422),
    ),
    // A refused status shows the operator's page again with the message.
    post(
        "/points/{point}/status",
        In(Operate),
        Body::Form(&[("status", "nothing")]),
        Some(422),
    ),
    post(
        "/points/{point}/headcount",
        In(Operate),
        Body::Form(&[("category", "nothing"), ("count", "1")]),
        Some(422),
    ),
    // A member's own check-in with a point's join code.
    get("/checkin", Own(own), false),
    Route {
        method: "POST",
        path: "/checkin",
        rule: Own(own),
        body: Body::Form(&[("code", "")]),
        ok: Some(422),
        scoped: false,
    },
    // Study campaigns, seen by those whose Browse scope holds the root or lies inside it.
    get("/campaigns", In(Browse), false),
    get("/campaigns/new", In(Disseminate), false),
    get("/campaigns/{campaign}", In(Browse), true),
    get("/campaigns/{campaign}?org={org}", In(Browse), true),
    get("/campaigns/{campaign}/pending?org={org}", In(ViewMembers), true),
    get("/campaigns/{campaign}/reports?org={org}", In(ViewMembers), true),
    // A document that is not registered.
    post(
        "/campaigns",
        In(Disseminate),
        Body::Form(&[
            ("org", "{org}"),
            ("title", "Học tập"),
            ("starts_on", "01/11/2026"),
            ("ends_on", "31/12/2026"),
            ("documents", "9999-NQ/ĐU"),
        ]),
        Some(422),
    ),
    post(
        "/campaigns/{campaign}/makeup",
        In(Study),
        Body::Form(&[("org", "{org}"), ("held_on", "31/02/2026")]),
        Some(422),
    ),
    post(
        "/campaigns/{campaign}/reports/{person}/assess",
        In(Study),
        Body::Form(&[("org", "{org}"), ("grade", "Xuất sắc")]),
        Some(422),
    ),
    // Cadre planning: read by the office and leadership of the organization, changed by
    // its office. (A cell's lists: the in-scope side asks for C1, which has none.)
    get("/plans?org={org}", In(ViewPlans), true),
    get("/plans/{plan}", In(ViewPlans), true),
    post(
        "/plans",
        In(Plan),
        Body::Form(&[
            ("org", "{org}"),
            ("term_ordinal", "khóa V"),
            ("term_years", "2025-2030"),
        ]),
        Some(422),
    ),
    post(
        "/plans/{plan}/add",
        In(Plan),
        Body::Form(&[("cadre", "01000001"), ("on", "31/02/2026"), ("decision", "1-QĐ/ĐU")]),
        Some(422),
    ),
    post(
        "/plans/{plan}/remove",
        In(Plan),
        Body::Form(&[
            ("person", "{person}"),
            ("reason", "không rõ"),
            ("on", "01/01/2026"),
            ("decision", "x"),
        ]),
        Some(422),
    ),
    // Nominations and their ballots: read by those who read the plans, set up by the
    // office. The fixture's ballots are drafts with no board: what only the board does is
    // refused, with a message, to those who may see the ballot.
    get("/nominations?org={org}", In(ViewPlans), true),
    get("/nominations/{nomination}", In(ViewPlans), true),
    get("/ballots/{ballot}", In(ViewPlans), true),
    post(
        "/nominations",
        In(Plan),
        Body::Form(&[("org", "{org}"), ("title", ""), ("steps", "")]),
        Some(422),
    ),
    post(
        "/ballots/{ballot}/settings",
        In(Plan),
        Body::Form(&[("name", "Hội nghị"), ("mode", "bằng miệng")]),
        Some(422),
    ),
    // No conference chosen yet.
    post("/ballots/{ballot}/open", In(Plan), Body::Form(&[]), Some(422)),
    // Not open.
    post("/ballots/{ballot}/slips", In(Plan), Body::Form(&[]), Some(422)),
    post("/ballots/{ballot}/close", In(Plan), Body::Form(&[]), Some(422)),
    post(
        "/ballots/{ballot}/count",
        In(ViewPlans),
        Body::Form(&[("issued", "1")]),
        Some(422),
    ),
    post("/ballots/{ballot}/lock", In(ViewPlans), Body::Form(&[]), Some(422)),
    get_status("/ballots/{ballot}/minutes", In(ViewPlans), 422),
    // The reporting regime: a base organization asks its cells; the cell (C1 or C2)
    // answers.
    get("/reports?org={org}", In(Report), true),
    get("/reports/{report}", Own(requester), true),
    get("/reports/{report}/export", Own(requester), true),
    get("/reports/{report}/form?org={org}", In(Report), true),
    post(
        "/reports",
        In(Report),
        Body::Form(&[("org", "{org}"), ("title", "")]),
        Some(422),
    ),
    post(
        "/reports/{report}/remind",
        Own(requester),
        Body::Form(&[("org", "KHONG.CO")]),
        Some(422),
    ),
    post(
        "/reports/{report}/form?org={org}",
        In(Report),
        Body::Form(&[("version", "0"), ("f1", "nhiều")]),
        Some(422),
    ),
    // News articles: drafted and edited by the office of the organization they tell of.
    get("/articles?org={org}", In(Disseminate), true),
    post(
        "/articles",
        In(Disseminate),
        Body::Form(&[("conference", "{conf}"), ("org", "{org}")]),
        None,
    ),
    get("/articles/{article}", In(Disseminate), true),
    // A draft edited from an older version is refused, with the form kept.
    post(
        "/articles/{article}",
        In(Disseminate),
        Body::Form(&[("version", "-1"), ("title", "")]),
        Some(422),
    ),
    post(
        "/articles/{article}/publish",
        In(Disseminate),
        Body::Form(&[("publish", "1")]),
        None,
    ),
    // An organization's own value for a target: a count that is not a number.
    post(
        "/documents/{doc}/indicators/{target}",
        In(Report),
        Body::Multipart(&[("org", None, "{org}"), ("num", None, "nhiều"), ("den", None, "10")]),
        Some(422),
    ),
    // A make-up session on a day to come cannot be recorded as held yet.
    post(
        "/campaigns/{campaign}/makeup/{makeup}/held",
        In(Study),
        Body::Form(&[("org", "{org}")]),
        Some(422),
    ),
    // A learning report's file: those who see the member's record, and the member.
    get("/campaigns/{campaign}/reports/{person}/file", Own(record), true),
    // The same pages as documents in the party's format.
    get_status("/paper/plan/{plan}?format=docx", In(ViewPlans), 200),
    get_status("/paper/study/{campaign}?org={org}&format=docx", In(Browse), 200),
    get_status("/paper/conference/{conf}?org={org}&format=docx", In(Browse), 200),
    // A spreadsheet upload with no file.
    Route {
        method: "POST",
        path: "/import",
        rule: In(Import),
        body: Body::Multipart(&[("on", None, "21/11/2026")]),
        ok: Some(422),
        scoped: false,
    },
    // An upload that is not the caller's (or is gone) is not found, whoever asks.
    post(
        "/import/confirm",
        In(Import),
        Body::Form(&[("upload", "khong-co"), ("on", "21/11/2026")]),
        Some(404),
    ),
    // One's own account: no ids, the same for everyone.
    get("/account", Anyone, false),
    Route {
        method: "POST",
        path: "/account/password",
        rule: Anyone,
        body: Body::Form(&[("current", "x"), ("password", "mot-mat-khau-moi"), ("again", "khac")]),
        ok: Some(422),
        scoped: false,
    },
    Route {
        method: "POST",
        path: "/account/2fa/on",
        rule: Anyone,
        body: Body::Form(&[("code", "000000")]),
        ok: Some(422),
        scoped: false,
    },
    // A member's own study.
    get("/study", Own(own), false),
    get("/study/{campaign}", Own(own_campaign), true),
    // Document 0 is not part of the campaign.
    post(
        "/study/{campaign}/open/0",
        Own(own_campaign),
        Body::Form(&[]),
        Some(422),
    ),
    // The campaign's document has not been opened.
    post(
        "/study/{campaign}/confirm",
        Own(own_campaign),
        Body::Form(&[]),
        Some(422),
    ),
    post(
        "/study/{campaign}/report",
        Own(own_campaign),
        Body::Multipart(&[("body", None, "")]),
        Some(422),
    ),
    // The API.
    get("/api/v1/me", Anyone, false),
    get("/api/v1/orgs", Anyone, false),
    get("/api/v1/orgs/{org}", In(Browse), true),
    get("/api/v1/orgs/{org}/tree", In(Browse), true),
    get("/api/v1/members?org={org}", In(ViewMembers), true),
    get("/api/v1/members/{person}", Own(record), true),
    Route {
        method: "PUT",
        path: "/api/v1/members/{person}",
        rule: In(EditMembers),
        body: Body::Json(r#"{"full_name": "", "gender": "Nam", "birth_date": "31/02/2020", "ethnicity": "Kinh"}"#),
        ok: Some(422),
        scoped: true,
    },
    Route {
        method: "POST",
        path: "/api/v1/members",
        rule: In(EditMembers),
        body: Body::Json(
            r#"{"org": "{org}", "full_name": "", "gender": "Nam", "birth_date": "01/01/1990", "ethnicity": "Kinh"}"#,
        ),
        ok: Some(422),
        scoped: true,
    },
    get("/api/v1/audit", In(Administer), false),
    get("/api/v1/conferences/{conf}/live", In(Browse), true),
    get("/api/v1/conferences/{conf}/live?org={org}", In(Browse), true),
];

/// API routes not authorized by a session or API token, checked by their own test.
const CHECKED_APART: &[&str] = &[
    // A point key: see `point_checkins`.
    "/api/v1/points/{id}/checkins",
];

/// The ids a route is called with: in scope (B1's side) or out of scope (B2's).
struct Side {
    org: &'static str,
    person: i64,
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

impl Side {
    fn of(f: &Fixture, inside: bool) -> Side {
        if inside {
            Side {
                org: "T.B1.C1",
                person: f.p1,
                doc: f.doc1,
                file: f.file1,
                conf: f.conf1,
                point: f.point1,
                campaign: f.campaign1,
                task: f.task1,
                plan: f.plan1,
                nomination: f.nomination1,
                ballot: f.ballot1,
                report: f.report1,
                article: f.article1,
                target: f.target1,
                makeup: f.makeup1,
            }
        } else {
            Side {
                org: "T.B2.C2",
                person: f.p2,
                doc: f.doc2,
                file: f.file2,
                conf: f.conf2,
                point: f.point2,
                campaign: f.campaign2,
                task: f.task2,
                plan: f.plan2,
                nomination: f.nomination2,
                ballot: f.ballot2,
                report: f.report2,
                article: f.article2,
                target: f.target2,
                makeup: f.makeup2,
            }
        }
    }
}

fn fill(s: &str, side: &Side) -> String {
    s.replace("{org}", side.org)
        .replace("{person}", &side.person.to_string())
        .replace("{doc}", &side.doc.to_string())
        .replace("{file}", &side.file.to_string())
        .replace("{conf}", &side.conf.to_string())
        .replace("{point}", &side.point.to_string())
        .replace("{campaign}", &side.campaign.to_string())
        .replace("{task}", &side.task.to_string())
        .replace("{plan}", &side.plan.to_string())
        .replace("{nomination}", &side.nomination.to_string())
        .replace("{ballot}", &side.ballot.to_string())
        .replace("{report}", &side.report.to_string())
        .replace("{article}", &side.article.to_string())
        .replace("{target}", &side.target.to_string())
        .replace("{makeup}", &side.makeup.to_string())
}

/// The body of `r` as `user` sends it, filled for `side`.
fn body_of(f: &Fixture, user: &str, r: &Route, side: &Side) -> Option<(&'static str, String)> {
    match r.body {
        Body::None => None,
        Body::Form(fields) => {
            let filled: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, fill(v, side))).collect();
            let refs: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Some(f.form(user, &refs))
        }
        Body::Json(j) => Some(("application/json", fill(j, side))),
        Body::Multipart(fields) => {
            let filled: Vec<(&str, Option<&str>, String)> =
                fields.iter().map(|(k, file, v)| (*k, *file, fill(v, side))).collect();
            let refs: Vec<(&str, Option<&str>, &str)> =
                filled.iter().map(|(k, file, v)| (*k, *file, v.as_str())).collect();
            Some(f.multipart(user, &refs))
        }
    }
}

async fn check_all(f: &Fixture) {
    let mut failures = Vec::new();
    for (user, role, _) in common::ACCOUNTS {
        for r in ROUTES {
            for inside in [true, false] {
                if !r.scoped && !inside {
                    continue;
                }
                let allowed = r.rule.allows(role, inside);
                let expected = if allowed {
                    match r.ok {
                        Some(ok) => ok,
                        // Allowed, and it would change something: not sent.
                        None => continue,
                    }
                } else {
                    404
                };
                let side = Side::of(f, inside);
                let uri = fill(r.path, &side);
                let body = body_of(f, user, r, &side);
                let reply = f.send(Some(user), r.method, &uri, body).await;
                if reply.status.as_u16() != expected {
                    failures.push(format!(
                        "{user} {} {uri}: expected {expected}, got {}",
                        r.method, reply.status
                    ));
                }
                // A refusal says "not found", never "forbidden".
                if reply.status == StatusCode::FORBIDDEN {
                    failures.push(format!("{user} {} {uri}: 403", r.method));
                }
            }
        }
    }
    assert!(failures.is_empty(), "route checks failed:\n{}", failures.join("\n"));
}

async fn anonymous_and_csrf(f: &Fixture) {
    // Nobody signed in: pages send to the sign-in page, the API answers 401.
    let side = Side::of(f, true);
    for r in ROUTES {
        let uri = fill(r.path, &side);
        let reply = f.send(None, r.method, &uri, None).await;
        if uri.starts_with("/api/") {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{uri}");
            assert!(reply.body.contains("\"unauthenticated\""), "{uri}: {}", reply.body);
        } else {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{uri}");
            assert!(reply.location.unwrap().starts_with("/login?next="), "{uri}");
        }
    }
    // A form without the session's token is refused and changes nothing.
    let body = (
        "application/x-www-form-urlencoded",
        "csrf=wrong&name=Chi+b%E1%BB%99+M%E1%BB%9Bi&on=21%2F11%2F2026".to_string(),
    );
    let reply = f.send(Some("office"), "POST", "/orgs/T.B1.C1/rename", Some(body)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let org = f.app.org(&common::code("T.B1.C1"), common::TODAY).await.unwrap();
    assert_eq!(org.name.as_str(), "Chi bộ Một");
    // With the token, the same change goes through, and is audited with the user's name.
    let body = f.form("office", &[("name", "Chi bộ Mới"), ("on", "21/11/2026")]);
    let reply = f.send(Some("office"), "POST", "/orgs/T.B1.C1/rename", Some(body)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let org = f.app.org(&common::code("T.B1.C1"), common::TODAY).await.unwrap();
    assert_eq!(org.name.as_str(), "Chi bộ Mới");
    let mut tx = f.app.db.read().await.unwrap();
    let lines = tx.audit_for("org:T.B1.C1").await.unwrap();
    assert!(
        lines
            .iter()
            .any(|(_, actor, action, _)| actor == "user:office" && action == "org.rename")
    );
}

async fn member_sees_only_self(f: &Fixture) {
    let own = f.send(Some("member"), "GET", &format!("/members/{}", f.p1), None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("Nguyễn Thị Mai"));
    let other = f.send(Some("member"), "GET", &format!("/members/{}", f.p2), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("Trần Văn Bình"));
    // A secretary's list holds only their cell's people.
    let list = f.send(Some("secretary"), "GET", "/members", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Nguyễn Thị Mai"));
    assert!(!list.body.contains("Trần Văn Bình"));
    let api = f.send(Some("secretary"), "GET", "/api/v1/members?q=binh", None).await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body.contains("\"total\":0"), "{}", api.body);
}

/// The check-ins of an operator's device are authorized by a signed point key, not by a
/// session: without one, or with another point's, they are refused.
async fn point_checkins(f: &Fixture) {
    let live = dangbo_app::conferences::Live::start(f.app.clone()).await.unwrap();
    let admin = f.caller("admin").await;
    let key = f.app.point_key(&admin, f.point1, &live.signer).await.unwrap();
    let batch = r#"{"checkins": [{"request_id": "kiem-tra-1", "code": "01000001", "method": "typed"}]}"#;
    let send = |point: i64, auth: Option<String>, body: &'static str| {
        let mut req = Request::builder()
            .method("POST")
            .uri(format!("/api/v1/points/{point}/checkins"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        f.request(req.body(axum::body::Body::from(body)).unwrap())
    };
    let unauthenticated = |reply: &common::Reply, what: &str| {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {}", reply.body);
        assert!(reply.body.contains("\"unauthenticated\""), "{what}: {}", reply.body);
    };
    // No key; a session's API token; a key that is not signed.
    unauthenticated(&send(f.point1, None, batch).await, "no key");
    let bearer = format!("Bearer {}", f.logins["admin"].api);
    unauthenticated(&send(f.point1, Some(bearer), batch).await, "API token");
    let forged = format!("Point {}x", key);
    unauthenticated(&send(f.point1, Some(forged), batch).await, "forged key");
    // Point 1's key on point 2.
    let reply = send(f.point2, Some(format!("Point {key}")), batch).await;
    unauthenticated(&reply, "another point's key");
    // With the key, a body that is not the JSON expected is a 400.
    let reply = send(f.point1, Some(format!("Point {key}")), "{not json").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("\"bad_request\""), "{}", reply.body);
    // Nothing was recorded at either point.
    for point in [f.point1, f.point2] {
        assert!(f.app.point_tallies(point).await.unwrap().is_empty(), "point {point}");
    }
}

/// Ids of the two sides mixed: one in scope does not open the other.
async fn mixed(f: &Fixture) {
    let cases = [
        ("admin", format!("/documents/{}/files/{}", f.doc1, f.file2)),
        ("member", format!("/documents/{}/files/{}", f.doc2, f.file1)),
        ("office", format!("/conferences/{}?org=T.B2.C2", f.conf1)),
        ("admin", format!("/conferences/{}?org=T.B2.C2", f.conf1)),
        ("secretary", format!("/conferences/{}?org=T.B1", f.conf1)),
        ("leader", format!("/api/v1/conferences/{}/live?org=T.B2", f.conf1)),
        ("office", format!("/campaigns/{}?org=T.B2.C2", f.campaign1)),
        ("admin", format!("/campaigns/{}?org=T.B2.C2", f.campaign1)),
        ("secretary", format!("/campaigns/{}?org=T.B1", f.campaign1)),
        ("office", format!("/campaigns/{}/pending?org=T.B2.C2", f.campaign1)),
        ("leader", format!("/campaigns/{}/reports?org=T.B2.C2", f.campaign1)),
    ];
    let mut failures = Vec::new();
    for (user, uri) in cases {
        let reply = f.send(Some(user), "GET", &uri, None).await;
        if reply.status != StatusCode::NOT_FOUND {
            failures.push(format!("{user} GET {uri}: expected 404, got {}", reply.status));
        }
    }
    assert!(failures.is_empty(), "mixed ids:\n{}", failures.join("\n"));
}

/// Forms where the organization is typed rather than addressed: one outside the caller's
/// scope reads exactly as a code that does not exist (the form comes back with the same
/// message), and a role without the right gets a 404 as for any route.
async fn typed_codes(f: &Fixture) {
    type Case<'a> = (&'a str, Action, &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case; 2] = [
        (
            "/members/new",
            EditMembers,
            "org",
            &[
                ("name", "Nguyễn Văn Thử"),
                ("birth_date", "31/02/1990"),
                ("on", "21/11/2026"),
            ],
        ),
        (
            "/orgs/new",
            EditOrgs,
            "parent",
            &[
                ("code", "T.MOI"),
                ("name", "Chi bộ Mới"),
                ("kind", "chi_bo"),
                ("on", "21/11/2026"),
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (user, role, _) in common::ACCOUNTS {
        if role == Role::Admin {
            continue; // everything is in scope
        }
        for (uri, action, field, fields) in cases {
            let send = |code: &'static str| {
                let mut all = fields.to_vec();
                all.push((field, code));
                let body = f.form(user, &all);
                f.send(Some(user), "POST", uri, Some(body))
            };
            let (outside, missing) = (send("T.B2.C2").await, send("KHONG.CO").await);
            if !role.allows(action) {
                if outside.status != 404 || missing.status != 404 {
                    failures.push(format!("{user} {uri}: {} and {}", outside.status, missing.status));
                }
                continue;
            }
            let same = outside.body.replace("T.B2.C2", "X") == missing.body.replace("KHONG.CO", "X");
            if outside.status != 422 || missing.status != 422 || !same {
                failures.push(format!(
                    "{user} {uri}: {} and {}, same page: {same}",
                    outside.status, missing.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "typed codes:\n{}", failures.join("\n"));
}

/// Every form refuses a request whose CSRF token is not the session's, before anything
/// else, for the administrator who may do everything; and nothing is written (the audit
/// log, which every change adds to, does not grow).
async fn csrf_on_every_form(f: &Fixture) {
    let audit_lines = || async {
        f.app
            .db
            .read()
            .await
            .unwrap()
            .dump_for_tests("audit_log")
            .await
            .unwrap()
            .len()
    };
    let before = audit_lines().await;
    let token = &f.logins["admin"].csrf;
    let forged = "0".repeat(token.len());
    let side = Side::of(f, true);
    let mut failures = Vec::new();
    let mut forms = 0;
    for r in ROUTES
        .iter()
        .filter(|r| r.method != "GET" && !r.path.starts_with("/api/"))
    {
        let uri = fill(r.path, &side);
        // The route's own body, and the same with its token missing or forged.
        let Some((kind, body)) = body_of(f, "admin", r, &side).or_else(|| Some(f.form("admin", &[]))) else {
            continue;
        };
        forms += 1;
        for sent in [body.replace(token.as_str(), &forged), body.replace(token.as_str(), "")] {
            let reply = f.send(Some("admin"), r.method, &uri, Some((kind, sent))).await;
            if reply.status != StatusCode::FORBIDDEN {
                failures.push(format!("{} {uri}: {}", r.method, reply.status));
            }
        }
    }
    // Forms outside the table: signing out and one's own second factor. (Signing in has a
    // token of its own, checked in forms.rs; a vote's code is its own credential.)
    for uri in ["/logout", "/account/2fa/offer", "/account/2fa/off"] {
        forms += 1;
        let body = format!("csrf={forged}&current=x");
        let reply = f
            .send(
                Some("admin"),
                "POST",
                uri,
                Some(("application/x-www-form-urlencoded", body)),
            )
            .await;
        if reply.status != StatusCode::FORBIDDEN {
            failures.push(format!("POST {uri}: {}", reply.status));
        }
    }
    // The API over a browser session (our own scripts) needs the token in a header.
    let reply = f
        .request(
            Request::put(format!("/api/v1/members/{}", f.p1))
                .header(header::COOKIE, format!("dangbo_session={}", f.logins["admin"].token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(r#"{"full_name": "Nguyễn Thị Mai"}"#))
                .unwrap(),
        )
        .await;
    if reply.status != StatusCode::FORBIDDEN {
        failures.push(format!(
            "PUT /api/v1/members over a session, no header: {}",
            reply.status
        ));
    }
    assert!(forms > 50, "only {forms} forms tried");
    assert!(
        failures.is_empty(),
        "forms taken without their CSRF token:\n{}",
        failures.join("\n")
    );
    assert_eq!(audit_lines().await, before, "a refused form wrote something");
}

async fn run(f: Fixture) {
    csrf_on_every_form(&f).await;
    typed_codes(&f).await;
    point_checkins(&f).await;
    mixed(&f).await;
    member_sees_only_self(&f).await;
    check_all(&f).await;
    anonymous_and_csrf(&f).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_every_role_sqlite() {
    let db = testing::sqlite().await.unwrap();
    run(fixture(db.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_every_role_postgres() {
    let Some(db) = testing::postgres().await.unwrap() else {
        eprintln!("skipped: DANGBO_TEST_POSTGRES is not set");
        return;
    };
    run(fixture(db.db.clone()).await).await;
}

/// Routes outside the table, and why.
const NOT_IN_TABLE: &[(&str, &str)] = &[
    ("GET /login", "anyone, before signing in"),
    ("POST /login", "anyone, before signing in (forms.rs: second_factor)"),
    (
        "POST /login/code",
        "anyone holding a sign-in's wait token (forms.rs: second_factor)",
    ),
    ("POST /logout", "ends the caller's own session"),
    ("GET /lang/{lang}", "the language switch, for anyone"),
    ("GET /me", "a redirect to the caller's own record"),
    ("GET /tin-tuc", "published news, public"),
    ("GET /tin-tuc/{id}", "a published article, public (drafts: 404)"),
    (
        "GET /vote",
        "the voter's page: the code is the credential (app tests: ballots)",
    ),
    (
        "POST /vote",
        "the voter's page: the code is the credential (app tests: ballots)",
    ),
    ("GET /vote/check", "a receipt check, public by design"),
    (
        "POST /account/2fa/offer",
        "changes only the caller's own account (forms.rs)",
    ),
    (
        "POST /account/2fa/off",
        "changes only the caller's own account (forms.rs)",
    ),
    ("GET /healthz", "liveness, no data"),
    ("GET /metrics", "request counters, no personal data"),
    ("GET /api/openapi.json", "the API's description"),
    (
        "POST /members/new",
        "the cell is typed, not addressed: see `typed_codes`",
    ),
    (
        "POST /orgs/new",
        "the parent is typed, not addressed: see `typed_codes`",
    ),
];

/// Every route the web crate serves, read from its source: (method, path).
fn served_routes() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![dir.join("lib.rs")];
    for entry in std::fs::read_dir(dir.join("pages")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for part in text.split(".route(\"").skip(1) {
            let (path, rest) = part.split_once('"').unwrap();
            // The handlers named up to the end of this `.route(...)` call.
            let call = rest.split("\n        .").next().unwrap_or(rest);
            for (method, marker) in [("GET", "get("), ("POST", "post(")] {
                if call.contains(marker) {
                    out.push((method.to_string(), path.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn every_page_route_is_enumerated() {
    // Each route is called by every role, in and out of scope, or is listed apart with
    // the reason; a new route fails this until it is one or the other.
    // A served `{placeholder}` stands for whatever the table puts there (an id, or one
    // of the kinds of `/paper/{kind}/{id}`).
    let matches = |served: &str, tabled: &str| {
        let (a, b): (Vec<&str>, Vec<&str>) = (served.split('/').collect(), tabled.split('/').collect());
        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || x.starts_with('{'))
    };
    let served = served_routes();
    assert!(served.len() > 80, "only {} routes read from the source", served.len());
    let mut missing = Vec::new();
    for (method, path) in served {
        if path.starts_with("/api/") && path != "/api/openapi.json" {
            continue; // `every_api_route_is_enumerated`
        }
        let apart = NOT_IN_TABLE.iter().any(|(r, _)| *r == format!("{method} {path}"));
        let tabled = ROUTES
            .iter()
            .any(|r| r.method == method && matches(&path, r.path.split('?').next().unwrap()));
        if !apart && !tabled {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "routes neither checked nor listed apart:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_api_route_is_enumerated() {
    // The OpenAPI description lists the API the code serves; each of its paths must be
    // among the routes checked above, or checked apart.
    use utoipa::OpenApi;
    let doc = dangbo_web::api::ApiDoc::openapi();
    for (path, _) in doc.paths.paths.iter() {
        if CHECKED_APART.contains(&path.as_str()) {
            continue;
        }
        // `{code}` is an organization; `{id}` is named by the collection before it.
        let mut segments: Vec<&str> = Vec::new();
        for s in path.split('/') {
            let s = match (s, segments.last().copied()) {
                ("{code}", _) => "{org}",
                ("{id}", Some("members")) => "{person}",
                ("{id}", Some("conferences")) => "{conf}",
                ("{id}", Some("points")) => "{point}",
                ("{id}", Some("documents")) => "{doc}",
                ("{id}", Some("campaigns")) => "{campaign}",
                ("{id}", Some("tasks")) => "{task}",
                ("{id}", before) => panic!("{path}: no placeholder for an id after {before:?}"),
                (s, _) => s,
            };
            segments.push(s);
        }
        let pattern = segments.join("/");
        assert!(
            ROUTES
                .iter()
                .any(|r| r.path.split('?').next() == Some(pattern.as_str())),
            "{path} is served but not checked"
        );
    }
}
