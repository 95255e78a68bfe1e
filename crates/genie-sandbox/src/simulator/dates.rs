//! Periods and time grains in a question: years, quarters, halves, months, explicit
//! dates, periods relative to today ("the last 30 days", "this year", "last month"),
//! "each month", "month over month", weekends.

use super::words::{Token, TokenKind};

/// An inclusive date range: ISO dates, or a range relative to the day the query runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Period {
    /// First day (ISO), empty for a relative period.
    pub(crate) start: String,
    /// Last day (ISO), empty for a relative period.
    pub(crate) end: String,
    /// Set for periods relative to today.
    pub(crate) relative: Option<Relative>,
    /// How the question said it ("2024", "Q3 2024", …).
    pub(crate) said: String,
}

/// A period relative to the day the query runs (`current_date()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relative {
    /// The last `n` days up to today.
    Days(u32),
    /// The last `n` months up to today.
    Months(u32),
    /// This calendar year, month or quarter (`offset` 0) or the one before (1).
    Calendar { grain: Grain, offset: u32 },
    /// This year up to today.
    YearToDate,
    /// Today (`offset` 0) or yesterday (1).
    Day { offset: u32 },
}

impl Period {
    fn relative(relative: Relative, said: String) -> Self {
        Self {
            start: String::new(),
            end: String::new(),
            relative: Some(relative),
            said,
        }
    }

    /// Whether every day of the period falls in one calendar year.
    pub(crate) fn within_one_year(&self) -> bool {
        match self.relative {
            None => self.start.get(..4) == self.end.get(..4),
            Some(Relative::Calendar { .. } | Relative::YearToDate | Relative::Day { .. }) => true,
            Some(Relative::Days(_) | Relative::Months(_)) => false,
        }
    }

    /// The condition keeping the dates of `reference` (a `DATE` column, or a
    /// `TIMESTAMP` one when `timestamp`) in this period.
    pub(crate) fn sql(&self, reference: &str, timestamp: bool) -> String {
        let Some(relative) = self.relative else {
            return if timestamp {
                format!(
                    "{reference} >= TIMESTAMP '{} 00:00:00' AND {reference} < date_add(DATE '{}', 1)",
                    self.start, self.end
                )
            } else {
                format!(
                    "{reference} BETWEEN DATE '{}' AND DATE '{}'",
                    self.start, self.end
                )
            };
        };
        let day = if timestamp {
            format!("CAST({reference} AS DATE)")
        } else {
            reference.to_owned()
        };
        match relative {
            Relative::Days(days) => {
                format!("{day} BETWEEN date_sub(current_date(), {days}) AND current_date()")
            }
            Relative::Months(months) => {
                format!("{day} BETWEEN add_months(current_date(), -{months}) AND current_date()")
            }
            Relative::Calendar {
                grain: Grain::Year,
                offset,
            } => {
                format!("year({day}) = year(current_date()) - {offset}")
            }
            Relative::Calendar { grain, offset } => {
                let per_year = if grain == Grain::Quarter { 4 } else { 12 };
                let part = grain.function();
                format!(
                    "year({day}) * {per_year} + {part}({day}) = year(current_date()) * {per_year} + {part}(current_date()) - {offset}"
                )
            }
            Relative::YearToDate => {
                format!("year({day}) = year(current_date()) AND {day} <= current_date()")
            }
            Relative::Day { offset } => format!("{day} = date_sub(current_date(), {offset})"),
        }
    }
}

/// A time bucket to group or compare by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    /// The Databricks function that extracts this grain from a date (`month(d)`).
    pub(crate) fn function(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "weekofyear",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    /// The word for it.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "day" | "days" | "daily" | "date" | "dates" => Self::Day,
            "week" | "weeks" | "weekly" => Self::Week,
            "month" | "months" | "monthly" => Self::Month,
            "quarter" | "quarters" | "quarterly" => Self::Quarter,
            "year" | "years" | "yearly" | "annual" | "annually" => Self::Year,
            _ => return None,
        })
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    let position = MONTHS.iter().position(|month| {
        *month == word || ((3..=4).contains(&word.len()) && month.starts_with(word))
    })?;
    u32::try_from(position + 1).ok()
}

