//! Cells as the comparison sees them: normalised, compared within tolerance and hashed.
//!
//! Equality ([`Tolerance::cells_equal`]) is the truth every other part of the
//! comparison defers to. Hashes ([`Tolerance::cell_hash`]) are only hints that let
//! rows and columns meet in linear time: equal cells almost always share a hash
//! (numbers are rounded to the tolerance's precision first), and whatever the hashes
//! pair up is confirmed with the real equality.

use std::cmp::Ordering;

use super::options::ComparisonOptions;
use super::temporal::Instant;
use crate::result::Cell;

/// A cell reduced to what comparison looks at. Borrowed from the cell, never allocated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Boolean(bool),
    /// Any number (integer, float or decimal); NaN is the canonical NaN and zero is `+0.0`.
    Number(f64),
    /// A date or timestamp.
    Instant(Instant),
    /// Text compared exactly: strings, and anything that did not parse as what it claims to be.
    Text(TextKind, &'a str),
}

/// Where a [`Value::Text`] came from; text of different kinds never compares equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TextKind {
    /// A string cell.
    String,
    /// A decimal cell whose text is not a number.
    Decimal,
    /// A date or timestamp cell whose text is not a recognised date or timestamp.
    Temporal,
    /// Any other cell (binary, interval, nested) as its text.
    Other,
}

impl<'a> Value<'a> {
    /// Normalises a cell: numbers of every kind become `f64`, dates and timestamps instants.
    pub(super) fn of(cell: &'a Cell) -> Self {
        match cell {
            Cell::Null => Self::Null,
            Cell::Boolean(value) => Self::Boolean(*value),
            Cell::Integer(_) | Cell::Float(_) => Self::number(cell.as_f64().unwrap_or(f64::NAN)),
            Cell::Decimal(text) => cell
                .as_f64()
                .map_or(Self::Text(TextKind::Decimal, text), Self::number),
            Cell::String(text) => Self::Text(TextKind::String, text),
            Cell::Date(text) | Cell::Timestamp(text) => {
                Instant::parse(text).map_or(Self::Text(TextKind::Temporal, text), Self::Instant)
            }
            Cell::Other(text) => Self::Text(TextKind::Other, text),
        }
    }

    fn number(value: f64) -> Self {
        if value.is_nan() {
            Self::Number(f64::NAN)
        } else if value == 0.0 {
            Self::Number(0.0)
        } else {
            Self::Number(value)
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Null => 0,
            Self::Boolean(_) => 1,
            Self::Number(_) => 2,
            Self::Instant(_) => 3,
            Self::Text(..) => 4,
        }
    }

    /// A total order (kind first, then value) used to sort values before comparing them pairwise.
    pub(super) fn total_cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Boolean(left), Self::Boolean(right)) => left.cmp(right),
            (Self::Number(left), Self::Number(right)) => left.total_cmp(right),
            (Self::Instant(left), Self::Instant(right)) => left.cmp(right),
            (Self::Text(left_kind, left), Self::Text(right_kind, right)) => {
                left_kind.cmp(right_kind).then_with(|| left.cmp(right))
            }
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The numeric tolerance of one comparison, with the rounding its hashes use.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tolerance {
    relative: f64,
    absolute: f64,
    /// Low mantissa bits a number's hash rounds away, so numbers equal within the
    /// relative tolerance usually share a hash.
    dropped_mantissa_bits: u32,
    /// The mantissa bits [`Tolerance::coarse_number_key`] rounds away.
    coarse_dropped_mantissa_bits: u32,
    /// [`bucket_offset`] of `dropped_mantissa_bits`.
    bucket_offset: u64,
    /// [`bucket_offset`] of `coarse_dropped_mantissa_bits`.
    coarse_bucket_offset: u64,
}

const NULL_SEED: u64 = 0x6e75_6c6c_0000_0001;
const BOOLEAN_SEED: u64 = 0x626f_6f6c_0000_0002;
const NUMBER_SEED: u64 = 0x6e75_6d62_0000_0003;
const NAN_SEED: u64 = 0x6e61_6e00_0000_0004;
const ZERO_SEED: u64 = 0x7a65_726f_0000_0005;
const INSTANT_SEED: u64 = 0x696e_7374_0000_0006;
const TEXT_SEED: u64 = 0x7465_7874_0000_0007;
/// 0.618… (the golden ratio's fractional part) as a 64-bit fixed-point fraction.
const GOLDEN_FRACTION: u128 = 0x9e37_79b9_7f4a_7c15;

