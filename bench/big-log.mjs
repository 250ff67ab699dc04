// Big build logs: a build prints ~200 MB (2 million lines of ~100 bytes), then the deployment page, the plain log
// endpoint and a late SSE client of the finished log are timed, and the server's heap is looked at while an SSE client
// that reads nothing holds its stream open. The distribution runs with its default heap (at most 512 MB), so a server
// that copied the log into memory for any of these would fail or collect garbage for seconds.
// Usage: node bench/big-log.mjs [megabytes]
import http from 'node:http';
import { writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startDistribution, login, api, sleep, mkdtempSync, tmpdir, join, rssMegabytes } from './lib.mjs';

const MEGABYTES = Number(process.argv[2] ?? 200);
const LINES = Math.round((MEGABYTES * 1_000_000) / 100);

const repo = mkdtempSync(join(tmpdir(), 'miaobu-bench-biglog-'));
writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'big-log', private: true, scripts: { build: 'node build.js' } }));
writeFileSync(join(repo, 'build.js'), `
const fs = require('fs');
const pad = 'x'.repeat(86);
let chunk = '';
for (let i = 1; i <= ${LINES}; i++) {
  chunk += 'line ' + String(i).padStart(7, '0') + ' ' + pad + '\\n';
  if (chunk.length > 1 << 16) { fs.writeSync(1, chunk); chunk = ''; }
}
fs.writeSync(1, chunk);
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<h1>big log</h1>');
`);
const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('add', '.');
git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'big log');

/** GETs a path and reads the whole answer; resolves with its size, its time to the first byte and in all. */
function fetchAll(base, token, path, { onData } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let firstByte = null;
    let bytes = 0;
    http.get(`${base}${path}`, { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.on('data', (chunk) => {
        firstByte ??= Number(process.hrtime.bigint() - started) / 1e6;
        bytes += chunk.length;
        onData?.(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode, bytes, firstByte,
        ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** The server's used heap in MB, from a thread-free look at it (jcmd GC.heap_info). */
function heapUsedMegabytes(pid) {
  const info = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { encoding: 'utf8' });
  return [...info.matchAll(/used (\d+)K/g)].reduce((sum, m) => sum + Number(m[1]), 0) / 1024;
}

const miaobu = await startDistribution();
try {
  const token = await login(miaobu.base);
  const project = await api(miaobu.base, token, 'POST', '/api/v1/projects',
    { name: 'Big log', repositoryUrl: repo, branch: 'main' });
  const started = Date.now();
  const deployment = await api(miaobu.base, token, 'POST', `/api/v1/projects/${project.id}/deployments`);
  let status;
  do {
    await sleep(200);
    status = (await api(miaobu.base, token, 'GET', `/api/v1/deployments/${deployment.id}`)).status;
  } while (!['LIVE', 'FAILED', 'CANCELLED'].includes(status));
  const buildMs = Date.now() - started;

  const page = await fetchAll(miaobu.base, token, `/deployments/${deployment.id}`);
  const log = await fetchAll(miaobu.base, token, `/api/v1/deployments/${deployment.id}/log`);
  let events = 0;
  let tail = '';
  const sse = await fetchAll(miaobu.base, token, `/api/v1/deployments/${deployment.id}/events`, {
    onData: (chunk) => {
      const text = tail + chunk.toString('latin1');
      events += text.split('\nid:').length - 1;
      tail = text.slice(-4);
    },
  });

  // a client that reads nothing: the server may only read as far ahead as the socket buffers take
  const heapBefore = heapUsedMegabytes(miaobu.child.pid);
  const stalled = await new Promise((resolve, reject) => {
    http.get(`${miaobu.base}/api/v1/deployments/${deployment.id}/events`,
      { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
        response.once('data', () => { response.pause(); resolve(response); });
      }).on('error', reject);
  });
  await sleep(10_000);
  const heapStalled = heapUsedMegabytes(miaobu.child.pid);
  const pageWhileStalled = await fetchAll(miaobu.base, token, `/deployments/${deployment.id}`);
  stalled.destroy();
  const rss = rssMegabytes(miaobu.child.pid);

  console.log(`log: ${(log.bytes / 1e6).toFixed(0)} MB, ${LINES} numbered lines; build to LIVE ${(buildMs / 1000).toFixed(1)} s, deployment ${status}`);
  console.log(`deployment page: ${page.status}, ${(page.bytes / 1024).toFixed(0)} KB of HTML in ${page.ms.toFixed(0)} ms`);
  console.log(`GET /log: first byte after ${log.firstByte.toFixed(0)} ms, all ${(log.bytes / 1e6).toFixed(0)} MB in ${log.ms.toFixed(0)} ms`
    + ` (${(log.bytes / 1e6 / (log.ms / 1000)).toFixed(0)} MB/s)`);
  console.log(`SSE, late client from line 1: first byte after ${sse.firstByte.toFixed(0)} ms, ${events} line events in`
    + ` ${(sse.ms / 1000).toFixed(1)} s (${(events / (sse.ms / 1000)).toFixed(0)} lines/s)`);
  console.log(`server heap used: ${heapBefore.toFixed(0)} MB before, ${heapStalled.toFixed(0)} MB while an SSE client`
    + ` read nothing for 10 s; page meanwhile ${pageWhileStalled.status} in ${pageWhileStalled.ms.toFixed(0)} ms;`
    + ` resident memory at the end ${rss.toFixed(0)} MB (heap at most 512 MB)`);
} finally {
  await miaobu.stop();
  rmSync(repo, { recursive: true, force: true });
}
