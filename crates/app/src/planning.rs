//! Cadre planning (quy hoạch cán bộ): lists per organization, term and body or title; adding
//! cadres and taking them out with a reason and a decision, never rewriting history; the
//! plan as it stood on any day, a review round's counts in seed 003's words, and the
//! findings of the rule set in force. Planning data is among the most sensitive here:
//! every view is audited.

use crate::access::{Action, Caller, scope_roots, within};
use crate::{App, AppError, Result};
use dangbo_domain::cadre::{BodyKind, Term, Title};
use dangbo_domain::date::{parse_date, short};
use dangbo_domain::member::PersonId;
use dangbo_domain::org::OrgCode;
use dangbo_domain::planning::{
    Finding, PlanningRules, RULE_PARAMS, RemovalReason, RoundCounts, Severity, round_counts, rules_on, shipped_rules,
};
use dangbo_domain::{Date, Invalid};
use dangbo_store::{OrgVersion, PlanEntryRow, PlanListRow, Tx};

/// A planning list as typed in a form.
#[derive(Debug, Clone, Default)]
pub struct PlanListInput {
    /// The organization's code.
    pub org: String,
    /// The term's ordinal (khóa): 15 for khóa XV.
    pub term_ordinal: String,
    /// The term's years, `2025-2030`.
    pub term_years: String,
    /// A body (`BCH`, `BTV`, `UBKT`) or a title (`Bí thư`, `Phó Bí thư`…).
    pub target: String,
    /// The body's prescribed size, or the title's number of seats.
    pub size: String,
}

/// A plan as it stood on a day.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The list.
    pub list: PlanListRow,
    /// Its organization.
    pub org: OrgVersion,
    /// What it plans for, in words.
    pub target: String,
    /// The day shown.
    pub on: Date,
    /// The entries in the plan that day.
    pub entries: Vec<PlanEntryRow>,
    /// The findings of the rule set in force that day.
    pub findings: Vec<Finding>,
    /// The shares of women, young and ethnic-minority cadres, against their targets.
    pub shares: Vec<String>,
    /// The rule set in force that day.
    pub rules: PlanningRules,
}

/// When and by what decision a plan changes, as typed, and the reason for an override
/// when the change breaks a hard rule (empty otherwise).
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanChange<'a> {
    /// The day, `dd/mm/yyyy`.
    pub on: &'a str,
    /// The decision's number: `45-QĐ/ĐU`.
    pub decision: &'a str,
    /// Why the change is made although it breaks a hard rule.
    pub override_reason: &'a str,
}

/// A rule set as typed by an administrator.
#[derive(Debug, Clone, Default)]
pub struct RuleSetInput {
    /// The set being edited (its source as stored), or empty for a new one.
    pub editing: String,
    /// The regulation's number.
    pub source: String,
    /// The first day in force, `dd/mm/yyyy`.
    pub from: String,
    /// Each parameter of [`RULE_PARAMS`] by key, as typed.
    pub params: Vec<(String, String)>,
    /// The keys not confirmed, separated by commas.
    pub unconfirmed: String,
    /// A note on the source.
    pub note: String,
}

fn no_list(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có danh sách quy hoạch số {id}"),
        what: format!("no planning list number {id}"),
    }
}

/// `body:standing` → "Ban Thường vụ"; `title:Bí thư` → "Bí thư".
fn target_words(target: &str) -> String {
    match target.split_once(':') {
        Some(("body", k)) => BodyKind::from_code(k).map_or_else(|| k.to_string(), |b| b.vi().to_string()),
        Some((_, t)) => t.to_string(),
        None => target.to_string(),
    }
}

impl App {
    /// The list `id` with its organization, if the caller may do `action` over it.
    async fn plan_list_for(
        &self,
        caller: &Caller,
        id: i64,
        action: Action,
        on: Date,
    ) -> Result<(PlanListRow, OrgVersion)> {
        let mut tx = self.db.read().await?;
        let list = tx.plan_list(id).await?.ok_or_else(|| no_list(id))?;
        let today = self.clock.today();
        let now = tx.org_by_id(list.org_id, today).await?;
        // Who first: outside the caller's scope (today), nothing else is said.
        let roots = scope_roots(&mut tx, caller, action, today).await?;
        if !caller.can(action) || !now.as_ref().is_some_and(|o| within(&roots, &o.path)) {
            return Err(no_list(id));
        }
        // A plan is read, and changed, on a day its organization existed.
        match tx.org_by_id(list.org_id, on).await? {
            Some(org) => Ok((list, org)),
            None => {
                let name = now.map(|o| o.name.to_string()).unwrap_or_default();
                Err(AppError::rejected(
                    format!("Ngày {}: {name} chưa được thành lập hoặc đã giải thể", short(on)),
                    format!("On {}, {name} did not exist", short(on)),
                ))
            }
        }
    }

