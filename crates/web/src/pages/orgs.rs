//! The organization pages: the tree as of a day, an organization's detail with its
//! statistics and bodies, the create and rename forms, and restructuring with a preview.

use super::{OrPage, PageErr, PageResult, day};
use crate::State;
use crate::auth::Ctx;
use crate::charts::Bars;
use crate::error::WebError;
use crate::ui::Ui;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Form, Router};
use dangbo_app::access::Action;
use dangbo_app::members::MemberStats;
use dangbo_app::orgs::{NewOrg, Restructure, SplitPlan, TreeNode};
use dangbo_domain::Lang;
use dangbo_domain::date::{iso, short};
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName, REORGANIZATION_2025};
use dangbo_store::OrgVersion;
use serde::Deserialize;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/orgs", get(tree))
        .route("/orgs/new", get(new_form).post(create))
        .route("/orgs/{code}", get(detail))
        .route("/orgs/{code}/rename", get(rename_form).post(rename))
        .route("/orgs/{code}/restructure", get(restructure_form).post(restructure))
}

/// How deep below its root the tree page shows organizations.
const TREE_DEPTH: usize = 2;

fn code(ctx: &Ctx, s: &str) -> Result<OrgCode, PageErr> {
    OrgCode::parse(s).map_err(|_| PageErr::at(ctx, WebError::not_found(ctx.lang)))
}

/// The organization `c` today, if the caller may restructure it.
async fn editable(ctx: &Ctx, c: &str) -> Result<(OrgCode, OrgVersion), PageErr> {
    let c = code(ctx, c)?;
    let org = ctx
        .app
        .org_for(&ctx.caller, Action::EditOrgs, &c, ctx.today)
        .await
        .or_page(ctx)?;
    Ok((c, org))
}

/// One line of the tree: how it opens and how many levels close after it.
pub struct TreeRow {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub people: u64,
    pub opens: bool,
    pub more: bool,
    pub closes: usize,
}

/// Flattens a pre-ordered subtree into rows that nest without recursion in the template.
fn tree_rows(l: Lang, nodes: &[TreeNode], max_depth: usize) -> Vec<TreeRow> {
    let Some(first) = nodes.first() else { return Vec::new() };
    let base = first.org.path.depth();
    let rel = |n: &TreeNode| n.org.path.depth() - base;
    let shown: Vec<(usize, &TreeNode)> = nodes.iter().enumerate().filter(|(_, n)| rel(n) <= max_depth).collect();
    let mut rows = Vec::with_capacity(shown.len());
    for (k, (i, n)) in shown.iter().enumerate() {
        let d = rel(n);
        let next_depth = shown.get(k + 1).map_or(0, |(_, m)| rel(m));
        let opens = next_depth > d;
        let more = !opens && (n.deeper || nodes.get(i + 1).is_some_and(|m| rel(m) > d));
        rows.push(TreeRow {
            code: n.org.code.to_string(),
            name: n.org.name.to_string(),
            kind: n.org.kind.label(l),
            people: n.people,
            opens,
            more,
            closes: if opens { 0 } else { d.saturating_sub(next_depth) },
        });
    }
    rows
}

