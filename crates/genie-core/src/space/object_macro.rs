//! The `space_object!` macro that declares every JSON object of the serialized space.
//!
//! Each object of the Genie export format becomes a struct with public fields:
//! `required` fields are plain values (a missing one is a parse error naming the
//! field), `optional` fields are `Option`s (absent stays absent when written back),
//! and an `extra` map keeps every key the schema does not know, so a document parses
//! and serializes back unchanged. The macro writes `Serialize` and `Deserialize` by
//! hand rather than with `#[serde(flatten)]`: flattening buffers the whole object and
//! loses the location of a wrong value, while these impls read each field directly,
//! so errors name the exact field path (see [`super::value_deserializer`]). It also
//! implements [`super::walk::Node`], which lets validation visit every field.

/// Declares a serialized-space object: the struct, its serde impls and its walk.
///
/// JSON keys are the field names. An optional field given as JSON `null` reads as
/// absent.
macro_rules! space_object {
    (
        $(#[$struct_meta:meta])*
        pub struct $name:ident {
            required {
                $(
                    $(#[$required_meta:meta])*
                    $required:ident : $required_type:ty,
                )*
            }
            optional {
                $(
                    $(#[$optional_meta:meta])*
                    $optional:ident : $optional_type:ty,
                )*
            }
        }
    ) => {
        $(#[$struct_meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[$required_meta])*
                pub $required: $required_type,
            )*
            $(
                $(#[$optional_meta])*
                pub $optional: Option<$optional_type>,
            )*
            /// Keys the schema does not know, kept and written back unchanged.
            pub extra: std::collections::BTreeMap<String, serde_json::Value>,
        }

        impl $name {
            /// The JSON keys this object knows, in declaration order.
            pub const KNOWN_KEYS: &'static [&'static str] =
                &[$(stringify!($required),)* $(stringify!($optional),)*];
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let present: &[bool] = &[$(self.$optional.is_some(),)*];
                let length = Self::KNOWN_KEYS.len() - present.len()
                    + present.iter().filter(|is_present| **is_present).count()
                    + self.extra.len();
                let mut map = serializer.serialize_map(Some(length))?;
                $(
                    map.serialize_entry(stringify!($required), &self.$required)?;
                )*
                $(
                    if let Some(value) = &self.$optional {
                        map.serialize_entry(stringify!($optional), value)?;
                    }
                )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;

                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;

                    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        formatter.write_str("a JSON object")
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $(
                            let mut $required: Option<$required_type> = None;
                        )*
                        $(
                            let mut $optional: Option<$optional_type> = None;
                        )*
                        let mut extra = std::collections::BTreeMap::new();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $(
                                    stringify!($required) => {
                                        if $required.is_some() {
                                            return Err(serde::de::Error::duplicate_field(
                                                stringify!($required),
                                            ));
                                        }
                                        $required = Some(map.next_value()?);
                                    }
                                )*
                                $(
                                    stringify!($optional) => {
                                        if $optional.is_some() {
                                            return Err(serde::de::Error::duplicate_field(
                                                stringify!($optional),
                                            ));
                                        }
                                        $optional = map.next_value::<Option<$optional_type>>()?;
                                    }
                                )*
                                _ => {
                                    let value: serde_json::Value = map.next_value()?;
                                    extra.insert(key, value);
                                }
                            }
                        }
                        $(
                            let Some($required) = $required else {
                                return Err(serde::de::Error::missing_field(stringify!($required)));
                            };
                        )*
                        Ok($name {
                            $($required,)*
                            $($optional,)*
                            extra,
                        })
                    }
                }

                deserializer.deserialize_map(ObjectVisitor)
            }
        }

        impl $crate::space::walk::Node for $name {
            fn walk(&self, path: &str, visitor: &mut dyn $crate::space::walk::Visitor) {
                $(
                    $crate::space::walk::Node::walk(
                        &self.$required,
                        &$crate::space::walk::child_path(path, stringify!($required)),
                        visitor,
                    );
                )*
                $(
                    $crate::space::walk::Node::walk(
                        &self.$optional,
                        &$crate::space::walk::child_path(path, stringify!($optional)),
                        visitor,
                    );
                )*
                for (key, value) in &self.extra {
                    visitor.unknown_field(
                        &$crate::space::walk::child_path(path, key),
                        key,
                        value,
                    );
                }
            }
        }
    };
}

pub(crate) use space_object;
