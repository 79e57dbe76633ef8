//! What the fuzzers check, one function per target. The libFuzzer targets in
//! `fuzz_targets/` call these on generated inputs; `crates/web/tests/fuzz_corpus.rs` calls
//! them on every file of the corpora kept in `fuzz/corpus/`, so a finding that became a
//! corpus file stays a regression test of the ordinary test run.
//!
//! Each check parses untrusted input the way dangbo does and asserts what must hold for
//! any input: no panic, a refusal that says why in both languages, and what was accepted
//! reads back the same.

use dangbo_domain::Lang;
use dangbo_domain::ballot::{BallotKind, check_choices, choices_from_form, normalize_code};
use dangbo_domain::date::{iso, parse_date, parse_deadline, parse_iso, short};
use dangbo_domain::document::DocumentNumber;
use dangbo_domain::member::{CardNumber, CitizenId, PersonId, Phone, parse_gender};
use dangbo_domain::name::{PersonName, fold};
use std::collections::HashMap;

/// The input as text, if it is UTF-8 (the parsers take `&str`; HTTP and the importer
/// refuse other bytes before reaching them).
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

fn said(e: &dangbo_domain::Invalid) {
    let says = |l| !e.message(l).trim().is_empty();
    assert!(says(Lang::Vi) && says(Lang::En), "a refusal says nothing: {e:?}");
}

/// Document numbers (`116-NQ/TU`, `135/2020/NĐ-CP`): an accepted number is written back
/// in a form that parses to the same number.
pub fn document_number(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match DocumentNumber::parse(s) {
        Ok(n) => {
            let written = n.to_string();
            assert_eq!(
                DocumentNumber::parse(&written).as_ref(),
                Ok(&n),
                "«{s}» written as «{written}»"
            );
        }
        Err(e) => said(&e),
    }
}

/// Dates, deadlines, names and the identifiers typed beside them.
pub fn dates_names(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match parse_date(s) {
        Ok(d) => {
            assert_eq!(parse_date(&short(d)), Ok(d), "«{s}»");
            assert_eq!(parse_iso(&iso(d)), Some(d), "«{s}»");
        }
        Err(e) => said(&e),
    }
    match parse_deadline(s) {
        Ok(d) => assert!((1900..=2200).contains(&d.year()), "«{s}» is {d}"),
        Err(e) => said(&e),
    }
    match PersonName::parse(s) {
        Ok(n) => {
            assert_eq!(PersonName::parse(n.full()).as_ref(), Ok(&n), "«{s}»");
            assert!(!n.given().is_empty(), "«{s}» has no given name");
            let _ = (n.sort_key(), n.search_key(), n.family(), n.middle());
        }
        Err(e) => said(&e),
    }
    let folded = fold(s);
    assert_eq!(fold(&folded), folded, "folding «{s}» twice changes it");
    if let Err(e) = parse_gender(s) {
        said(&e);
    }
    match CitizenId::parse(s) {
        Ok(c) => assert_eq!(CitizenId::parse(c.as_str()).as_ref(), Ok(&c)),
        Err(e) => said(&e),
    }
    match CardNumber::parse(s) {
        Ok(c) => assert_eq!(CardNumber::parse(c.as_str()).as_ref(), Ok(&c)),
        Err(e) => said(&e),
    }
    match Phone::parse(s) {
        Ok(p) => assert_eq!(Phone::parse(p.as_str()).as_ref(), Ok(&p)),
        Err(e) => said(&e),
    }
}

/// The body of `POST /api/v1/points/{id}/checkins` as the server decodes it: a batch is
/// either refused with a reason, or becomes 1–1,000 check-ins each with a printable
/// request id of at most 64 characters, a known method, and a person only where the code
/// was signed by this server.
pub fn checkins(data: &[u8]) {
    let signer = dangbo_app::signing::Signer::new("fuzz");
    let read = |code: &str| dangbo_app::conferences::read_code(&signer, code);
    match dangbo_web::live::decode_checkins(data, Lang::Vi, read, 7, 9) {
        Ok(requests) => {
            assert!((1..=1000).contains(&requests.len()));
            for r in &requests {
                assert!((1..=64).contains(&r.request_id.len()));
                assert!(r.request_id.bytes().all(|b| b.is_ascii_graphic()));
                assert!(matches!(r.method.as_str(), "scan" | "typed" | "list"));
                assert_eq!((r.point_id, r.by_account), (7, Some(9)));
                assert!(r.code.chars().count() <= 64);
                assert!(r.person.is_none() || r.code.is_empty());
            }
        }
        Err(message) => assert!(!message.trim().is_empty()),
    }
    // A person's code reads back as that person, and no other text names them.
    if data.len() >= 8 {
        let id = i64::from_le_bytes(data[..8].try_into().unwrap_or_default());
        let code = dangbo_app::conferences::person_code(&signer, PersonId(id));
        assert_eq!(read(&code), Some((Some(PersonId(id)), String::new())));
        if let Some(s) = text(data)
            && s.trim() != code
            && let Some((Some(_), _)) = read(s)
        {
            // Only a string carrying a valid MAC may name someone.
            assert!(s.trim().starts_with("dangbo:p:"), "«{s}» names a person");
        }
    }
}

