//! Secret nomination ballots (bỏ phiếu kín giới thiệu): what a ballot asks, the settings
//! frozen when it opens, the checks of a paper count, and the results on the frozen base
//! with who reached the threshold. Pure values: the secrecy itself lives in how the store
//! keeps credentials and ballots apart (see `dangbo_app::ballots`).

use crate::Lang;
use crate::number::ratio_cut;

/// What the voter does with the list of candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotKind {
    /// Agree or disagree with each candidate (đồng ý / không đồng ý).
    Approve,
    /// Choose at most this many candidates (chọn không quá N người).
    Choose(u32),
}

impl BallotKind {
    /// The stored code and the number chosen at most (0 for approval ballots).
    pub fn code(self) -> (&'static str, i64) {
        match self {
            BallotKind::Approve => ("approve", 0),
            BallotKind::Choose(n) => ("choose", i64::from(n)),
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str, max: i64) -> Option<BallotKind> {
        match code {
            "approve" => Some(BallotKind::Approve),
            "choose" => u32::try_from(max).ok().filter(|n| *n > 0).map(BallotKind::Choose),
            _ => None,
        }
    }

    /// In words.
    pub fn describe(self, lang: Lang) -> String {
        match (self, lang) {
            (BallotKind::Approve, Lang::Vi) => "Đồng ý hoặc không đồng ý từng người".into(),
            (BallotKind::Approve, Lang::En) => "Agree or disagree with each candidate".into(),
            (BallotKind::Choose(n), Lang::Vi) => format!("Chọn không quá {n} người"),
            (BallotKind::Choose(n), Lang::En) => format!("Choose at most {n}"),
        }
    }
}

/// What a percentage of the votes is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Those convened (tổng số được triệu tập).
    Convened,
    /// Those present (có mặt).
    Present,
    /// The valid ballots (phiếu hợp lệ).
    Valid,
}

impl Base {
    /// Every base, in the order a form offers them.
    pub const ALL: [Base; 3] = [Base::Convened, Base::Present, Base::Valid];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Base::Convened => "convened",
            Base::Present => "present",
            Base::Valid => "valid",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Base> {
        Base::ALL.into_iter().find(|b| b.code() == code.trim())
    }

    /// "tổng số người được triệu tập".
    pub fn vi(self) -> &'static str {
        match self {
            Base::Convened => "tổng số người được triệu tập",
            Base::Present => "tổng số người có mặt",
            Base::Valid => "tổng số phiếu hợp lệ",
        }
    }

    /// "those convened".
    pub fn en(self) -> &'static str {
        match self {
            Base::Convened => "those convened",
            Base::Present => "those present",
            Base::Valid => "the valid ballots",
        }
    }
}

/// A share to reach: more than (strict) or at least `num/den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// Numerator.
    pub num: u32,
    /// Denominator, above zero.
    pub den: u32,
    /// More than the share (hơn), rather than at least (từ … trở lên).
    pub strict: bool,
}

impl Share {
    /// More than half: the common threshold of a nomination.
    pub const MORE_THAN_HALF: Share = Share {
        num: 1,
        den: 2,
        strict: true,
    };
    /// At least two thirds: the quorum of a confidence vote.
    pub const TWO_THIRDS: Share = Share {
        num: 2,
        den: 3,
        strict: false,
    };

