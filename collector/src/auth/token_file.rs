//! Where the admin token comes from when it is not a flag: a file the
//! operator wrote (`--admin-token-file`), or — with no token configured — a
//! file the collector writes once next to the database (mode 0600) and
//! reads again on every restart, so a login survives a restart and the
//! token never has to be printed to the log.

use super::{hex, AdminAuth};
use crate::store::DbTarget;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The generated token's file for `--db`: `<sqlite file>.admin-token`, or
/// `touchpoint.admin-token` in the working directory for PostgreSQL.
pub fn next_to(db: &DbTarget) -> PathBuf {
    match db {
        DbTarget::Sqlite(path) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".admin-token");
            PathBuf::from(name)
        }
        DbTarget::Postgres(_) => PathBuf::from("touchpoint.admin-token"),
    }
}

/// `--admin-token-file`: the token is the file's content, trimmed.
pub fn read(path: &Path) -> Result<AdminAuth, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--admin-token-file {}: {e}", path.display()))?;
    AdminAuth::checked(
        &text,
        &format!("the token in --admin-token-file {}", path.display()),
        true,
    )
}

/// The generated token in `path`, written there first if the file does not
/// exist; `true` when it was just written.
pub fn load_or_create(path: &Path) -> Result<(AdminAuth, bool), String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            let auth = AdminAuth::checked(
                &text,
                &format!(
                    "the generated token in {} (delete the file to get a new one)",
                    path.display()
                ),
                false,
            )?;
            Ok((auth, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(format!(
            "cannot read the admin token file {}: {e}",
            path.display()
        )),
    }
}

/// Writes a new token to a private temporary file and links it into place,
/// so a collector starting at the same moment reads either no file or the
/// whole token, and the first writer wins.
fn create(path: &Path) -> Result<(AdminAuth, bool), String> {
    let auth = AdminAuth::generated();
    let mut salt = [0u8; 6];
    getrandom::fill(&mut salt).expect("the OS random source works");
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", hex(&salt)));
    let tmp = PathBuf::from(tmp);
    let failed = |e: std::io::Error| {
        format!(
            "cannot write the generated admin token to {}: {e} (or set TOUCHPOINT_ADMIN_TOKEN / --admin-token-file)",
            path.display()
        )
    };
    let write = || -> std::io::Result<()> {
        let mut file = private_new_file(&tmp)?;
        writeln!(file, "{}", auth.token())?;
        file.sync_all()
    };
    let linked = write().and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok((auth, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
        Err(e) => Err(failed(e)),
    }
}

#[cfg(unix)]
fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "{} can be read by other users; run `chmod 600 {}`",
                path.display(),
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sits_next_to_a_sqlite_database() {
        let p = next_to(&DbTarget::parse("data/touchpoint.db").unwrap());
        assert_eq!(p, PathBuf::from("data/touchpoint.db.admin-token"));
        let pg = next_to(&DbTarget::parse("postgres://u@h/db").unwrap());
        assert_eq!(pg, PathBuf::from("touchpoint.admin-token"));
    }

    #[test]
    fn a_generated_token_is_written_once_privately_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("touchpoint.db.admin-token");
        let (first, created) = load_or_create(&path).unwrap();
        assert!(created && !first.explicit());
        let (again, created) = load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again.token(), first.token(), "reused on restart");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap().trim(),
            first.token()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn an_operator_file_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "an-operator-token-in-a-file\n").unwrap();
        let auth = read(&path).unwrap();
        assert!(auth.explicit());
        assert_eq!(auth.token(), "an-operator-token-in-a-file");
        std::fs::write(&path, "short").unwrap();
        assert!(read(&path).err().unwrap().contains("at least 16"));
        let missing = read(&dir.path().join("nope")).err().unwrap();
        assert!(missing.starts_with("--admin-token-file "), "{missing}");
        std::fs::write(&path, "x").unwrap();
        let e = load_or_create(&path).err().unwrap();
        assert!(e.contains("delete the file"), "{e}");
    }
}
