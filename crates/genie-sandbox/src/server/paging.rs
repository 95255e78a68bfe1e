//! Paging of the list endpoints: `page_size` (1–100) and an opaque `page_token` (here,
//! the offset of the page's first item), answered with `next_page_token` while items
//! remain.

use serde::Deserialize;

use super::api_error::ApiError;

/// The paging query of a list endpoint.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    /// Items per page (1–100).
    pub(crate) page_size: Option<usize>,
    /// Where the page starts: a `next_page_token` of an earlier page.
    pub(crate) page_token: Option<String>,
}

/// One page of `items` (`default_size` when `page_size` is absent) and the next page's
/// token; a size outside 1–100 or a token the sandbox did not issue is refused.
pub(crate) fn page<'a, T>(
    items: &'a [T],
    page_size: Option<usize>,
    page_token: Option<&str>,
    default_size: usize,
) -> Result<(&'a [T], Option<String>), ApiError> {
    let page_size = page_size.unwrap_or(default_size);
    if !(1..=100).contains(&page_size) {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            "`page_size` must be between 1 and 100",
        ));
    }
    let start = match page_token {
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

    #[test]
    fn pages_walk_the_items_and_refuse_bad_arguments() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(
            page(&items, Some(2), None, 20).unwrap(),
            (&items[..2], Some("2".to_owned()))
        );
        assert_eq!(
            page(&items, Some(2), Some("4"), 20).unwrap(),
            (&items[4..], None)
        );
        assert_eq!(page(&items, None, None, 20).unwrap(), (&items[..], None));
        assert_eq!(
            page(&items, Some(0), None, 20).unwrap_err().error_code,
            "INVALID_PARAMETER_VALUE"
        );
        assert!(page(&items, None, Some("x"), 20).is_err());
    }
}
