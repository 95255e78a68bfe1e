//! SQL table functions (`CREATE FUNCTION … RETURNS TABLE … RETURN query`) and their
//! calls.
//!
//! DataFusion has no SQL-defined table functions, so a call `FROM cat.sch.f(args)` is
//! rewritten (in [`super::spark_compat`]'s pass) into a derived table: the body with
//! every parameter replaced by its argument as a typed literal (`CAST(arg AS TYPE)`),
//! its columns renamed and cast to the declared result columns, aliased as the call
//! was (or by the function's name). Arguments are positional or named (`p => v`);
//! omitted ones take their `DEFAULT`.
//!
//! In the body, a parameter is an unqualified name or `f.p` (qualified by the function's
//! name). Unlike Databricks, a parameter shadows a column of the same name, so bodies
//! should name parameters apart from columns (`p_region`), as is usual.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArgOperator, Query, TableAlias, TableFactor,
    visit_expressions_mut,
};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;

use super::metadata::{FunctionColumn, TableFunction};
use super::metadata_parser::FunctionText;
use super::schema_file::TableName;

/// A function as created: its name and its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionDefinition {
    pub(crate) name: TableName,
    pub(crate) text: FunctionText,
}

impl FunctionDefinition {
    /// Its signature (what Genie reads).
    pub(crate) fn signature(&self) -> TableFunction {
        TableFunction {
            name: self.name.to_string(),
            parameters: self
                .text
                .parameters
                .iter()
                .map(|parameter| FunctionColumn {
                    name: parameter.name.clone(),
                    data_type: parameter.sql_type.to_string(),
                    comment: parameter.comment.clone(),
                })
                .collect(),
            returns: self
                .text
                .returns
                .iter()
                .map(|(name, sql_type, comment)| FunctionColumn {
                    name: name.clone(),
                    data_type: sql_type.to_string(),
                    comment: comment.clone(),
                })
                .collect(),
            comment: self.text.comment.clone(),
        }
    }

    /// `DESCRIBE FUNCTION`: Databricks' `function_desc` lines (`Function:`, `Type:`,
    /// `Input:`, `Returns:`; `EXTENDED` adds `Comment:` and `Body:`).
    pub(crate) fn describe(&self, extended: bool) -> Vec<String> {
        fn block(label: &str, items: &[String], lines: &mut Vec<String>) {
            for (index, item) in items.iter().enumerate() {
                let head = if index == 0 { label } else { "" };
                lines.push(format!("{head:<13}{item}"));
            }
        }
        let signature = self.signature();
        let columns = |columns: &[FunctionColumn]| -> Vec<String> {
            columns
                .iter()
                .map(|column| match &column.comment {
                    Some(comment) => {
                        format!("{} {} COMMENT '{comment}'", column.name, column.data_type)
                    }
                    None => format!("{} {}", column.name, column.data_type),
                })
                .collect()
        };
        let mut lines = vec![
            format!("{:<13}{}", "Function:", signature.name),
            format!("{:<13}TABLE", "Type:"),
        ];
        block("Input:", &columns(&signature.parameters), &mut lines);
        block("Returns:", &columns(&signature.returns), &mut lines);
        if extended {
            if let Some(comment) = &signature.comment {
                lines.push(format!("{:<13}{comment}", "Comment:"));
            }
            lines.push(format!("{:<13}{}", "Body:", self.text.body));
        }
        lines
    }

