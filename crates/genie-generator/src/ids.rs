//! Benchmark ids for synthesized questions: `[a-z0-9_]+`, readable, unique in a set.

use std::collections::BTreeSet;

/// The longest slug taken from free text (a question), before any `_2` suffix.
const MAX_SLUG_CHARS: usize = 60;

/// `text` as an id fragment: lowercase ASCII letters and digits, every other run of
/// characters one `_`, no leading or trailing `_`, at most [`MAX_SLUG_CHARS`] long.
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    if slug.len() > MAX_SLUG_CHARS {
        slug.truncate(MAX_SLUG_CHARS);
    }
    slug.trim_end_matches('_').to_owned()
}

/// Hands out ids, adding `_2`, `_3`, … to one already taken.
#[derive(Debug, Default)]
pub(crate) struct UniqueIds {
    taken: BTreeSet<String>,
}

impl UniqueIds {
    /// `prefix` and the slug of `text` joined by `_` (just `prefix` when the slug is
    /// empty), made unique.
    pub(crate) fn next(&mut self, prefix: &str, text: &str) -> String {
        let fragment = slug(text);
        let base = if fragment.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}_{fragment}")
        };
        let mut id = base.clone();
        let mut counter = 1;
        while self.taken.contains(&id) {
            counter += 1;
            id = format!("{base}_{counter}");
        }
        self.taken.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_valid_ids() {
        assert_eq!(
            slug("What were total sales, by Region?"),
            "what_were_total_sales_by_region"
        );
        assert_eq!(slug("  ¿Qué?  "), "qu");
        assert_eq!(slug("main.db.Table_1"), "main_db_table_1");
        assert_eq!(
            slug(&"a ".repeat(50)).len(),
            59,
            "cut at 60, trailing `_` dropped"
        );
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = UniqueIds::default();
        assert_eq!(
            ids.next("example", "Sales by region"),
            "example_sales_by_region"
        );
        assert_eq!(
            ids.next("example", "Sales by region!"),
            "example_sales_by_region_2"
        );
        assert_eq!(
            ids.next("example", "sales by REGION"),
            "example_sales_by_region_3"
        );
        assert_eq!(ids.next("example", "???"), "example");
    }
}
