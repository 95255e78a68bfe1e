//! Name resolution: which relation of a `FROM` (or of an enclosing query's) a
//! column reference belongs to.

use std::collections::BTreeSet;

use crate::sql::facts::ColumnRef;

/// The columns a query or subquery exposes, as far as its text tells.
#[derive(Debug, Clone, Default)]
pub(super) struct Shape {
    /// The output names known from its select list (aliases, column names).
    pub(super) outputs: Vec<String>,
    /// The base tables whose columns a `*` or `t.*` passes through.
    pub(super) wildcard_tables: Vec<String>,
}

/// A relation a `SELECT` reads from.
#[derive(Debug, Clone)]
pub(super) struct Source {
    /// The table's full name, the CTE's name, or the subquery's alias.
    pub(super) name: Option<String>,
    /// The alias given in `FROM`, which then is the only qualifier that names it.
    pub(super) alias: Option<String>,
    /// A base relation, or a CTE or subquery with what it exposes.
    pub(super) kind: SourceKind,
}

/// What a [`Source`] is.
#[derive(Debug, Clone)]
pub(super) enum SourceKind {
    /// A base table, view or table-valued function: its columns are unknown.
    Table,
    /// A CTE, a subquery or another computed relation.
    Derived(Shape),
}

impl Source {
    /// A base table, view or table-valued function.
    pub(super) fn table(name: String, alias: Option<String>) -> Self {
        Self {
            name: Some(name),
            alias,
            kind: SourceKind::Table,
        }
    }

    /// A CTE, subquery or other computed relation.
    pub(super) fn derived(name: Option<String>, alias: Option<String>, shape: Shape) -> Self {
        Self {
            name,
            alias,
            kind: SourceKind::Derived(shape),
        }
    }

    /// The name it is reported under: its table or CTE name, else its alias.
    pub(super) fn display_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.alias.as_deref())
    }

    /// The base tables whose columns it exposes.
    pub(super) fn base_tables(&self) -> &[String] {
        match &self.kind {
            SourceKind::Table => self.name.as_slice(),
            SourceKind::Derived(shape) => &shape.wildcard_tables,
        }
    }

    /// The output names it is known to expose (none for a base table).
    pub(super) fn outputs(&self) -> &[String] {
        match &self.kind {
            SourceKind::Table => &[],
            SourceKind::Derived(shape) => &shape.outputs,
        }
    }

    /// Whether `qualifier` (lower case, dotted) names this relation: its alias when
    /// it has one, else its name or, for a table, a trailing part of its name
    /// (`orders` and `sales.orders` name `main.sales.orders`).
    fn answers_to(&self, qualifier: &str) -> bool {
        if let Some(alias) = &self.alias {
            return alias == qualifier;
        }
        let Some(name) = &self.name else {
            return false;
        };
        match self.kind {
            SourceKind::Table => {
                name == qualifier
                    || name
                        .strip_suffix(qualifier)
                        .is_some_and(|head| head.ends_with('.'))
            }
            SourceKind::Derived(_) => name == qualifier,
        }
    }

    fn column(&self, column: &str) -> Resolution {
        let column = column.to_owned();
        match &self.kind {
            SourceKind::Table => Resolution::Table {
                table: self.name.clone().unwrap_or_default(),
                column,
            },
            SourceKind::Derived(shape) => {
                if shape.outputs.contains(&column) {
                    return Resolution::Derived {
                        source: self.display_name().map(str::to_owned),
                        column,
                    };
                }
                match shape.wildcard_tables.as_slice() {
                    [table] => Resolution::Table {
                        table: table.clone(),
                        column,
                    },
                    [] => Resolution::Derived {
                        source: self.display_name().map(str::to_owned),
                        column,
                    },
                    _ => Resolution::Unknown { column },
                }
            }
        }
    }
}

/// What a column reference refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolution {
    /// A column of a base table (full name).
    Table { table: String, column: String },
    /// An output of a CTE or subquery (named by its name or alias, if any).
    Derived {
        source: Option<String>,
        column: String,
    },
    /// A column whose relation cannot be told.
    Unknown { column: String },
}

impl Resolution {
    /// The reference as a [`ColumnRef`], whatever it refers to.
    pub(super) fn column_ref(&self) -> ColumnRef {
        match self {
            Self::Table { table, column } => ColumnRef {
                table: Some(table.clone()),
                column: column.clone(),
            },
            Self::Derived { source, column } => ColumnRef {
                table: source.clone(),
                column: column.clone(),
            },
            Self::Unknown { column } => ColumnRef {
                table: None,
                column: column.clone(),
            },
        }
    }

    /// The reference as a base-table column: `None` for an output of a CTE or
    /// subquery.
    pub(super) fn base_column(&self) -> Option<ColumnRef> {
        match self {
            Self::Derived { .. } => None,
            Self::Table { .. } | Self::Unknown { .. } => Some(self.column_ref()),
        }
    }
}

