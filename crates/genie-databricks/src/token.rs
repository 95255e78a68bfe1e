//! [`Token`]: a secret that never prints.

use std::fmt;

/// A personal access token (or any bearer secret). `Debug` and `Display` print `***`,
/// so a token cannot reach a log line, an error message or a file by formatting; the
/// value is read only through [`Token::expose`], where it goes into a request header.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_never_formats_its_secret() {
        let token = Token::new("dapi-secret-1234");
        assert_eq!(
            format!("{token} {token:?} {:?}", Some(&token)),
            "*** *** Some(***)"
        );
        assert_eq!(token.expose(), "dapi-secret-1234");
    }
}
