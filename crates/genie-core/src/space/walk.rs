//! A typed walk over every field of a serialized space, with JSON-style paths.
//!
//! Validation rules that apply to "every string", "every array" or "every unknown
//! key" use this walk instead of listing fields by hand, so a field added to the
//! model is checked without touching the rules. Paths look like
//! `data_sources.tables[2].column_configs[0].column_name`; the root path is empty.

use serde_json::Value;

use super::text::TextLines;

/// Something visited during a [`Node::walk`]. Every method does nothing by default.
pub(crate) trait Visitor {
    /// A plain string field or array element.
    fn string(&mut self, _path: &str, _value: &str) {}

    /// A [`TextLines`] field (visited once, as a whole, after its array).
    fn text(&mut self, _path: &str, _value: &TextLines) {}

    /// An array (of objects, strings or text elements) with `length` items.
    fn array(&mut self, _path: &str, _length: usize) {}

    /// A key the schema does not know (`path` is the key's own path), with its value.
    fn unknown_field(&mut self, _path: &str, _key: &str, _value: &Value) {}
}

/// A value of the serialized-space model that can be walked.
pub(crate) trait Node {
    /// Visits this value (at `path`) and everything inside it.
    fn walk(&self, path: &str, visitor: &mut dyn Visitor);
}

/// The path of `key` inside the object at `parent`.
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path of element `index` of the array at `parent`.
pub(crate) fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

impl Node for String {
    fn walk(&self, path: &str, visitor: &mut dyn Visitor) {
        visitor.string(path, self);
    }
}

impl Node for TextLines {
    fn walk(&self, path: &str, visitor: &mut dyn Visitor) {
        visitor.array(path, self.len());
        visitor.text(path, self);
    }
}

impl Node for bool {
    fn walk(&self, _path: &str, _visitor: &mut dyn Visitor) {}
}

impl Node for u64 {
    fn walk(&self, _path: &str, _visitor: &mut dyn Visitor) {}
}

impl<T: Node> Node for Option<T> {
    fn walk(&self, path: &str, visitor: &mut dyn Visitor) {
        if let Some(value) = self {
            value.walk(path, visitor);
        }
    }
}

impl<T: Node> Node for Vec<T> {
    fn walk(&self, path: &str, visitor: &mut dyn Visitor) {
        visitor.array(path, self.len());
        for (index, item) in self.iter().enumerate() {
            item.walk(&index_path(path, index), visitor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder(Vec<String>);

    impl Visitor for Recorder {
        fn string(&mut self, path: &str, value: &str) {
            self.0.push(format!("string {path} = {value}"));
        }
        fn text(&mut self, path: &str, value: &TextLines) {
            self.0
                .push(format!("text {path} = {value:?}", value = value.joined()));
        }
        fn array(&mut self, path: &str, length: usize) {
            self.0.push(format!("array {path} ({length})"));
        }
    }

    #[test]
    fn paths_and_visits() {
        assert_eq!(child_path("", "version"), "version");
        assert_eq!(child_path("data_sources", "tables"), "data_sources.tables");
        assert_eq!(
            index_path("data_sources.tables", 2),
            "data_sources.tables[2]"
        );

        let mut recorder = Recorder::default();
        let synonyms = Some(vec!["area".to_owned(), "territory".to_owned()]);
        synonyms.walk("synonyms", &mut recorder);
        TextLines::from_text("a\nb").walk("description", &mut recorder);
        assert_eq!(
            recorder.0,
            [
                "array synonyms (2)",
                "string synonyms[0] = area",
                "string synonyms[1] = territory",
                "array description (2)",
                "text description = \"a\\nb\"",
            ]
        );
    }
}