    /// The planning lists of an organization, with what each plans for in words.
    pub async fn plan_lists(&self, caller: &Caller, org: &OrgCode) -> Result<(OrgVersion, Vec<(PlanListRow, String)>)> {
        let org = self.org_for(caller, Action::ViewPlans, org, self.clock.today()).await?;
        let lists = self.db.read().await?.plan_lists_of(org.id).await?;
        let lists = lists
            .into_iter()
            .map(|l| {
                let t = target_words(&l.target);
                (l, t)
            })
            .collect();
        Ok((org, lists))
    }

    /// Creates a planning list for a body or a title of an organization in a term.
    pub async fn create_plan_list(&self, caller: &Caller, input: &PlanListInput) -> Result<i64> {
        let code = OrgCode::parse(&input.org).map_err(|e| AppError::field("Tổ chức", e))?;
        let today = self.clock.today();
        let org = self.org_for(caller, Action::Plan, &code, today).await?;
        let ordinal: u16 = input.term_ordinal.trim().parse().map_err(|_| {
            AppError::rejected(
                format!("Khóa «{}» phải là một số, ví dụ 15", input.term_ordinal.trim()),
                format!("The term «{}» must be a number, e.g. 15", input.term_ordinal.trim()),
            )
        })?;
        let (from, to) = input
            .term_years
            .split_once(['-', '–'])
            .and_then(|(a, b)| Some((a.trim().parse::<i16>().ok()?, b.trim().parse::<i16>().ok()?)))
            .ok_or_else(|| {
                AppError::rejected(
                    format!("Nhiệm kỳ «{}» phải viết như 2025-2030", input.term_years.trim()),
                    format!(
                        "The term's years «{}» must read like 2025-2030",
                        input.term_years.trim()
                    ),
                )
            })?;
        let term = Term::new(ordinal, from, to).map_err(|e| AppError::field("Nhiệm kỳ", e))?;
        let target = match BodyKind::parse_text(&input.target) {
            Some(b) => format!("body:{}", b.code()),
            None => format!(
                "title:{}",
                Title::parse(&input.target)
                    .map_err(|e| AppError::field("Chức danh", e))?
                    .as_str()
            ),
        };
        let size: i64 = input.size.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            AppError::rejected(
                format!("Số lượng «{}» phải là số nguyên dương", input.size.trim()),
                format!("The size «{}» must be a positive whole number", input.size.trim()),
            )
        })?;
        let row = PlanListRow {
            id: 0,
            org_id: org.id,
            term,
            target,
            size,
        };
        let mut tx = self.db.write().await?;
        let id = tx.insert_plan_list(&row, &self.clock.timestamp()).await?;
        self.audit(
            &mut tx,
            "plan.create",
            &format!("plan:{id}"),
            &format!("{} {} — {}", org.code, term.label_vi(), target_words(&row.target)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a cadre (by party card number or citizen ID) to a plan from a day, by a
    /// decision. The cadre must be in the caller's scope and not already in the plan. A
    /// change that breaks a hard rule needs `override_reason` (see [`App::guard`]).
    pub async fn add_to_plan(&self, caller: &Caller, id: i64, cadre: &str, change: PlanChange<'_>) -> Result<()> {
        let PlanChange {
            on,
            decision,
            override_reason,
        } = change;
        // Who first: outside the caller's scope, nothing else is said.
        self.plan_list_for(caller, id, Action::Plan, self.clock.today()).await?;
        let on = parse_date(on).map_err(|e| AppError::field("Ngày", e))?;
        self.not_future(on)?;
        let (list, _) = self.plan_list_for(caller, id, Action::Plan, on).await?;
        let decision = decision_text(decision)?;
        let person = self.find_person(cadre).await.map_err(AppError::typed)?;
        self.person_for(caller, Action::Plan, person, on)
            .await
            .map_err(AppError::typed)?;
        let mut tx = self.db.write().await?;
        let entries = tx.plan_entries(list.id).await?;
        if let Some(e) = entries
            .iter()
            .find(|e| e.entry.person == person && (e.entry.removed.is_none() || e.entry.on(on)))
        {
            return Err(AppError::rejected(
                format!("{} đã có trong danh sách quy hoạch này", e.name),
                format!("{} is already in this plan", e.name),
            ));
        }
        let rules = self.rules_in_force(&mut tx, on).await?;
        let (_, before, _) = check_plan(&mut tx, &rules, &list, on).await?;
        tx.insert_plan_entry(list.id, person, on, &decision, &self.clock.timestamp())
            .await?;
        self.guard(&mut tx, &list, on, &before, override_reason).await?;
        self.audit(
            &mut tx,
            "plan.add",
            &format!("plan:{id}"),
            &format!("person:{} từ ngày {} theo {decision}", person.0, short(on)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a cadre out of a plan from a day, with a reason and the decision.
    pub async fn remove_from_plan(
        &self,
        caller: &Caller,
        id: i64,
        person: PersonId,
        reason: &str,
        change: PlanChange<'_>,
    ) -> Result<()> {
        let PlanChange {
            on,
            decision,
            override_reason,
        } = change;
        self.plan_list_for(caller, id, Action::Plan, self.clock.today()).await?;
        let on = parse_date(on).map_err(|e| AppError::field("Ngày", e))?;
        self.not_future(on)?;
        let (list, _) = self.plan_list_for(caller, id, Action::Plan, on).await?;
        let reason = RemovalReason::parse_text(reason).ok_or_else(|| {
            AppError::rejected(
                "Chọn lý do đưa ra khỏi quy hoạch",
                "Choose why the cadre is taken out of the plan",
            )
        })?;
        let decision = decision_text(decision)?;
        let mut tx = self.db.write().await?;
        let entries = tx.plan_entries(list.id).await?;
        let e = entries
            .iter()
            .find(|e| e.entry.person == person && e.entry.removed.is_none())
            .ok_or_else(|| {
                AppError::rejected(
                    "Đồng chí này không có trong danh sách quy hoạch",
                    "This cadre is not in the plan",
                )
            })?;
        if on <= e.entry.added_on {
            return Err(AppError::rejected(
                format!(
                    "Ngày đưa ra phải sau ngày bổ sung vào quy hoạch ({})",
                    short(e.entry.added_on)
                ),
                format!(
                    "The day must be after the cadre was added ({})",
                    short(e.entry.added_on)
                ),
            ));
        }
        let rules = self.rules_in_force(&mut tx, on).await?;
        let (_, before, _) = check_plan(&mut tx, &rules, &list, on).await?;
        tx.close_plan_entry(e.id, on, reason, &decision).await?;
        self.guard(&mut tx, &list, on, &before, override_reason).await?;
        self.audit(
            &mut tx,
            "plan.remove",
            &format!("plan:{id}"),
            &format!(
                "person:{} từ ngày {}: {} ({decision})",
                person.0,
                short(on),
                reason.vi()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The plan as it stood on `on`, with the findings of the rule set in force then.
    /// Audited.
    pub async fn plan(&self, caller: &Caller, id: i64, on: Date) -> Result<PlanView> {
        let (list, org) = self.plan_list_for(caller, id, Action::ViewPlans, on).await?;
        let mut tx = self.db.read().await?;
        let rules = self.rules_in_force(&mut tx, on).await?;
        let (entries, findings, shares) = check_plan(&mut tx, &rules, &list, on).await?;
        drop(tx);
        let target = target_words(&list.target);
        self.audit_read("plan.view", &format!("plan:{id}"), &short(on)).await?;
        Ok(PlanView {
            list,
            org,
            target,
            on,
            entries,
            findings,
            shares,
            rules,
        })
    }

    /// The planning rule sets, oldest first, with their notes: those stored by
    /// administrators, or the shipped ones until any is stored.
    pub async fn rule_sets(&self) -> Result<Vec<(PlanningRules, String)>> {
        let mut tx = self.db.read().await?;
        stored_rule_sets(&mut tx).await
    }

    pub(crate) async fn rules_in_force(&self, tx: &mut Tx, on: Date) -> Result<PlanningRules> {
        rules_in_force(tx, on).await
    }

    /// Stores a rule set as an administrator typed it. The first save stores the shipped
    /// sets with it, so that from then on every set is the administrators'. Audited
    /// with the values before and after.
    pub async fn save_rule_set(&self, caller: &Caller, input: &RuleSetInput) -> Result<()> {
        if !caller.can(Action::Administer) {
            return Err(AppError::NotFound {
                vi: "Không có trang này".into(),
                what: "no such page".into(),
            });
        }
        let from = parse_date(&input.from).map_err(|e| AppError::field("Ngày có hiệu lực", e))?;
        let mut tx = self.db.write().await?;
        let stored = stored_rule_sets(&mut tx).await?;
        let before = stored.iter().find(|(r, _)| r.source == input.editing.trim()).cloned();
        // A new set starts from the latest one: what is not typed follows it.
        let latest = stored.iter().max_by_key(|(r, _)| r.from).map(|(r, _)| r.clone());
        let base = before
            .as_ref()
            .map(|(r, _)| r.clone())
            .or(latest)
            .unwrap_or_else(|| shipped_rules().remove(1));
        let mut rules = PlanningRules {
            source: input.source.trim().to_string(),
            from,
            unconfirmed: input
                .unconfirmed
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            ..base
        };
        for (key, typed) in &input.params {
            let label = RULE_PARAMS.iter().find(|p| p.0 == key).map_or(key.as_str(), |p| p.1);
            let v: u32 = typed.trim().parse().map_err(|_| {
                AppError::rejected(
                    format!("{label}: «{}» phải là số nguyên không âm", typed.trim()),
                    format!("{key}: «{}» must be a whole number", typed.trim()),
                )
            })?;
            if !rules.set(key, v) {
                return Err(AppError::rejected(
                    format!("«{key}» không phải là một tham số của quy định"),
                    format!("«{key}» is not a parameter of a rule set"),
                ));
            }
        }
        if let Some(problem) = rules.problem() {
            return Err(AppError::rejected(problem.clone(), problem));
        }
        if stored
            .iter()
            .any(|(r, _)| r.source == rules.source && r.source != input.editing.trim())
        {
            return Err(AppError::rejected(
                format!("Đã có quy định {}", rules.source),
                format!("There is a rule set {} already", rules.source),
            ));
        }
        let at = self.clock.timestamp();
        if !tx.has_stored_rule_sets().await? {
            for (r, note) in &stored {
                tx.save_rule_set(&r.source, r.from, &r.params_text(), &r.unconfirmed.join(","), note, &at)
                    .await?;
            }
        }
        if let Some((old, _)) = &before
            && old.source != rules.source
        {
            tx.delete_rule_set(&old.source).await?;
        }
        let note = input.note.trim();
        tx.save_rule_set(
            &rules.source,
            rules.from,
            &rules.params_text(),
            &rules.unconfirmed.join(","),
            note,
            &at,
        )
        .await?;
        let describe = |r: &PlanningRules| {
            format!(
                "{} từ {}: {}",
                r.source,
                short(r.from),
                r.params_text().replace('\n', " ")
            )
        };
        self.audit(
            &mut tx,
            "rules.save",
            &format!("rules:{}", rules.source),
            &format!(
                "trước: {}; sau: {}",
                before.as_ref().map_or_else(|| "—".to_string(), |(r, _)| describe(r)),
                describe(&rules)
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses a change that breaks a hard rule it did not break before, unless an
    /// override's reason is written; an override is audited with the rules it breaks.
    async fn guard(
        &self,
        tx: &mut Tx,
        list: &PlanListRow,
        on: Date,
        before: &[Finding],
        override_reason: &str,
    ) -> Result<()> {
        let rules = self.rules_in_force(tx, on).await?;
        let (_, after, _) = check_plan(tx, &rules, list, on).await?;
        let new: Vec<&Finding> = after
            .iter()
            .filter(|f| f.severity == Severity::Breach)
            .filter(|f| !before.iter().any(|b| b.rule == f.rule && b.subject == f.subject))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let what: Vec<String> = new
            .iter()
            .map(|f| {
                format!(
                    "{} — {}: yêu cầu {}, thực tế {}",
                    f.rule, f.subject, f.expected, f.actual
                )
            })
            .collect();
        let reason = override_reason.trim();
        if reason.is_empty() {
            return Err(AppError::rejected(
                format!(
                    "Thay đổi này vi phạm quy định: {}. Nếu vẫn thực hiện, ghi rõ lý do vượt quy định.",
                    what.join("; ")
                ),
                format!(
                    "This change breaks a rule: {}. To make it anyway, write the reason for the override.",
                    what.join("; ")
                ),
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(AppError::rejected(
                "Lý do vượt quy định: dài quá 1000 ký tự",
                "The override's reason: longer than 1000 characters",
            ));
        }
        self.audit(
            tx,
            "plan.override",
            &format!("plan:{}", list.id),
            &format!("{} | lý do: {reason}", what.join("; ")),
        )
        .await?;
        Ok(())
    }

    /// What the review between two days changed: removed, added, kept, total. Audited.
    pub async fn plan_round(&self, caller: &Caller, id: i64, before: Date, after: Date) -> Result<RoundCounts> {
        let (list, _) = self.plan_list_for(caller, id, Action::ViewPlans, after).await?;
        let entries: Vec<_> = {
            let mut tx = self.db.read().await?;
            tx.plan_entries(list.id).await?
        }
        .into_iter()
        .map(|e| e.entry)
        .collect();
        self.audit_read(
            "plan.round",
            &format!("plan:{id}"),
            &format!("{} – {}", short(before), short(after)),
        )
        .await?;
        Ok(round_counts(&entries, before, after))
    }
}

/// The number of the decision behind a change, required: `45-QĐ/ĐU`.
fn decision_text(s: &str) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::field("Quyết định", Invalid::Missing));
    }
    if s.chars().count() > 100 {
        return Err(AppError::rejected(
            "Quyết định: dài quá 100 ký tự",
            "Decision: longer than 100 characters",
        ));
    }
    Ok(s.to_string())
}

/// The planning rule set in force on a day.
pub(crate) async fn rules_in_force(tx: &mut Tx, on: Date) -> Result<PlanningRules> {
    let sets: Vec<PlanningRules> = stored_rule_sets(tx).await?.into_iter().map(|(r, _)| r).collect();
    Ok(rules_on(&sets, on)
        .cloned()
        .unwrap_or_else(|| shipped_rules().remove(0)))
}

/// The rule sets stored, or the shipped ones when none is.
async fn stored_rule_sets(tx: &mut Tx) -> Result<Vec<(PlanningRules, String)>> {
    let rows = tx.rule_sets().await?;
    if rows.is_empty() {
        return Ok(shipped_rules().into_iter().map(|r| (r, String::new())).collect());
    }
    let base = shipped_rules().remove(1);
    rows.into_iter()
        .map(|(source, from, params, unconfirmed, note)| {
            PlanningRules::from_params(&base, &source, from, &params, &unconfirmed)
                .map(|r| (r, note))
                .ok_or_else(|| {
                    AppError::Store(dangbo_store::StoreError::Corrupt {
                        table: "rule_set",
                        column: "params",
                        value: params.clone(),
                    })
                })
        })
        .collect()
}

/// A list's entries on a day, the findings of `rules` on them, and the shares against
/// their targets.
async fn check_plan(
    tx: &mut Tx,
    rules: &PlanningRules,
    list: &PlanListRow,
    on: Date,
) -> Result<(Vec<PlanEntryRow>, Vec<Finding>, Vec<String>)> {
    let entries: Vec<PlanEntryRow> = tx
        .plan_entries(list.id)
        .await?
        .into_iter()
        .filter(|e| e.entry.on(on))
        .collect();
    let target = target_words(&list.target);
    let planned = entries.len() as u64;
    let size = u64::try_from(list.size).unwrap_or(0);
    let mut findings = Vec::new();
    findings.extend(if list.target.starts_with("body:") {
        rules.check_size(&target, planned, size)
    } else {
        rules.check_title(&target, planned, size)
    });
    let term_start = Date::constant(list.term.from_year, 1, 1);
    for e in &entries {
        findings.extend(rules.check_working_age(&e.name, e.gender, e.birth, term_start));
    }
    // One cadre, at most so many titles at this level (the organization's lists of the term).
    let targets = tx.planned_targets(list.org_id, list.term.ordinal, on).await?;
    for e in &entries {
        let titles: Vec<String> = targets
            .iter()
            .filter(|(p, _)| *p == e.entry.person)
            .map(|(_, t)| target_words(t))
            .collect();
        findings.extend(rules.check_titles_per_cadre(&e.name, &titles));
    }
    let cadres: Vec<_> = entries.iter().map(|e| (e.gender, e.birth, e.minority)).collect();
    let level = match tx.org_by_id(list.org_id, on).await? {
        Some(o) => o.level,
        None => dangbo_domain::org::Level::Province,
    };
    let (shares, warnings) = rules.shares(&target, level, &cadres, term_start);
    findings.extend(warnings);
    Ok((entries, findings, shares))
}
