//! Nominations (giới thiệu) and their secret ballots (bỏ phiếu kín).
//!
//! A nomination is a sequence of steps, each a ballot at a conference: for example the
//! key-cadre conference, then the executive committee, then the standing committee. The
//! candidates of a step are those who reached the threshold at the step before.
//!
//! How a ballot stays secret, even from an administrator holding the database, the logs
//! and the running server (DESIGN.md, "Ballot secrecy"):
//! - When the office opens a ballot, who is convened and who is present are frozen from
//!   the conference's invitations and attendance, with the base and the threshold.
//! - Voting codes are then printed on slips, as many as people present, and the
//!   vote-counting board hands them out at the door. The server makes the codes, shows
//!   them once on the sheet to print, and keeps only their SHA-256: it never knows who
//!   took which slip, so nothing it holds can name the holder of a code.
//! - A voter types or scans the code on any phone, without signing in. The code is burned
//!   and the choices are stored under a random id, with no time, no account and no code,
//!   in the same transaction. Nothing about a vote is written to the audit log or to the
//!   server's log; the audit log has the opening, the slips printed (a count), the closing
//!   and the locked results.
//! - The voter gets a receipt derived from the code. Once the ballot closes, the receipt
//!   shows that a ballot with that code was counted, and says nothing of what it chose.
//!
//! Paper ballots are counted by the board, who type each candidate's counts; dangbo
//! checks that issued ≥ returned ≥ valid and that every candidate's counts add up.

use crate::access::{Action, Caller, person_in_scope, scope_roots, within};
use crate::members::find_in;
use crate::{App, AppError, Result, hex, random_bytes};
use dangbo_domain::ballot::{
    BallotKind, Base, CandidateCount, Outcome, Share, Totals, check_choices, check_count, credential_code,
    normalize_code, outcome,
};
use dangbo_domain::date::{long, short};
use dangbo_domain::member::PersonId;
use dangbo_domain::org::OrgCode;
use dangbo_domain::planning::Finding;
use dangbo_domain::{Date, Lang};
use dangbo_store::{BallotRow, CandidateRow, ConferenceRow, Invitation, NominationRow, OrgVersion, Tx};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// The most people a ballot can convene (a subtree invitation is resolved to people).
const MAX_CONVENED: i64 = 5_000;

/// A nomination as typed in a form.
#[derive(Debug, Clone, Default)]
pub struct NominationInput {
    /// The organization's code.
    pub org: String,
    /// What it is for.
    pub title: String,
    /// The planning list it nominates for, if any (its id).
    pub plan_list: String,
    /// The steps, one per line: the conference that votes at each.
    pub steps: String,
}

/// A ballot's settings as typed in a form, while it is a draft.
#[derive(Debug, Clone, Default)]
pub struct BallotSettings {
    /// The conference that votes, in words.
    pub name: String,
    /// The conference's id in dangbo, whose invitations and attendance are used.
    pub conference: String,
    /// `electronic` or `paper`.
    pub mode: String,
    /// `approve` or `choose`.
    pub kind: String,
    /// For `choose`: at most how many.
    pub max_choices: String,
    /// `convened`, `present` or `valid`.
    pub base: String,
    /// `gt1/2` or `ge2/3`.
    pub threshold: String,
    /// A confidence vote: two thirds of those convened must be present.
    pub quorum: bool,
    /// The board's sign-in names, separated by commas or lines.
    pub board: String,
    /// The candidates of the first step: party card numbers or citizen IDs, one per line.
    /// Empty for a later step: its candidates come from the step before.
    pub candidates: String,
}

/// A candidate with their result once counted.
#[derive(Debug, Clone)]
pub struct CandidateResult {
    /// The candidate.
    pub candidate: CandidateRow,
    /// The result on the frozen base, once counted.
    pub outcome: Option<Outcome>,
}

/// A ballot with all its page shows.
#[derive(Debug, Clone)]
pub struct BallotView {
    /// The ballot.
    pub ballot: BallotRow,
    /// Its nomination.
    pub nomination: NominationRow,
    /// The nomination's organization.
    pub org: OrgVersion,
    /// The conference, if set.
    pub conference: Option<ConferenceRow>,
    /// The vote-counting board: account id, sign-in name, name.
    pub board: Vec<(i64, String, String)>,
    /// The candidates in the order of the paper, with their results once counted.
    pub candidates: Vec<CandidateResult>,
    /// The rule set's findings on the candidates (working age left at the term's start).
    pub findings: Vec<Finding>,
    /// Who was convened and whether present, once open.
    pub convened: Vec<(PersonId, String, bool)>,
    /// The receipts of the ballots counted, once closed (electronic only), sorted.
    pub receipts: Vec<String>,
    /// Whether the caller may change the settings, open it and print slips.
    pub may_manage: bool,
    /// Whether the caller is on the vote-counting board.
    pub may_count: bool,
}