    /// The shares a form offers, with their stored codes.
    pub const OFFERED: [(&'static str, Share); 2] = [("gt1/2", Share::MORE_THAN_HALF), ("ge2/3", Share::TWO_THIRDS)];

    /// The stored code: `gt1/2`, `ge2/3`.
    pub fn code(self) -> String {
        format!("{}{}/{}", if self.strict { "gt" } else { "ge" }, self.num, self.den)
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Share> {
        let code = code.trim();
        let (strict, rest) = if let Some(r) = code.strip_prefix("gt") {
            (true, r)
        } else {
            (false, code.strip_prefix("ge")?)
        };
        let (n, d) = rest.split_once('/')?;
        let (num, den) = (n.parse().ok()?, d.parse::<u32>().ok()?);
        (den > 0 && num <= den).then_some(Share { num, den, strict })
    }

    /// Whether `count` of `of` reaches the share. Nothing reaches a share of nobody.
    pub fn reached(self, count: u64, of: u64) -> bool {
        if of == 0 {
            return false;
        }
        let lhs = u128::from(count) * u128::from(self.den);
        let rhs = u128::from(of) * u128::from(self.num);
        if self.strict { lhs > rhs } else { lhs >= rhs }
    }

    /// "hơn 1/2", "từ 2/3 trở lên".
    pub fn describe(self, lang: Lang) -> String {
        let f = if (self.num, self.den) == (1, 2) {
            match lang {
                Lang::Vi => "một nửa".to_string(),
                Lang::En => "half".to_string(),
            }
        } else {
            format!("{}/{}", self.num, self.den)
        };
        match (self.strict, lang) {
            (true, Lang::Vi) => format!("hơn {f}"),
            (false, Lang::Vi) => format!("từ {f} trở lên"),
            (true, Lang::En) => format!("more than {f}"),
            (false, Lang::En) => format!("at least {f}"),
        }
    }
}

/// The settings a ballot holds from the moment it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frozen {
    /// How many are convened.
    pub convened: u64,
    /// How many of them are present.
    pub present: u64,
    /// What percentages are taken of.
    pub base: Base,
    /// The share of the base a candidate must reach.
    pub threshold: Share,
    /// The share of those convened that must be present (a confidence vote), if any.
    pub quorum: Option<Share>,
}

/// Why a ballot cannot open, or a count cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    /// Fewer present than the quorum asks.
    #[error("quorum not met: {present} of {convened} present, {need} needed")]
    NoQuorum {
        /// Present.
        present: u64,
        /// Convened.
        convened: u64,
        /// The share, in words.
        need: String,
    },
    /// The three totals are out of order.
    #[error("issued {issued} ≥ returned {returned} ≥ valid {valid} does not hold")]
    Totals {
        /// Ballots issued.
        issued: u64,
        /// Ballots returned.
        returned: u64,
        /// Valid ballots.
        valid: u64,
    },
    /// More ballots issued than people present.
    #[error("{issued} ballots issued to {present} present")]
    MoreThanPresent {
        /// Ballots issued.
        issued: u64,
        /// People present.
        present: u64,
    },
    /// A candidate's agree and disagree counts do not add up to the valid ballots.
    #[error("{candidate}: {agree} + {disagree} ≠ {valid}")]
    Candidate {
        /// The candidate's name.
        candidate: String,
        /// Agree.
        agree: u64,
        /// Disagree.
        disagree: u64,
        /// Valid ballots.
        valid: u64,
    },
    /// More choices than the ballots can hold.
    #[error("{chosen} choices on {valid} ballots of at most {max}")]
    TooManyChoices {
        /// The sum of the candidates' counts.
        chosen: u64,
        /// Valid ballots.
        valid: u64,
        /// Choices per ballot.
        max: u32,
    },
}

impl BallotError {
    /// The message in Vietnamese.
    pub fn vi(&self) -> String {
        match self {
            BallotError::NoQuorum {
                present,
                convened,
                need,
            } => format!("Không đủ số người có mặt: {present}/{convened} người được triệu tập, cần {need}"),
            BallotError::Totals {
                issued,
                returned,
                valid,
            } => format!(
                "Số phiếu không hợp lý: phát ra {issued}, thu về {returned}, hợp lệ {valid} — phải có phát ra ≥ thu về ≥ hợp lệ"
            ),
            BallotError::MoreThanPresent { issued, present } => {
                format!("Số phiếu phát ra ({issued}) nhiều hơn số người có mặt ({present})")
            }
            BallotError::Candidate {
                candidate,
                agree,
                disagree,
                valid,
            } => format!("{candidate}: đồng ý {agree} + không đồng ý {disagree} phải bằng số phiếu hợp lệ {valid}"),
            BallotError::TooManyChoices { chosen, valid, max } => format!(
                "Tổng số phiếu bầu cho các người ({chosen}) vượt quá {valid} phiếu hợp lệ × {max} người mỗi phiếu"
            ),
        }
    }
}

impl Frozen {
    /// Whether the quorum, if any, is met.
    pub fn check_quorum(&self, lang: Lang) -> Result<(), BallotError> {
        match self.quorum {
            Some(q) if !q.reached(self.present, self.convened) => Err(BallotError::NoQuorum {
                present: self.present,
                convened: self.convened,
                need: q.describe(lang),
            }),
            _ => Ok(()),
        }
    }

