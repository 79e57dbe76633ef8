//! Organization use cases: create, rename, move, dissolve, merge and split, each on a
//! given day, never rewriting what was recorded before that day; and the tree as of a day.

use crate::access::{Action, Caller, org_in_scope};
use crate::summary::Summary;
use crate::{App, AppError, Result};
use dangbo_domain::date::short;
use dangbo_domain::org::{Level, OrgCode, OrgId, OrgKind, OrgName, OrgPath};
use dangbo_domain::{Date, Lang};
use dangbo_store::{NewOrgVersion, OrgVersion, Tx};
use std::collections::HashMap;

/// A new organization to create.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Code.
    pub code: OrgCode,
    /// Name.
    pub name: OrgName,
    /// Kind.
    pub kind: OrgKind,
    /// Level.
    pub level: Level,
    /// Parent code; `None` for a provincial committee at the root.
    pub parent: Option<OrgCode>,
}

/// How a split shares out what the old organization had.
#[derive(Debug, Clone, Default)]
pub struct SplitPlan {
    /// The new organizations (same parent, kind and level as the old one), by code and name.
    pub parts: Vec<(OrgCode, OrgName)>,
    /// Which part each member goes to, by party card number or citizen ID; members not
    /// named go to the first part.
    pub members: HashMap<String, usize>,
    /// Which part each child organization goes to, by code; children not named go to
    /// the first part.
    pub children: HashMap<OrgCode, usize>,
}

/// A node of the tree with the number of people placed in its subtree.
#[derive(Debug, Clone)]
pub struct TreeNode {
    /// The version valid on the day.
    pub org: OrgVersion,
    /// People placed in this node and below.
    pub people: u64,
    /// Whether it has children left out of the list it is in.
    pub deeper: bool,
}

/// Everything the page of an organization shows, read in one transaction.
#[derive(Debug, Clone)]
pub struct OrgPage {
    /// The version valid on the day.
    pub org: OrgVersion,
    /// Its parent on the day.
    pub parent: Option<OrgVersion>,
    /// Its children, by name, with their head counts.
    pub children: Vec<TreeNode>,
    /// Its bodies, as [`App::bodies`].
    pub bodies: Vec<(dangbo_store::BodyRow, usize, usize)>,
    /// Head counts of its subtree.
    pub stats: crate::members::MemberStats,
    /// Its versions, as [`App::org_history`].
    pub history: Vec<(OrgVersion, Option<OrgName>)>,
}

/// What a restructuring did, for the preview and the confirmation message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restructured {
    /// Organizations whose version changed (moved, renamed, created or ended).
    pub orgs: usize,
    /// People whose placement moved.
    pub people: usize,
}

impl App {
    /// The organization with `code` on `on`, or a not-found error.
    pub async fn org(&self, code: &OrgCode, on: Date) -> Result<OrgVersion> {
        let mut tx = self.db.read().await?;
        get(&mut tx, code, on).await
    }

    /// The organizations at the top of the tree on `on`.
    pub async fn roots(&self, on: Date) -> Result<Vec<OrgVersion>> {
        let mut tx = self.db.read().await?;
        Ok(tx.org_roots(on).await?)
    }

    /// The children of `code` on `on`, by name, each with the people placed under it.
    pub async fn children(&self, code: &OrgCode, on: Date) -> Result<Vec<TreeNode>> {
        let mut tx = self.db.read().await?;
        let org = get(&mut tx, code, on).await?;
        drop(tx);
        // Kept with the head counts: a province has hundreds of children.
        let s = self.summary_of(&org.path, on).await?;
        Ok(child_nodes(&s))
    }

    /// The page of organization `code` on `on`, if `caller` may browse it (otherwise the
    /// same "not found" as for a code that does not exist). One read transaction: a
    /// province's page is asked for by many at once.
    pub async fn org_page(&self, caller: &Caller, code: &OrgCode, on: Date) -> Result<OrgPage> {
        let mut tx = self.db.read().await?;
        let version = tx.registry_version().await?;
        let org = org_in_scope(&mut tx, caller, Action::Browse, code, on).await?;
        let parent = match org.parent {
            Some(p) => tx.org_by_id(p, on).await?,
            None => None,
        };
        let bodies = tx.bodies_with_seats(org.id, on).await?;
        let history = history_in(&mut tx, code).await?;
        drop(tx);
        // Kept with the head counts: a province has hundreds of children.
        let s = self.summary_at(&org.path, on, version).await?;
        Ok(OrgPage {
            children: child_nodes(&s),
            stats: s.stats(),
            org,
            parent,
            bodies,
            history,
        })
    }

