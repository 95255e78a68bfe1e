//! Ids of space items: 32 lowercase hex digits, time-ordered when we make them.

/// The number of hex digits of an id.
pub const ID_LENGTH: usize = 32;

/// Makes a time-ordered id: 16 hex digits of `unix_millis` followed by 16 hex
/// digits of `random`, all lowercase.
///
/// Fixed-width hex sorts like the number it encodes, so an id made later sorts
/// after one made earlier (the API recommends new ids sort last). Time and
/// randomness are parameters: the caller owns the clock and the random source.
pub fn new_id(unix_millis: u64, random: u64) -> String {
    format!("{unix_millis:016x}{random:016x}")
}

/// Whether `id` is exactly 32 lowercase hex digits.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == ID_LENGTH
        && id
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_id_is_32_lowercase_hex() {
        for (millis, random) in [
            (0, 0),
            (1_735_689_600_000, 0xdead_beef),
            (u64::MAX, u64::MAX),
        ] {
            let id = new_id(millis, random);
            assert!(is_valid_id(&id), "{id}");
        }
        assert_eq!(
            new_id(1_735_689_600_000, 0x0123_4567_89ab_cdef),
            "000001941f297c000123456789abcdef"
        );
    }

    #[test]
    fn later_ids_sort_last_whatever_the_randomness() {
        let earlier = new_id(1_735_689_600_000, u64::MAX);
        let later = new_id(1_735_689_600_001, 0);
        assert!(earlier < later);
        let mut ids: Vec<String> = (0..50_u64)
            .map(|step| {
                new_id(
                    1_700_000_000_000 + step * 997,
                    step.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                )
            })
            .collect();
        let in_time_order = ids.clone();
        ids.sort();
        assert_eq!(ids, in_time_order);
    }

    #[test]
    fn id_format_check() {
        assert!(is_valid_id("01f1c4027293192889961efc2e5f1860"));
        assert!(!is_valid_id("01F1C4027293192889961EFC2E5F1860"));
        assert!(!is_valid_id("01f1c402-7293-1928-8996-1efc2e5f"));
        assert!(!is_valid_id("01f1c4027293192889961efc2e5f186"));
        assert!(!is_valid_id("01f1c4027293192889961efc2e5f1860a"));
        assert!(!is_valid_id(""));
    }
}
