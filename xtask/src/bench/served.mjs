// `cargo xtask bench` part 2 helper: what a page view with no survey due
// downloads is the bootstrap plus the config *as the collector serves it*
// (compact JSON), not the pretty file on disk. Starts the release collector
// with the example config, saves the body of GET /v1/config, and stops.
//
//   node xtask/src/bench/served.mjs <out-file>
// Env: TOUCHPOINT_BIN (harness).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startCollector } from '../../../tests/e2e/harness.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: node xtask/src/bench/served.mjs <out-file>');
const collector = await startCollector();
try {
  const res = await fetch(`${collector.url}/v1/config`, { headers: { 'accept-encoding': 'identity' } });
  if (!res.ok) throw new Error(`GET /v1/config answered ${res.status}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, Buffer.from(await res.arrayBuffer()));
  console.log(`saved GET /v1/config (example config) to ${out}`);
} finally {
  await collector.stop();
}
