//! Shapes: "change month over month", "share of … each zone", "share of shipments
//! … by rail", "delay rate" without a defined measure.

use super::super::plan::Shape;
use super::Reader;

impl Reader<'_> {
    pub(super) fn read_shape(&mut self) {
        if let Some(grain) = self.structure.time.change
            && !self.plan.measures.is_empty()
        {
            self.plan.shape = Shape::Change(grain);
            self.plan.order_descending = None;
            self.plan.limit = None;
            return;
        }
        let Some(share) = self.structure.share else {
            if self.structure.rate.is_some()
                && self.plan.measures.iter().all(|m| m.count_of.is_some())
            {
                self.conditional_share(0);
            }
            return;
        };
        let grouped = self.plan.dimensions.iter().any(|d| d.grain.is_none());
        if grouped {
            self.plan.shape = Shape::ShareOfTotal;
        } else {
            self.conditional_share(share);
        }
    }

    /// Moves the conditions named after `from` (other than periods) into the share's
    /// numerator.
    pub(super) fn conditional_share(&mut self, from: usize) {
        let after: Vec<usize> = self
            .phrases
            .iter()
            .filter(|phrase| phrase.start >= from)
            .map(|phrase| phrase.start)
            .collect();
        let weekend = self.structure.time.weekend.map(|(position, _)| position);
        let mut moved = Vec::new();
        let mut kept = Vec::new();
        for condition in std::mem::take(&mut self.plan.conditions) {
            let is_period =
                condition.sql.contains(" BETWEEN ") || condition.sql.contains(" >= TIMESTAMP");
            let is_weekend =
                condition.sql.starts_with("dayofweek(") && weekend.is_some_and(|w| w >= from);
            if is_weekend
                || (!is_period && !after.is_empty() && !condition.sql.starts_with("NOT EXISTS"))
            {
                moved.push(condition);
            } else {
                kept.push(condition);
            }
        }
        self.plan.conditions = kept;
        if moved.is_empty() {
            return;
        }
        self.plan.shape = Shape::ConditionalShare(moved);
    }
}