impl Tolerance {
    /// Reads the tolerances from `options`; negative or NaN tolerances count as zero.
    pub(super) fn new(options: &ComparisonOptions) -> Self {
        let relative = options.relative_tolerance.max(0.0);
        let absolute = options.absolute_tolerance.max(0.0);
        // Find the fewest mantissa bits whose resolution (2^-kept) is within the relative
        // tolerance, then keep two fewer: buckets about four tolerances wide split fewer
        // equal values (what a bucket lumps together is sorted out by the real equality).
        let mut kept_bits: u32 = 0;
        let mut resolution = 1.0_f64;
        while kept_bits < 52 && resolution > relative {
            kept_bits += 1;
            resolution /= 2.0;
        }
        let kept_bits = if kept_bits == 52 {
            52
        } else {
            kept_bits.saturating_sub(2)
        };
        let dropped_mantissa_bits = 52 - kept_bits;
        let coarse_dropped_mantissa_bits = (dropped_mantissa_bits + 8).min(52);
        Self {
            relative,
            absolute,
            dropped_mantissa_bits,
            coarse_dropped_mantissa_bits,
            bucket_offset: bucket_offset(dropped_mantissa_bits),
            coarse_bucket_offset: bucket_offset(coarse_dropped_mantissa_bits),
        }
    }

    /// Whether two numbers are equal: `|a-b| <= max(absolute, relative * max(|a|,|b|))`,
    /// NaN equals NaN, and an infinity equals only itself.
    pub(super) fn numbers_equal(&self, left: f64, right: f64) -> bool {
        // Identical bits (an infinity, or the same number) are equal; `-0.0` and `0.0`
        // differ in bits but not by more than any tolerance, so they are equal below.
        if left.to_bits() == right.to_bits() {
            return true;
        }
        if left.is_nan() || right.is_nan() {
            return left.is_nan() && right.is_nan();
        }
        if left.is_infinite() || right.is_infinite() {
            return false;
        }
        let allowed = self
            .absolute
            .max(self.relative * left.abs().max(right.abs()));
        (left - right).abs() <= allowed
    }

