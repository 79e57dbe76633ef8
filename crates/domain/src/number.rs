//! Numbers written the way Vietnamese party documents write them: `10.300`, `1,04 lần`,
//! `75%`, `06 đồng chí`.

use crate::lang::Lang;

/// Groups thousands with dots: `10347` → `10.347`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Groups thousands the way the language does: `10.300` in Vietnamese, `10,300` in English.
pub fn thousands_in(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Vi => thousands(n),
        Lang::En => thousands(n).replace('.', ","),
    }
}

/// A large count rounded down to the round figure an article gives, and whether that lost
/// anything: below 100 the count is kept; below 100.000 it goes down to hundreds
/// (10.347 → 10.300, 213 → 200); from 100.000 down to thousands (1.441.200 → 1.441.000).
pub fn rounded_down(n: u64) -> (u64, bool) {
    let step = match n {
        0..100 => 1,
        100..100_000 => 100,
        _ => 1_000,
    };
    let r = n - n % step;
    (r, r != n)
}

/// A count of people as an article's headline gives it: rounded down and said so when
/// rounding lost anything (`hơn 10.300`, `more than 10,300`), exact otherwise (`10.300`).
/// Only for counts of people (delegates, cadres) where the article gives a round figure:
/// an exact count ("3.113 đảng viên") and counts of connection points and other things
/// ("267 điểm cầu") are written exactly with [`thousands_in`].
pub fn headline(n: u64, lang: Lang) -> String {
    match rounded_down(n) {
        (r, true) => format!("{} {}", lang.pick("hơn", "more than"), thousands_in(r, lang)),
        (r, false) => thousands_in(r, lang),
    }
}

/// A small count with its leading zero, as the seeds write them: `6` → `06`.
pub fn two_digits(n: u64) -> String {
    format!("{n:02}")
}

/// `num / den` with `decimals` digits after a decimal comma, cut rather than rounded:
/// 9 ÷ 7 with 2 decimals is `1,28`. `None` when `den` is zero.
pub fn ratio_cut(num: u64, den: u64, decimals: u32) -> Option<String> {
    if den == 0 {
        return None;
    }
    let scale = 10u128.pow(decimals);
    let scaled = u128::from(num) * scale / u128::from(den);
    let whole = scaled / scale;
    if decimals == 0 {
        return Some(whole.to_string());
    }
    let frac = scaled % scale;
    Some(format!("{whole},{frac:0width$}", width = decimals as usize))
}

/// A whole percentage, cut: 3252 of 4336 → `75%`.
pub fn percent_cut(num: u64, den: u64) -> Option<String> {
    ratio_cut(num * 100, den, 0).map(|s| format!("{s}%"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn as_the_seeds_write() {
        assert_eq!(thousands(10_300), "10.300");
        assert_eq!(thousands(3_113), "3.113");
        assert_eq!(thousands(1_441_200), "1.441.200");
        assert_eq!(thousands(267), "267");
        assert_eq!(two_digits(6), "06");
        assert_eq!(two_digits(31), "31");
        assert_eq!(ratio_cut(26, 25, 2).as_deref(), Some("1,04"));
        assert_eq!(ratio_cut(9, 7, 2).as_deref(), Some("1,28"));
        assert_eq!(percent_cut(3252, 4336).as_deref(), Some("75%"));
        assert_eq!(ratio_cut(1, 0, 2), None);
    }

    #[test]
    fn headlines_round_people_down_and_say_so() {
        assert_eq!(thousands_in(1_441_200, Lang::Vi), "1.441.200");
        assert_eq!(thousands_in(1_441_200, Lang::En), "1,441,200");
        assert_eq!(rounded_down(99), (99, false));
        assert_eq!(rounded_down(213), (200, true));
        assert_eq!(rounded_down(10_347), (10_300, true));
        assert_eq!(rounded_down(99_999), (99_900, true));
        assert_eq!(rounded_down(1_441_200), (1_441_000, true));
        assert_eq!(headline(10_347, Lang::Vi), "hơn 10.300");
        assert_eq!(headline(10_347, Lang::En), "more than 10,300");
        assert_eq!(headline(10_300, Lang::Vi), "10.300");
        assert_eq!(headline(10_300, Lang::En), "10,300");
        assert_eq!(headline(213, Lang::Vi), "hơn 200");
        assert_eq!(headline(267, Lang::Vi), "hơn 200");
        assert_eq!(headline(200, Lang::En), "200");
        assert_eq!(headline(63, Lang::Vi), "63");
        assert_eq!(headline(0, Lang::Vi), "0");
        assert_eq!(headline(3_113, Lang::Vi), "hơn 3.100");
    }

    proptest! {
        #[test]
        fn thousands_round_trips(n in 0u64..10_000_000_000) {
            prop_assert_eq!(thousands(n).replace('.', "").parse::<u64>().unwrap(), n);
        }

        #[test]
        fn rounding_down_never_rounds_up(n in any::<u64>()) {
            let (r, rounded) = rounded_down(n);
            prop_assert!(r <= n && n - r < 1_000);
            prop_assert_eq!(rounded, r != n);
        }

        #[test]
        fn cut_never_exceeds_the_true_ratio(num in 0u64..100_000, den in 1u64..100_000) {
            let shown: f64 = ratio_cut(num, den, 2).unwrap().replace(',', ".").parse().unwrap();
            let exact = num as f64 / den as f64;
            prop_assert!(shown <= exact + 1e-9 && exact - shown < 0.01 + 1e-9);
        }
    }
}
