//! A `serde` deserializer over a parsed [`serde_json::Value`] that remembers where
//! it is, so a value of the wrong type is reported with its field path
//! (`data_sources.tables[0].column_configs[1].exclude`).
//!
//! Parsing text straight into the typed model would give a line and column but no
//! field path, and `serde_json`'s own value deserializer gives neither. The
//! documents are parsed in two steps instead: text to [`Value`] (syntax errors with
//! line and column), then [`Value`] to the model through [`from_value`] (type errors
//! with a path).

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde_json::{Map, Value};

use super::walk::{child_path, index_path};

/// A value that does not fit the model, with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// Where the problem is; empty for the top level.
    pub(crate) path: String,
    /// What is wrong, as `serde` words it.
    pub(crate) message: String,
    /// Whether `path` has been set (the innermost deserializer sets it first).
    located: bool,
}

impl FieldError {
    fn at(mut self, path: &str) -> Self {
        if !self.located {
            path.clone_into(&mut self.path);
            self.located = true;
        }
        self
    }
}

impl de::Error for FieldError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self {
            path: String::new(),
            message: message.to_string(),
            located: false,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            formatter.write_str(&self.message)
        } else {
            write!(formatter, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for FieldError {}

/// Deserializes `T` from `value`, naming the field path on failure.
pub(crate) fn from_value<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T, FieldError> {
    T::deserialize(PathDeserializer {
        value,
        path: String::new(),
    })
}

/// Deserializes from a [`Value`] located at `path`.
struct PathDeserializer<'de> {
    value: &'de Value,
    path: String,
}

impl<'de> PathDeserializer<'de> {
    fn visit_value<V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, FieldError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(value) => visitor.visit_bool(*value),
            Value::Number(number) => {
                if let Some(value) = number.as_u64() {
                    visitor.visit_u64(value)
                } else if let Some(value) = number.as_i64() {
                    visitor.visit_i64(value)
                } else {
                    visitor.visit_f64(number.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(value) => visitor.visit_borrowed_str(value),
            Value::Array(items) => {
                let mut access = ArrayAccess {
                    items: items.iter().enumerate(),
                    path: &self.path,
                };
                let result = visitor.visit_seq(&mut access)?;
                let remaining = access.items.len();
                if remaining == 0 {
                    Ok(result)
                } else {
                    Err(de::Error::invalid_length(
                        items.len(),
                        &"fewer elements in array",
                    ))
                }
            }
            Value::Object(entries) => {
                let mut access = ObjectAccess {
                    entries: entries.iter(),
                    pending: None,
                    path: &self.path,
                };
                let result = visitor.visit_map(&mut access)?;
                if access.entries.len() == 0 {
                    Ok(result)
                } else {
                    Err(de::Error::invalid_length(
                        entries.len(),
                        &"fewer elements in map",
                    ))
                }
            }
        }
    }
}

impl<'de> Deserializer<'de> for PathDeserializer<'de> {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.visit_value(visitor)
            .map_err(|error: FieldError| error.at(&self.path))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        if self.value.is_null() {
            visitor
                .visit_none()
                .map_err(|error: FieldError| error.at(&self.path))
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        let path = self.path.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|error: FieldError| error.at(&path))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        let result = match self.value {
            Value::String(variant) => {
                visitor.visit_enum(BorrowedStrDeserializer::<FieldError>::new(variant))
            }
            Value::Object(entries) if entries.len() == 1 => visitor.visit_enum(VariantValue {
                entries,
                path: &self.path,
            }),
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"a string or an object with one key",
            )),
        };
        result.map_err(|error: FieldError| error.at(&self.path))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// How a [`Value`] is described in an "invalid type" message.
fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(value) => de::Unexpected::Bool(*value),
        Value::Number(number) => number
            .as_u64()
            .map(de::Unexpected::Unsigned)
            .or_else(|| number.as_i64().map(de::Unexpected::Signed))
            .unwrap_or_else(|| de::Unexpected::Float(number.as_f64().unwrap_or(f64::NAN))),
        Value::String(value) => de::Unexpected::Str(value),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

struct ArrayAccess<'de, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
    path: &'p str,
}