fn year_of(token: &Token) -> Option<i32> {
    (token.kind == TokenKind::Number && token.lower.len() == 4)
        .then(|| token.lower.parse::<i32>().ok())
        .flatten()
        .filter(|year| (1900..=2100).contains(year))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn range(year: i32, first_month: u32, last_month: u32, said: String) -> Period {
    Period {
        relative: None,
        start: format!("{year:04}-{first_month:02}-01"),
        end: format!(
            "{year:04}-{last_month:02}-{:02}",
            days_in_month(year, last_month)
        ),
        said,
    }
}

/// What the time words of a question say; `used` marks the tokens they took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TimeFrame {
    pub(crate) periods: Vec<(usize, Period)>,
    pub(crate) grain: Option<Grain>,
    pub(crate) change: Option<Grain>,
    /// `Some(true)` for weekends, `Some(false)` for weekdays.
    pub(crate) weekend: Option<(usize, bool)>,
    pub(crate) used: Vec<usize>,
}

/// Reads the time words of `tokens`.
pub(crate) fn read_time(tokens: &[Token]) -> TimeFrame {
    let mut frame = TimeFrame::default();
    let lower: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
    let mut index = 0;
    while index < tokens.len() {
        let word = lower[index];
        // "month over month", "quarter-over-quarter", "MoM".
        if let Some(grain) = Grain::parse(word)
            && lower.get(index + 1) == Some(&"over")
            && lower.get(index + 2).and_then(|w| Grain::parse(w)) == Some(grain)
        {
            frame.change = Some(grain);
            frame.used.extend([index, index + 1, index + 2]);
            index += 3;
            continue;
        }
        let change = match word {
            "mom" | "month-over-month" => Some(Grain::Month),
            "qoq" | "quarter-over-quarter" => Some(Grain::Quarter),
            "yoy" | "year-over-year" => Some(Grain::Year),
            "wow" | "week-over-week" => Some(Grain::Week),
            _ => None,
        };
        if let Some(grain) = change {
            frame.change = Some(grain);
            frame.used.push(index);
            index += 1;
            continue;
        }
        // Grain: "each month", "per quarter", "by year", "every week", "monthly".
        if matches!(word, "each" | "per" | "by" | "every")
            && let Some(grain) = lower.get(index + 1).and_then(|w| Grain::parse(w))
        {
            frame.grain = Some(grain);
            frame.used.extend([index, index + 1]);
            index += 2;
            continue;
        }
        if matches!(
            word,
            "daily" | "weekly" | "monthly" | "quarterly" | "yearly" | "annually"
        ) {
            frame.grain = Grain::parse(word);
            frame.used.push(index);
            index += 1;
            continue;
        }
        if matches!(word, "weekend" | "weekends") {
            frame.weekend = Some((index, true));
            frame.used.push(index);
            index += 1;
            continue;
        }
        if matches!(word, "weekday" | "weekdays") {
            frame.weekend = Some((index, false));
            frame.used.push(index);
            index += 1;
            continue;
        }
        if let Some((length, period)) = period_at(tokens, &lower, index) {
            frame.periods.push((index, period));
            frame.used.extend(index..index + length);
            index += length;
            continue;
        }
        index += 1;
    }
    frame
}

