//! File access for the binary: every error names the path, and writes are atomic
//! (a temporary file beside the target, then a rename), so a failure never leaves a
//! half-written file.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// Reads a UTF-8 text file.
pub(crate) fn read_text(path: &Path) -> anyhow::Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))
}

/// Writes `content` to `path` atomically.
pub(crate) fn write_atomic(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file path", path.display()))?;
    let temporary = directory.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(content)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours and useless now.
        let _ = fs::remove_file(&temporary);
    }
    result.with_context(|| format!("cannot write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let directory =
            std::env::temp_dir().join(format!("genie-opt-files-{}", std::process::id()));
        fs::create_dir_all(&directory).unwrap();
        let path = directory.join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(read_text(&path).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(&directory)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn errors_name_the_path() {
        let error = read_text(Path::new("/nonexistent/space.json")).unwrap_err();
        assert!(format!("{error:#}").starts_with("cannot read `/nonexistent/space.json`"));
    }
}
