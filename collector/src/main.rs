use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use touchpoint_collector::check::check;
use touchpoint_collector::commands;
use touchpoint_collector::ratelimit::{self, failures};
use touchpoint_collector::report::query::ReportQuery;
use touchpoint_collector::schema::config_schema;
use touchpoint_collector::server::{listen, serve, ConnectionLimits, ServeOptions};
use touchpoint_collector::service::delivery::DeliveryOptions;
use touchpoint_collector::service::retention::RetentionOptions;

/// Touchpoint collector: stores survey responses and serves the touchpoint
/// config and the widget.
#[derive(Parser)]
#[command(name = "touchpoint", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up: the size of `serve`'s flags costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the collector (set RUST_LOG=debug for one log line per request).
    Serve {
        /// Touchpoint config file; reloaded when it changes.
        #[arg(long)]
        config: PathBuf,
        /// SQLite database file (`path`, `sqlite:path` or `sqlite://path`).
        #[arg(long, default_value = "touchpoint.db")]
        db: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The built widget (Trunk's output), served at /widget/ (and /shop/ with --demo).
        #[arg(long, default_value = "dist")]
        widget_dir: PathBuf,
        /// Also serve the demo shop (/shop/) and the end-to-end test pages
        /// (/test-pages/); off in production.
        #[arg(long)]
        demo: bool,
        /// Token for the dashboard, report, export and follow-ups (at least
        /// 16 characters); with one, GET /v1/responses needs it too. Without
        /// it or --admin-token-file, a token is generated once into
        /// <db>.admin-token (mode 0600; its path is logged, never the token).
        #[arg(long, env = "TOUCHPOINT_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Read the admin token from this file (e.g. a mounted secret).
        #[arg(long, env = "TOUCHPOINT_ADMIN_TOKEN_FILE")]
        admin_token_file: Option<PathBuf>,
        /// POST /v1/responses per minute per client IP; 0 turns the limit off.
        #[arg(long, env = "TOUCHPOINT_RATE_LIMIT", default_value_t = ratelimit::DEFAULT_POSTS_PER_MINUTE)]
        rate_limit: u32,
        /// GET /v1/config per minute per client IP (one a page view); 0 turns it off.
        #[arg(long, env = "TOUCHPOINT_CONFIG_RATE_LIMIT", default_value_t = ratelimit::DEFAULT_CONFIG_PER_MINUTE)]
        config_rate_limit: u32,
        /// POST /login per minute per client IP; 0 turns it off.
        #[arg(long, env = "TOUCHPOINT_LOGIN_RATE_LIMIT", default_value_t = ratelimit::DEFAULT_LOGIN_PER_MINUTE)]
        login_rate_limit: u32,
        /// Wrong admin tokens (bearer or login) per client IP within 15 min
        /// before that IP gets 429 for every token; 0 = no limit.
        #[arg(long, env = "TOUCHPOINT_AUTH_FAILURES_PER_IP", default_value_t = failures::DEFAULT_PER_IP)]
        auth_failures_per_ip: u32,
        /// Wrong admin tokens from all IPs together within 15 min before
        /// every token attempt gets 429 (sessions keep working); 0 = no limit.
        #[arg(long, env = "TOUCHPOINT_AUTH_FAILURES_GLOBAL", default_value_t = failures::DEFAULT_GLOBAL)]
        auth_failures_global: u32,
        /// Comma-separated CIDRs of the proxies in front (e.g. 10.0.0.0/8):
        /// from them, the client is the right-most untrusted address in
        /// X-Forwarded-For, and X-Forwarded-Proto: https counts as HTTPS.
        #[arg(long, env = "TOUCHPOINT_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
        /// The header the trusted proxies write the client IP to
        /// (default X-Forwarded-For); needs --trusted-proxies.
        #[arg(long, env = "TOUCHPOINT_CLIENT_IP_HEADER")]
        client_ip_header: Option<String>,
        /// The URL people and widgets reach the collector at; https://…
        /// makes the login cookie Secure with the __Host- prefix.
        #[arg(long, env = "TOUCHPOINT_PUBLIC_URL")]
        public_url: Option<String>,
        /// Wait before the first retry of a failed webhook alert, in ms; doubles each time.
        #[arg(long, default_value_t = 1000)]
        alert_retry_min_ms: u64,
        /// Longest wait between webhook retries, in ms.
        #[arg(long, default_value_t = 300_000)]
        alert_retry_max_ms: u64,
        /// Delete responses older than this many days (with their
        /// follow-ups and alert copies), at start-up and then hourly; off
        /// unless set. Delivered alert copies go after 30 days regardless.
        #[arg(long, env = "TOUCHPOINT_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
        retention_days: Option<u32>,
        /// Also serve GET /metrics without auth on this address (e.g.
        /// 127.0.0.1:9090, for a Prometheus on the same host or network);
        /// without it /metrics is served only with the admin token.
        #[arg(long, env = "TOUCHPOINT_METRICS_ADDR")]
        metrics_addr: Option<SocketAddr>,
        /// `text` (for people) or `json` (one JSON object a line, for log shippers).
        #[arg(long, env = "TOUCHPOINT_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
        log_format: String,
        #[command(flatten)]
        limits: LimitFlags,
    },
    /// Copy a SQLite database consistently while the collector runs (the
    /// online backup API: never copy a live WAL database's file yourself).
    /// PostgreSQL: use pg_dump or point-in-time recovery instead.
    Backup {
        /// The database `touchpoint serve` uses.
        #[arg(long, default_value = "touchpoint.db")]
        db: String,
        /// The copy; with --keep or --every, copies are named
        /// <stem>-<UTC time>.<ext> next to it, e.g. backups/touchpoint-20261130T093000.000Z.db.
        #[arg(long)]
        out: PathBuf,
        /// Keep this many timestamped copies, removing the oldest (with
        /// --every, or from cron with one run per copy).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        keep: Option<u64>,
        /// Run until stopped, taking a copy at start and then this often
        /// (`1h`, `30m`); keeps --keep copies (default 48).
        #[arg(long, value_parser = listen::parse_duration)]
        every: Option<Duration>,
    },
    /// Check a backup (integrity, schema version, rows per table) and only
    /// then write it as a new database file. Stop the collector first.
    Restore {
        /// The backup.
        #[arg(long)]
        from: PathBuf,
        /// The database file to create.
        #[arg(long)]
        db: String,
        /// Replace an existing database file (and its -wal and -shm).
        #[arg(long)]
        force: bool,
    },
    /// Write stored responses to stdout as CSV or JSON Lines (previews left
    /// out; all time unless a period is given).
    Export {
        /// The database (`path`, `sqlite:path` or `sqlite://path`).
        #[arg(long, default_value = "touchpoint.db")]
        db: String,
        /// `csv` or `jsonl`.
        #[arg(long, default_value = "csv")]
        format: String,
        #[command(flatten)]
        query: ReportQuery,
    },
    /// Right to erasure: delete every response of one respondent, with
    /// their follow-ups and alert copies, in one transaction; prints the
    /// rows deleted per table as JSON.
    Erase {
        /// The respondent id the widget sent.
        #[arg(long)]
        respondent: String,
        /// The database (`path`, `sqlite:path`, `sqlite://path` or a
        /// `postgres://` URL).
        #[arg(long, default_value = "touchpoint.db")]
        db: String,
    },
    /// Check a config file: print every problem, or a one-line summary.
    Check { file: PathBuf },
    /// Print the config's JSON Schema.
    Schema,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve {
            config,
            db,
            addr,
            widget_dir,
            demo,
            admin_token,
            admin_token_file,
            rate_limit,
            config_rate_limit,
            login_rate_limit,
            auth_failures_per_ip,
            auth_failures_global,
            trusted_proxies,
            client_ip_header,
            public_url,
            alert_retry_min_ms,
            alert_retry_max_ms,
            retention_days,
            metrics_addr,
            log_format,
            limits,
        } => {
            touchpoint_collector::logs::init(&log_format);
            let opts = ServeOptions {
                config,
                db,
                addr,
                widget_dir,
                admin_token,
                admin_token_file,
                rate_limit,
                config_rate_limit,
                login_rate_limit,
                auth_failures_per_ip,
                auth_failures_global,
                trusted_proxies,
                client_ip_header,
                public_url,
                alerts: alert_options(alert_retry_min_ms, alert_retry_max_ms),
                retention: RetentionOptions {
                    days: retention_days,
                    ..RetentionOptions::default()
                },
                limits: limits.into(),
                demo,
                metrics_addr,
            };
            let run = tokio::runtime::Runtime::new()
                .map_err(Into::into)
                .and_then(|rt| rt.block_on(serve(opts)));
            match run {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Export { db, format, query } => match commands::export(&db, &format, &query) {
            Ok(rows) => {
                eprintln!("{rows} response(s) exported");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Erase { respondent, db } => match commands::erase(&db, &respondent) {
            Ok(erasure) => {
                println!("{erasure}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Backup {
            db,
            out,
            keep,
            every,
        } => {
            touchpoint_collector::logs::init("text");
            let keep = keep
                .map(|k| k as usize)
                .or(every.map(|_| commands::DEFAULT_KEEP));
            finish(commands::backups(&db, &out, keep, every))
        }
        Command::Restore { from, db, force } => finish(commands::restore(&from, &db, force)),
        Command::Check { file } => {
            let report = check(&file);
            for line in &report.lines {
                println!("{line}");
            }
            if report.ok {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "{}: {} problem(s); fix them and run `touchpoint check` again",
                    file.display(),
                    report.lines.len()
                );
                ExitCode::FAILURE
            }
        }
        Command::Schema => {
            print!("{}", config_schema());
            ExitCode::SUCCESS
        }
    }
}

fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// How long, and how many, clients may hold the collector (`10s`, `500ms`, `2m`).
#[derive(clap::Args)]
struct LimitFlags {
    /// Longest time to receive a request's headers; an idle keep-alive
    /// connection is closed after it too.
    #[arg(long, default_value = "10s", value_parser = listen::parse_duration)]
    header_timeout: Duration,
    /// Longest time from a request's headers to its response (408 after it).
    #[arg(long, default_value = "30s", value_parser = listen::parse_duration)]
    request_timeout: Duration,
    /// Longest wait for the next piece of a request body (408 after it).
    #[arg(long, default_value = "10s", value_parser = listen::parse_duration)]
    body_timeout: Duration,
    /// Connections open at once; more wait until one closes.
    #[arg(long, default_value_t = listen::DEFAULT_MAX_CONNECTIONS as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
    /// After SIGTERM or Ctrl-C, how long open requests may finish before
    /// their connections are closed.
    #[arg(long, default_value = "10s", value_parser = listen::parse_duration)]
    shutdown_timeout: Duration,
}

impl From<LimitFlags> for ConnectionLimits {
    fn from(f: LimitFlags) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: f.header_timeout,
            request_timeout: f.request_timeout,
            body_timeout: f.body_timeout,
            max_connections: f.max_connections as usize,
            shutdown_timeout: f.shutdown_timeout,
        }
    }
}

fn alert_options(min_ms: u64, max_ms: u64) -> DeliveryOptions {
    let base = Duration::from_millis(min_ms.max(10));
    DeliveryOptions {
        backoff_base: base,
        backoff_max: Duration::from_millis(max_ms).max(base),
        // Retries are picked up within the shorter of a second and the first wait.
        poll: base.min(Duration::from_secs(1)),
        ..DeliveryOptions::default()
    }
}
