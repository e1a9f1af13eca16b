//! Line reduction: delete blocks of lines, then single lines, while the failure persists (a simple ddmin).

use crate::generate::lines;

/// The smallest input found by deleting lines from `input` while `fails` stays true, within `budget` calls
/// of `fails`. `fails(input)` is assumed true.
pub fn minimize(input: &[u8], budget: usize, mut fails: impl FnMut(&[u8]) -> bool) -> Vec<u8> {
    let mut current: Vec<Vec<u8>> = lines(input).into_iter().map(<[u8]>::to_vec).collect();
    let mut calls = 0;
    let mut chunk = current.len().div_ceil(2).max(1);
    loop {
        let mut progress = false;
        let mut start = 0;
        while start < current.len() {
            if calls >= budget {
                return current.concat();
            }
            let end = (start + chunk).min(current.len());
            let candidate: Vec<u8> = current[..start]
                .iter()
                .chain(&current[end..])
                .flatten()
                .copied()
                .collect();
            calls += 1;
            if fails(&candidate) {
                current.drain(start..end);
                progress = true;
            } else {
                start = end;
            }
        }
        if chunk == 1 && !progress {
            return current.concat();
        }
        if !progress {
            chunk = chunk.div_ceil(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::minimize;

    #[test]
    fn keeps_only_the_lines_that_matter() {
        let input = b"a\nb\nneedle one\nc\nd\ne\nneedle two\nf\n";
        let out = minimize(input, 1000, |c| {
            let t = String::from_utf8_lossy(c);
            t.contains("needle one") && t.contains("needle two")
        });
        assert_eq!(out, b"needle one\nneedle two\n");
    }
}
