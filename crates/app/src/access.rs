//! Who may do what, and where. Every permission is a role held over the subtree of an
//! organization for a period (DESIGN.md, "Who uses it"). A request for something outside
//! the caller's scope is answered exactly as a request for something that does not exist,
//! so the answer does not tell that it exists.

use crate::orgs::get;
use crate::{App, AppError, Result};
use dangbo_domain::date::Validity;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::{OrgCode, OrgId, OrgPath};
use dangbo_domain::{Date, Lang};
use dangbo_store::{OrgVersion, Tx};

/// The roles of DESIGN.md's "Who uses it".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// System administrator: accounts, configuration, backups, the audit log.
    Admin,
    /// Organization office (văn phòng, ban tổ chức): the registry of a subtree.
    Office,
    /// Leadership (cấp ủy): reads a subtree.
    Leadership,
    /// Cell or base secretary (bí thư chi bộ): the members of one cell or base organization.
    Secretary,
    /// Connection-point operator (one point of one conference).
    Operator,
    /// Party member: themself.
    Member,
    /// Vote-counting board (ban kiểm phiếu) of one ballot.
    CountingBoard,
}

/// What a request does, as far as access is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the tree, organizations and their statistics.
    Browse,
    /// See the people of organizations (personal data).
    ViewMembers,
    /// Add and edit people, transfer them.
    EditMembers,
    /// Create, rename and restructure organizations.
    EditOrgs,
    /// Import spreadsheets.
    Import,
    /// Export lists.
    Export,
    /// Manage accounts and read the audit log.
    Administer,
    /// Register documents and tasks, run conferences and study campaigns.
    Disseminate,
    /// Run a connection point: check people in, report head counts.
    Operate,
    /// Record make-up study and assess learning reports.
    Study,
    /// Read cadre planning lists (the most sensitive data after ballots).
    ViewPlans,
    /// Draw up and review cadre planning lists.
    Plan,
    /// Ask the organizations below for reports, and answer the requests from above.
    Report,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Office,
        Role::Leadership,
        Role::Secretary,
        Role::Operator,
        Role::Member,
        Role::CountingBoard,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Leadership => "leadership",
            Role::Secretary => "secretary",
            Role::Operator => "operator",
            Role::Member => "member",
            Role::CountingBoard => "counting",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    /// The Vietnamese name.
    pub fn vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Office => "Văn phòng, ban tổ chức",
            Role::Leadership => "Cấp ủy",
            Role::Secretary => "Bí thư chi bộ",
            Role::Operator => "Cán bộ điểm cầu",
            Role::Member => "Đảng viên",
            Role::CountingBoard => "Ban kiểm phiếu",
        }
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Office => "Organization office",
            Role::Leadership => "Leadership",
            Role::Secretary => "Cell secretary",
            Role::Operator => "Connection-point operator",
            Role::Member => "Party member",
            Role::CountingBoard => "Vote-counting board",
        }
    }

    /// Whether this role may do `action` within its scope.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Office => !matches!(action, Administer),
            Role::Leadership => matches!(action, Browse | ViewMembers | Export | ViewPlans),
            Role::Secretary => matches!(
                action,
                Browse | ViewMembers | EditMembers | Export | Operate | Study | Report
            ),
            // An operator runs the points hosted in their subtree (or assigned to them).
            Role::Operator => matches!(action, Operate),
            // A member's scope is themself; a ballot's board comes with the ballots.
            Role::Member | Role::CountingBoard => false,
        }
    }

    /// Whether the role is held over everything rather than a subtree.
    pub fn is_global(self) -> bool {
        self == Role::Admin
    }
}

/// A role held over a subtree (or everything) for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Row id.
    pub id: i64,
    /// The role.
    pub role: Role,
    /// The root of the subtree; `None` for everything.
    pub org: Option<OrgId>,
    /// The period.
    pub validity: Validity,
}

impl Grant {
    /// `Văn phòng, ban tổ chức · LS · 21/11/2026 – nay`, given the code of its organization.
    pub fn describe(&self, org: Option<&OrgCode>, lang: Lang) -> String {
        let scope = org.map_or_else(
            || lang.pick("toàn hệ thống", "everything").to_string(),
            ToString::to_string,
        );
        format!(
            "{} · {scope} · {}",
            lang.pick(self.role.vi(), self.role.en()),
            self.validity.period(lang)
        )
    }
}

/// A signed-in account with the grants it holds today.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Account id.
    pub account_id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name to show.
    pub display_name: String,
    /// The person the account belongs to.
    pub person: Option<PersonId>,
    /// The grants valid today.
    pub grants: Vec<Grant>,
}

/// Where a caller may do something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    All,
    /// In the subtrees of these organizations (none: nowhere).
    Under(Vec<OrgId>),
}

impl Caller {
    /// The command line or the system acting with every right (an administrator's grant
    /// over everything); its actions are audited under `name`.
    pub fn system(name: &str) -> Caller {
        Caller {
            account_id: 0,
            username: name.to_string(),
            display_name: name.to_string(),
            person: None,
            grants: vec![Grant {
                id: 0,
                role: Role::Admin,
                org: None,
                validity: Validity::since(Date::constant(2000, 1, 1)),
            }],
        }
    }

