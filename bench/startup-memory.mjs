// Start-up time and idle memory of the real distribution (bin/miaobu from distribution/target/*.tar.gz, with its
// default JVM options). Targets: server start to first answered request <= 2 s; idle resident memory <= 200 MB with
// the bundled plugins loaded. Prints both the first answer (the port is open and answers "starting" until the
// application is ready) and readiness (/health/ready answers 200: everything is served). Prints the first start of a fresh install (no class-data archive yet, database created,
// plugins unpacked) separately from restarts of that installed server.
// Usage: node bench/startup-memory.mjs [restarts]
import { spawn, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, freePort, sleep, median, rssMegabytes, mkdtempSync, tmpdir } from './lib.mjs';

const restarts = Number(process.argv[2] ?? 5);
const tarball = readdirSync(join(root, 'distribution/target')).find((f) => f.endsWith('.tar.gz'));
if (!tarball) {
  console.error("distribution/target/*.tar.gz is missing: run 'mvn -B -q install -DskipTests' first");
  process.exit(2);
}
const install = mkdtempSync(join(tmpdir(), 'miaobu-dist-'));
execFileSync('tar', ['-xzf', join(root, 'distribution/target', tarball), '-C', install, '--strip-components=1']);
const home = mkdtempSync(join(tmpdir(), 'miaobu-bench-home-'));

async function start() {
  const port = await freePort();
  const begin = process.hrtime.bigint();
  const child = spawn(join(install, 'bin/miaobu'), [], {
    env: { ...process.env, MIAOBU_HOME: home, MIAOBU_PORT: String(port), MIAOBU_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const elapsed = () => Number(process.hrtime.bigint() - begin) / 1e6;
  let answered;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Miaobu exited:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      answered ??= elapsed(); // any answer, also 503 "starting"
      if (response.ok) break;
    } catch { /* not listening yet */ }
    await sleep(5);
  }
  return { child, port, answeredMs: answered, readyMs: elapsed() };
}

async function stop(child) {
  child.kill('SIGTERM');
  while (child.exitCode === null) await sleep(20);
}

const first = await start();
await stop(first.child); // the first stop writes the class-data archive
const answered = [];
const ready = [];
let rss = 0;
let readiness = '';
for (let i = 0; i < restarts; i++) {
  const run = await start();
  answered.push(run.answeredMs);
  ready.push(run.readyMs);
  if (i === restarts - 1) {
    readiness = await (await fetch(`http://127.0.0.1:${run.port}/health/ready`)).text();
    await fetch(`http://127.0.0.1:${run.port}/login`); // render a page once, as a visitor would
    await sleep(10_000);
    rss = rssMegabytes(run.child.pid);
  }
  await stop(run.child);
}
console.log(`readiness after start: ${readiness}`);
console.log(`first start of a fresh install: first answer ${first.answeredMs.toFixed(0)} ms, ready ${first.readyMs.toFixed(0)} ms`);
console.log(`restart to first answered request: median ${median(answered).toFixed(0)} ms, max ${Math.max(...answered).toFixed(0)} ms over ${restarts} restarts (target <= 2000 ms)`);
console.log(`restart to ready (/health/ready 200: pages, API and sites served): median ${median(ready).toFixed(0)} ms, max ${Math.max(...ready).toFixed(0)} ms`);
console.log(`idle resident memory (10 s after start, a page rendered): ${rss.toFixed(0)} MB (target <= 200 MB)`);