impl<'de> SeqAccess<'de> for &mut ArrayAccess<'de, '_> {
    type Error = FieldError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, FieldError> {
        match self.items.next() {
            Some((index, value)) => seed
                .deserialize(PathDeserializer {
                    value,
                    path: index_path(self.path, index),
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct ObjectAccess<'de, 'p> {
    entries: serde_json::map::Iter<'de>,
    pending: Option<(&'de str, &'de Value)>,
    path: &'p str,
}

impl<'de> MapAccess<'de> for &mut ObjectAccess<'de, '_> {
    type Error = FieldError;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, FieldError> {
        match self.entries.next() {
            Some((key, value)) => {
                self.pending = Some((key, value));
                seed.deserialize(BorrowedStrDeserializer::new(key))
                    .map(Some)
                    .map_err(|error: FieldError| error.at(&child_path(self.path, key)))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, FieldError> {
        let Some((key, value)) = self.pending.take() else {
            return Err(de::Error::custom("a map value was read before its key"));
        };
        seed.deserialize(PathDeserializer {
            value,
            path: child_path(self.path, key),
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An enum written as an object with one key: `{"Variant": value}`.
struct VariantValue<'de, 'p> {
    entries: &'de Map<String, Value>,
    path: &'p str,
}

impl<'de> EnumAccess<'de> for VariantValue<'de, '_> {
    type Error = FieldError;
    type Variant = PathDeserializer<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, PathDeserializer<'de>), FieldError> {
        let Some((key, value)) = self.entries.iter().next() else {
            return Err(de::Error::invalid_length(0, &"an object with one key"));
        };
        let variant = seed.deserialize(BorrowedStrDeserializer::<FieldError>::new(key))?;
        Ok((
            variant,
            PathDeserializer {
                value,
                path: child_path(self.path, key),
            },
        ))
    }
}

impl<'de> VariantAccess<'de> for PathDeserializer<'de> {
    type Error = FieldError;

    fn unit_variant(self) -> Result<(), FieldError> {
        Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, FieldError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _length: usize,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        self.deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        self.deserialize_any(visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Column {
        column_name: String,
        exclude: Option<bool>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Table {
        identifier: String,
        column_configs: Vec<Column>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Sized(u64),
    }

    fn error_of<T: for<'de> Deserialize<'de> + fmt::Debug>(value: &Value) -> (String, String) {
        let error = from_value::<T>(value).unwrap_err();
        (error.path, error.message)
    }

    #[test]
    fn reads_nested_values() {
        let value = json!({"identifier": "main.sales.orders", "column_configs": [
            {"column_name": "region", "exclude": null}, {"column_name": "amount", "exclude": true}
        ]});
        let table: Table = from_value(&value).unwrap();
        assert_eq!(table.column_configs[1].exclude, Some(true));
        assert_eq!(table.column_configs[0].exclude, None);
        let map: BTreeMap<String, Vec<i64>> = from_value(&json!({"a": [1, -2]})).unwrap();
        assert_eq!(map["a"], [1, -2]);
    }

    #[test]
    fn wrong_type_names_the_innermost_path() {
        let value = json!({"identifier": "t", "column_configs": [
            {"column_name": "region"}, {"column_name": "amount", "exclude": "yes"}
        ]});
        assert_eq!(
            error_of::<Table>(&value),
            (
                "column_configs[1].exclude".to_owned(),
                "invalid type: string \"yes\", expected a boolean".to_owned()
            )
        );
    }

    #[test]
    fn missing_field_names_the_object() {
        let value = json!({"identifier": "t", "column_configs": [{"exclude": false}]});
        assert_eq!(
            error_of::<Table>(&value),
            (
                "column_configs[0]".to_owned(),
                "missing field `column_name`".to_owned()
            )
        );
        let (path, message) = error_of::<Table>(&json!("orders"));
        assert_eq!(path, "");
        assert!(message.starts_with("invalid type: string"), "{message}");
    }

    #[test]
    fn enums_from_strings_and_single_key_objects() {
        assert_eq!(from_value::<Kind>(&json!("plain")).unwrap(), Kind::Plain);
        assert_eq!(
            from_value::<Kind>(&json!({"sized": 3})).unwrap(),
            Kind::Sized(3)
        );
        let (path, _) = error_of::<Vec<Kind>>(&json!(["plain", {"sized": "x"}]));
        assert_eq!(path, "[1].sized");
    }
}