    /// The number percentages are taken of, given the valid ballots.
    pub fn base_count(&self, valid: u64) -> u64 {
        match self.base {
            Base::Convened => self.convened,
            Base::Present => self.present,
            Base::Valid => valid,
        }
    }
}

/// The totals of a count: ballots issued, returned and valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Phiếu phát ra.
    pub issued: u64,
    /// Phiếu thu về.
    pub returned: u64,
    /// Phiếu hợp lệ.
    pub valid: u64,
}

impl Totals {
    /// Invalid ballots: returned but not valid.
    pub fn invalid(&self) -> u64 {
        self.returned - self.valid
    }
}

/// A candidate's count: agree and disagree (for a choice ballot, chosen and not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateCount {
    /// The candidate's name, for messages.
    pub name: String,
    /// Đồng ý (or chosen).
    pub agree: u64,
    /// Không đồng ý (or not chosen).
    pub disagree: u64,
}

/// Checks a count, typed by the vote-counting board or made from electronic ballots:
/// issued ≥ returned ≥ valid, no more issued than present, and every candidate's counts
/// add up to the valid ballots.
pub fn check_count(
    kind: BallotKind,
    frozen: &Frozen,
    totals: Totals,
    counts: &[CandidateCount],
) -> Result<(), BallotError> {
    if !(totals.issued >= totals.returned && totals.returned >= totals.valid) {
        return Err(BallotError::Totals {
            issued: totals.issued,
            returned: totals.returned,
            valid: totals.valid,
        });
    }
    if totals.issued > frozen.present {
        return Err(BallotError::MoreThanPresent {
            issued: totals.issued,
            present: frozen.present,
        });
    }
    for c in counts {
        if c.agree + c.disagree != totals.valid {
            return Err(BallotError::Candidate {
                candidate: c.name.clone(),
                agree: c.agree,
                disagree: c.disagree,
                valid: totals.valid,
            });
        }
    }
    if let BallotKind::Choose(max) = kind {
        let chosen: u64 = counts.iter().map(|c| c.agree).sum();
        if chosen > totals.valid * u64::from(max) {
            return Err(BallotError::TooManyChoices {
                chosen,
                valid: totals.valid,
                max,
            });
        }
    }
    Ok(())
}

/// One candidate's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Votes for.
    pub agree: u64,
    /// The share of the base, cut to two decimals: `85,71%`.
    pub percent: String,
    /// Whether the threshold is reached.
    pub reached: bool,
}

/// A candidate's result on the frozen base.
pub fn outcome(frozen: &Frozen, totals: Totals, agree: u64) -> Outcome {
    let base = frozen.base_count(totals.valid);
    Outcome {
        agree,
        percent: ratio_cut(agree * 100, base, 2).map_or_else(|| "—".to_string(), |p| format!("{p}%")),
        reached: frozen.threshold.reached(agree, base),
    }
}