    /// The derived table a call with `arguments` stands for.
    pub(crate) fn expand(
        &self,
        arguments: &[FunctionArg],
        alias: Option<&TableAlias>,
    ) -> Result<TableFactor, String> {
        let values = self.bind(arguments)?;
        let body = self.body_with(&values)?;
        let casts: Vec<String> = self
            .text
            .returns
            .iter()
            .enumerate()
            .map(|(index, (name, sql_type, _))| {
                format!("CAST(`__c{index}` AS {sql_type}) AS `{name}`")
            })
            .collect();
        let inner: Vec<String> = (0..self.text.returns.len())
            .map(|index| format!("`__c{index}`"))
            .collect();
        let alias = alias.map_or_else(
            || format!("`{}`", self.name.table),
            |alias| {
                let text = alias.to_string();
                text.strip_prefix("AS ").map_or(text.clone(), str::to_owned)
            },
        );
        let text = format!(
            "(SELECT {} FROM ({body}) AS `__body` ({})) AS {alias}",
            casts.join(", "),
            inner.join(", ")
        );
        Parser::new(&DatabricksDialect {})
            .try_with_sql(&text)
            .and_then(|mut parser| parser.parse_table_factor())
            .map_err(|error| format!("cannot expand `{}`: {error}", self.name))
    }

    /// The body with each parameter replaced by `CAST(value AS TYPE)`.
    pub(crate) fn body_with(&self, values: &[Expr]) -> Result<Query, String> {
        let mut replacements = Vec::with_capacity(values.len());
        for (parameter, value) in self.text.parameters.iter().zip(values) {
            let text = format!("CAST(({value}) AS {})", parameter.sql_type);
            let expression = Parser::new(&DatabricksDialect {})
                .try_with_sql(&text)
                .and_then(|mut parser| parser.parse_expr())
                .map_err(|error| format!("cannot bind `{}`: {error}", parameter.name))?;
            replacements.push((parameter.name.as_str(), expression));
        }
        let function = self.name.table.as_str();
        let mut body = self.text.body.clone();
        let _ = visit_expressions_mut(&mut body, |expression| {
            let name = match expression {
                Expr::Identifier(ident) => Some(ident.value.to_lowercase()),
                Expr::CompoundIdentifier(idents)
                    if idents.len() == 2 && idents[0].value.eq_ignore_ascii_case(function) =>
                {
                    Some(idents[1].value.to_lowercase())
                }
                _ => None,
            };
            if let Some((_, value)) = name.and_then(|name| {
                replacements
                    .iter()
                    .find(|(parameter, _)| *parameter == name)
            }) {
                *expression = value.clone();
            }
            ControlFlow::<()>::Continue(())
        });
        Ok(body)
    }

    /// `NULL` of each parameter's type: the values a body is checked with.
    pub(crate) fn null_arguments(&self) -> Vec<Expr> {
        self.text
            .parameters
            .iter()
            .map(|_| Expr::Value(sqlparser::ast::Value::Null.into()))
            .collect()
    }