    /// Whether any grant allows `action` somewhere.
    pub fn can(&self, action: Action) -> bool {
        self.grants.iter().any(|g| g.role.allows(action))
    }

    /// Whether the caller holds `role` today.
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Where the caller may do `action`.
    pub fn scope(&self, action: Action) -> Scope {
        let mut roots = Vec::new();
        for g in self.grants.iter().filter(|g| g.role.allows(action)) {
            match g.org {
                None => return Scope::All,
                Some(o) if !roots.contains(&o) => roots.push(o),
                Some(_) => {}
            }
        }
        Scope::Under(roots)
    }
}

impl App {
    /// The paths of the subtrees where `caller` may do `action` on `on`; `None` for
    /// everywhere. An organization that does not exist that day gives no path.
    pub async fn scope_roots(&self, caller: &Caller, action: Action, on: Date) -> Result<Option<Vec<OrgVersion>>> {
        if caller.scope(action) == Scope::All {
            return Ok(None);
        }
        let mut tx = self.db.read().await?;
        scope_roots(&mut tx, caller, action, on).await
    }

    /// The organization `code` on `on` if `caller` may do `action` there; otherwise the
    /// same "not found" as for a code that does not exist.
    pub async fn org_for(&self, caller: &Caller, action: Action, code: &OrgCode, on: Date) -> Result<OrgVersion> {
        let mut tx = self.db.read().await?;
        org_in_scope(&mut tx, caller, action, code, on).await
    }

    /// Whether `caller` may do `action` on the organization at `path` on `on` (for the
    /// buttons of a page already shown; the action's own route checks again).
    pub async fn allows(&self, caller: &Caller, action: Action, path: &OrgPath, on: Date) -> Result<bool> {
        match caller.scope(action) {
            Scope::All => Ok(true),
            Scope::Under(ids) if ids.is_empty() => Ok(false),
            Scope::Under(_) => {
                let mut tx = self.db.read().await?;
                in_scope(&mut tx, caller, action, path, on).await
            }
        }
    }

    /// Person `id` if `caller` may do `action` on them: they are placed (on `on`, or
    /// last) within the caller's scope, or, to view, they are the caller. Otherwise the
    /// same "not found" as for an id that does not exist.
    pub async fn person_for(&self, caller: &Caller, action: Action, id: PersonId, on: Date) -> Result<PersonId> {
        let mut tx = self.db.read().await?;
        person_in_scope(&mut tx, caller, action, id, on).await
    }
}

/// [`App::org_for`] within a transaction the caller holds.
pub(crate) async fn org_in_scope(
    tx: &mut Tx,
    caller: &Caller,
    action: Action,
    code: &OrgCode,
    on: Date,
) -> Result<OrgVersion> {
    let org = get(tx, code, on).await?;
    if in_scope(tx, caller, action, &org.path, on).await? {
        Ok(org)
    } else {
        Err(AppError::no_org(code.as_str(), on))
    }
}

/// [`App::person_for`] within a transaction the caller holds.
pub(crate) async fn person_in_scope(
    tx: &mut Tx,
    caller: &Caller,
    action: Action,
    id: PersonId,
    on: Date,
) -> Result<PersonId> {
    if action == Action::ViewMembers && caller.person == Some(id) {
        return Ok(id);
    }
    let placements = tx.placements_of(id).await?;
    let current = placements
        .iter()
        .find(|p| p.validity.contains(on))
        .or_else(|| placements.last());
    if let Some(p) = current {
        let day = if p.validity.contains(on) { on } else { p.validity.from };
        if let Some(org) = tx.org_by_id(p.org_id, day).await?
            && in_scope(tx, caller, action, &org.path, day).await?
        {
            return Ok(id);
        }
    }
    Err(AppError::no_person(id))
}

pub(crate) async fn scope_roots(
    tx: &mut Tx,
    caller: &Caller,
    action: Action,
    on: Date,
) -> Result<Option<Vec<OrgVersion>>> {
    match caller.scope(action) {
        Scope::All => Ok(None),
        Scope::Under(ids) => {
            let mut roots = Vec::new();
            for id in ids {
                if let Some(v) = tx.org_by_id(id, on).await? {
                    roots.push(v);
                }
            }
            // A root inside another root adds nothing.
            let all: Vec<OrgPath> = roots.iter().map(|r| r.path.clone()).collect();
            roots.retain(|r| !all.iter().any(|p| *p != r.path && p.contains(&r.path)));
            Ok(Some(roots))
        }
    }
}

/// Whether `path` lies within the subtrees of [`App::scope_roots`] (`None`: everywhere).
pub fn within(roots: &Option<Vec<OrgVersion>>, path: &OrgPath) -> bool {
    roots
        .as_ref()
        .is_none_or(|roots| roots.iter().any(|r| r.path.contains(path)))
}

async fn in_scope(tx: &mut Tx, caller: &Caller, action: Action, path: &OrgPath, on: Date) -> Result<bool> {
    Ok(within(&scope_roots(tx, caller, action, on).await?, path))
}