/// One voter's choices, as a string of one character per candidate: `y` agree (or
/// chosen), `n` disagree (or not chosen).
pub fn check_choices(kind: BallotKind, candidates: usize, choices: &str) -> Result<(), String> {
    if choices.chars().count() != candidates || !choices.chars().all(|c| c == 'y' || c == 'n') {
        return Err(match kind {
            BallotKind::Approve => "Hãy chọn đồng ý hoặc không đồng ý cho từng người".into(),
            BallotKind::Choose(_) => "Phiếu không hợp lệ".into(),
        });
    }
    if let BallotKind::Choose(max) = kind {
        let chosen = choices.chars().filter(|c| *c == 'y').count();
        if chosen > max as usize {
            return Err(format!("Chỉ được chọn không quá {max} người (đã chọn {chosen})"));
        }
    }
    Ok(())
}

/// A voter's choices as [`check_choices`] reads them, from a submitted form: `c1`…`cN`
/// hold `y` or `n`. A choice ballot's unticked box is not sent, so it reads `n`; any
/// other missing or unknown answer reads `?`, which `check_choices` refuses.
pub fn choices_from_form<'a>(kind: BallotKind, candidates: usize, field: impl Fn(&str) -> Option<&'a str>) -> String {
    (1..=candidates)
        .map(|i| match field(&format!("c{i}")) {
            Some("y") => 'y',
            Some("n") => 'n',
            None if matches!(kind, BallotKind::Choose(_)) => 'n',
            _ => '?',
        })
        .collect()
}

/// The letters of a voting code: no 0/O, 1/I/L, so that a printed slip reads unambiguously.
const CODE_LETTERS: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time voting code from 12 random bytes: `K7QF-2MXD-9PAH`, 60 bits.
pub fn credential_code(random: [u8; 12]) -> String {
    let mut out = String::with_capacity(14);
    for (i, b) in random.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        // The slight bias of 256 mod 31 costs well under a bit of the code's 60.
        out.push(CODE_LETTERS[usize::from(b % 31)] as char);
    }
    out
}

