//! Joins: the tables a query needs, connected only through the space's join specs.
//! Without a path of join specs between two needed tables the simulator does not
//! guess one — the other table's part of the question is left out, as real Genie
//! misses or botches joins it was not told about.

use std::collections::VecDeque;

use super::model::SpaceModel;

/// How the needed tables were connected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JoinTree {
    /// The first table of `FROM`.
    pub(crate) root: usize,
    /// Each further table and the join spec (index into `model.joins`) joining it,
    /// in an order where every table joins one already present.
    pub(crate) steps: Vec<(usize, usize)>,
    /// Needed tables no join spec path reaches.
    pub(crate) unreachable: Vec<usize>,
}

impl JoinTree {
    /// Every table in the tree, root first.
    pub(crate) fn tables(&self) -> Vec<usize> {
        std::iter::once(self.root)
            .chain(self.steps.iter().map(|(table, _)| *table))
            .collect()
    }

    /// Whether `table` is in the tree.
    pub(crate) fn contains(&self, table: usize) -> bool {
        self.root == table || self.steps.iter().any(|(t, _)| *t == table)
    }
}

/// Connects `needed` (first one is the root) through the shortest join-spec paths.
pub(crate) fn connect(model: &SpaceModel, needed: &[usize]) -> Option<JoinTree> {
    let (&root, rest) = needed.split_first()?;
    let mut tree = JoinTree {
        root,
        ..JoinTree::default()
    };
    for &target in rest {
        if tree.contains(target) {
            continue;
        }
        match shortest_path(model, &tree.tables(), target) {
            Some(path) => {
                for step in path {
                    if !tree.contains(step.0) {
                        tree.steps.push(step);
                    }
                }
            }
            None => tree.unreachable.push(target),
        }
    }
    Some(tree)
}

/// The join steps from any table of `from` to `target`, breadth first.
fn shortest_path(model: &SpaceModel, from: &[usize], target: usize) -> Option<Vec<(usize, usize)>> {
    let mut previous: Vec<Option<(usize, usize)>> = vec![None; model.tables.len()];
    let mut seen = vec![false; model.tables.len()];
    let mut queue = VecDeque::new();
    for &table in from {
        seen[table] = true;
        queue.push_back(table);
    }
    while let Some(table) = queue.pop_front() {
        if table == target {
            let mut path = Vec::new();
            let mut current = target;
            while let Some((parent, edge)) = previous[current] {
                path.push((current, edge));
                current = parent;
            }
            path.reverse();
            return Some(path);
        }
        for (index, edge) in model.joins.iter().enumerate() {
            let next = if edge.left == table {
                edge.right
            } else if edge.right == table {
                edge.left
            } else {
                continue;
            };
            if !seen[next] {
                seen[next] = true;
                previous[next] = Some((table, index));
                queue.push_back(next);
            }
        }
    }
    None
}

/// The join spec directly between `a` and `b`, if any.
pub(crate) fn direct_edge(model: &SpaceModel, a: usize, b: usize) -> Option<usize> {
    model
        .joins
        .iter()
        .position(|edge| (edge.left == a && edge.right == b) || (edge.left == b && edge.right == a))
}