    /// The top `levels` levels of the tree under `code` on `on` (the root is level 0), in
    /// tree order, with head counts from the summaries of the levels above; a node of the
    /// last level says whether it has children below. Over a nation this reads a few
    /// thousand organizations instead of hundreds of thousands.
    pub async fn tree_top(&self, code: &OrgCode, on: Date, levels: usize) -> Result<Vec<TreeNode>> {
        let mut tx = self.db.read().await?;
        let root = get(&mut tx, code, on).await?;
        let base = root.path.depth();
        let nodes = tx.org_subtree_to(&root.path, on, base + levels + 1).await?;
        drop(tx);
        let mut people = HashMap::new();
        let mut has_children = std::collections::HashSet::new();
        for n in &nodes {
            if let Some(p) = n.parent {
                has_children.insert(p);
            }
            if n.path.depth() < base + levels {
                let s = self.summary_of(&n.path, on).await?;
                if n.id == root.id {
                    people.insert(n.id, s.groups.iter().map(|g| g.count).sum());
                }
                people.extend(s.children.iter().map(|(k, v)| (*k, *v)));
            }
        }
        let shown = nodes.into_iter().filter(|n| n.path.depth() <= base + levels).collect();
        Ok(sorted_tree(shown)
            .into_iter()
            .map(|org| TreeNode {
                people: people.get(&org.id).copied().unwrap_or(0),
                deeper: org.path.depth() == base + levels && has_children.contains(&org.id),
                org,
            })
            .collect())
    }

    /// The organization with id `id` on `on`, if it existed then.
    pub async fn org_by_id(&self, id: OrgId, on: Date) -> Result<Option<OrgVersion>> {
        let mut tx = self.db.read().await?;
        Ok(tx.org_by_id(id, on).await?)
    }

    /// The tree under `code` (or every root) on day `on`, in path order, with head counts.
    pub async fn tree(&self, code: Option<&OrgCode>, on: Date) -> Result<Vec<TreeNode>> {
        let mut tx = self.db.read().await?;
        let roots = match code {
            Some(c) => vec![get(&mut tx, c, on).await?],
            None => tx.org_roots(on).await?,
        };
        let mut out = Vec::new();
        for root in roots {
            let nodes = tx.org_subtree(&root.path, on).await?;
            let direct = tx.placement_counts(&root.path, on).await?;
            let mut totals: HashMap<OrgId, u64> = HashMap::new();
            for n in &nodes {
                let c = direct.get(&n.id).copied().unwrap_or(0);
                for id in n.path.ids() {
                    *totals.entry(id).or_default() += c;
                }
            }
            out.extend(sorted_tree(nodes).into_iter().map(|org| {
                let people = totals.get(&org.id).copied().unwrap_or(0);
                TreeNode {
                    org,
                    people,
                    deeper: false,
                }
            }));
        }
        Ok(out)
    }

    /// The bodies of an organization (by its code on `on`), newest term first, each with
    /// the number of people seated in it on `on` and the number who held a seat in it at
    /// any time of its term.
    pub async fn bodies(&self, code: &OrgCode, on: Date) -> Result<Vec<(dangbo_store::BodyRow, usize, usize)>> {
        let mut tx = self.db.read().await?;
        let org = get(&mut tx, code, on).await?;
        Ok(tx.bodies_with_seats(org.id, on).await?)
    }

    /// Every version of an organization, oldest first, each with the name its parent had
    /// when the version began.
    pub async fn org_history(&self, code: &OrgCode) -> Result<Vec<(OrgVersion, Option<OrgName>)>> {
        let mut tx = self.db.read().await?;
        history_in(&mut tx, code).await
    }