    /// Like [`Self::numbers_equal`], exact for integers beyond 2^53.
    fn integers_equal(&self, left: i64, right: i64) -> bool {
        if left == right {
            return true;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "only the tolerance needs the magnitudes, and it is approximate by nature"
        )]
        let (difference, magnitude) = (
            (i128::from(left) - i128::from(right)).unsigned_abs() as f64,
            left.unsigned_abs().max(right.unsigned_abs()) as f64,
        );
        difference <= self.absolute.max(self.relative * magnitude)
    }

    /// Whether two normalised values are equal.
    pub(super) fn values_equal(&self, left: Value<'_>, right: Value<'_>) -> bool {
        match (left, right) {
            (Value::Null, Value::Null) => true,
            (Value::Boolean(left), Value::Boolean(right)) => left == right,
            (Value::Number(left), Value::Number(right)) => self.numbers_equal(left, right),
            (Value::Instant(left), Value::Instant(right)) => left == right,
            (Value::Text(left_kind, left), Value::Text(right_kind, right)) => {
                left_kind == right_kind && left == right
            }
            _ => false,
        }
    }

    /// Whether two cells hold the same value (the comparison's one notion of equality).
    pub(super) fn cells_equal(&self, left: &Cell, right: &Cell) -> bool {
        match (left, right) {
            (Cell::Null, Cell::Null) => true,
            (Cell::Integer(left), Cell::Integer(right)) => self.integers_equal(*left, *right),
            (Cell::Float(left), Cell::Float(right)) => self.numbers_equal(*left, *right),
            (Cell::String(left), Cell::String(right)) => left == right,
            (Cell::Boolean(left), Cell::Boolean(right)) => left == right,
            // Identical text is the same value whatever it parses to; only different
            // spellings (`10.5` and `10.50`) need normalising.
            (Cell::Decimal(left_text), Cell::Decimal(right_text))
            | (
                Cell::Date(left_text) | Cell::Timestamp(left_text),
                Cell::Date(right_text) | Cell::Timestamp(right_text),
            )
            | (Cell::Other(left_text), Cell::Other(right_text))
                if left_text == right_text =>
            {
                true
            }
            _ => self.values_equal(Value::of(left), Value::of(right)),
        }
    }

    /// A 64-bit hash of a cell; cells that are equal almost always hash alike.
    pub(super) fn cell_hash(&self, cell: &Cell) -> u64 {
        self.value_hash(Value::of(cell))
    }

    /// A 64-bit hash of a normalised value.
    pub(super) fn value_hash(&self, value: Value<'_>) -> u64 {
        match value {
            Value::Null => mix(NULL_SEED),
            Value::Boolean(value) => mix(BOOLEAN_SEED ^ u64::from(value)),
            Value::Number(number) => self.number_hash(number),
            Value::Instant(instant) => {
                mix(mix(INSTANT_SEED ^ instant.seconds.cast_unsigned()) ^ u64::from(instant.nanos))
            }
            Value::Text(kind, text) => text_hash(TEXT_SEED ^ kind as u64, text),
        }
    }

    /// Hashes a number rounded to the tolerance's precision: numbers within the absolute
    /// tolerance of zero hash as zero, others keep only their leading mantissa bits.
    fn number_hash(&self, number: f64) -> u64 {
        mix(self.number_key(number, self.dropped_mantissa_bits, self.bucket_offset))
    }

    /// A much coarser key than [`Self::number_hash`] (buckets about 256 times wider):
    /// numbers equal within tolerance share it unless one of them is
    /// [`near a coarse boundary`](Self::near_coarse_boundary).
    pub(super) fn coarse_number_key(&self, number: f64) -> u64 {
        self.number_key(
            number,
            self.coarse_dropped_mantissa_bits,
            self.coarse_bucket_offset,
        )
    }

    /// Whether some number equal to `number` within tolerance could have another
    /// [`Self::coarse_number_key`]. Every key covers one interval of the number line,
    /// so it is enough to look at the two ends of the (generously widened) tolerance.
    pub(super) fn near_coarse_boundary(&self, number: f64) -> bool {
        if number.is_nan() || number.is_infinite() {
            return false;
        }
        // A partner `y` of `x` satisfies |x-y| <= max(absolute, relative * |x| / (1 - relative)).
        let reach = if self.relative < 0.5 {
            self.absolute.max(2.0 * self.relative * number.abs())
        } else {
            f64::INFINITY
        };
        if reach == 0.0 {
            return false;
        }
        let key = self.coarse_number_key(number);
        self.coarse_number_key(number - reach) != key
            || self.coarse_number_key(number + reach) != key
    }

    /// The bucket of a number with `dropped` low mantissa bits rounded away (after
    /// adding `offset`, see [`bucket_offset`]).
    fn number_key(&self, number: f64, dropped: u32, offset: u64) -> u64 {
        if number.is_nan() {
            return NAN_SEED;
        }
        if number == 0.0 || number.abs() < self.absolute {
            return ZERO_SEED;
        }
        let bits = number.to_bits();
        let rounded = match dropped {
            0 => bits,
            dropped => {
                // Adding a fraction of a step before masking shifts the bucket edges off
                // the grid; a carry into the exponent lands on the next power of two,
                // which is the right bucket.
                bits.wrapping_add(offset) & !((1_u64 << dropped) - 1)
            }
        };
        NUMBER_SEED ^ rounded
    }
}

/// The golden ratio's fraction of a bucket step of `dropped` mantissa bits. Not a half:
/// bucket edges then never fall on numbers with few significant bits (integers,
/// quarters), whose noisy copies would otherwise straddle them.
fn bucket_offset(dropped: u32) -> u64 {
    match dropped {
        0 => 0,
        dropped => {
            let step = u128::from(1_u64 << dropped);
            u64::try_from((step * GOLDEN_FRACTION) >> 64).unwrap_or_default()
        }
    }
}

