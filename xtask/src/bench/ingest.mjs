// `cargo xtask bench` part 4: collector ingestion on loopback, SQLite. A
// bounded load generator (request count and duration capped; it stops by
// itself) posts valid responses to POST /v1/responses of the release
// collector: (a) saturation — a fixed number of requests over keep-alive
// connections as fast as they are answered → responses/s; (b) a fixed rate
// of 2,000 req/s for a few seconds → p50/p99 latency. Prints the figures and
// merges them into results.json under "ingest". Measures; asserts nothing.
// The generator shares the machine's cores with the collector, so on a small
// machine it is part of what is measured.
//
//   node xtask/src/bench/ingest.mjs
// Env: TOUCHPOINT_BIN, TOUCHPOINT_WIDGET_DIR (harness), TOUCHPOINT_BENCH_OUT.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { REPO, startCollector } from '../../../tests/e2e/harness.mjs';

const SATURATION_REQUESTS = 20_000;
const CONNECTIONS = 32;
const RATE = 2_000;
const RATE_SECONDS = 5;
const MAX_MS = 60_000; // hard cap for each phase

const CONFIG = {
  version: 1,
  allowed_origins: ['*'],
  touchpoints: [{ id: 'bench', stage: 'purchase', question: { type: 'nps' } }],
};

const body = (i) => JSON.stringify({
  response_id: randomUUID(),
  touchpoint: 'bench',
  stage: 'purchase',
  question: 'nps',
  score: i % 11,
  status: 'answered',
  respondent: randomUUID(),
  occurred_at: new Date().toISOString(),
});

function post(agent, url, payload) {
  return new Promise((ok) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(url, {
      method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', () => ok({ status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.end(payload);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const r2 = (x) => Math.round(x * 100) / 100;

async function saturation(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0, ok = 0, failed = 0;
  const start = Date.now();
  const worker = async () => {
    while (next < SATURATION_REQUESTS && Date.now() - start < MAX_MS) {
      const r = await post(agent, url, body(next++));
      if (r.status === 202) ok++; else failed++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const secs = (Date.now() - start) / 1000;
  agent.destroy();
  return { requests: ok + failed, accepted: ok, failed, connections: CONNECTIONS, seconds: r2(secs), responses_per_s: Math.round(ok / secs) };
}

async function fixedRate(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = RATE * RATE_SECONDS;
  const lat = [];
  let failed = 0;
  const pending = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i++) {
    const due = Number(start) / 1e6 + (i * 1000) / RATE;
    const now = Number(process.hrtime.bigint()) / 1e6;
    if (now - Number(start) / 1e6 > MAX_MS) break;
    if (due > now) await new Promise((r) => setTimeout(r, due - now));
    else if (i % 20 === 0) await new Promise((r) => setImmediate(r)); // behind: let answers in
    pending.push(post(agent, url, body(i)).then((r) => { if (r.status === 202) lat.push(r.ms); else failed++; }));
  }
  await Promise.all(pending);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return {
    rate_per_s: RATE, requests: pending.length, accepted: lat.length, failed, seconds: r2(secs),
    achieved_per_s: Math.round(lat.length / secs), p50_ms: r2(pct(lat, 50)), p99_ms: r2(pct(lat, 99)),
  };
}

const collector = await startCollector({ config: CONFIG });
try {
  const url = `${collector.url}/v1/responses`;
  const sat = await saturation(url);
  console.log(`ingest (SQLite, loopback): saturation ${sat.responses_per_s} responses/s `
    + `(${sat.accepted} accepted, ${sat.failed} failed, ${CONNECTIONS} connections, ${sat.seconds} s; target ≥ 20000)`);
  const fixed = await fixedRate(url);
  console.log(`ingest (SQLite, loopback): at ${RATE} req/s for ${RATE_SECONDS} s p50 ${fixed.p50_ms} ms, p99 ${fixed.p99_ms} ms `
    + `(achieved ${fixed.achieved_per_s}/s, ${fixed.failed} failed; target p99 ≤ 10 ms)`);
  const out = process.env.TOUCHPOINT_BENCH_OUT || join(REPO, 'target', 'bench');
  mkdirSync(out, { recursive: true });
  const file = join(out, 'results.json');
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all.ingest = { database: 'sqlite', saturation: sat, fixed_rate: fixed, postgresql: 'not measured' };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`wrote ${file} (ingest)`);
} finally {
  await collector.stop();
}