/// A typed or scanned code in its printed form, or `None` when it cannot be one:
/// case, spaces and dashes do not matter; 0, 1, O, I and L are never letters of a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let letters: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' ' | b'\t'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if letters.len() != 12 || !letters.iter().all(|b| CODE_LETTERS.contains(b)) {
        return None;
    }
    let mut out = String::with_capacity(14);
    for (i, b) in letters.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(*b as char);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frozen(base: Base) -> Frozen {
        Frozen {
            convened: 35,
            present: 33,
            base,
            threshold: Share::MORE_THAN_HALF,
            quorum: None,
        }
    }

    #[test]
    fn more_than_half_of_those_convened() {
        let f = frozen(Base::Convened);
        let t = Totals {
            issued: 33,
            returned: 33,
            valid: 32,
        };
        // 18 of 35 is more than half; 17 is not, though it is more than half of 33 present.
        assert_eq!(outcome(&f, t, 18).percent, "51,42%");
        assert!(outcome(&f, t, 18).reached);
        assert!(!outcome(&f, t, 17).reached);
        assert!(outcome(&frozen(Base::Valid), t, 17).reached);
        // Exactly half is not more than half.
        assert!(!Share::MORE_THAN_HALF.reached(16, 32));
        assert!(Share::TWO_THIRDS.reached(20, 30));
        assert!(!Share::TWO_THIRDS.reached(19, 30));
        assert!(!Share::MORE_THAN_HALF.reached(0, 0));
    }

    #[test]
    fn quorum_of_a_confidence_vote() {
        let mut f = frozen(Base::Present);
        f.quorum = Some(Share::TWO_THIRDS);
        f.present = 23;
        assert!(f.check_quorum(Lang::Vi).is_err());
        f.present = 24;
        assert!(f.check_quorum(Lang::Vi).is_ok());
    }

    #[test]
    fn paper_counts_must_add_up() {
        let f = frozen(Base::Convened);
        let ok = Totals {
            issued: 33,
            returned: 32,
            valid: 31,
        };
        let c = |a, d| CandidateCount {
            name: "Nguyễn Văn An".into(),
            agree: a,
            disagree: d,
        };
        assert_eq!(check_count(BallotKind::Approve, &f, ok, &[c(30, 1)]), Ok(()));
        assert!(matches!(
            check_count(BallotKind::Approve, &f, ok, &[c(30, 2)]),
            Err(BallotError::Candidate { .. })
        ));
        let bad = Totals {
            issued: 30,
            returned: 32,
            valid: 31,
        };
        assert!(matches!(
            check_count(BallotKind::Approve, &f, bad, &[]),
            Err(BallotError::Totals { .. })
        ));
        let many = Totals {
            issued: 34,
            returned: 33,
            valid: 33,
        };
        assert!(matches!(
            check_count(BallotKind::Approve, &f, many, &[]),
            Err(BallotError::MoreThanPresent { .. })
        ));
        let t = Totals {
            issued: 10,
            returned: 10,
            valid: 10,
        };
        let three = [c(10, 0), c(10, 0), c(1, 9)];
        assert!(check_count(BallotKind::Choose(2), &f, t, &three).is_err());
        assert!(check_count(BallotKind::Choose(3), &f, t, &three).is_ok());
    }

    #[test]
    fn choices_are_one_answer_per_candidate() {
        assert!(check_choices(BallotKind::Approve, 3, "yny").is_ok());
        assert!(check_choices(BallotKind::Approve, 3, "yn").is_err());
        assert!(check_choices(BallotKind::Approve, 3, "yn?").is_err());
        assert!(check_choices(BallotKind::Choose(1), 3, "yyn").is_err());
        assert!(check_choices(BallotKind::Choose(2), 3, "yyn").is_ok());
    }

    #[test]
    fn codes_round_trip() {
        for (code, s) in Share::OFFERED {
            assert_eq!(Share::from_code(code), Some(s));
            assert_eq!(s.code(), code);
        }
        assert_eq!(Share::from_code("gt3/2"), None);
        assert_eq!(Share::from_code("gt1/0"), None);
        assert_eq!(BallotKind::from_code("choose", 3), Some(BallotKind::Choose(3)));
        assert_eq!(BallotKind::from_code("choose", 0), None);
        assert_eq!(Share::MORE_THAN_HALF.describe(Lang::Vi), "hơn một nửa");
        assert_eq!(Share::TWO_THIRDS.describe(Lang::Vi), "từ 2/3 trở lên");
    }

    #[test]
    fn codes_read_back_as_printed() {
        let c = credential_code([0, 1, 2, 3, 30, 31, 32, 200, 255, 7, 8, 9]);
        assert_eq!(c.len(), 14);
        assert_eq!(normalize_code(&c.to_lowercase().replace('-', " ")), Some(c.clone()));
        assert_eq!(normalize_code("K7QF-2MXD-9PA"), None);
        assert_eq!(normalize_code("K7QF-2MXD-9PA0"), None);
        assert_eq!(normalize_code("K7QF-2MXD-9PAI"), None);
    }

    proptest! {
        #[test]
        fn reaching_a_share_agrees_with_exact_fractions(count in 0u64..10_000, of in 1u64..10_000) {
            let f = count as f64 / of as f64;
            // Away from the boundary, the float answer is right.
            if (f - 0.5).abs() > 1e-9 {
                prop_assert_eq!(Share::MORE_THAN_HALF.reached(count, of), f > 0.5);
            }
            prop_assert_eq!(Share::MORE_THAN_HALF.reached(count, of), 2 * count > of);
        }

        #[test]
        fn a_percentage_is_never_rounded_up(agree in 0u64..500, base in 1u64..500) {
            let f = Frozen { convened: base, present: base, base: Base::Convened, threshold: Share::MORE_THAN_HALF, quorum: None };
            let t = Totals { issued: base, returned: base, valid: base };
            let p = outcome(&f, t, agree).percent;
            let shown: f64 = p.trim_end_matches('%').replace(',', ".").parse().unwrap();
            prop_assert!(shown <= agree as f64 * 100.0 / base as f64 + 1e-9);
            prop_assert!(shown > agree as f64 * 100.0 / base as f64 - 0.01);
        }
    }
}