/// A voter's form (`POST /vote`): the code as typed, and the choices as
/// `application/x-www-form-urlencoded`. The first byte picks the kind of ballot, the
/// second the number of candidates; the rest is the form.
pub fn ballot(data: &[u8]) {
    let [k, n, form @ ..] = data else { return };
    let kind = match k % 4 {
        0 => BallotKind::Approve,
        m => BallotKind::Choose(u32::from(m) + u32::from(k / 4 % 8)),
    };
    let candidates = usize::from(n % 40);
    let Ok(fields) = serde_urlencoded::from_bytes::<HashMap<String, String>>(form) else {
        return;
    };
    let choices = choices_from_form(kind, candidates, |k| fields.get(k).map(String::as_str));
    assert_eq!(choices.chars().count(), candidates);
    match check_choices(kind, candidates, &choices) {
        Ok(()) => {
            assert!(choices.chars().all(|c| c == 'y' || c == 'n'));
            if let BallotKind::Choose(max) = kind {
                assert!(choices.chars().filter(|c| *c == 'y').count() <= max as usize);
            }
        }
        Err(message) => assert!(!message.trim().is_empty()),
    }
    if let Some(code) = fields.get("code")
        && let Some(c) = normalize_code(code)
    {
        assert_eq!(c.len(), 14, "«{code}» → «{c}»");
        assert_eq!(normalize_code(&c).as_deref(), Some(c.as_str()));
    }
}

/// The member importer, end to end on a small SQLite registry: the bytes as an uploaded
/// `.xlsx` (when they start as a zip does) or `.csv`, checked as the import preview does.
/// Nothing is written by a preview; every problem names a row of the file (or 0 for the
/// whole file) and says what is wrong in both languages.
pub fn import(data: &[u8]) {
    use dangbo_app::import::ImportOptions;
    use std::sync::OnceLock;
    struct Registry {
        rt: tokio::runtime::Runtime,
        app: dangbo_app::App,
        dir: tempfile::TempDir,
        _db: dangbo_store::testing::TestDb,
    }
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let r = REGISTRY.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (db, app) = rt.block_on(async {
            let t = dangbo_store::testing::sqlite().await.expect("a database");
            let app = dangbo_app::App::new(
                t.db.clone(),
                dangbo_app::Clock::Fixed(dangbo_domain::Date::constant(2026, 11, 21)),
                "fuzz",
            );
            use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
            let on = dangbo_domain::Date::constant(2015, 1, 1);
            for (code, name, kind, parent) in [
                ("LS", "Đảng bộ tỉnh Lạng Sơn", OrgKind::Provincial, None),
                ("C1", "Chi bộ Sở Tư pháp", OrgKind::BaseCell, Some("LS")),
            ] {
                let org = dangbo_app::orgs::NewOrg {
                    code: OrgCode::parse(code).expect("a code"),
                    name: OrgName::parse(name).expect("a name"),
                    kind,
                    level: Level::Province,
                    parent: parent.map(|p| OrgCode::parse(p).expect("a code")),
                };
                app.create_org(&org, on).await.expect("an organization");
            }
            (t, app)
        });
        Registry {
            rt,
            app,
            dir: tempfile::tempdir().expect("a folder"),
            _db: db,
        }
    });
    let ext = if data.starts_with(b"PK") { "xlsx" } else { "csv" };
    let path = r.dir.path().join(format!("members.{ext}"));
    std::fs::write(&path, data).expect("writable");
    let mut opts = ImportOptions::on(dangbo_domain::Date::constant(2026, 11, 21));
    opts.dry_run = true;
    let rows: std::collections::BTreeSet<usize> = match dangbo_app::table::read(&path) {
        Ok(t) => t.rows.iter().map(|(n, _)| *n).collect(),
        Err(_) => Default::default(),
    };
    let people = || async {
        r.app
            .db
            .read()
            .await
            .expect("read")
            .person_count()
            .await
            .expect("count")
    };
    r.rt.block_on(async {
        let before = people().await;
        match r.app.import_members(&path, &opts, &|_, _| {}).await {
            Ok(report) => {
                for e in &report.errors {
                    assert!(e.row == 0 || rows.contains(&e.row), "row {} is not in the file", e.row);
                    assert!(!e.message(Lang::Vi).trim().is_empty() && !e.message(Lang::En).trim().is_empty());
                }
            }
            Err(e) => assert!(!e.message(Lang::Vi).trim().is_empty() && !e.message(Lang::En).trim().is_empty()),
        }
        assert_eq!(before, people().await, "a preview wrote people");
    });
}
