// Shared helpers for the end-to-end tests (`node --test tests/e2e/`).
//
// Everything here is real: the collector is the release binary listening on
// 127.0.0.1, the database is a fresh SQLite file, the browser is the system
// Chromium driven by playwright-core. Nothing is mocked.
//
// Environment overrides:
//   TOUCHPOINT_BIN         collector binary (default <repo>/target/release/touchpoint)
//   TOUCHPOINT_WIDGET_DIR  built widget folder (default <repo>/dist)
//   CHROMIUM_BIN           browser (default /usr/bin/chromium)
//   TOUCHPOINT_E2E_KEEP=1  keep the temporary folders (config, db) after stop()

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** Repository root (this file is tests/e2e/harness.mjs). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The example config the demo shop uses. */
export const EXAMPLE_CONFIG = join(REPO, 'examples', 'touchpoint.json');

const BIN = process.env.TOUCHPOINT_BIN || join(REPO, 'target', 'release', 'touchpoint');
const WIDGET_DIR = process.env.TOUCHPOINT_WIDGET_DIR || join(REPO, 'dist');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** Chromium flags verified to work on these machines (see shared/TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Collectors still running; killed if the test process exits without stop().
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * Poll `fn` until it returns a truthy value (which is returned) or `timeout`
 * ms pass (then throws with `message` and the last error, if any).
 */
export async function waitFor(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${why}`);
    }
    await sleep(interval);
  }
}

/**
 * Start `touchpoint serve --demo` on a free loopback port with its own temporary
 * config file and SQLite database.
 *
 * @param {object} opts
 * @param {object|string} [opts.config] config object (written to a temp file)
 *   or path to a config file (relative paths are from the repo); default: the example config
 * @param {string} [opts.db] database path; default: a fresh file in a temp folder
 * @param {object} [opts.env] extra environment variables for the collector
 * @param {string} [opts.widgetDir] folder served under /widget/ (default <repo>/dist)
 * @param {string[]} [opts.args] extra command-line arguments after `serve …`
 * @param {number} [opts.timeout] ms to wait for /healthz (default 20 s)
 * @returns {Promise<{url: string, port: number, dbPath: string, configPath: string,
 *   dir: string, output: () => string, adminToken: () => string, stop: () => Promise<void>,
 *   restart: (opts?: {config?: object|string}) => Promise<void>}>}
 */
export async function startCollector(opts = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`collector binary ${BIN} is missing: run \`cargo xtask build\` (or set TOUCHPOINT_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-e2e-'));
  const configPath = join(dir, 'touchpoint.json');
  // A PostgreSQL URL passes through; a SQLite path is made absolute (the collector runs in its own folder).
  const dbPath = opts.db ? (/^postgres(ql)?:\/\//.test(opts.db) ? opts.db : resolve(opts.db)) : join(dir, 'touchpoint.db');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child = null;
  let log = '';

  const writeConfig = (config) => {
    if (config === undefined) config = EXAMPLE_CONFIG;
    if (typeof config === 'string') {
      const path = isAbsolute(config) ? config : join(REPO, config);
      writeFileSync(configPath, readText(path));
    } else {
      writeFileSync(configPath, JSON.stringify(config, null, 2));
    }
  };

  const launch = async () => {
    const args = ['serve', '--config', configPath, '--db', dbPath, '--addr', `127.0.0.1:${port}`,
      // --demo: the e2e host pages (/test-pages/) and the shop are demo surfaces.
      '--widget-dir', opts.widgetDir || WIDGET_DIR, '--demo', ...(opts.args || [])];
    child = spawn(BIN, args, {
      cwd: dir,
      // Every test page view comes from 127.0.0.1: the per-IP rate limits (posts, config reads,
      // logins) are off unless a test sets them.
      env: {
        TOUCHPOINT_RATE_LIMIT: '0',
        TOUCHPOINT_CONFIG_RATE_LIMIT: '0',
        TOUCHPOINT_LOGIN_RATE_LIMIT: '0',
        ...process.env,
        ...(opts.env || {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const proc = child;
    const exited = new Promise((ok) => proc.once('exit', (code, signal) => ok({ code, signal })));
    proc.exited = exited;
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    exited.then(() => live.delete(proc));

    const deadline = Date.now() + (opts.timeout ?? 20_000);
    for (;;) {
      const early = await Promise.race([exited, sleep(100).then(() => null)]);
      if (early) {
        throw new Error(`collector exited (${early.code ?? early.signal}) before /healthz answered:\n`
          + `${BIN} ${args.join(' ')}\n${log}`);
      }
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) return;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        await kill(proc);
        throw new Error(`collector did not answer ${url}/healthz in time:\n${log}`);
      }
    }
  };

  const kill = async (proc) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const done = await Promise.race([proc.exited, sleep(3_000).then(() => null)]);
    if (!done) {
      proc.kill('SIGKILL');
      await proc.exited;
    }
  };

  writeConfig(opts.config);
  await launch();

  return {
    url,
    port,
    dbPath,
    configPath,
    dir,
    /** Everything the collector printed so far (for failure messages). */
    output: () => log,
    /**
     * The admin token: the one the test configured, else the one the collector generated into
     * the file next to its database (it logs that file's path, never the token).
     */
    adminToken() {
      const env = { ...process.env, ...(opts.env || {}) };
      if (env.TOUCHPOINT_ADMIN_TOKEN) return env.TOUCHPOINT_ADMIN_TOKEN;
      const file = env.TOUCHPOINT_ADMIN_TOKEN_FILE
        || (/^postgres(ql)?:\/\//.test(dbPath) ? join(dir, 'touchpoint.admin-token') : `${dbPath}.admin-token`);
      return readFileSync(isAbsolute(file) ? file : join(dir, file), 'utf8').trim();
    },
    /** Stop the collector and remove its temporary folder. */
    async stop() {
      await kill(child);
      if (!process.env.TOUCHPOINT_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
    },
    /** Stop and start again on the same port and database (optionally with a new config). */
    async restart({ config } = {}) {
      await kill(child);
      if (config !== undefined) writeConfig(config);
      await launch();
    },
  };
}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read config file ${path}: ${e.message}`);
  }
}