    /// The value of each parameter, from positional then named arguments and defaults.
    fn bind(&self, arguments: &[FunctionArg]) -> Result<Vec<Expr>, String> {
        let parameters = &self.text.parameters;
        let mut values: Vec<Option<Expr>> = vec![None; parameters.len()];
        let mut position = 0;
        for argument in arguments {
            let (name, value) = match argument {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(value)) => (None, value),
                FunctionArg::Named {
                    name,
                    arg: FunctionArgExpr::Expr(value),
                    operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Equals,
                } => (Some(name.value.to_lowercase()), value),
                other => {
                    return Err(format!(
                        "[INVALID_SQL_SYNTAX] argument `{other}` of `{}` is not a value. SQLSTATE: 42000",
                        self.name
                    ));
                }
            };
            let index = match name {
                None => {
                    if position >= parameters.len() {
                        return Err(format!(
                            "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires {} parameters \
                             but the actual number is {}. SQLSTATE: 42605",
                            self.name,
                            parameters.len(),
                            arguments.len()
                        ));
                    }
                    position += 1;
                    position - 1
                }
                Some(name) => parameters
                    .iter()
                    .position(|parameter| parameter.name == name)
                    .ok_or_else(|| {
                        format!(
                            "[UNRECOGNIZED_PARAMETER_NAME] Cannot invoke routine `{}` because the \
                             routine call included a named argument reference for the argument \
                             named `{name}`, but this routine does not include any signature \
                             containing an argument with this name. SQLSTATE: 4274K",
                            self.name
                        )
                    })?,
            };
            values[index] = Some(value.clone());
        }
        values
            .into_iter()
            .zip(parameters)
            .map(|(value, parameter)| {
                value.or_else(|| parameter.default.clone()).ok_or_else(|| {
                    format!(
                        "[REQUIRED_PARAMETER_NOT_FOUND] Cannot invoke routine `{}` because the \
                         parameter named `{}` is required, but the routine call did not supply a \
                         value. SQLSTATE: 4274K",
                        self.name, parameter.name
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metadata_parser::{MetadataStatement, parse_metadata};

    fn definition() -> FunctionDefinition {
        let Some(MetadataStatement::CreateFunction { signature, .. }) = parse_metadata(
            "CREATE FUNCTION main.s.top(p_region STRING, p_n INT DEFAULT 3) \
             RETURNS TABLE (id INT, amount DECIMAL(10,2)) COMMENT 'Top orders' \
             RETURN SELECT id, amount FROM main.s.t WHERE region = top.p_region LIMIT p_n",
        )
        .unwrap() else {
            panic!()
        };
        FunctionDefinition {
            name: TableName {
                catalog: "main".into(),
                schema: "s".into(),
                table: "top".into(),
            },
            text: *signature,
        }
    }

    fn call(arguments: &str) -> Result<String, String> {
        let sql = format!("SELECT * FROM main.s.top({arguments}) AS x");
        let mut parser = Parser::new(&DatabricksDialect {})
            .try_with_sql(&sql)
            .unwrap();
        let query = parser.parse_query().unwrap();
        let sqlparser::ast::SetExpr::Select(select) = *query.body else {
            panic!()
        };
        let TableFactor::Table {
            args: Some(args),
            alias,
            ..
        } = &select.from[0].relation
        else {
            panic!()
        };
        definition()
            .expand(&args.args, alias.as_ref())
            .map(|factor| factor.to_string())
    }

    #[test]
    fn calls_become_derived_tables() {
        assert_eq!(
            call("'EMEA'").unwrap(),
            "(SELECT CAST(`__c0` AS INT) AS `id`, CAST(`__c1` AS DECIMAL(10,2)) AS `amount` \
             FROM (SELECT id, amount FROM main.s.t WHERE region = CAST(('EMEA') AS STRING) \
             LIMIT CAST((3) AS INT)) AS `__body` (`__c0`, `__c1`)) AS x"
        );
        assert!(
            call("p_n => 5, p_region => 'AMER'")
                .unwrap()
                .contains("LIMIT CAST((5) AS INT)")
        );
        let described = definition().describe(true);
        assert_eq!(
            described,
            [
                "Function:    main.s.top",
                "Type:        TABLE",
                "Input:       p_region STRING",
                "             p_n INT",
                "Returns:     id INT",
                "             amount DECIMAL(10,2)",
                "Comment:     Top orders",
                "Body:        SELECT id, amount FROM main.s.t WHERE region = top.p_region LIMIT p_n",
            ]
        );
        assert_eq!(definition().describe(false).len(), 6);
        let signature = definition().signature();
        assert_eq!(signature.name, "main.s.top");
        assert_eq!(signature.parameters[1].data_type, "INT");
        assert_eq!(signature.returns[1].data_type, "DECIMAL(10,2)");
        assert_eq!(signature.comment.as_deref(), Some("Top orders"));
    }

    #[test]
    fn bad_calls_fail_like_databricks() {
        let error = call("").unwrap_err();
        assert!(
            error.starts_with("[REQUIRED_PARAMETER_NOT_FOUND]") && error.contains("`p_region`"),
            "{error}"
        );
        let error = call("'a', 1, 2").unwrap_err();
        assert!(
            error.starts_with("[WRONG_NUM_ARGS.WITHOUT_SUGGESTION]"),
            "{error}"
        );
        let error = call("nope => 1").unwrap_err();
        assert!(
            error.starts_with("[UNRECOGNIZED_PARAMETER_NAME]"),
            "{error}"
        );
    }
}
