//! WAL checkpoints on their own thread and connection. SQLite's automatic
//! checkpoint runs inside the commit that pushes the WAL past 1000 pages, so
//! that commit — and every response waiting on it — would also wait for the
//! WAL to be copied into the database and the database file to be synced.
//! Here the writer only nudges; a passive checkpoint never blocks it.

use crate::store::StoreError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

/// Responses committed between nudges: each touches about one page of the
/// random `response_id` index, so this is about SQLite's default of 1000 WAL
/// pages between checkpoints.
pub(super) const EVERY: usize = 1000;
/// Without a nudge (other writes, a quiet collector), checkpoint this often.
const IDLE: Duration = Duration::from_secs(1);

pub(super) struct Checkpointer {
    nudge: SyncSender<()>,
    thread: JoinHandle<()>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let (nudge, nudged) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("touchpoint-sqlite-checkpoint".into())
            .spawn(move || run(&conn, &nudged))
            .map_err(|e| {
                StoreError::Unsupported(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(Checkpointer { nudge, thread })
    }

    /// Asks for a checkpoint soon; never waits.
    pub(super) fn nudge(&self) {
        let _ = self.nudge.try_send(());
    }

    pub(super) fn stop(self) {
        drop(self.nudge);
        let _ = self.thread.join();
    }
}

fn run(conn: &Connection, nudged: &Receiver<()>) {
    loop {
        if let Err(RecvTimeoutError::Disconnected) = nudged.recv_timeout(IDLE) {
            return;
        }
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %e, "WAL checkpoint failed; retrying later");
        }
    }
}