impl BallotView {
    /// Whether every candidate has been counted.
    pub fn counted(&self) -> bool {
        !self.candidates.is_empty() && self.candidates.iter().all(|c| c.outcome.is_some())
    }

    /// How many reached the threshold.
    pub fn reached(&self) -> usize {
        self.candidates
            .iter()
            .filter(|c| c.outcome.as_ref().is_some_and(|o| o.reached))
            .count()
    }
}

/// A ballot as a voter sees it, found by their code.
#[derive(Debug, Clone)]
pub struct VoterBallot {
    /// The ballot's id.
    pub id: i64,
    /// The nomination's title and the conference: what the vote is about.
    pub title: String,
    /// The conference that votes.
    pub name: String,
    /// What the voter does.
    pub kind: BallotKind,
    /// The candidates' names with their year of birth, in the order of the paper.
    pub candidates: Vec<(String, i16)>,
    /// The receipt, when the code has been used already.
    pub used: Option<String>,
}

/// What a voter is told after voting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cast {
    /// The ballot was stored now.
    Counted {
        /// The receipt to check later.
        receipt: String,
    },
    /// The code had been used: its ballot is stored already.
    AlreadyCounted {
        /// The receipt of that ballot.
        receipt: String,
    },
}

fn no_nomination(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có đợt giới thiệu số {id}"),
        what: format!("no nomination number {id}"),
    }
}

fn no_ballot(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có cuộc bỏ phiếu số {id}"),
        what: format!("no ballot number {id}"),
    }
}

fn bad_code() -> AppError {
    AppError::rejected(
        "Mã bỏ phiếu không đúng hoặc cuộc bỏ phiếu không mở. Kiểm tra lại mã in trên phiếu.",
        "The voting code is wrong or its ballot is not open. Check the code printed on the slip.",
    )
}

/// The stored form of a voting code.
fn code_hash(code: &str) -> String {
    hex(&Sha256::digest(format!("dangbo-ballot-code:{code}").as_bytes()))
}

/// The receipt of a code, from its stored hash: the first 10 letters of another hash.
pub fn receipt_of(hash: &str) -> String {
    let h = Sha256::digest(format!("dangbo-ballot-receipt:{hash}").as_bytes());
    let mut bytes = [0u8; 12];
    bytes.copy_from_slice(&h[..12]);
    credential_code(bytes)[..9].to_string()
}

/// The status of a ballot in words.
pub fn status_words(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("draft", Lang::Vi) => "Đang chuẩn bị",
        ("open", Lang::Vi) => "Đang bỏ phiếu",
        ("closed", Lang::Vi) => "Đã kết thúc, đang kiểm phiếu",
        ("locked", Lang::Vi) => "Đã khóa kết quả",
        ("draft", _) => "Being prepared",
        ("open", _) => "Voting",
        ("closed", _) => "Closed, being counted",
        ("locked", _) => "Results locked",
        _ => "?",
    }
}

impl App {
    /// Whether the caller may do `action` over `org` today.
    async fn may(&self, tx: &mut Tx, caller: &Caller, action: Action, org: &OrgVersion) -> Result<bool> {
        if !caller.can(action) {
            return Ok(false);
        }
        let roots = scope_roots(tx, caller, action, self.clock.today()).await?;
        Ok(within(&roots, &org.path))
    }