    /// Creates an organization valid from `on`.
    pub async fn create_org(&self, new: &NewOrg, on: Date) -> Result<OrgId> {
        self.not_future(on)?;
        let mut tx = self.db.write().await?;
        let id = create_in(&mut tx, new, on, "create").await?;
        self.audit(
            &mut tx,
            "org.create",
            &format!("org:{}", new.code),
            &format!("{} ({})", new.name, short(on)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renames an organization from `on`.
    pub async fn rename_org(&self, code: &OrgCode, name: &OrgName, on: Date) -> Result<()> {
        self.not_future(on)?;
        let mut tx = self.db.write().await?;
        let cur = get(&mut tx, code, on).await?;
        ensure_open(&cur, on)?;
        if cur.name == *name {
            return Err(AppError::rejected(
                format!("«{name}» đã là tên của tổ chức"),
                format!("«{name}» is already the organization's name"),
            ));
        }
        tx.end_org_version(cur.version_id, on, "rename").await?;
        tx.insert_org_version(&NewOrgVersion {
            name: name.clone(),
            from: on,
            change: "rename".into(),
            ..carry(&cur)
        })
        .await?;
        self.audit(
            &mut tx,
            "org.rename",
            &format!("org:{code}"),
            &format!("{} → {} ({})", cur.name, name, short(on)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an organization, with everything under it, beneath `parent` from `on`.
    pub async fn move_org(&self, code: &OrgCode, parent: &OrgCode, on: Date) -> Result<Restructured> {
        let op = Restructure::Move {
            code: code.clone(),
            parent: parent.clone(),
        };
        self.restructure(&op, on, true).await
    }

    /// Dissolves an organization from `on`. It must be empty: no sub-organizations and
    /// nobody placed in it that day.
    pub async fn dissolve_org(&self, code: &OrgCode, on: Date) -> Result<()> {
        self.restructure(&Restructure::Dissolve { code: code.clone() }, on, true)
            .await
            .map(|_| ())
    }

    /// Merges `sources` into `target` from `on`: their sub-organizations move under the
    /// target, their people are placed in it, and the sources end. With `create`, the
    /// target is created first.
    pub async fn merge_orgs(
        &self,
        sources: &[OrgCode],
        target: &OrgCode,
        create: Option<&NewOrg>,
        on: Date,
    ) -> Result<Restructured> {
        let op = Restructure::Merge {
            sources: sources.to_vec(),
            target: target.clone(),
            create: create.cloned(),
        };
        self.restructure(&op, on, true).await
    }

    /// Splits `source` into new organizations from `on`, sharing out its people and
    /// sub-organizations by `plan`; the source ends.
    pub async fn split_org(&self, source: &OrgCode, plan: &SplitPlan, on: Date) -> Result<Restructured> {
        let op = Restructure::Split {
            source: source.clone(),
            plan: plan.clone(),
        };
        self.restructure(&op, on, true).await
    }

    /// Runs a restructuring on `on`. With `commit` false nothing is kept: the same checks
    /// run and the same counts come back, which is the preview a person confirms.
    pub async fn restructure(&self, op: &Restructure, on: Date, commit: bool) -> Result<Restructured> {
        self.not_future(on)?;
        let mut tx = self.db.write().await?;
        let (done, action, subject, detail) = match op {
            Restructure::Move { code, parent } => {
                let node = get(&mut tx, code, on).await?;
                let target = get(&mut tx, parent, on).await?;
                let done = move_in(&mut tx, &node, &target, on, "move").await?;
                (
                    done,
                    "org.move",
                    format!("org:{code}"),
                    format!("→ {parent} ({})", short(on)),
                )
            }
            Restructure::Dissolve { code } => {
                let node = get(&mut tx, code, on).await?;
                ensure_unchanged_after(&mut tx, &node, on, Guard::TreeAndPeople).await?;
                let children = tx.org_children(node.id, on).await?.len();
                let people = tx.placements_in(node.id, on).await?.len();
                if children > 0 || people > 0 {
                    return Err(AppError::rejected(
                        format!(
                            "Không thể giải thể «{}»: còn {children} tổ chức trực thuộc và {people} người sinh hoạt vào ngày {}. Hãy chuyển, hợp nhất hoặc chia tách trước",
                            node.name,
                            short(on)
                        ),
                        format!(
                            "Cannot dissolve «{}»: it still has {children} sub-organizations and {people} people on {}. Move, merge or split them first",
                            node.name,
                            short(on)
                        ),
                    ));
                }
                tx.end_positions_in(node.id, on).await?;
                tx.end_org_version(node.version_id, on, "dissolve").await?;
                let done = Restructured { orgs: 1, people: 0 };
                (done, "org.dissolve", format!("org:{code}"), short(on))
            }
            Restructure::Merge {
                sources,
                target,
                create,
            } => {
                let done = merge_in(&mut tx, sources, target, create.as_ref(), on).await?;
                let names: Vec<&str> = sources.iter().map(OrgCode::as_str).collect();
                let detail = format!(
                    "{} → {target} ({}): {} tổ chức, {} người",
                    names.join(", "),
                    short(on),
                    done.orgs,
                    done.people
                );
                (done, "org.merge", format!("org:{target}"), detail)
            }
            Restructure::Split { source, plan } => {
                let done = split_in(&mut tx, source, plan, on).await?;
                let parts: Vec<&str> = plan.parts.iter().map(|(c, _)| c.as_str()).collect();
                let detail = format!("→ {} ({}): {} người", parts.join(", "), short(on), done.people);
                (done, "org.split", format!("org:{source}"), detail)
            }
        };
        if commit {
            self.audit(&mut tx, action, &subject, &detail).await?;
            tx.commit().await?;
        }
        Ok(done)
    }
}

/// A restructuring of the tree, to preview or to apply.
#[derive(Debug, Clone)]
pub enum Restructure {
    /// Move `code` with its subtree beneath `parent`.
    Move {
        /// The organization.
        code: OrgCode,
        /// Its new parent.
        parent: OrgCode,
    },
    /// Dissolve an empty organization.
    Dissolve {
        /// The organization.
        code: OrgCode,
    },
    /// Merge `sources` into `target` (created first with `create`).
    Merge {
        /// The organizations that end.
        sources: Vec<OrgCode>,
        /// The one that takes them in.
        target: OrgCode,
        /// The target, when it is new.
        create: Option<NewOrg>,
    },
    /// Split `source` by `plan`.
    Split {
        /// The organization that ends.
        source: OrgCode,
        /// How its people and sub-organizations are shared out.
        plan: SplitPlan,
    },
}

/// The organization with `code` on `on`, or a not-found error.
pub(crate) async fn get(tx: &mut Tx, code: &OrgCode, on: Date) -> Result<OrgVersion> {
    tx.org_by_code(code, on)
        .await?
        .ok_or_else(|| AppError::no_org(code.as_str(), on))
}

/// The children kept with a summary's head counts, by name.
fn child_nodes(s: &Summary) -> Vec<TreeNode> {
    s.child_orgs
        .iter()
        .map(|org| TreeNode {
            people: s.children.get(&org.id).copied().unwrap_or(0),
            org: org.clone(),
            deeper: false,
        })
        .collect()
}

/// Every version of organization `code`, oldest first, each with the name its parent had
/// when the version began.
async fn history_in(tx: &mut Tx, code: &OrgCode) -> Result<Vec<(OrgVersion, Option<OrgName>)>> {
    let mut h = Vec::new();
    for v in tx.org_history(code).await? {
        let parent = match v.parent {
            Some(p) => tx.org_by_id(p, v.validity.from).await?.map(|p| p.name),
            None => None,
        };
        h.push((v, parent));
    }
    if h.is_empty() {
        return Err(AppError::NotFound {
            vi: format!("Không có tổ chức đảng mã «{code}»"),
            what: format!("no organization with code «{code}»"),
        });
    }
    Ok(h)
}

fn carry(v: &OrgVersion) -> NewOrgVersion {
    NewOrgVersion {
        id: v.id,
        parent: v.parent,
        name: v.name.clone(),
        kind: v.kind,
        level: v.level,
        path: v.path.clone(),
        from: v.validity.from,
        change: v.change.clone(),
    }
}

/// What a restructuring dated `on` must not precede in a subtree.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guard {
    /// Later changes of the tree itself (a move, a rename, a dissolution).
    Tree,
    /// Those, and later placements and positions in the organization itself (for
    /// operations that end it or move its people).
    TreeAndPeople,
}

/// Refuses a change on `on` if anything it touches already changed after `on`: history
/// is recorded forward, never rewritten.
async fn ensure_unchanged_after(tx: &mut Tx, org: &OrgVersion, on: Date, guard: Guard) -> Result<()> {
    let (tree, people) = tx.changes_after(org.id, &org.path, on).await?;
    let people = if guard == Guard::TreeAndPeople { people } else { None };
    if let Some(last) = tree.max(people) {
        let (vi, en) = if people.is_some_and(|p| Some(p) == tree.max(Some(p))) {
            ("người sinh hoạt hoặc chức vụ", "a placement or a position")
        } else {
            ("tổ chức", "the organizations")
        };
        return Err(AppError::rejected(
            format!(
                "«{}»: đã ghi nhận thay đổi về {vi} ngày {}, sau ngày {}: không thể ghi lại lịch sử trước đó. Hãy chọn ngày từ {} trở đi",
                org.name,
                short(last),
                short(on),
                short(last)
            ),
            format!(
                "«{}»: a change of {en} is recorded on {}, after {}: history cannot be rewritten. Choose a date from {} on",
                org.name,
                short(last),
                short(on),
                short(last)
            ),
        ));
    }
    Ok(())
}

/// Refuses to change an organization's own version on `on` if a later version exists.
fn ensure_open(org: &OrgVersion, on: Date) -> Result<()> {
    match org.validity.to {
        None => Ok(()),
        Some(to) => Err(AppError::rejected(
            format!(
                "«{}» đã có thay đổi ghi nhận từ ngày {}, sau ngày {}: hãy chọn ngày từ {} trở đi",
                org.name,
                short(to),
                short(on),
                short(to)
            ),
            format!(
                "«{}» is recorded to change on {}, after {}: choose a date from {} on",
                org.name,
                short(to),
                short(on),
                short(to)
            ),
        )),
    }
}

/// Refuses to build on an organization (move under it, transfer into it, create under
/// it) on `on` if it is recorded to end, or to move elsewhere, after `on`: what is added
/// would be cut off then. Later renames are harmless: they keep its place in the tree.
pub(crate) async fn ensure_lasting(tx: &mut Tx, org: &OrgVersion, on: Date) -> Result<()> {
    if org.validity.to.is_none() {
        return Ok(());
    }
    let later: Vec<OrgVersion> = tx
        .org_history(&org.code)
        .await?
        .into_iter()
        .filter(|v| v.validity.from >= org.validity.from)
        .collect();
    let Some(stop) = later
        .iter()
        .find(|v| v.ended_by.as_deref() != Some("rename") || v.path != org.path)
    else {
        return Ok(());
    };
    if stop.validity.to.is_none() && stop.path == org.path {
        return Ok(());
    }
    let to = stop.validity.to.unwrap_or(stop.validity.from);
    let ended = stop.ended_by.as_deref().unwrap_or_default();
    if ["dissolve", "merge", "split"].iter().any(|e| ended.starts_with(e)) {
        return Err(AppError::rejected(
            format!(
                "«{}» chấm dứt từ ngày {}: không thể thêm vào tổ chức này",
                org.name,
                short(to)
            ),
            format!("«{}» ends on {}: nothing can be added to it", org.name, short(to)),
        ));
    }
    Err(AppError::rejected(
        format!(
            "«{}» được chuyển trực thuộc từ ngày {}, sau ngày {}: hãy chọn ngày từ {} trở đi",
            org.name,
            short(to),
            short(on),
            short(to)
        ),
        format!(
            "«{}» moves on {}, after {}: choose a date from {} on",
            org.name,
            short(to),
            short(on),
            short(to)
        ),
    ))
}

fn check_parent(parent: &OrgVersion, kind: OrgKind, level: Level, name: &str) -> Result<()> {
    if !level.may_be_under(parent.level) {
        return Err(AppError::rejected(
            format!(
                "«{name}» ({}) không thể trực thuộc «{}» ({})",
                level.vi().to_lowercase(),
                parent.name,
                parent.level.vi().to_lowercase()
            ),
            format!(
                "«{name}» ({}) cannot be under «{}» ({})",
                level.en().to_lowercase(),
                parent.name,
                parent.level.en().to_lowercase()
            ),
        ));
    }
    if parent.kind.may_contain(kind) {
        return Ok(());
    }
    Err(AppError::rejected(
        format!(
            "«{}» ({}) không thể trực thuộc «{}» ({})",
            name,
            kind.vi(),
            parent.name,
            parent.kind.vi()
        ),
        format!(
            "«{}» ({}) cannot be under «{}» ({})",
            name,
            kind.en(),
            parent.name,
            parent.kind.en()
        ),
    ))
}

pub(crate) async fn create_in(tx: &mut Tx, new: &NewOrg, on: Date, change: &str) -> Result<OrgId> {
    let parent = match &new.parent {
        Some(p) => {
            let parent = get(tx, p, on).await?;
            check_parent(&parent, new.kind, new.level, new.name.as_str())?;
            ensure_lasting(tx, &parent, on).await?;
            Some(parent)
        }
        None if matches!(new.kind, OrgKind::Provincial | OrgKind::Central) => None,
        None => {
            return Err(AppError::rejected(
                format!("«{}» cần có tổ chức cấp trên (chỉ đảng bộ tỉnh mới là gốc)", new.name),
                format!("«{}» needs a parent (only a provincial committee is a root)", new.name),
            ));
        }
    };
    if !tx.org_history(&new.code).await?.is_empty() {
        return Err(AppError::rejected(
            format!("Mã tổ chức «{}» đã được dùng", new.code),
            format!("Organization code «{}» is already in use", new.code),
        ));
    }
    // A code whose only version was undone on its first day has no history left, and
    // may be used again.
    let id = match tx.org_id_of(&new.code).await? {
        Some(id) => id,
        None => tx.insert_org(&new.code).await?,
    };
    let path = match &parent {
        Some(p) => p.path.child(id),
        None => OrgPath::root(id),
    };
    tx.insert_org_version(&NewOrgVersion {
        id,
        parent: parent.map(|p| p.id),
        name: new.name.clone(),
        kind: new.kind,
        level: new.level,
        path,
        from: on,
        change: change.into(),
    })
    .await?;
    Ok(id)
}

/// Moves `node` and its subtree beneath `target` from `on`.
pub(crate) async fn move_in(
    tx: &mut Tx,
    node: &OrgVersion,
    target: &OrgVersion,
    on: Date,
    change: &str,
) -> Result<Restructured> {
    if node.path.contains(&target.path) {
        return Err(AppError::rejected(
            format!(
                "Không thể chuyển «{}» vào chính nó hoặc tổ chức trực thuộc nó («{}»)",
                node.name, target.name
            ),
            format!(
                "Cannot move «{}» under itself or its own sub-organization «{}»",
                node.name, target.name
            ),
        ));
    }
    check_parent(target, node.kind, node.level, node.name.as_str())?;
    ensure_unchanged_after(tx, node, on, Guard::Tree).await?;
    ensure_lasting(tx, target, on).await?;
    let new_root = target.path.child(node.id);
    let subtree = tx.org_subtree(&node.path, on).await?;
    for v in &subtree {
        let path = v.path.rebase(&node.path, &new_root).unwrap_or_else(|| v.path.clone());
        let parent = if v.id == node.id { Some(target.id) } else { v.parent };
        tx.end_org_version(v.version_id, on, "move").await?;
        tx.insert_org_version(&NewOrgVersion {
            parent,
            path,
            from: on,
            change: change.into(),
            ..carry(v)
        })
        .await?;
    }
    Ok(Restructured {
        orgs: subtree.len(),
        people: 0,
    })
}

/// Re-places everyone placed in `from` on `on` into `to`, from `on`.
/// Ends these placements on `on` and places the same people in `to` from `on`.
async fn move_placements(
    tx: &mut Tx,
    placed: &[&dangbo_store::PlacementRow],
    to: OrgId,
    on: Date,
    change: &str,
) -> Result<usize> {
    let ids: Vec<i64> = placed.iter().map(|p| p.id).collect();
    tx.end_placements(&ids, on).await?;
    let rows: Vec<_> = placed.iter().map(|p| (p.person_id, to, on, change)).collect();
    tx.insert_placements(&rows).await?;
    Ok(placed.len())
}

fn check_holds_people(target: &OrgVersion, source: &OrgVersion, people: usize) -> Result<()> {
    if people == 0 || target.kind.is_cell() {
        return Ok(());
    }
    Err(AppError::rejected(
        format!(
            "«{}» có {people} đảng viên sinh hoạt trực tiếp nhưng «{}» ({}) không phải chi bộ nên không nhận đảng viên",
            source.name,
            target.name,
            target.kind.vi()
        ),
        format!(
            "«{}» has {people} people placed in it, but «{}» ({}) is not a cell and cannot hold them",
            source.name,
            target.name,
            target.kind.en()
        ),
    ))
}

pub(crate) async fn merge_in(
    tx: &mut Tx,
    sources: &[OrgCode],
    target_code: &OrgCode,
    create: Option<&NewOrg>,
    on: Date,
) -> Result<Restructured> {
    if sources.is_empty() {
        return Err(AppError::rejected(
            "Cần ít nhất một tổ chức để hợp nhất",
            "At least one organization to merge is needed",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for s in sources {
        if !seen.insert(s) || s == target_code {
            return Err(AppError::rejected(
                format!("Mã «{s}» bị lặp, hoặc trùng với tổ chức nhận hợp nhất"),
                format!("Code «{s}» is repeated, or is also the merge target"),
            ));
        }
    }
    let mut done = Restructured::default();
    if let Some(new) = create {
        create_in(tx, new, on, "merge").await?;
        done.orgs += 1;
    }
    let target = get(tx, target_code, on).await?;
    let mut src = Vec::new();
    for s in sources {
        let v = get(tx, s, on).await?;
        if v.path.contains(&target.path) {
            return Err(AppError::rejected(
                format!("«{}» nằm trong «{}» nên không thể nhận hợp nhất", target.name, v.name),
                format!("«{}» lies inside «{}» and cannot receive it", target.name, v.name),
            ));
        }
        ensure_unchanged_after(tx, &v, on, Guard::TreeAndPeople).await?;
        if let Some(outer) = src
            .iter()
            .find(|o: &&OrgVersion| o.path.contains(&v.path) || v.path.contains(&o.path))
        {
            return Err(AppError::rejected(
                format!(
                    "«{}» và «{}» lồng nhau: chỉ hợp nhất các tổ chức không trực thuộc nhau",
                    outer.name, v.name
                ),
                format!(
                    "«{}» and «{}» are nested: merge only organizations not under each other",
                    outer.name, v.name
                ),
            ));
        }
        src.push(v);
    }
    ensure_lasting(tx, &target, on).await?;
    for s in &src {
        for child in tx.org_children(s.id, on).await? {
            done.orgs += move_in(tx, &child, &target, on, "merge").await?.orgs;
        }
        let placed = tx.placements_in(s.id, on).await?;
        check_holds_people(&target, s, placed.len())?;
        let placed: Vec<_> = placed.iter().collect();
        done.people += move_placements(tx, &placed, target.id, on, "merge").await?;
        tx.end_positions_in(s.id, on).await?;
        tx.end_org_version(s.version_id, on, &format!("merge:{}", target.code))
            .await?;
        done.orgs += 1;
    }
    Ok(done)
}

async fn split_in(tx: &mut Tx, source: &OrgCode, plan: &SplitPlan, on: Date) -> Result<Restructured> {
    if plan.parts.len() < 2 {
        return Err(AppError::rejected(
            "Chia tách cần ít nhất hai tổ chức mới",
            "A split needs at least two new organizations",
        ));
    }
    let src = get(tx, source, on).await?;
    ensure_unchanged_after(tx, &src, on, Guard::TreeAndPeople).await?;
    let Some(parent_id) = src.parent else {
        return Err(AppError::rejected(
            "Không thể chia tách tổ chức gốc",
            "The root organization cannot be split",
        ));
    };
    let parent = tx
        .org_by_id(parent_id, on)
        .await?
        .ok_or_else(|| AppError::rejected("Tổ chức cấp trên không còn hiệu lực", "The parent is no longer valid"))?;
    ensure_lasting(tx, &parent, on).await?;
    let mut parts = Vec::new();
    for (code, name) in &plan.parts {
        let new = NewOrg {
            code: code.clone(),
            name: name.clone(),
            kind: src.kind,
            level: src.level,
            parent: Some(parent.code.clone()),
        };
        create_in(tx, &new, on, "split").await?;
        parts.push(get(tx, code, on).await?);
    }
    let mut done = Restructured {
        orgs: parts.len() + 1,
        people: 0,
    };
    let children = tx.org_children(src.id, on).await?;
    if let Some((code, _)) = plan
        .children
        .iter()
        .find(|(c, _)| !children.iter().any(|ch| &ch.code == *c))
    {
        return Err(AppError::rejected(
            format!("«{code}» không phải tổ chức trực thuộc «{}»", src.name),
            format!("«{code}» is not a sub-organization of «{}»", src.name),
        ));
    }
    for child in &children {
        let i = plan.children.get(&child.code).copied().unwrap_or(0);
        let part = parts.get(i).ok_or_else(|| bad_part(i, parts.len()))?;
        done.orgs += move_in(tx, child, part, on, "split").await?.orgs;
    }
    let placed = tx.placements_in(src.id, on).await?;
    let mut by_part: Vec<Vec<&dangbo_store::PlacementRow>> = vec![Vec::new(); parts.len()];
    let mut unmatched: std::collections::HashSet<&String> = plan.members.keys().collect();
    for p in &placed {
        let person = tx.person(p.person_id).await?;
        let keys = person
            .map(|r| {
                let card = r.membership.and_then(|m| m.card_number).map(|c| c.as_str().to_string());
                let cid = r.person.citizen_id.map(|c| c.as_str().to_string());
                [card, cid]
            })
            .unwrap_or_default();
        let i = keys
            .iter()
            .flatten()
            .find_map(|k| plan.members.get_key_value(k))
            .map(|(k, i)| {
                unmatched.remove(k);
                *i
            })
            .unwrap_or(0);
        by_part.get_mut(i).ok_or_else(|| bad_part(i, parts.len()))?.push(p);
    }
    if let Some(k) = unmatched.iter().next() {
        return Err(AppError::rejected(
            format!(
                "Người có số «{k}» không sinh hoạt tại «{}» vào ngày {}",
                src.name,
                short(on)
            ),
            format!("Nobody numbered «{k}» is placed in «{}» on {}", src.name, short(on)),
        ));
    }
    for (part, placed) in parts.iter().zip(by_part) {
        check_holds_people(part, &src, placed.len())?;
        done.people += move_placements(tx, &placed, part.id, on, "split").await?;
    }
    tx.end_positions_in(src.id, on).await?;
    let codes: Vec<&str> = plan.parts.iter().map(|(c, _)| c.as_str()).collect();
    tx.end_org_version(src.version_id, on, &format!("split:{}", codes.join(",")))
        .await?;
    Ok(done)
}

fn bad_part(i: usize, n: usize) -> AppError {
    AppError::rejected(
        format!("Phần chia tách số {} không có (chỉ có {n} phần)", i + 1),
        format!("Split part {} does not exist (there are {n})", i + 1),
    )
}

/// What a recorded change code means, as a history shows it: `merge` is «hợp nhất».
pub fn change_words(code: &str, lang: Lang) -> &str {
    let (vi, en) = match code {
        "create" => ("thành lập", "created"),
        "rename" => ("đổi tên", "renamed"),
        "move" => ("chuyển trực thuộc", "moved"),
        "merge" => ("hợp nhất", "merged"),
        "split" => ("chia tách", "split"),
        "import" => ("nhập từ tệp", "imported"),
        "transfer" => ("chuyển sinh hoạt", "transferred"),
        "admission" => ("kết nạp", "admitted"),
        "demo" => ("dữ liệu mẫu", "demo data"),
        other => (other, other),
    };
    lang.pick(vi, en)
}

/// Orders a subtree for display: parents before children, siblings in Vietnamese order.
pub fn sorted_tree(mut nodes: Vec<OrgVersion>) -> Vec<OrgVersion> {
    let mut children: HashMap<Option<OrgId>, Vec<OrgVersion>> = HashMap::new();
    let ids: std::collections::HashSet<OrgId> = nodes.iter().map(|n| n.id).collect();
    // Committees before base organizations before cells, then by name.
    nodes.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| dangbo_domain::name::compare(a.name.as_str(), b.name.as_str()))
    });
    let mut roots = Vec::new();
    for n in nodes {
        match n.parent.filter(|p| ids.contains(p)) {
            Some(p) => children.entry(Some(p)).or_default().push(n),
            None => roots.push(n),
        }
    }
    let mut out = Vec::new();
    let mut stack: Vec<OrgVersion> = roots.into_iter().rev().collect();
    while let Some(n) = stack.pop() {
        if let Some(kids) = children.remove(&Some(n.id)) {
            stack.extend(kids.into_iter().rev());
        }
        out.push(n);
    }
    out
}