/// A period starting at `index`, and how many tokens it takes.
fn period_at(tokens: &[Token], lower: &[&str], index: usize) -> Option<(usize, Period)> {
    if let Some(found) = relative_at(tokens, lower, index) {
        return Some(found);
    }
    let word = lower[index];
    // "between 2024-01-01 and 2024-03-31"
    if word == "between"
        && tokens.get(index + 1)?.kind == TokenKind::Date
        && lower.get(index + 2) == Some(&"and")
        && tokens.get(index + 3)?.kind == TokenKind::Date
    {
        return Some((
            4,
            Period {
                relative: None,
                start: lower[index + 1].to_owned(),
                end: lower[index + 3].to_owned(),
                said: format!("{} to {}", lower[index + 1], lower[index + 3]),
            },
        ));
    }
    if tokens[index].kind == TokenKind::Date {
        return Some((
            1,
            Period {
                relative: None,
                start: word.to_owned(),
                end: word.to_owned(),
                said: word.to_owned(),
            },
        ));
    }
    // "Q3 2024", "Q3 of 2024", "H1 2025"
    if let Some(rest) = word.strip_prefix('q').or_else(|| word.strip_prefix('h'))
        && let Ok(number) = rest.parse::<u32>()
    {
        let (skip, year) = year_after(tokens, lower, index + 1)?;
        let months = if word.starts_with('q') {
            (1..=4)
                .contains(&number)
                .then(|| (number * 3 - 2, number * 3))?
        } else {
            (1..=2)
                .contains(&number)
                .then(|| (number * 6 - 5, number * 6))?
        };
        return Some((
            1 + skip,
            range(
                year,
                months.0,
                months.1,
                format!("{} {year}", word.to_uppercase()),
            ),
        ));
    }
    // "first quarter of 2024", "second half of 2025"
    let ordinal = match word {
        "first" | "1st" => Some(1),
        "second" | "2nd" => Some(2),
        "third" | "3rd" => Some(3),
        "fourth" | "4th" => Some(4),
        _ => None,
    };
    if let Some(ordinal) = ordinal
        && let Some(unit) = lower.get(index + 1)
        && matches!(*unit, "quarter" | "half")
    {
        let (skip, year) = year_after(tokens, lower, index + 2)?;
        let months = if *unit == "quarter" {
            (ordinal <= 4).then(|| (ordinal * 3 - 2, ordinal * 3))?
        } else {
            (ordinal <= 2).then(|| (ordinal * 6 - 5, ordinal * 6))?
        };
        return Some((
            2 + skip,
            range(year, months.0, months.1, format!("{word} {unit} of {year}")),
        ));
    }
    // "from July through September 2024", "between July 1 and September 30, 2024",
    // "July to September 2024".
    if let Some(found) = month_range_at(tokens, lower, index) {
        return Some(found);
    }
    // "March 2025", "March of 2025"
    if let Some(month) = month_number(word)
        && let Some((skip, year)) = year_after(tokens, lower, index + 1)
    {
        return Some((
            1 + skip,
            range(year, month, month, format!("{} {year}", tokens[index].raw)),
        ));
    }
    let year = year_of(&tokens[index])?;
    // "2024 Q3", "2025 H1"
    if let Some(next) = lower.get(index + 1)
        && let Some(rest) = next.strip_prefix('q').or_else(|| next.strip_prefix('h'))
        && let Ok(number) = rest.parse::<u32>()
    {
        let months = match next.as_bytes()[0] {
            b'q' if (1..=4).contains(&number) => Some((number * 3 - 2, number * 3)),
            b'h' if (1..=2).contains(&number) => Some((number * 6 - 5, number * 6)),
            _ => None,
        };
        if let Some((first, last)) = months {
            return Some((
                2,
                range(year, first, last, format!("{} {year}", next.to_uppercase())),
            ));
        }
    }
    Some((1, range(year, 1, 12, year.to_string())))
}

