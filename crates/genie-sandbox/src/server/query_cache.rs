//! Outcomes of the read-only queries Genie and benchmarks run, by SQL text: the engine
//! answers the same query over the same data the same way, and running it is most of a
//! question's cost. Anything that may change the data (a statement
//! `genie_core::sql::sanitize` does not admit, sent to the SQL Statement Execution API)
//! empties the cache, and so does reaching [`MAX_CELLS`].

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::statement_results::Outcome;

/// The most result cells kept at once.
const MAX_CELLS: usize = 2_000_000;

/// The cached outcomes.
#[derive(Debug, Default)]
pub(crate) struct QueryCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    outcomes: HashMap<String, Outcome>,
    cells: usize,
    /// Bumped by every [`QueryCache::clear`], so a query that ran across one is not kept.
    generation: u64,
}

impl QueryCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached outcome of `sql`, or the generation to pass to [`QueryCache::insert`]
    /// once it has run.
    pub(crate) fn get(&self, sql: &str) -> Result<Outcome, u64> {
        let inner = self.lock();
        inner.outcomes.get(sql).cloned().ok_or(inner.generation)
    }

    /// Keeps the outcome of `sql`, run when the cache was at `generation` (dropped if
    /// the cache was cleared since; the cache is emptied first when it would hold more
    /// than [`MAX_CELLS`]).
    pub(crate) fn insert(&self, sql: &str, outcome: &Outcome, generation: u64) {
        let cells = cells_of(outcome);
        if cells > MAX_CELLS {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.cells + cells > MAX_CELLS {
            inner.outcomes.clear();
            inner.cells = 0;
        }
        if inner
            .outcomes
            .insert(sql.to_owned(), outcome.clone())
            .is_none()
        {
            inner.cells += cells;
        }
    }

    /// Forgets every outcome (the data may have changed).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.outcomes.clear();
        inner.cells = 0;
        inner.generation += 1;
    }
}

/// How many cells an outcome holds (at least 1, so failures count too).
fn cells_of(outcome: &Outcome) -> usize {
    match outcome {
        Outcome::Succeeded { result, .. } => (result.rows.len() * result.columns.len()).max(1),
        Outcome::Failed { .. } => 1,
    }
}

#[cfg(test)]
mod tests {
    use genie_core::result::{Cell, Column, ColumnType, ResultSet};

    use super::*;

    fn rows(count: usize) -> Outcome {
        Outcome::Succeeded {
            result: ResultSet {
                columns: vec![Column {
                    name: "n".to_owned(),
                    column_type: ColumnType::Long,
                }],
                rows: (0..count).map(|_| vec![Cell::Integer(1)]).collect(),
                truncated: false,
            },
            chunk_rows: 10,
        }
    }

    fn row_count(outcome: Result<Outcome, u64>) -> Option<usize> {
        match outcome.ok()? {
            Outcome::Succeeded { result, .. } => Some(result.rows.len()),
            Outcome::Failed { .. } => None,
        }
    }

    #[test]
    fn keeps_outcomes_until_cleared() {
        let cache = QueryCache::default();
        assert_eq!(cache.get("SELECT 1").err(), Some(0));
        cache.insert("SELECT 1", &rows(3), 0);
        assert_eq!(row_count(cache.get("SELECT 1")), Some(3));
        assert!(cache.get("SELECT 2").is_err());
        cache.clear();
        assert_eq!(cache.get("SELECT 1").err(), Some(1));
    }

    #[test]
    fn drops_outcomes_that_ran_across_a_clear() {
        let cache = QueryCache::default();
        let generation = cache.get("SELECT 1").unwrap_err();
        cache.clear();
        cache.insert("SELECT 1", &rows(3), generation);
        assert!(cache.get("SELECT 1").is_err());
    }

    #[test]
    fn stays_within_its_cell_budget() {
        let cache = QueryCache::default();
        cache.insert("huge", &rows(MAX_CELLS + 1), 0);
        assert!(cache.get("huge").is_err(), "too big to keep");
        cache.insert("half", &rows(MAX_CELLS / 2 + 1), 0);
        cache.insert("other half", &rows(MAX_CELLS / 2), 0);
        assert!(cache.get("half").is_err(), "emptied to make room");
        assert_eq!(row_count(cache.get("other half")), Some(MAX_CELLS / 2));
    }
}
