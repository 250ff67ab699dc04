// Big build logs: a build prints ~200 MB (2 million lines of ~100 bytes), then the deployment page, the plain log
// endpoint and late SSE clients of the finished (gzip-compressed) log are timed: one from line 1, one resuming from
// the middle with Last-Event-ID, four at once. Then the server's heap is looked at while an SSE client that reads
// nothing holds its stream open, until the server lets it go. The distribution runs with its default heap (at most
// 512 MB), so a server that copied the log into memory for any of these would fail or collect garbage for seconds.
// Usage: node bench/big-log.mjs [megabytes]
import http from 'node:http';
import { writeFileSync, rmSync, existsSync } from 'node:fs';
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

/**
 * Reads a deployment's SSE stream to its end: its size, time to the first byte and in all, how many line events came,
 * whether their ids ran on one by one, and whether it ended with 'end'.
 */
function readEvents(base, token, deploymentId, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const result = { firstByte: null, bytes: 0, events: 0, firstId: null, lastId: null, inOrder: true, ended: false };
    let carry = '';
    http.get(`${base}/api/v1/deployments/${deploymentId}/events`,
      { agent: false, headers: { authorization: `Bearer ${token}`, ...headers } }, (response) => {
        response.on('data', (chunk) => {
          result.firstByte ??= Number(process.hrtime.bigint() - started) / 1e6;
          result.bytes += chunk.length;
          const text = carry + chunk.toString('latin1');
          const cut = text.lastIndexOf('\n\n');
          if (cut < 0) { carry = text; return; }
          carry = text.slice(cut + 2);
          const events = text.slice(0, cut + 2);
          for (const match of events.matchAll(/^id: (\d+)$/gm)) {
            const id = Number(match[1]);
            if (result.lastId !== null && id !== result.lastId + 1) result.inOrder = false;
            result.firstId ??= id;
            result.lastId = id;
            result.events++;
          }
          if (events.includes('event: end\n')) result.ended = true;
        });
        response.on('end', () => resolve({ ...result, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
        response.on('error', reject);
      }).on('error', reject);
  });
}

function describe(replay) {
  const seconds = replay.ms / 1000;
  return `first byte after ${replay.firstByte.toFixed(0)} ms, ${replay.events} line events (ids ${replay.firstId}..`
    + `${replay.lastId}${replay.inOrder ? ' in order' : ' OUT OF ORDER'}${replay.ended ? ', then end' : ', NO END'}) in`
    + ` ${seconds.toFixed(1)} s (${(replay.events / seconds).toFixed(0)} lines/s, ${(replay.bytes / 1e6 / seconds).toFixed(0)} MB/s)`;
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
  const gzipped = join(miaobu.home, 'logs', 'deployments', `${deployment.id}.log.gz`);
  for (let i = 0; i < 100 && !existsSync(gzipped); i++) await sleep(100);
  const compressed = existsSync(gzipped);
  const fromStart = await readEvents(miaobu.base, token, deployment.id);
  const middle = Math.floor(fromStart.lastId / 2);
  const resumed = await readEvents(miaobu.base, token, deployment.id, { 'last-event-id': String(middle) });
  const fourStarted = Date.now();
  const four = await Promise.all([1, 2, 3, 4].map(() => readEvents(miaobu.base, token, deployment.id)));
  const fourMs = Date.now() - fourStarted;

  // a client that reads nothing: the server may only read as far ahead as the socket buffers take, then lets it go
  const heapBefore = heapUsedMegabytes(miaobu.child.pid);
  let stalledEvents = 0;
  let stalledEnded = false;
  const stalled = await new Promise((resolve, reject) => {
    http.get(`${miaobu.base}/api/v1/deployments/${deployment.id}/events`,
      { agent: false, headers: { authorization: `Bearer ${token}` } }, (response) => {
        response.once('data', () => { response.pause(); resolve(response); });
        response.on('data', (chunk) => {
          const text = chunk.toString('latin1');
          stalledEvents += text.split('\nid:').length - 1;
          if (text.includes('event: end')) stalledEnded = true;
        });
        response.on('error', () => {});
      }).on('error', reject);
  });
  await sleep(15_000);
  const heapStalled = heapUsedMegabytes(miaobu.child.pid);
  const pageWhileStalled = await fetchAll(miaobu.base, token, `/deployments/${deployment.id}`);
  const stalledClosed = new Promise((resolve) => { stalled.on('close', resolve); stalled.on('end', resolve); });
  stalled.resume();
  await Promise.race([stalledClosed, sleep(30_000)]);
  stalled.destroy();
  const rss = rssMegabytes(miaobu.child.pid);

  console.log(`log: ${(log.bytes / 1e6).toFixed(0)} MB, ${LINES} numbered lines; build to LIVE ${(buildMs / 1000).toFixed(1)} s, deployment ${status}`);
  console.log(`deployment page: ${page.status}, ${(page.bytes / 1024).toFixed(0)} KB of HTML in ${page.ms.toFixed(0)} ms`);
  console.log(`GET /log: first byte after ${log.firstByte.toFixed(0)} ms, all ${(log.bytes / 1e6).toFixed(0)} MB in ${log.ms.toFixed(0)} ms`
    + ` (${(log.bytes / 1e6 / (log.ms / 1000)).toFixed(0)} MB/s)`);
  console.log(`SSE replay of the finished log (${compressed ? 'stored gzip-compressed' : 'stored plain'}):`);
  console.log(`  late client from line 1: ${describe(fromStart)}`);
  console.log(`  resuming with Last-Event-ID ${middle}: ${describe(resumed)}`);
  console.log(`  4 late clients at once from line 1: all done in ${(fourMs / 1000).toFixed(1)} s`
    + ` (${four.every((r) => r.inOrder && r.ended && r.events === fromStart.events) ? 'each complete, in order' : 'INCOMPLETE'};`
    + ` ${(four.reduce((sum, r) => sum + r.events, 0) / (fourMs / 1000)).toFixed(0)} lines/s together)`);
  console.log(`server heap used: ${heapBefore.toFixed(0)} MB before, ${heapStalled.toFixed(0)} MB while an SSE client`
    + ` read nothing for 15 s; page meanwhile ${pageWhileStalled.status} in ${pageWhileStalled.ms.toFixed(0)} ms;`
    + ` resident memory at the end ${rss.toFixed(0)} MB (heap at most 512 MB)`);
  console.log(`the client that read nothing, reading again: ${stalledEvents} line events,`
    + ` ${stalledEnded ? "then 'end' (it was NOT let go)" : 'then the connection closed: the server had let it go'}`);
} finally {
  await miaobu.stop();
  rmSync(repo, { recursive: true, force: true });
}