#[derive(Deserialize)]
struct TreeQuery {
    on: Option<String>,
    root: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs/tree.html")]
struct TreePage {
    ui: Ui,
    on: String,
    on_iso: String,
    before: String,
    after: String,
    root: Option<(String, String)>,
    trees: Vec<Vec<TreeRow>>,
}

async fn tree(ctx: Ctx, Query(q): Query<TreeQuery>) -> PageResult {
    let on = day(&ctx, q.on.as_deref())?;
    let roots: Vec<OrgVersion> = match q.root.as_deref().filter(|s| !s.is_empty()) {
        Some(r) => {
            let c = code(&ctx, r)?;
            vec![
                ctx.app
                    .org_for(&ctx.caller, Action::Browse, &c, on)
                    .await
                    .or_page(&ctx)?,
            ]
        }
        None => match ctx
            .app
            .scope_roots(&ctx.caller, Action::Browse, on)
            .await
            .or_page(&ctx)?
        {
            Some(r) => r,
            None => ctx.app.roots(on).await.or_page(&ctx)?,
        },
    };
    let mut trees = Vec::new();
    for r in &roots {
        let nodes = ctx.app.tree_top(&r.code, on, TREE_DEPTH).await.or_page(&ctx)?;
        trees.push(tree_rows(ctx.lang, &nodes, TREE_DEPTH));
    }
    let root = q
        .root
        .as_ref()
        .and(roots.first())
        .map(|r| (r.code.to_string(), r.name.to_string()));
    Ok(TreePage {
        ui: Ui::new(&ctx, "orgs"),
        on: short(on),
        on_iso: iso(on),
        before: iso(REORGANIZATION_2025.yesterday().unwrap_or(REORGANIZATION_2025)),
        after: iso(REORGANIZATION_2025),
        root,
        trees,
    }
    .into_response())
}

#[derive(Deserialize)]
struct OnQuery {
    on: Option<String>,
}

/// A sub-organization line.
pub struct Child {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub people: u64,
}

/// A body line.
pub struct BodyLine {
    pub kind: &'static str,
    pub term: String,
    pub prescribed: i64,
    pub seated: usize,
    pub held: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs/detail.html")]
struct DetailPage {
    ui: Ui,
    org: OrgVersion,
    kind: &'static str,
    level: &'static str,
    on: String,
    on_iso: String,
    from: String,
    parent: Option<(String, String)>,
    children: Vec<Child>,
    bodies: Vec<BodyLine>,
    stats: MemberStats,
    age_chart: String,
    status_chart: String,
    ethnic_chart: String,
    history: Vec<(String, String, String)>,
    can_edit: bool,
    can_members: bool,
    can_export: bool,
    can_plans: bool,
}

async fn detail(ctx: Ctx, Path(c): Path<String>, Query(q): Query<OnQuery>) -> PageResult {
    let on = day(&ctx, q.on.as_deref())?;
    let c = code(&ctx, &c)?;
    let app = &ctx.app;
    let page = app.org_page(&ctx.caller, &c, on).await.or_page(&ctx)?;
    let l = ctx.lang;
    let ui = Ui::new(&ctx, "orgs");
    let children = page
        .children
        .iter()
        .map(|n| Child {
            code: n.org.code.to_string(),
            name: n.org.name.to_string(),
            kind: n.org.kind.label(l),
            people: n.people,
        })
        .collect();
    let bodies = page
        .bodies
        .into_iter()
        .map(|(b, seated, held)| BodyLine {
            kind: b.kind.label(l),
            term: b.term.label_vi(),
            prescribed: b.prescribed_size,
            seated,
            held,
        })
        .collect();
    let stats = page.stats;
    let (age_chart, status_chart) = super::home::stat_charts(l, c.as_str(), &stats, &ui);
    let ethnic_chart = Bars::new(
        &format!("eth-{c}"),
        l.pick("Đảng viên theo dân tộc", "Members by ethnic group"),
        stats
            .by_ethnicity
            .iter()
            .take(8)
            .map(|(e, n)| (e.clone(), *n, ui.num(n)))
            .collect(),
    )
    .html();
    let parent = page.parent.map(|p| (p.code.to_string(), p.name.to_string()));
    let history = page
        .history
        .into_iter()
        .map(|(v, parent)| {
            (
                v.validity.period(l),
                v.name.to_string(),
                parent.map(|p| p.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let org = page.org;
    Ok(DetailPage {
        kind: org.kind.label(l),
        level: org.level.label(l),
        on: short(on),
        on_iso: iso(on),
        from: short(org.validity.from),
        parent,
        children,
        bodies,
        stats,
        age_chart,
        status_chart,
        ethnic_chart,
        history,
        can_edit: super::may(&ctx, Action::EditOrgs, Some(&org), on).await?,
        can_members: super::may(&ctx, Action::ViewMembers, Some(&org), on).await?,
        can_export: super::may(&ctx, Action::Export, Some(&org), on).await?,
        can_plans: super::may(&ctx, Action::ViewPlans, Some(&org), on).await?,
        org,
        ui,
    }
    .into_response())
}

/// A form's value with the error shown beside it.
#[derive(Default)]
pub struct FieldErr {
    pub field: &'static str,
    pub message: String,
}

#[derive(Deserialize, Default)]
struct OrgForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs/new.html")]
struct NewPage {
    ui: Ui,
    f: OrgFormView,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    error: Option<FieldErr>,
}

struct OrgFormView {
    code: String,
    name: String,
    kind: String,
    level: String,
    parent: String,
    on: String,
}

impl OrgFormView {
    fn from(f: &OrgForm) -> OrgFormView {
        OrgFormView {
            code: f.code.clone(),
            name: f.name.clone(),
            kind: f.kind.clone(),
            level: f.level.clone(),
            parent: f.parent.clone(),
            on: f.on.clone(),
        }
    }
}

fn new_page(ctx: &Ctx, f: &OrgForm, error: Option<FieldErr>) -> NewPage {
    let l = ctx.lang;
    NewPage {
        ui: Ui::new(ctx, "orgs"),
        f: OrgFormView::from(f),
        kinds: OrgKind::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
        levels: Level::ALL.iter().map(|k| (k.code(), k.label(l))).collect(),
        error,
    }
}

#[derive(Deserialize)]
struct ParentQuery {
    parent: Option<String>,
}

async fn new_form(ctx: Ctx, Query(q): Query<ParentQuery>) -> PageResult {
    if let Some(p) = q.parent.as_deref() {
        let c = code(&ctx, p)?;
        ctx.app
            .org_for(&ctx.caller, Action::EditOrgs, &c, ctx.today)
            .await
            .or_page(&ctx)?;
    } else if !ctx.caller.can(Action::EditOrgs) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let f = OrgForm {
        parent: q.parent.unwrap_or_default(),
        on: iso(ctx.today),
        ..OrgForm::default()
    };
    Ok(new_page(&ctx, &f, None).into_response())
}

fn invalid(ctx: &Ctx, field: &'static str, e: &dangbo_domain::Invalid) -> FieldErr {
    FieldErr {
        field,
        message: e.message(ctx.lang),
    }
}

async fn create(ctx: Ctx, Form(f): Form<OrgForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    if !ctx.caller.can(Action::EditOrgs) {
        return Err(PageErr::at(&ctx, WebError::not_found(ctx.lang)));
    }
    let bad = |e: FieldErr| Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&ctx, &f, Some(e))).into_response());
    let on = match dangbo_domain::date::parse_date(&f.on) {
        Ok(d) => d,
        Err(e) => return bad(invalid(&ctx, "on", &e)),
    };
    let new_code = match OrgCode::parse(&f.code) {
        Ok(c) => c,
        Err(e) => return bad(invalid(&ctx, "code", &e)),
    };
    let name = match OrgName::parse(&f.name) {
        Ok(n) => n,
        Err(e) => return bad(invalid(&ctx, "name", &e)),
    };
    let (Some(kind), Some(level)) = (OrgKind::from_code(&f.kind), Level::from_code(&f.level)) else {
        return bad(FieldErr {
            field: "kind",
            message: ctx
                .lang
                .pick("Hãy chọn loại và cấp của tổ chức", "Choose the kind and level")
                .into(),
        });
    };
    let parent = match f.parent.trim() {
        "" => None,
        p => Some(code(&ctx, p)?),
    };
    // Creating under a parent needs the right over the parent; a new root, over everything.
    match &parent {
        Some(p) => {
            if let Err(e) = ctx.app.org_for(&ctx.caller, Action::EditOrgs, p, on).await {
                return bad(FieldErr {
                    field: "parent",
                    message: e.message(ctx.lang),
                });
            }
        }
        None if ctx.caller.scope(Action::EditOrgs) != dangbo_app::access::Scope::All => {
            return bad(FieldErr {
                field: "parent",
                message: ctx
                    .lang
                    .pick("Cần có tổ chức cấp trên", "A parent organization is needed")
                    .into(),
            });
        }
        None => {}
    }
    let new = NewOrg {
        code: new_code.clone(),
        name,
        kind,
        level,
        parent,
    };
    match ctx.app.create_org(&new, on).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{new_code}")).into_response()),
        Err(e) if e.is_user_error() => bad(FieldErr {
            field: "form",
            message: e.message(ctx.lang),
        }),
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs/rename.html")]
struct RenamePage {
    ui: Ui,
    org: OrgVersion,
    name: String,
    on: String,
    error: Option<FieldErr>,
}

async fn rename_form(ctx: Ctx, Path(c): Path<String>) -> PageResult {
    let (_, org) = editable(&ctx, &c).await?;
    Ok(RenamePage {
        ui: Ui::new(&ctx, "orgs"),
        name: org.name.to_string(),
        on: iso(ctx.today),
        org,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    on: String,
}

async fn rename(ctx: Ctx, Path(c): Path<String>, Form(f): Form<RenameForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let (c, org) = editable(&ctx, &c).await?;
    let page = |error| RenamePage {
        ui: Ui::new(&ctx, "orgs"),
        name: f.name.clone(),
        on: f.on.clone(),
        org: org.clone(),
        error: Some(error),
    };
    let on = match dangbo_domain::date::parse_date(&f.on) {
        Ok(d) => d,
        Err(e) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(invalid(&ctx, "on", &e))).into_response()),
    };
    let name = match OrgName::parse(&f.name) {
        Ok(n) => n,
        Err(e) => return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(invalid(&ctx, "name", &e))).into_response()),
    };
    match ctx.app.rename_org(&c, &name, on).await {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{c}")).into_response()),
        Err(e) if e.is_user_error() => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(FieldErr {
                field: "form",
                message: e.message(ctx.lang),
            }),
        )
            .into_response()),
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}

#[derive(Deserialize, Default, Clone)]
struct RestructureForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    parts: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    step: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs/restructure.html")]
struct RestructurePage {
    ui: Ui,
    org: OrgVersion,
    f: RestructureView,
    preview: Option<Preview>,
    error: Option<String>,
}

struct RestructureView {
    op: String,
    target: String,
    parts: String,
    on: String,
}

/// What a restructuring will do, shown before it is confirmed.
struct Preview {
    summary: String,
    orgs: usize,
    people: usize,
}

#[derive(Deserialize)]
struct OpQuery {
    op: Option<String>,
}

async fn restructure_form(ctx: Ctx, Path(c): Path<String>, Query(q): Query<OpQuery>) -> PageResult {
    let (_, org) = editable(&ctx, &c).await?;
    Ok(RestructurePage {
        ui: Ui::new(&ctx, "orgs"),
        org,
        f: RestructureView {
            op: q.op.unwrap_or_else(|| "move".into()),
            target: String::new(),
            parts: String::new(),
            on: iso(ctx.today),
        },
        preview: None,
        error: None,
    }
    .into_response())
}

/// Reads the split parts: one `CODE | Name` a line.
fn split_plan(l: Lang, text: &str) -> Result<SplitPlan, String> {
    let mut plan = SplitPlan::default();
    for (i, line) in text.lines().enumerate().filter(|(_, s)| !s.trim().is_empty()) {
        let Some((c, n)) = line.split_once('|') else {
            return Err(l
                .pick(
                    &format!("Dòng {}: cần viết «MÃ | Tên tổ chức»", i + 1),
                    &format!("Line {}: write «CODE | Organization name»", i + 1),
                )
                .to_string());
        };
        let c = OrgCode::parse(c).map_err(|e| e.message(l))?;
        let n = OrgName::parse(n).map_err(|e| e.message(l))?;
        plan.parts.push((c, n));
    }
    if plan.parts.len() < 2 {
        return Err(l
            .pick(
                "Chia tách cần ít nhất hai tổ chức mới",
                "A split needs at least two new organizations",
            )
            .into());
    }
    Ok(plan)
}

async fn restructure(ctx: Ctx, Path(c): Path<String>, Form(f): Form<RestructureForm>) -> PageResult {
    ctx.check_csrf(&f.csrf).or_page(&ctx)?;
    let c = code(&ctx, &c)?;
    let l = ctx.lang;
    let org = ctx
        .app
        .org_for(&ctx.caller, Action::EditOrgs, &c, ctx.today)
        .await
        .or_page(&ctx)?;
    let page = |preview: Option<Preview>, error: Option<String>| RestructurePage {
        ui: Ui::new(&ctx, "orgs"),
        org: org.clone(),
        f: RestructureView {
            op: f.op.clone(),
            target: f.target.clone(),
            parts: f.parts.clone(),
            on: f.on.clone(),
        },
        preview,
        error,
    };
    let fail = |msg: String| Ok((StatusCode::UNPROCESSABLE_ENTITY, page(None, Some(msg))).into_response());
    let on = match dangbo_domain::date::parse_date(&f.on) {
        Ok(d) => d,
        Err(e) => return fail(e.message(l)),
    };
    // Every organization named must be within the caller's right to restructure.
    let target = match f.op.as_str() {
        "move" | "merge" => match OrgCode::parse(&f.target) {
            Ok(t) => match ctx.app.org_for(&ctx.caller, Action::EditOrgs, &t, on).await {
                Ok(v) => Some(v),
                Err(e) => return fail(e.message(l)),
            },
            Err(e) => return fail(e.message(l)),
        },
        _ => None,
    };
    let (op, summary) = match (f.op.as_str(), &target) {
        ("move", Some(t)) => (
            Restructure::Move {
                code: c.clone(),
                parent: t.code.clone(),
            },
            format!(
                "{} «{}» {} «{}»",
                l.pick("Chuyển", "Move"),
                org.name,
                l.pick("về trực thuộc", "under"),
                t.name
            ),
        ),
        ("merge", Some(t)) => (
            Restructure::Merge {
                sources: vec![c.clone()],
                target: t.code.clone(),
                create: None,
            },
            format!(
                "{} «{}» {} «{}»",
                l.pick("Hợp nhất", "Merge"),
                org.name,
                l.pick("vào", "into"),
                t.name
            ),
        ),
        ("dissolve", _) => (
            Restructure::Dissolve { code: c.clone() },
            format!("{} «{}»", l.pick("Giải thể", "Dissolve"), org.name),
        ),
        ("split", _) => match split_plan(l, &f.parts) {
            Ok(plan) => {
                let names: Vec<String> = plan.parts.iter().map(|(_, n)| n.to_string()).collect();
                (
                    Restructure::Split {
                        source: c.clone(),
                        plan,
                    },
                    format!(
                        "{} «{}» {} {}",
                        l.pick("Chia tách", "Split"),
                        org.name,
                        l.pick("thành", "into"),
                        names.join(", ")
                    ),
                )
            }
            Err(msg) => return fail(msg),
        },
        _ => return fail(l.pick("Hãy chọn một thao tác", "Choose an operation").into()),
    };
    let commit = f.step == "confirm";
    match ctx.app.restructure(&op, on, commit).await {
        Ok(done) if commit => {
            let dest = match &op {
                Restructure::Merge { target, .. } => target.to_string(),
                Restructure::Split { plan, .. } => plan.parts[0].0.to_string(),
                _ => c.to_string(),
            };
            let _ = done;
            Ok(Redirect::to(&format!("/orgs/{dest}?on={}", iso(on))).into_response())
        }
        Ok(done) => Ok(page(
            Some(Preview {
                summary: format!("{summary} ({} {})", l.pick("từ ngày", "from"), short(on)),
                orgs: done.orgs,
                people: done.people,
            }),
            None,
        )
        .into_response()),
        Err(e) if e.is_user_error() => fail(e.message(l)),
        Err(e) => Err(PageErr::at(&ctx, ctx.err(e))),
    }
}
