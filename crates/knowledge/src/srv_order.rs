//! How a client orders the KMS hosts of an SRV answer: the RFC 2782 selection, as numbers.
//! Pure data reasoning, shared by the `srv-weights` check and the report's verdict.

use std::collections::BTreeMap;

/// Each record's expected share of *first attempts* inside its priority group, following the
/// selection algorithm of RFC 2782 exactly: records of a group are arranged in any (here:
/// uniformly random) order with weight-0 records first, a number is drawn uniformly from
/// 0..=S (S = sum of weights) and the first record whose running sum reaches it is chosen.
///
/// Hence, per group of n records with z of weight 0:
/// - S = 0: every record 1/n;
/// - z > 0 (and S > 0): a weight-0 record (1/(S+1))/z, a weighted one w/(S+1);
/// - z = 0: w/(S+1) + 1/(n(S+1)) (the draw 0 goes to whichever record is first).
///
/// Input: (priority, weight) per record; output: the share per record, same order. The
/// shares of each priority group sum to 1.
pub fn rfc2782_shares(records: &[(u16, u16)]) -> Vec<f64> {
    let mut groups: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (i, (p, _)) in records.iter().enumerate() {
        groups.entry(*p).or_default().push(i);
    }
    let mut out = vec![0.0; records.len()];
    for idx in groups.values() {
        let n = idx.len() as f64;
        let sum: u64 = idx.iter().map(|&i| records[i].1 as u64).sum();
        let zeros = idx.iter().filter(|&&i| records[i].1 == 0).count() as f64;
        let s1 = sum as f64 + 1.0;
        for &i in idx {
            let w = records[i].1 as f64;
            out[i] = if sum == 0 {
                1.0 / n
            } else if zeros > 0.0 {
                if w == 0.0 {
                    1.0 / s1 / zeros
                } else {
                    w / s1
                }
            } else {
                w / s1 + 1.0 / (n * s1)
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rfc2782_shares;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn all_zero_weights_share_equally() {
        let s = rfc2782_shares(&[(0, 0), (0, 0), (0, 0), (0, 0)]);
        assert!(s.iter().all(|x| close(*x, 0.25)), "{s:?}");
    }

    #[test]
    fn weighted_group_follows_weights_plus_the_zero_draw() {
        // S = 150: 100/151 + 1/(2*151), 50/151 + 1/(2*151).
        let s = rfc2782_shares(&[(0, 100), (0, 50)]);
        assert!(close(s[0], 100.5 / 151.0), "{s:?}");
        assert!(close(s[1], 50.5 / 151.0), "{s:?}");
        assert!(close(s[0] + s[1], 1.0));
    }

    #[test]
    fn weight_zero_mixed_gets_one_in_s_plus_one() {
        let s = rfc2782_shares(&[(0, 60), (0, 30), (0, 0)]);
        assert!(close(s[2], 1.0 / 91.0), "{s:?}");
        assert!(close(s[0], 60.0 / 91.0));
        assert!(close(s[1], 30.0 / 91.0));
        // Two zero-weight records split the single draw.
        let s = rfc2782_shares(&[(0, 10), (0, 0), (0, 0)]);
        assert!(close(s[1], 1.0 / 11.0 / 2.0) && close(s[2], s[1]), "{s:?}");
    }

    #[test]
    fn priority_groups_are_independent_and_each_sums_to_one() {
        let recs = [(10, 5), (0, 3), (10, 0), (0, 1), (20, 7)];
        let s = rfc2782_shares(&recs);
        for p in [0u16, 10, 20] {
            let sum: f64 = recs
                .iter()
                .zip(&s)
                .filter(|(r, _)| r.0 == p)
                .map(|(_, x)| *x)
                .sum();
            assert!(close(sum, 1.0), "priority {p}: {sum}");
        }
        assert!(
            close(s[4], 1.0),
            "a lone record is always tried first in its group"
        );
    }

    #[test]
    fn max_weights_do_not_overflow() {
        let s = rfc2782_shares(&[(0, u16::MAX), (0, u16::MAX), (0, u16::MAX)]);
        assert!(s.iter().all(|x| close(*x, 1.0 / 3.0)), "{s:?}");
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert!(rfc2782_shares(&[]).is_empty());
    }
}