/// A range of months (and days) within one year at `index`: an optional "from" or
/// "between", a month and an optional day, "through", "to", "until" or "and", a month
/// and an optional day, then the year.
fn month_range_at(tokens: &[Token], lower: &[&str], index: usize) -> Option<(usize, Period)> {
    let mut at = index + usize::from(matches!(lower[index], "from" | "between"));
    let first = month_number(lower.get(at)?)?;
    at += 1;
    let day = |at: usize| {
        tokens
            .get(at)
            .filter(|token| token.kind == TokenKind::Number && token.lower.len() <= 2)
            .and_then(|token| token.lower.parse::<u32>().ok())
            .filter(|day| (1..=31).contains(day))
    };
    let first_day = day(at);
    at += usize::from(first_day.is_some());
    if !matches!(*lower.get(at)?, "through" | "thru" | "to" | "until" | "and") {
        return None;
    }
    at += 1;
    let last = month_number(lower.get(at)?)?;
    at += 1;
    let last_day = day(at);
    at += usize::from(last_day.is_some());
    let (skip, year) = year_after(tokens, lower, at)?;
    if last < first {
        return None;
    }
    let days = days_in_month(year, last);
    let start = format!("{year:04}-{first:02}-{:02}", first_day.unwrap_or(1).min(31));
    let end = format!(
        "{year:04}-{last:02}-{:02}",
        last_day.unwrap_or(days).min(days)
    );
    let said = tokens[index..at + skip]
        .iter()
        .map(|token| token.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Some((
        at + skip - index,
        Period {
            relative: None,
            start,
            end,
            said,
        },
    ))
}

/// A period relative to today at `index`: "today", "yesterday", "year to date", "this
/// month", "last year", "the past 30 days", "the last 6 months".
fn relative_at(tokens: &[Token], lower: &[&str], index: usize) -> Option<(usize, Period)> {
    let word = lower[index];
    let said = |length: usize| lower[index..index + length].join(" ");
    match word {
        "today" => return Some((1, Period::relative(Relative::Day { offset: 0 }, said(1)))),
        "yesterday" => return Some((1, Period::relative(Relative::Day { offset: 1 }, said(1)))),
        "ytd" | "year-to-date" => {
            return Some((1, Period::relative(Relative::YearToDate, said(1))));
        }
        "year" if lower.get(index + 1) == Some(&"to") && lower.get(index + 2) == Some(&"date") => {
            return Some((3, Period::relative(Relative::YearToDate, said(3))));
        }
        _ => {}
    }
    let offset = match word {
        "this" | "current" => 0,
        "last" | "past" | "previous" | "prior" => 1,
        _ => return None,
    };
    let next = *lower.get(index + 1)?;
    if offset == 1
        && let Some(count) = tokens
            .get(index + 1)
            .filter(|token| token.kind == TokenKind::Number)
            .and_then(|token| token.lower.parse::<u32>().ok())
    {
        let unit = *lower.get(index + 2)?;
        let relative = match unit {
            "day" | "days" => Relative::Days(count),
            "week" | "weeks" => Relative::Days(count * 7),
            "month" | "months" => Relative::Months(count),
            "year" | "years" => Relative::Months(count * 12),
            _ => return None,
        };
        return Some((3, Period::relative(relative, said(3))));
    }
    let relative = match (next, word) {
        ("week", _) => Relative::Days(7),
        ("month" | "quarter" | "year", "past") => match next {
            "month" => Relative::Months(1),
            "quarter" => Relative::Months(3),
            _ => Relative::Months(12),
        },
        ("month", _) => Relative::Calendar {
            grain: Grain::Month,
            offset,
        },
        ("quarter", _) => Relative::Calendar {
            grain: Grain::Quarter,
            offset,
        },
        ("year", _) => Relative::Calendar {
            grain: Grain::Year,
            offset,
        },
        _ => return None,
    };
    Some((2, Period::relative(relative, said(2))))
}

/// A year at `index`, optionally after "of" / "in"; how many tokens that takes.
fn year_after(tokens: &[Token], lower: &[&str], index: usize) -> Option<(usize, i32)> {
    if let Some(year) = tokens.get(index).and_then(year_of) {
        return Some((1, year));
    }
    if matches!(lower.get(index), Some(&("of" | "in")))
        && let Some(year) = tokens.get(index + 1).and_then(year_of)
    {
        return Some((2, year));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::words::tokenize;
    use super::*;

    fn periods(question: &str) -> Vec<(String, String)> {
        read_time(&tokenize(question))
            .periods
            .into_iter()
            .map(|(_, period)| (period.start, period.end))
            .collect()
    }

    #[test]
    fn reads_month_ranges_and_year_first_quarters() {
        let one = |s: &str, e: &str| vec![(s.to_owned(), e.to_owned())];
        assert_eq!(
            periods("tonnage from July through September 2024"),
            one("2024-07-01", "2024-09-30")
        );
        assert_eq!(
            periods("hauls between July 1 and September 15, 2024"),
            one("2024-07-01", "2024-09-15")
        );
        assert_eq!(periods("tonnage 2024 Q3"), one("2024-07-01", "2024-09-30"));
        assert_eq!(periods("hauls in 2025 H1"), one("2025-01-01", "2025-06-30"));
    }

    #[test]
    fn reads_periods() {
        let year = |s: &str, e: &str| vec![(s.to_owned(), e.to_owned())];
        assert_eq!(periods("tonnage in 2024"), year("2024-01-01", "2024-12-31"));
        assert_eq!(
            periods("tonnage in Q3 2024"),
            year("2024-07-01", "2024-09-30")
        );
        assert_eq!(
            periods("the first half of 2025"),
            year("2025-01-01", "2025-06-30")
        );
        assert_eq!(
            periods("second half of 2024"),
            year("2024-07-01", "2024-12-31")
        );
        assert_eq!(
            periods("orders in March 2025"),
            year("2025-03-01", "2025-03-31")
        );
        assert_eq!(
            periods("February of 2024"),
            year("2024-02-01", "2024-02-29")
        );
        assert_eq!(
            periods("between 2024-01-05 and 2024-02-01"),
            year("2024-01-05", "2024-02-01")
        );
        assert_eq!(periods("top 5 products"), Vec::<(String, String)>::new());
    }

    #[test]
    fn reads_periods_relative_to_today() {
        let relative = |question: &str| {
            read_time(&tokenize(question))
                .periods
                .into_iter()
                .map(|(_, period)| period.relative)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            relative("orders in the last 30 days"),
            [Some(Relative::Days(30))]
        );
        assert_eq!(
            relative("revenue over the past 2 weeks"),
            [Some(Relative::Days(14))]
        );
        assert_eq!(
            relative("sales in the last 6 months"),
            [Some(Relative::Months(6))]
        );
        assert_eq!(
            relative("revenue last month"),
            [Some(Relative::Calendar {
                grain: Grain::Month,
                offset: 1
            })]
        );
        assert_eq!(
            relative("signups this year"),
            [Some(Relative::Calendar {
                grain: Grain::Year,
                offset: 0
            })]
        );
        assert_eq!(
            relative("refunds year to date"),
            [Some(Relative::YearToDate)]
        );
        assert_eq!(
            relative("orders today"),
            [Some(Relative::Day { offset: 0 })]
        );
        let period = read_time(&tokenize("last quarter")).periods.remove(0).1;
        assert_eq!(
            period.sql("d", false),
            "year(d) * 4 + quarter(d) = year(current_date()) * 4 + quarter(current_date()) - 1"
        );
        assert!(period.within_one_year());
    }

    #[test]
    fn reads_grains_changes_and_weekends() {
        let frame = read_time(&tokenize("tonnage in each month of 2024 on weekends"));
        assert_eq!(frame.grain, Some(Grain::Month));
        assert_eq!(frame.weekend.map(|(_, w)| w), Some(true));
        let frame = read_time(&tokenize(
            "How did tonnage change quarter over quarter in 2025?",
        ));
        assert_eq!(frame.change, Some(Grain::Quarter));
        assert_eq!(frame.periods.len(), 1);
    }
}