    /// Creates a nomination with its steps, each a ballot in draft with the common
    /// settings: electronic, agree or disagree, more than half of those convened.
    pub async fn create_nomination(&self, caller: &Caller, input: &NominationInput) -> Result<i64> {
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let today = self.clock.today();
        let org = self.org_for(caller, Action::Plan, &code, today).await?;
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(AppError::rejected(
                "Nhập nội dung giới thiệu (không quá 300 ký tự)",
                "Type what the nomination is for (at most 300 characters)",
            ));
        }
        let steps: Vec<&str> = input.steps.lines().map(str::trim).filter(|s| !s.is_empty()).collect();
        if steps.is_empty() || steps.len() > 10 || steps.iter().any(|s| s.chars().count() > 200) {
            return Err(AppError::rejected(
                "Nhập các bước, mỗi dòng một hội nghị bỏ phiếu (từ 1 đến 10 bước)",
                "Type the steps, one conference that votes per line (1 to 10 steps)",
            ));
        }
        let mut tx = self.db.write().await?;
        let plan_list_id = match input.plan_list.trim() {
            "" => None,
            s => {
                let list = match s.parse::<i64>() {
                    Ok(id) => tx.plan_list(id).await?,
                    Err(_) => None,
                };
                match list {
                    Some(l) if l.org_id == org.id => Some(l.id),
                    _ => {
                        return Err(AppError::rejected(
                            format!("Không có danh sách quy hoạch «{s}» của {}", org.name),
                            format!("{} has no planning list «{s}»", org.name),
                        ));
                    }
                }
            }
        };
        let id = tx
            .insert_nomination(
                &NominationRow {
                    id: 0,
                    org_id: org.id,
                    plan_list_id,
                    title: title.to_string(),
                },
                &self.clock.timestamp(),
            )
            .await?;
        for (i, name) in steps.iter().enumerate() {
            tx.insert_ballot(
                &BallotRow {
                    id: 0,
                    nomination_id: id,
                    step: i as i64 + 1,
                    name: name.to_string(),
                    conference_id: None,
                    mode: "electronic".into(),
                    kind: BallotKind::Approve,
                    base: Base::Convened,
                    threshold: Share::MORE_THAN_HALF,
                    quorum: None,
                    status: "draft".into(),
                    convened: 0,
                    present: 0,
                    totals: Totals::default(),
                    result_hash: None,
                },
                &self.clock.timestamp(),
            )
            .await?;
        }
        self.audit(
            &mut tx,
            "nomination.create",
            &format!("nomination:{id}"),
            &format!("{} — {title}: {}", org.code, steps.join(" → ")),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The nominations of an organization the caller may read plans of.
    pub async fn nominations(&self, caller: &Caller, org: &OrgCode) -> Result<(OrgVersion, Vec<NominationRow>)> {
        let org = self.org_for(caller, Action::ViewPlans, org, self.clock.today()).await?;
        let list = self.db.read().await?.nominations_of(org.id).await?;
        Ok((org, list))
    }

    /// A nomination with its ballots.
    pub async fn nomination(&self, caller: &Caller, id: i64) -> Result<(NominationRow, OrgVersion, Vec<BallotRow>)> {
        let mut tx = self.db.read().await?;
        let n = tx.nomination(id).await?.ok_or_else(|| no_nomination(id))?;
        let org = tx
            .org_by_id(n.org_id, self.clock.today())
            .await?
            .ok_or_else(|| no_nomination(id))?;
        if !self.may(&mut tx, caller, Action::ViewPlans, &org).await? {
            return Err(no_nomination(id));
        }
        let ballots = tx.ballots_of(id).await?;
        Ok((n, org, ballots))
    }

    /// A ballot, if the caller may read the plans of its organization or counts it.
    /// Returns also whether the caller may manage it and whether they count it.
    async fn ballot_access(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(BallotRow, NominationRow, OrgVersion, bool, bool)> {
        let mut tx = self.db.read().await?;
        let b = tx.ballot(id).await?.ok_or_else(|| no_ballot(id))?;
        let n = tx.nomination(b.nomination_id).await?.ok_or_else(|| no_ballot(id))?;
        let org = tx
            .org_by_id(n.org_id, self.clock.today())
            .await?
            .ok_or_else(|| no_ballot(id))?;
        let manage = self.may(&mut tx, caller, Action::Plan, &org).await?;
        let count = tx.board(id).await?.iter().any(|(a, _, _)| *a == caller.account_id);
        if !(manage || count || self.may(&mut tx, caller, Action::ViewPlans, &org).await?) {
            return Err(no_ballot(id));
        }
        Ok((b, n, org, manage, count))
    }

    /// A ballot with its settings, candidates, findings and, once counted, results.
    pub async fn ballot(&self, caller: &Caller, id: i64) -> Result<BallotView> {
        let (ballot, nomination, org, may_manage, may_count) = self.ballot_access(caller, id).await?;
        let mut tx = self.db.read().await?;
        let conference = match ballot.conference_id {
            Some(c) => tx.conference(c).await?,
            None => None,
        };
        let board = tx.board(id).await?;
        let frozen = ballot.frozen();
        let candidates: Vec<CandidateResult> = tx
            .candidates(id)
            .await?
            .into_iter()
            .map(|c| {
                let outcome = c.agree.map(|a| outcome(&frozen, ballot.totals, a.max(0) as u64));
                CandidateResult { candidate: c, outcome }
            })
            .collect();
        let findings = self.candidate_findings(&mut tx, &nomination, &candidates).await?;
        let convened = tx.convened(id).await?;
        let receipts = if matches!(ballot.status.as_str(), "closed" | "locked") && ballot.mode == "electronic" {
            let mut r: Vec<String> = tx.used_credentials(id).await?.iter().map(|h| receipt_of(h)).collect();
            r.sort();
            r
        } else {
            Vec::new()
        };
        drop(tx);
        self.audit_read("ballot.view", &format!("ballot:{id}"), &ballot.status)
            .await?;
        Ok(BallotView {
            ballot,
            nomination,
            org,
            conference,
            board,
            candidates,
            findings,
            convened,
            receipts,
            may_manage,
            may_count,
        })
    }

    /// The working age each candidate has left at the start of the planned term, under
    /// the rule set in force at the nomination.
    async fn candidate_findings(
        &self,
        tx: &mut Tx,
        nomination: &NominationRow,
        candidates: &[CandidateResult],
    ) -> Result<Vec<Finding>> {
        let term_start = match nomination.plan_list_id {
            Some(l) => match tx.plan_list(l).await? {
                Some(list) => Date::constant(list.term.from_year, 1, 1),
                None => self.clock.today(),
            },
            None => self.clock.today(),
        };
        let rules = self.rules_in_force(tx, self.clock.today()).await?;
        Ok(candidates
            .iter()
            .filter_map(|c| {
                rules.check_working_age(&c.candidate.name, c.candidate.gender, c.candidate.birth, term_start)
            })
            .collect())
    }

    /// Changes a draft ballot's settings, its board and (first step) its candidates.
    pub async fn configure_ballot(&self, caller: &Caller, id: i64, s: &BallotSettings) -> Result<()> {
        let (mut b, n, org, manage, _) = self.ballot_access(caller, id).await?;
        if !manage {
            return Err(no_ballot(id));
        }
        if b.status != "draft" {
            return Err(frozen_already());
        }
        let name = s.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::rejected(
                "Nhập tên hội nghị bỏ phiếu",
                "Type the name of the conference that votes",
            ));
        }
        b.name = name.to_string();
        let mut tx = self.db.write().await?;
        b.conference_id = match s.conference.trim() {
            "" => None,
            c => {
                let conf = match c.parse::<i64>() {
                    Ok(c) => tx.conference(c).await?,
                    Err(_) => None,
                };
                match conf {
                    Some(conf) if conf.org_id == org.id => Some(conf.id),
                    _ => {
                        return Err(AppError::rejected(
                            format!("Không có hội nghị số «{c}» do {} tổ chức", org.name),
                            format!("{} holds no conference number «{c}»", org.name),
                        ));
                    }
                }
            }
        };
        b.mode = match s.mode.trim() {
            m @ ("electronic" | "paper") => m.to_string(),
            _ => {
                return Err(AppError::rejected(
                    "Chọn hình thức bỏ phiếu",
                    "Choose how the vote is cast",
                ));
            }
        };
        b.kind = match s.kind.trim() {
            "approve" => BallotKind::Approve,
            "choose" => {
                let max = s
                    .max_choices
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        AppError::rejected(
                            format!("Số người được chọn «{}» phải là số nguyên dương", s.max_choices.trim()),
                            format!(
                                "The number to choose «{}» must be a positive whole number",
                                s.max_choices.trim()
                            ),
                        )
                    })?;
                BallotKind::Choose(max)
            }
            _ => return Err(AppError::rejected("Chọn cách ghi phiếu", "Choose what the voter does")),
        };
        b.base = Base::from_code(&s.base)
            .ok_or_else(|| AppError::rejected("Chọn cơ sở tính tỷ lệ", "Choose what percentages are taken of"))?;
        b.threshold = Share::OFFERED
            .iter()
            .find(|(c, _)| *c == s.threshold.trim())
            .map(|(_, sh)| *sh)
            .ok_or_else(|| AppError::rejected("Chọn ngưỡng đạt", "Choose the threshold"))?;
        b.quorum = s.quorum.then_some(Share::TWO_THIRDS);
        let mut accounts = Vec::new();
        for name in s.board.split([',', '\n', ';']).map(str::trim).filter(|s| !s.is_empty()) {
            match tx.account_by_username(name).await? {
                Some(a) if !a.disabled => accounts.push(a.id),
                _ => {
                    return Err(AppError::rejected(
                        format!("Không có tài khoản «{name}» cho Ban kiểm phiếu"),
                        format!("No account «{name}» for the vote-counting board"),
                    ));
                }
            }
        }
        accounts.sort_unstable();
        accounts.dedup();
        let mut people = Vec::new();
        let typed: Vec<&str> = s.candidates.lines().map(str::trim).filter(|s| !s.is_empty()).collect();
        if b.step > 1 && !typed.is_empty() {
            return Err(AppError::rejected(
                "Người được giới thiệu ở bước này là những người đạt ngưỡng ở bước trước; không nhập tay",
                "The candidates of this step are those who reached the threshold at the step before",
            ));
        }
        for key in &typed {
            // Within the write transaction: asking another connection while holding the
            // write lock could wait for a writer that waits for this one.
            let p = find_in(&mut tx, key).await.map_err(AppError::typed)?;
            person_in_scope(&mut tx, caller, Action::Plan, p, self.clock.today())
                .await
                .map_err(AppError::typed)?;
            if people.contains(&p) {
                return Err(AppError::rejected(
                    format!("«{key}» có hai lần trong danh sách"),
                    format!("«{key}» is listed twice"),
                ));
            }
            people.push(p);
        }
        if !tx.update_ballot(&b).await? {
            return Err(frozen_already());
        }
        tx.set_board(id, &accounts).await?;
        if b.step == 1 {
            tx.set_candidates(id, &people).await?;
        }
        self.audit(
            &mut tx,
            "ballot.configure",
            &format!("ballot:{id}"),
            &format!(
                "{} bước {}: {}, {}, {} {}, {} người giới thiệu, ban kiểm phiếu {}",
                n.title,
                b.step,
                b.mode,
                b.kind.describe(Lang::Vi),
                b.threshold.describe(Lang::Vi),
                b.base.vi(),
                people.len(),
                accounts.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a ballot: takes the candidates of a later step from the step before, and
    /// freezes who is convened (the conference's invitations) and who is present (its
    /// attendance), with the base, the threshold and the quorum.
    pub async fn open_ballot(&self, caller: &Caller, id: i64) -> Result<()> {
        let (b, n, _, manage, _) = self.ballot_access(caller, id).await?;
        if !manage {
            return Err(no_ballot(id));
        }
        if b.status != "draft" {
            return Err(frozen_already());
        }
        let mut tx = self.db.write().await?;
        let conf_id = b.conference_id.ok_or_else(|| {
            AppError::rejected(
                "Chọn hội nghị bỏ phiếu trước khi mở: danh sách triệu tập và có mặt lấy từ hội nghị",
                "Choose the conference first: who is convened and present comes from it",
            )
        })?;
        let conf = tx.conference(conf_id).await?.ok_or_else(|| no_ballot(id))?;
        if tx.board(id).await?.is_empty() {
            return Err(AppError::rejected(
                "Chưa có Ban kiểm phiếu",
                "The vote-counting board is not named",
            ));
        }
        if b.step > 1 {
            let before = tx
                .ballots_of(n.id)
                .await?
                .into_iter()
                .find(|p| p.step == b.step - 1)
                .ok_or_else(|| no_ballot(id))?;
            if before.status != "locked" {
                return Err(AppError::rejected(
                    format!("Bước trước ({}) chưa khóa kết quả", before.name),
                    format!("The step before ({}) has not locked its results", before.name),
                ));
            }
            let frozen = before.frozen();
            let reached: Vec<PersonId> = tx
                .candidates(before.id)
                .await?
                .into_iter()
                .filter(|c| {
                    c.agree
                        .is_some_and(|a| outcome(&frozen, before.totals, a.max(0) as u64).reached)
                })
                .map(|c| c.person)
                .collect();
            tx.set_candidates(id, &reached).await?;
        }
        let candidates = tx.candidates(id).await?;
        if candidates.is_empty() {
            return Err(AppError::rejected(
                "Chưa có người được giới thiệu",
                "There are no candidates",
            ));
        }
        let invited = self.convened_by(&mut tx, &conf).await?;
        let here: HashSet<PersonId> = tx.attendees(conf_id).await?.into_iter().collect();
        let convened: Vec<(PersonId, bool)> = invited.iter().map(|p| (*p, here.contains(p))).collect();
        let frozen = dangbo_domain::ballot::Frozen {
            convened: convened.len() as u64,
            present: convened.iter().filter(|(_, h)| *h).count() as u64,
            ..b.frozen()
        };
        frozen
            .check_quorum(Lang::Vi)
            .map_err(|e| AppError::rejected(e.vi(), e.to_string()))?;
        if frozen.present == 0 {
            return Err(AppError::rejected(
                "Chưa có người được triệu tập nào điểm danh có mặt tại hội nghị",
                "None of those convened has checked in at the conference",
            ));
        }
        if !tx.open_ballot(id, &convened).await? {
            return Err(frozen_already());
        }
        self.audit(
            &mut tx,
            "ballot.open",
            &format!("ballot:{id}"),
            &format!(
                "{}: triệu tập {}, có mặt {}, {} người giới thiệu; ngưỡng {} {}",
                b.name,
                frozen.convened,
                frozen.present,
                candidates.len(),
                b.threshold.describe(Lang::Vi),
                b.base.vi()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The people a conference convenes: those invited by name, the members of the
    /// bodies invited on the day, and the people placed in the subtrees invited.
    async fn convened_by(&self, tx: &mut Tx, conf: &ConferenceRow) -> Result<Vec<PersonId>> {
        let mut people = Vec::new();
        let mut seen = HashSet::new();
        for inv in tx.invitations(conf.id).await? {
            let found: Vec<PersonId> = match inv {
                Invitation::Person(p) => vec![p],
                Invitation::Body(b) => tx
                    .positions_in_body(dangbo_domain::cadre::BodyId(b))
                    .await?
                    .into_iter()
                    .filter(|p| p.validity.contains(conf.held_on))
                    .map(|p| p.person_id)
                    .collect(),
                Invitation::Subtree(o) => match tx.org_by_id(o, conf.held_on).await? {
                    Some(v) => tx
                        .roster(&v.path, conf.held_on, MAX_CONVENED + 1)
                        .await?
                        .into_iter()
                        .map(|r| r.0)
                        .collect(),
                    None => Vec::new(),
                },
            };
            for p in found {
                if seen.insert(p) {
                    people.push(p);
                }
            }
        }
        if people.len() as i64 > MAX_CONVENED {
            return Err(AppError::rejected(
                format!("Hội nghị triệu tập hơn {MAX_CONVENED} người; bỏ phiếu cần danh sách triệu tập cụ thể"),
                format!("The conference convenes more than {MAX_CONVENED}; a ballot needs a definite list"),
            ));
        }
        Ok(people)
    }

    /// Makes `count` voting codes for an open electronic ballot, for the board to print
    /// and hand out; no more in all than people present. The codes are returned once and
    /// never stored: only their hashes are. The audit log records the count only.
    pub async fn issue_slips(&self, caller: &Caller, id: i64, count: &str) -> Result<Vec<String>> {
        let (b, _, _, manage, counts) = self.ballot_access(caller, id).await?;
        if !(manage || counts) {
            return Err(no_ballot(id));
        }
        if b.status != "open" || b.mode != "electronic" {
            return Err(AppError::rejected(
                "Chỉ in phiếu mã khi cuộc bỏ phiếu điện tử đang mở",
                "Slips with codes are printed only while an electronic ballot is open",
            ));
        }
        let left = (b.present.max(0) as u64).saturating_sub(b.totals.issued);
        let n: u64 = match count.trim() {
            "" => left,
            s => s.parse().map_err(|_| {
                AppError::rejected(
                    format!("Số phiếu «{s}» phải là số nguyên"),
                    format!("The number of slips «{s}» must be a whole number"),
                )
            })?,
        };
        if n == 0 || n > left {
            return Err(AppError::rejected(
                format!(
                    "Có thể in thêm từ 1 đến {left} phiếu (có mặt {}, đã in {})",
                    b.present, b.totals.issued
                ),
                format!(
                    "Between 1 and {left} more slips can be printed ({} present, {} printed)",
                    b.present, b.totals.issued
                ),
            ));
        }
        let mut codes = Vec::with_capacity(n as usize);
        for _ in 0..n {
            codes.push(credential_code(random_bytes::<12>()?));
        }
        let hashes: Vec<String> = codes.iter().map(|c| code_hash(c)).collect();
        let mut tx = self.db.write().await?;
        tx.insert_credentials(id, &hashes).await?;
        self.audit(&mut tx, "ballot.slips", &format!("ballot:{id}"), &format!("{n} phiếu"))
            .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// The ballot a voting code opens, for whoever holds it; nothing is recorded.
    pub async fn ballot_for_code(&self, code: &str) -> Result<VoterBallot> {
        let code = normalize_code(code).ok_or_else(bad_code)?;
        let mut tx = self.db.read().await?;
        let hash = code_hash(&code);
        let (id, used) = tx.credential(&hash).await?.ok_or_else(bad_code)?;
        let b = tx.ballot(id).await?.ok_or_else(bad_code)?;
        if b.status != "open" {
            return Err(bad_code());
        }
        let n = tx.nomination(b.nomination_id).await?.ok_or_else(bad_code)?;
        let candidates = tx
            .candidates(id)
            .await?
            .into_iter()
            .map(|c| (c.name, c.birth.year()))
            .collect();
        Ok(VoterBallot {
            id,
            title: n.title,
            name: b.name,
            kind: b.kind,
            candidates,
            used: used.then(|| receipt_of(&hash)),
        })
    }

    /// Casts the ballot of a voting code: `choices` holds `y` or `n` for each candidate
    /// in the order of the paper. Stored once per code, with nothing that links it to
    /// the code, the voter or the moment; not audited, not logged.
    pub async fn cast(&self, code: &str, choices: &str) -> Result<Cast> {
        let code = normalize_code(code).ok_or_else(bad_code)?;
        let hash = code_hash(&code);
        let receipt = receipt_of(&hash);
        let mut tx = self.db.write().await?;
        let (id, used) = tx.credential(&hash).await?.ok_or_else(bad_code)?;
        if used {
            return Ok(Cast::AlreadyCounted { receipt });
        }
        let b = tx.ballot(id).await?.ok_or_else(bad_code)?;
        if b.status != "open" {
            return Err(bad_code());
        }
        let n = tx.candidates(id).await?.len();
        check_choices(b.kind, n, choices).map_err(|m| AppError::rejected(m.clone(), m))?;
        let cast_id = hex(&random_bytes::<16>()?);
        if !tx.cast(id, &hash, &cast_id, choices).await? {
            return Err(bad_code());
        }
        tx.commit().await?;
        Ok(Cast::Counted { receipt })
    }

    /// Whether a receipt is among the ballots counted in a closed ballot.
    pub async fn check_receipt(&self, ballot: i64, receipt: &str) -> Result<Option<bool>> {
        let receipt = receipt.trim().to_ascii_uppercase();
        let mut tx = self.db.read().await?;
        let b = tx.ballot(ballot).await?.ok_or_else(|| no_ballot(ballot))?;
        if !matches!(b.status.as_str(), "closed" | "locked") {
            return Ok(None);
        }
        Ok(Some(
            tx.used_credentials(ballot)
                .await?
                .iter()
                .any(|h| receipt_of(h) == receipt),
        ))
    }

    /// Closes an open ballot. An electronic ballot is counted at once from the ballots
    /// cast; a paper one waits for the board's count.
    pub async fn close_ballot(&self, caller: &Caller, id: i64) -> Result<()> {
        let (b, _, _, manage, counts) = self.ballot_access(caller, id).await?;
        if !(manage || counts) {
            return Err(no_ballot(id));
        }
        let mut tx = self.db.write().await?;
        if !tx.close_ballot(id).await? {
            return Err(AppError::rejected("Cuộc bỏ phiếu không mở", "The ballot is not open"));
        }
        let mut detail = b.name.clone();
        if b.mode == "electronic" {
            let candidates = tx.candidates(id).await?;
            let casts = tx.casts(id).await?;
            let mut counts: Vec<(PersonId, u64, u64)> = candidates.iter().map(|c| (c.person, 0, 0)).collect();
            for c in &casts {
                for (slot, ch) in counts.iter_mut().zip(c.chars()) {
                    if ch == 'y' {
                        slot.1 += 1;
                    } else {
                        slot.2 += 1;
                    }
                }
            }
            let totals = Totals {
                issued: b.totals.issued,
                returned: casts.len() as u64,
                valid: casts.len() as u64,
            };
            tx.set_count(id, totals, &counts).await?;
            detail = format!("{detail}: phát ra {}, thu về {}", totals.issued, totals.returned);
        }
        self.audit(&mut tx, "ballot.close", &format!("ballot:{id}"), &detail)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The board's count of a closed paper ballot: totals, and for each candidate in the
    /// order of the paper, the agree and disagree counts as typed.
    pub async fn enter_count(
        &self,
        caller: &Caller,
        id: i64,
        totals: [&str; 3],
        counts: &[(String, String)],
    ) -> Result<()> {
        let (b, _, _, _, board) = self.ballot_access(caller, id).await?;
        if !board {
            return Err(AppError::rejected(
                "Chỉ Ban kiểm phiếu nhập kết quả kiểm phiếu",
                "Only the vote-counting board enters the count",
            ));
        }
        if b.status != "closed" || b.mode != "paper" {
            return Err(AppError::rejected(
                "Nhập kết quả khi cuộc bỏ phiếu bằng giấy đã kết thúc và chưa khóa",
                "The count is entered once a paper ballot is closed, before it is locked",
            ));
        }
        let num = |label: &str, s: &str| -> Result<u64> {
            s.trim().parse().map_err(|_| {
                AppError::rejected(
                    format!("{label}: «{}» phải là số nguyên không âm", s.trim()),
                    format!("{label}: «{}» must be a whole number", s.trim()),
                )
            })
        };
        let t = Totals {
            issued: num("Số phiếu phát ra", totals[0])?,
            returned: num("Số phiếu thu về", totals[1])?,
            valid: num("Số phiếu hợp lệ", totals[2])?,
        };
        let mut tx = self.db.write().await?;
        let candidates = tx.candidates(id).await?;
        if counts.len() != candidates.len() {
            return Err(AppError::rejected(
                "Nhập số phiếu của từng người được giới thiệu",
                "Enter the counts of every candidate",
            ));
        }
        let mut typed = Vec::new();
        for (c, (a, d)) in candidates.iter().zip(counts) {
            typed.push(CandidateCount {
                name: c.name.clone(),
                agree: num(&format!("{}: đồng ý", c.name), a)?,
                disagree: num(&format!("{}: không đồng ý", c.name), d)?,
            });
        }
        check_count(b.kind, &b.frozen(), t, &typed).map_err(|e| AppError::rejected(e.vi(), e.to_string()))?;
        let rows: Vec<(PersonId, u64, u64)> = candidates
            .iter()
            .zip(&typed)
            .map(|(c, t)| (c.person, t.agree, t.disagree))
            .collect();
        tx.set_count(id, t, &rows).await?;
        self.audit(
            &mut tx,
            "ballot.count",
            &format!("ballot:{id}"),
            &format!("phát ra {}, thu về {}, hợp lệ {}", t.issued, t.returned, t.valid),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Locks the results of a counted ballot: no change after this. Their SHA-256 goes
    /// into the audit chain, so a later change to the stored counts shows.
    pub async fn lock_ballot(&self, caller: &Caller, id: i64) -> Result<String> {
        let (b, _, _, _, board) = self.ballot_access(caller, id).await?;
        if !board {
            return Err(AppError::rejected(
                "Chỉ Ban kiểm phiếu khóa kết quả",
                "Only the vote-counting board locks the results",
            ));
        }
        let mut tx = self.db.write().await?;
        let candidates = tx.candidates(id).await?;
        if b.status != "closed" || candidates.iter().any(|c| c.agree.is_none()) {
            return Err(AppError::rejected(
                "Chỉ khóa kết quả khi cuộc bỏ phiếu đã kết thúc và đã kiểm phiếu xong",
                "Results are locked once the ballot is closed and counted",
            ));
        }
        let hash = results_hash(&b, &candidates);
        if !tx.lock_ballot(id, &hash).await? {
            return Err(frozen_already());
        }
        self.audit(
            &mut tx,
            "ballot.lock",
            &format!("ballot:{id}"),
            &format!("sha256:{hash}"),
        )
        .await?;
        tx.commit().await?;
        Ok(hash)
    }

    /// The minutes of the vote count (biên bản kiểm phiếu) of a locked ballot.
    pub async fn minutes(&self, caller: &Caller, id: i64) -> Result<Minutes> {
        let v = self.ballot(caller, id).await?;
        if v.ballot.status != "locked" {
            return Err(AppError::rejected(
                "Biên bản kiểm phiếu có khi kết quả đã khóa",
                "The minutes exist once the results are locked",
            ));
        }
        let mut tx = self.db.read().await?;
        let superior = match v.org.parent {
            Some(p) => tx.org_by_id(p, self.clock.today()).await?.map(|o| o.name.to_string()),
            None => None,
        };
        let day = v.conference.as_ref().map_or_else(|| self.clock.today(), |c| c.held_on);
        Ok(Minutes {
            superior,
            day_line: long(day),
            day: short(day),
            view: v,
        })
    }
}

/// The minutes of a vote count, ready to lay out in the party's document format.
#[derive(Debug, Clone)]
pub struct Minutes {
    /// The superior organization's name, for the top left.
    pub superior: Option<String>,
    /// "ngày 15 tháng 4 năm 2022".
    pub day_line: String,
    /// `15/04/2022`.
    pub day: String,
    /// The ballot.
    pub view: BallotView,
}

fn frozen_already() -> AppError {
    AppError::rejected(
        "Cuộc bỏ phiếu đã mở: các thiết lập đã cố định, không sửa được",
        "The ballot has opened: its settings are frozen",
    )
}

/// The SHA-256 of a ballot's results in a fixed text form.
fn results_hash(b: &BallotRow, candidates: &[CandidateRow]) -> String {
    let mut s = format!(
        "ballot:{}|convened:{}|present:{}|base:{}|threshold:{}|issued:{}|returned:{}|valid:{}",
        b.id,
        b.convened,
        b.present,
        b.base.code(),
        b.threshold.code(),
        b.totals.issued,
        b.totals.returned,
        b.totals.valid
    );
    for c in candidates {
        s.push_str(&format!(
            "\n{}:{}:{}:{}",
            c.ordinal,
            c.person.0,
            c.agree.unwrap_or(-1),
            c.disagree.unwrap_or(-1)
        ));
    }
    hex(&Sha256::digest(s.as_bytes()))
}
