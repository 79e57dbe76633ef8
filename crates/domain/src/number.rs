//! Numbers written the way Vietnamese party documents write them: `10.300`, `1,04 lần`,
//! `75%`, `06 đồng chí`.

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

    proptest! {
        #[test]
        fn thousands_round_trips(n in 0u64..10_000_000_000) {
            prop_assert_eq!(thousands(n).replace('.', "").parse::<u64>().unwrap(), n);
        }

        #[test]
        fn cut_never_exceeds_the_true_ratio(num in 0u64..100_000, den in 1u64..100_000) {
            let shown: f64 = ratio_cut(num, den, 2).unwrap().replace(',', ".").parse().unwrap();
            let exact = num as f64 / den as f64;
            prop_assert!(shown <= exact + 1e-9 && exact - shown < 0.01 + 1e-9);
        }
    }
}
