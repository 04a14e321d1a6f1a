//! Which database the tests use: a SQLite file, or — when
//! `TOUCHPOINT_TEST_POSTGRES` holds a URL — a fresh schema in that
//! PostgreSQL database per test, dropped afterwards.

use std::path::Path;

pub const ENV: &str = "TOUCHPOINT_TEST_POSTGRES";

/// The PostgreSQL URL under test, if any.
pub fn postgres() -> Option<String> {
    std::env::var(ENV).ok().filter(|s| !s.trim().is_empty())
}

fn on_own_runtime(sql: String, url: String) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("{ENV}={url}: cannot connect: {e}"));
            tokio::spawn(conn);
            client.batch_execute(&sql).await.unwrap();
        });
    })
    .join()
    .unwrap();
}

/// A database for one test; a PostgreSQL schema is dropped with it.
pub struct Fresh {
    /// The `--db` value.
    pub url: String,
}

impl Drop for Fresh {
    fn drop(&mut self) {
        drop(&self.url);
    }
}

/// A database for one test: `<dir>/touchpoint.db`, or a new PostgreSQL
/// schema (the URL sets `search_path` to it).
pub fn fresh(dir: &Path) -> Fresh {
    Fresh {
        url: fresh_url(dir),
    }
}

fn fresh_url(dir: &Path) -> String {
    match postgres() {
        None => dir.join("touchpoint.db").to_str().unwrap().to_string(),
        Some(url) => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).unwrap();
            let schema = format!(
                "t_{}",
                b.iter().map(|x| format!("{x:02x}")).collect::<String>()
            );
            on_own_runtime(format!("CREATE SCHEMA {schema}"), url.clone());
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options=-c%20search_path%3D{schema}")
        }
    }
}

/// Drops a schema made by [`fresh`] (nothing to do for SQLite).
fn drop(db_url: &str) {
    let (Some(url), Some(schema)) = (postgres(), db_url.split("search_path%3D").nth(1)) else {
        return;
    };
    on_own_runtime(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"), url);
}
