//! Credential resolution: every precedence step and every error, over temporary config
//! files, bundle files and environments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genie_databricks::auth::{AuthEnvironment, AuthRequest, CredentialSource, resolve};
use genie_databricks::{AuthError, Token};

/// A temporary directory tree, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "genie-databricks-auth-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary directory");
        Self(path)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
        std::fs::write(&path, text).expect("file written");
        path
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    /// An environment whose home and working directory are in the scratch tree.
    fn environment(&self, variables: &[(&str, &str)]) -> AuthEnvironment {
        let working_directory = self.path("home/project/sub");
        std::fs::create_dir_all(&working_directory).expect("working directory");
        AuthEnvironment {
            variables: variables
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            home: Some(self.path("home")),
            working_directory,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const CONFIG: &str = "\
# profiles
[DEFAULT]
host = https://default.cloud.databricks.com
token = dapi-default

[dev]
host = dev.cloud.databricks.com/
token = dapi-dev

[hostless]
token = dapi-hostless

[tokenless]
host = https://tokenless.cloud.databricks.com
";

fn request() -> AuthRequest {
    AuthRequest::default()
}

fn host_and_token(request: &AuthRequest, environment: &AuthEnvironment) -> (String, String) {
    let credentials = resolve(request, environment).expect("credentials resolve");
    (credentials.host, credentials.token.expose().to_owned())
}

#[test]
fn flags_win_over_the_environment_and_need_no_file() {
    let scratch = Scratch::new("flags");
    let environment = scratch.environment(&[
        ("DATABRICKS_HOST", "https://env.cloud.databricks.com"),
        ("DATABRICKS_TOKEN", "dapi-env"),
    ]);
    let flags = AuthRequest {
        host: Some("flag.cloud.databricks.com".into()),
        token: Some(Token::new("dapi-flag")),
        ..request()
    };
    assert_eq!(
        host_and_token(&flags, &environment),
        (
            "https://flag.cloud.databricks.com".into(),
            "dapi-flag".into()
        )
    );
    // A flag host with the environment's token.
    let host_only = AuthRequest {
        host: Some("http://127.0.0.1:8765".into()),
        ..request()
    };
    assert_eq!(
        host_and_token(&host_only, &environment),
        ("http://127.0.0.1:8765".into(), "dapi-env".into())
    );
    let credentials = resolve(&request(), &environment).unwrap();
    assert_eq!(credentials.host, "https://env.cloud.databricks.com");
    assert_eq!(credentials.source, CredentialSource::Explicit);
}

#[test]
fn a_named_profile_comes_from_the_flag_or_the_environment() {
    let scratch = Scratch::new("named");
    let config = scratch.write("home/.databrickscfg", CONFIG);
    let by_flag = AuthRequest {
        profile: Some("dev".into()),
        ..request()
    };
    let environment = scratch.environment(&[("DATABRICKS_CONFIG_PROFILE", "tokenless")]);
    let credentials = resolve(&by_flag, &environment).unwrap();
    assert_eq!(credentials.host, "https://dev.cloud.databricks.com");
    assert_eq!(credentials.token.expose(), "dapi-dev");
    assert_eq!(
        credentials.source,
        CredentialSource::Profile {
            path: config,
            profile: "dev".into()
        }
    );
    // The environment's profile, with the environment's token filling what it lacks.
    let environment = scratch.environment(&[
        ("DATABRICKS_CONFIG_PROFILE", "tokenless"),
        ("DATABRICKS_TOKEN", "dapi-env"),
    ]);
    assert_eq!(
        host_and_token(&request(), &environment),
        (
            "https://tokenless.cloud.databricks.com".into(),
            "dapi-env".into()
        )
    );
    // A flag host wins over the profile's host; the profile still gives the token.
    let flag_host = AuthRequest {
        host: Some("https://override.cloud.databricks.com".into()),
        profile: Some("dev".into()),
        ..request()
    };
    assert_eq!(
        host_and_token(&flag_host, &scratch.environment(&[])),
        (
            "https://override.cloud.databricks.com".into(),
            "dapi-dev".into()
        )
    );
}

#[test]
fn the_config_file_variable_moves_the_file() {
    let scratch = Scratch::new("config-file");
    scratch.write("home/.databrickscfg", CONFIG);
    let elsewhere = scratch.write(
        "elsewhere/cfg",
        "[DEFAULT]\nhost = https://moved.cloud.databricks.com\ntoken = dapi-moved\n",
    );
    let environment =
        scratch.environment(&[("DATABRICKS_CONFIG_FILE", elsewhere.to_str().unwrap())]);
    assert_eq!(
        host_and_token(&request(), &environment),
        (
            "https://moved.cloud.databricks.com".into(),
            "dapi-moved".into()
        )
    );
}

#[test]
fn without_a_name_the_settings_default_then_default_profile_apply() {
    let scratch = Scratch::new("default");
    scratch.write(
        "home/.databrickscfg",
        &format!("[__settings__]\ndefault_profile = dev\n\n{CONFIG}"),
    );
    assert_eq!(
        host_and_token(&request(), &scratch.environment(&[])).1,
        "dapi-dev"
    );
    scratch.write("home/.databrickscfg", CONFIG);
    assert_eq!(
        host_and_token(&request(), &scratch.environment(&[])).1,
        "dapi-default"
    );
}

#[test]
fn a_bundle_names_the_profile_when_the_config_has_no_default() {
    let scratch = Scratch::new("bundle");
    scratch.write(
        "home/.databrickscfg",
        "[dev]\nhost = https://dev.cloud.databricks.com\ntoken = dapi-dev\n\n\
         [prod]\nhost = https://prod.cloud.databricks.com\ntoken = dapi-prod\n",
    );
    // Found in a parent of the working directory.
    scratch.write(
        "home/project/databricks.yml",
        "bundle:\n  name: genie\nworkspace:\n  profile: dev\ntargets:\n  staging:\n    default: true\n  production:\n    workspace:\n      profile: prod\n",
    );
    let environment = scratch.environment(&[]);
    assert_eq!(host_and_token(&request(), &environment).1, "dapi-dev");
    let production = AuthRequest {
        target: Some("production".into()),
        ..request()
    };
    assert_eq!(host_and_token(&production, &environment).1, "dapi-prod");
    // A bundle's host with the environment's token (no config file at all).
    let bare = Scratch::new("bundle-host");
    bare.write(
        "home/project/databricks.yml",
        "workspace:\n  host: bundle.cloud.databricks.com\n",
    );
    let environment = bare.environment(&[("DATABRICKS_TOKEN", "dapi-env")]);
    assert_eq!(
        host_and_token(&request(), &environment),
        (
            "https://bundle.cloud.databricks.com".into(),
            "dapi-env".into()
        )
    );
}

fn failure(request: &AuthRequest, environment: &AuthEnvironment) -> AuthError {
    resolve(request, environment).expect_err("resolution fails")
}

#[test]
fn every_failure_names_what_is_wrong_and_never_a_token() {
    let scratch = Scratch::new("errors");
    let empty = scratch.environment(&[]);
    assert_eq!(failure(&request(), &empty), AuthError::NoCredentials);
    assert!(
        failure(&request(), &empty)
            .to_string()
            .contains("embedded sandbox")
    );

    let named = AuthRequest {
        profile: Some("dev".into()),
        ..request()
    };
    assert_eq!(
        failure(&named, &empty),
        AuthError::ConfigFileMissing {
            path: scratch.path("home/.databrickscfg"),
            profile: "dev".into()
        }
    );

    let config = scratch.write("home/.databrickscfg", CONFIG);
    let missing = AuthRequest {
        profile: Some("nope".into()),
        ..request()
    };
    let error = failure(&missing, &empty);
    assert_eq!(
        error.to_string(),
        format!(
            "`{}` has no profile `[nope]` (it has: DEFAULT, dev, hostless, tokenless)",
            config.display()
        )
    );
    let hostless = AuthRequest {
        profile: Some("hostless".into()),
        ..request()
    };
    assert_eq!(
        failure(&hostless, &empty),
        AuthError::ProfileWithoutHost {
            path: config.clone(),
            profile: "hostless".into()
        }
    );
    let tokenless = AuthRequest {
        profile: Some("tokenless".into()),
        ..request()
    };
    assert!(matches!(
        failure(&tokenless, &empty),
        AuthError::MissingToken { .. }
    ));

    scratch.write("home/.databrickscfg", "[dev]\nhost https://x\n");
    assert_eq!(
        failure(&named, &empty),
        AuthError::MalformedConfig {
            path: config,
            line: 2,
            message: "expected `key = value` or `[section]`".into()
        }
    );

    let bundles = Scratch::new("bad-bundle");
    let bundle = bundles.write("home/project/databricks.yml", "workspace: [unclosed\n");
    let environment = bundles.environment(&[]);
    assert!(matches!(
        failure(&request(), &environment),
        AuthError::MalformedBundle { path, .. } if path == bundle
    ));
    bundles.write(
        "home/project/databricks.yml",
        "targets:\n  dev:\n    default: true\n",
    );
    let unknown_target = AuthRequest {
        target: Some("qa".into()),
        ..request()
    };
    assert_eq!(
        failure(&unknown_target, &environment).to_string(),
        format!("`{}` has no target `qa` (it has: dev)", bundle.display())
    );

    // No error carries a secret, whatever the inputs held.
    let secret = AuthRequest {
        token: Some(Token::new("dapi-super-secret")),
        profile: Some("nope".into()),
        ..request()
    };
    let scratch = Scratch::new("leak");
    scratch.write("home/.databrickscfg", CONFIG);
    let error = failure(
        &secret,
        &scratch.environment(&[("DATABRICKS_TOKEN", "dapi-env-secret")]),
    );
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("secret") && !shown.contains("dapi-"),
        "{shown}"
    );
}

#[test]
fn process_environment_is_read_without_panicking() {
    let environment = AuthEnvironment::from_process();
    assert!(
        environment
            .variables
            .keys()
            .all(|name| name.starts_with("DATABRICKS_"))
    );
    let _ = Path::new(&environment.working_directory);
}