/// The relations visible to the expressions of one `SELECT`, and the enclosing
/// query's for correlated subqueries.
#[derive(Debug, Default)]
pub(super) struct Scope<'p> {
    /// The relations of this `SELECT`'s `FROM`.
    pub(super) sources: Vec<Source>,
    /// The enclosing query's scope.
    pub(super) parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    /// An empty scope inside `parent`.
    pub(super) fn new(parent: Option<&'p Scope<'p>>) -> Self {
        Self {
            sources: Vec::new(),
            parent,
        }
    }

    /// Resolves a reference given as lower-case name parts (`o.amount`,
    /// `main.sales.orders.amount`, `address.city` for a struct field).
    ///
    /// Returns what it refers to and the position of the column among the parts
    /// (later parts are struct fields).
    pub(super) fn resolve(&self, parts: &[String]) -> (Resolution, usize) {
        if parts.len() >= 2 {
            let mut scope = Some(self);
            while let Some(current) = scope {
                for length in (1..parts.len()).rev() {
                    let qualifier = parts[..length].join(".");
                    if let Some(source) = current
                        .sources
                        .iter()
                        .find(|source| source.answers_to(&qualifier))
                    {
                        return (source.column(&parts[length]), length);
                    }
                }
                scope = current.parent;
            }
        }
        let column = parts.first().map_or("", String::as_str);
        (self.resolve_unqualified(column), 0)
    }

    /// Resolves an unqualified name: the one CTE or subquery that exposes it, else
    /// the one base table in scope, looking outwards when this scope has none.
    fn resolve_unqualified(&self, column: &str) -> Resolution {
        let mut scope = Some(self);
        while let Some(current) = scope {
            let mut exposing = current
                .sources
                .iter()
                .filter(|source| source.outputs().iter().any(|output| output == column));
            if let Some(source) = exposing.next() {
                if exposing.next().is_some() {
                    break;
                }
                return Resolution::Derived {
                    source: source.display_name().map(str::to_owned),
                    column: column.to_owned(),
                };
            }
            let tables: BTreeSet<&String> = current
                .sources
                .iter()
                .flat_map(Source::base_tables)
                .collect();
            let mut tables = tables.into_iter();
            match (tables.next(), tables.next()) {
                (Some(table), None) => {
                    return Resolution::Table {
                        table: table.clone(),
                        column: column.to_owned(),
                    };
                }
                (Some(_), Some(_)) => break,
                (None, _) => scope = current.parent,
            }
        }
        Resolution::Unknown {
            column: column.to_owned(),
        }
    }

    /// The relation that `qualifier` names, here or in an enclosing scope.
    pub(super) fn find(&self, qualifier: &str) -> Option<&Source> {
        let mut scope = Some(self);
        while let Some(current) = scope {
            if let Some(source) = current
                .sources
                .iter()
                .find(|source| source.answers_to(qualifier))
            {
                return Some(source);
            }
            scope = current.parent;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(reference: &str) -> Vec<String> {
        reference.split('.').map(str::to_owned).collect()
    }

    fn table(table: &str, column: &str) -> Resolution {
        Resolution::Table {
            table: table.to_owned(),
            column: column.to_owned(),
        }
    }

    #[test]
    fn qualifiers_match_aliases_and_name_suffixes() {
        let mut scope = Scope::new(None);
        scope
            .sources
            .push(Source::table("main.sales.orders".to_owned(), None));
        scope.sources.push(Source::table(
            "main.sales.customers".to_owned(),
            Some("c".to_owned()),
        ));
        assert_eq!(
            scope.resolve(&parts("orders.amount")).0,
            table("main.sales.orders", "amount")
        );
        assert_eq!(
            scope.resolve(&parts("sales.orders.amount")).0,
            table("main.sales.orders", "amount")
        );
        assert_eq!(
            scope.resolve(&parts("c.name")).0,
            table("main.sales.customers", "name")
        );
        // An aliased table is no longer named by its own name; `customers.name`
        // then reads as the struct field `name` of a column `customers`.
        assert_eq!(
            scope.resolve(&parts("customers.name")),
            (
                Resolution::Unknown {
                    column: "customers".to_owned()
                },
                0
            )
        );
        // `rders` is not a whole trailing part of `main.sales.orders`.
        assert!(scope.find("rders").is_none());
    }

    #[test]
    fn unqualified_names_resolve_to_the_only_table_or_an_exposing_subquery() {
        let mut outer = Scope::new(None);
        outer.sources.push(Source::table("t".to_owned(), None));
        let mut inner = Scope::new(Some(&outer));
        inner.sources.push(Source::derived(
            Some("m".to_owned()),
            None,
            Shape {
                outputs: vec!["total".to_owned()],
                wildcard_tables: Vec::new(),
            },
        ));
        assert_eq!(
            inner.resolve(&parts("total")).0,
            Resolution::Derived {
                source: Some("m".to_owned()),
                column: "total".to_owned()
            }
        );
        // Not exposed by `m` and no table here: the enclosing query's table.
        assert_eq!(inner.resolve(&parts("region")).0, table("t", "region"));
        assert_eq!(
            outer.resolve(&parts("region.name")),
            (table("t", "region"), 0)
        );
    }
}
