//! Offset paging of list endpoints: `page_size` (1–100) and an opaque `page_token`
//! that is the offset of the next item.

use serde::Deserialize;

use super::api_error::ApiError;

/// The paging query of a list endpoint.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    page_size: Option<usize>,
    page_token: Option<String>,
}

/// The page of `items` that `query` asks for (`default_size` items when it names no
/// size), and the token of the next page when there is one.
pub(crate) fn page<'a, T>(
    items: &'a [T],
    query: &PageQuery,
    default_size: usize,
) -> Result<(&'a [T], Option<String>), ApiError> {
    let page_size = query.page_size.unwrap_or(default_size);
    if !(1..=100).contains(&page_size) {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            "`page_size` must be between 1 and 100",
        ));
    }
    let start = match query.page_token.as_deref() {
        None | Some("") => 0,
        Some(token) => token.parse::<usize>().map_err(|_| {
            ApiError::bad_request(
                "INVALID_PARAMETER_VALUE",
                format!("invalid `page_token` `{token}`"),
            )
        })?,
    };
    let start = start.min(items.len());
    let end = (start + page_size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((&items[start..end], next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page_size: Option<usize>, page_token: Option<&str>) -> PageQuery {
        PageQuery {
            page_size,
            page_token: page_token.map(str::to_owned),
        }
    }

    #[test]
    fn pages_walk_the_items_with_tokens() {
        let items = [1, 2, 3, 4, 5];
        let (first, next) = page(&items, &query(Some(2), None), 20).unwrap();
        assert_eq!((first, next.as_deref()), (&[1, 2][..], Some("2")));
        let (last, next) = page(&items, &query(Some(2), Some("4")), 20).unwrap();
        assert_eq!((last, next), (&[5][..], None));
        let (all, next) = page(&items, &query(None, Some("")), 20).unwrap();
        assert_eq!((all.len(), next), (5, None));
    }

    #[test]
    fn refuses_bad_sizes_and_tokens() {
        let items = [1];
        assert!(page(&items, &query(Some(0), None), 20).is_err());
        assert!(page(&items, &query(Some(101), None), 20).is_err());
        assert!(page(&items, &query(None, Some("x")), 20).is_err());
    }
}