/// The `splitmix64` finaliser: spreads every input bit over the whole output.
pub(super) fn mix(value: u64) -> u64 {
    let mut value = value;
    value ^= value >> 30;
    value = value.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value ^= value >> 27;
    value = value.wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

/// Hashes text eight bytes at a time (fast even in debug builds).
fn text_hash(seed: u64, text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut hash = mix(seed ^ bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        hash = mix(hash ^ u64::from_le_bytes(word));
    }
    let remainder = chunks.remainder();
    if !remainder.is_empty() {
        let mut word = [0_u8; 8];
        word[..remainder.len()].copy_from_slice(remainder);
        hash = mix(hash ^ u64::from_le_bytes(word));
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::{Tolerance, Value};
    use crate::compare::ComparisonOptions;
    use crate::result::Cell;

    fn tolerance() -> Tolerance {
        Tolerance::new(&ComparisonOptions::default())
    }

    fn decimal(text: &str) -> Cell {
        Cell::Decimal(text.to_owned())
    }

    fn string(text: &str) -> Cell {
        Cell::String(text.to_owned())
    }

    /// Asserts that two cells compare as `equal` in both directions, and that equal
    /// cells share a hash.
    fn check(left: &Cell, right: &Cell, equal: bool) {
        let tolerance = tolerance();
        assert_eq!(
            tolerance.cells_equal(left, right),
            equal,
            "{left:?} vs {right:?}"
        );
        assert_eq!(
            tolerance.cells_equal(right, left),
            equal,
            "{right:?} vs {left:?}"
        );
        if equal {
            assert_eq!(
                tolerance.cell_hash(left),
                tolerance.cell_hash(right),
                "{left:?} and {right:?} should share a hash"
            );
        }
    }

    #[test]
    fn integers_decimals_and_floats_compare_numerically() {
        check(&Cell::Integer(3), &decimal("3.00"), true);
        check(&Cell::Integer(3), &Cell::Float(3.0), true);
        check(&decimal("10.50"), &Cell::Float(10.5), true);
        check(&decimal(" 10.5 "), &decimal("10.500"), true);
        check(&Cell::Float(0.1 + 0.2), &decimal("0.3"), true);
        check(&Cell::Integer(3), &decimal("3.01"), false);
        check(&Cell::Integer(-2), &Cell::Integer(2), false);
    }

    #[test]
    fn relative_tolerance_edges() {
        let tolerance = tolerance();
        // One part in a million of 1e6 is 1.0.
        assert!(tolerance.numbers_equal(1_000_000.0, 1_000_000.9));
        assert!(!tolerance.numbers_equal(1_000_000.0, 1_000_001.1));
        assert!(tolerance.cells_equal(&Cell::Integer(1_000_000), &Cell::Integer(1_000_001)));
        assert!(!tolerance.cells_equal(&Cell::Integer(1_000_000), &Cell::Integer(1_000_002)));
        assert!(tolerance.numbers_equal(-1_000_000.0, -1_000_000.9));
        assert!(!tolerance.numbers_equal(1.0, 1.000_002));
    }

    #[test]
    fn absolute_tolerance_covers_numbers_near_zero() {
        let tolerance = tolerance();
        assert!(tolerance.numbers_equal(0.0, 1e-12));
        assert!(tolerance.numbers_equal(-5e-10, 4e-10));
        assert!(!tolerance.numbers_equal(0.0, 1e-8));
        check(&Cell::Float(1e-12), &Cell::Integer(0), true);
        check(&Cell::Float(-0.0), &Cell::Float(0.0), true);
    }

    #[test]
    fn zero_tolerance_is_exact_even_for_huge_integers() {
        let exact = Tolerance::new(&ComparisonOptions {
            relative_tolerance: 0.0,
            absolute_tolerance: 0.0,
            ..ComparisonOptions::default()
        });
        assert!(!exact.numbers_equal(1.0, 1.0 + f64::EPSILON));
        assert!(exact.numbers_equal(2.5, 2.5));
        let big = 1_i64 << 60;
        assert!(!exact.cells_equal(&Cell::Integer(big), &Cell::Integer(big + 1)));
        assert!(tolerance().cells_equal(&Cell::Integer(big), &Cell::Integer(big + 1)));
    }

    #[test]
    fn nan_infinity_and_null() {
        check(&Cell::Float(f64::NAN), &Cell::Float(f64::NAN), true);
        check(&Cell::Float(f64::NAN), &decimal("NaN"), true);
        check(
            &Cell::Float(f64::INFINITY),
            &Cell::Float(f64::INFINITY),
            true,
        );
        check(&Cell::Float(f64::INFINITY), &Cell::Float(f64::MAX), false);
        check(
            &Cell::Float(f64::INFINITY),
            &Cell::Float(f64::NEG_INFINITY),
            false,
        );
        check(&Cell::Float(f64::NAN), &Cell::Float(0.0), false);
        check(&Cell::Null, &Cell::Null, true);
        check(&Cell::Null, &Cell::Integer(0), false);
        check(&Cell::Null, &string(""), false);
        check(&Cell::Null, &string("NULL"), false);
    }

    #[test]
    fn strings_are_exact_and_case_sensitive() {
        check(&string("East"), &string("East"), true);
        check(&string("East"), &string("east"), false);
        check(&string("East"), &string("East "), false);
        check(
            &string("a longer string of text"),
            &string("a longer string of text"),
            true,
        );
    }

    #[test]
    fn numeric_strings_are_not_numbers() {
        check(&string("3"), &Cell::Integer(3), false);
        check(&string("3.00"), &decimal("3.00"), false);
        check(&string("true"), &Cell::Boolean(true), false);
    }

    #[test]
    fn booleans_are_exact() {
        check(&Cell::Boolean(true), &Cell::Boolean(true), true);
        check(&Cell::Boolean(true), &Cell::Boolean(false), false);
        check(&Cell::Boolean(true), &Cell::Integer(1), false);
    }

    #[test]
    fn dates_equal_timestamps_at_midnight() {
        let date = Cell::Date("2024-01-01".to_owned());
        for text in [
            "2024-01-01T00:00:00",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00.000Z",
            "2024-01-01 00:00:00.000",
        ] {
            check(&date, &Cell::Timestamp(text.to_owned()), true);
        }
        check(
            &date,
            &Cell::Timestamp("2024-01-01T00:00:01".to_owned()),
            false,
        );
        check(&date, &Cell::Date("2024-01-02".to_owned()), false);
        check(&date, &string("2024-01-01"), false);
    }

    #[test]
    fn unparseable_cells_compare_as_their_text() {
        check(&decimal("n/a"), &decimal("n/a"), true);
        check(&decimal("n/a"), &string("n/a"), false);
        check(
            &Cell::Date("someday".to_owned()),
            &Cell::Timestamp("someday".to_owned()),
            true,
        );
        check(
            &Cell::Other("[1,2]".to_owned()),
            &Cell::Other("[1,2]".to_owned()),
            true,
        );
        check(&Cell::Other("[1,2]".to_owned()), &string("[1,2]"), false);
    }

    #[test]
    fn values_within_tolerance_usually_share_a_hash() {
        let tolerance = tolerance();
        let mut shared = 0;
        for step in 1..=1000 {
            let value = f64::from(step) * 0.37;
            let noisy = value * (1.0 + 1e-13);
            shared += usize::from(
                tolerance.cell_hash(&Cell::Float(value))
                    == tolerance.cell_hash(&Cell::Float(noisy)),
            );
        }
        assert!(
            shared >= 995,
            "only {shared} of 1000 noisy values shared a hash"
        );
        assert_ne!(
            tolerance.cell_hash(&Cell::Float(1.0)),
            tolerance.cell_hash(&Cell::Float(1.1))
        );
    }

    #[test]
    fn numbers_equal_within_tolerance_share_a_coarse_key_unless_near_its_boundary() {
        let tolerance = tolerance();
        let mut near = 0;
        for step in 1..=10_000 {
            let value = f64::from(step) * 0.731;
            for partner in [value * (1.0 + 9e-7), value * (1.0 - 9e-7), value + 1e-10] {
                assert!(tolerance.numbers_equal(value, partner));
                if tolerance.coarse_number_key(value) != tolerance.coarse_number_key(partner) {
                    assert!(
                        tolerance.near_coarse_boundary(value),
                        "{value} and {partner}"
                    );
                    assert!(
                        tolerance.near_coarse_boundary(partner),
                        "{partner} and {value}"
                    );
                }
            }
            near += usize::from(tolerance.near_coarse_boundary(value));
        }
        assert!(
            near < 100,
            "{near} of 10000 values are near a coarse boundary"
        );
        assert!(
            tolerance.near_coarse_boundary(5e-10)
                || tolerance.coarse_number_key(5e-10) == tolerance.coarse_number_key(0.0)
        );
        assert!(!tolerance.near_coarse_boundary(f64::NAN));
    }

    #[test]
    fn total_order_sorts_kinds_then_values() {
        let cells = [
            string("b"),
            Cell::Float(2.5),
            Cell::Null,
            Cell::Integer(-1),
            Cell::Boolean(true),
            string("a"),
        ];
        let mut values: Vec<Value<'_>> = cells.iter().map(Value::of).collect();
        values.sort_by(Value::total_cmp);
        let expected = [
            Cell::Null,
            Cell::Boolean(true),
            Cell::Integer(-1),
            Cell::Float(2.5),
            string("a"),
            string("b"),
        ];
        let expected: Vec<Value<'_>> = expected.iter().map(Value::of).collect();
        assert_eq!(values, expected);
    }
}