/** Launch the system Chromium, headless, through playwright-core. */
export async function launchBrowser(opts = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`cargo xtask setup\` (installs Debian chromium) or set CHROMIUM_BIN`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args || [])],
    timeout: 30_000,
    ...opts.launch,
  });
}

/**
 * A page in its own fresh browser context (own storage, cookies).
 *
 * With `collectErrors` (default true) the page records:
 *   page.pageErrors      — uncaught exceptions (`pageerror`), as Error objects
 *   page.consoleProblems — console errors and warnings, as {type, text, location}
 * and page.problems() formats both for an assertion message.
 * Other options are passed to browser.newContext (viewport, locale, …).
 */
export async function newPage(browser, { collectErrors = true, ...contextOptions } = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('close', () => { context.close().catch(() => {}); });
  page.pageErrors = [];
  page.consoleProblems = [];
  if (collectErrors) {
    page.on('pageerror', (err) => page.pageErrors.push(err));
    page.on('console', (msg) => {
      const type = msg.type();
      if (type === 'error' || type === 'warning') {
        page.consoleProblems.push({ type, text: msg.text(), location: msg.location() });
      }
    });
  }
  page.problems = () => [
    ...page.pageErrors.map((e) => `pageerror: ${e.stack || e.message}`),
    ...page.consoleProblems.map((m) => `console.${m.type}: ${m.text} (${m.location?.url ?? ''}:${m.location?.lineNumber ?? ''})`),
  ].join('\n');
  return page;
}

/**
 * GET /v1/responses from a collector (`{url}` from startCollector, or a base URL string).
 * `query` is an object or a query string, e.g. {touchpoint: 'order-confirmed'}.
 */
export async function responses(collector, query) {
  const base = typeof collector === 'string' ? collector : collector.url;
  let qs = '';
  if (query && typeof query === 'object') qs = new URLSearchParams(query).toString();
  else if (query) qs = String(query).replace(/^\?/, '');
  // Sent when known, so the helper keeps working where GET /v1/responses needs the admin token.
  const headers = {};
  try {
    if (typeof collector === 'object' && collector.adminToken) headers.authorization = `Bearer ${collector.adminToken()}`;
  } catch { /* no token file: the request goes without */ }
  const res = await fetch(`${base}/v1/responses${qs ? `?${qs}` : ''}`, { headers });
  const body = await res.text();
  if (!res.ok) throw new Error(`GET /v1/responses → ${res.status}: ${body}`);
  return JSON.parse(body);
}

/**
 * Poll GET /v1/responses until a row satisfies `predicate`; returns that row.
 * Fails after `timeout` ms with the rows seen last.
 */
export async function waitForResponse(collector, predicate, { query, timeout = 10_000 } = {}) {
  let rows = [];
  try {
    return await waitFor(async () => {
      rows = await responses(collector, query);
      return rows.find(predicate);
    }, { timeout, message: 'a matching row in GET /v1/responses' });
  } catch (e) {
    e.message += `\nrows seen last: ${JSON.stringify(rows, null, 2)}`;
    throw e;
  }
}

/** POST a JSON body (object or raw string) to /v1/responses; returns {status, body}. */
export async function postResponse(collector, body, { contentType = 'application/json' } = {}) {
  const base = typeof collector === 'string' ? collector : collector.url;
  const res = await fetch(`${base}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json ?? text };
}

/**
 * Runs `fn(collector)` against a collector serving `config`, always stopping
 * it; a failure carries the end of the collector's log.
 */
export async function withCollector(config, fn) {
  const collector = await startCollector({ config });
  try {
    await fn(collector);
  } catch (e) {
    e.message += `\n--- collector output ---\n${collector.output().slice(-3000)}`;
    throw e;
  } finally {
    await collector.stop();
  }
}

/** Waits for `touchpoint.ready`: the config is loaded and load triggers have fired. */
export function untilReady(page) {
  return page.waitForFunction(() => window.touchpoint?.ready === true, null, { timeout: 15_000, polling: 50 });
}
