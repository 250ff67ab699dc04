// Live log latency: how long a build's output line takes to reach the SSE clients of the deployment's log.
// A build prints "<Date.now()> <sequence>" every ~20 ms for ~10 s; CLIENTS clients connect to
// /api/v1/deployments/{id}/events while the deployment is still queued, and for every line they receive compute
// receive time - printed time (same machine, same clock). Target: p99 <= 200 ms with 20 clients, every client gets every
// line in order, and the server's threads do not grow with the clients (try 300).
// Usage: node bench/live-log-latency.mjs [clients (20)] [seconds (10)]
import http from 'node:http';
import { writeFileSync, rmSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  startDistribution, login, api, percentile, sleep, mkdtempSync, tmpdir, join,
} from './lib.mjs';

const CLIENTS = Number(process.argv[2] ?? 20);
const SECONDS = Number(process.argv[3] ?? 10);
const INTERVAL_MS = 20;
const LINES = Math.round((SECONDS * 1000) / INTERVAL_MS);

// One project, two deployments: the first holds the project's build slot until the gate file exists, so the second
// stays QUEUED while the clients connect to it. Only the second prints the numbered lines.
const control = mkdtempSync(join(tmpdir(), 'miaobu-bench-gate-'));
const gate = join(control, 'gate');
const finish = join(control, 'finish');
const printFor = join(control, 'print-for');
const repo = mkdtempSync(join(tmpdir(), 'miaobu-bench-latency-'));
writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'latency', private: true, scripts: { build: 'node build.js' } }));
writeFileSync(join(repo, 'build.js'), `
const fs = require('fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  while (!fs.existsSync(${JSON.stringify(gate)})) await sleep(10);
  if (process.env.MIAOBU_DEPLOYMENT_ID === fs.readFileSync(${JSON.stringify(printFor)}, 'utf8').trim()) {
    const start = Date.now();
    for (let seq = 1; seq <= ${LINES}; seq++) {
      // paced from the start, so a slow tick does not stretch the run
      const due = start + (seq - 1) * ${INTERVAL_MS};
      if (due > Date.now()) await sleep(due - Date.now());
      console.log(Date.now() + ' ' + seq);
    }
    // the build goes on, silent, until the bench has looked at the server's threads
    while (!fs.existsSync(${JSON.stringify(finish)})) await sleep(10);
  }
  fs.mkdirSync('dist', { recursive: true });
  fs.writeFileSync('dist/index.html', '<h1>latency</h1>');
})();
`);
const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('add', '.');
git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'latency');

async function within(ms, promise, message) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The server's threads from a thread dump (jstack): all of them, Jetty's pool (and how many of its threads are busy:
 * not idle in the pool, selecting or accepting), the log streams' pushers, and those whose stack is in the SSE endpoint
 * or writing to a client right now.
 */
function serverThreads(pid) {
  const dump = execFileSync('jstack', [String(pid)], { encoding: 'utf8' });
  const threads = dump.split(/\n\n(?=")/).filter((t) => t.startsWith('"'));
  const http = threads.filter((t) => /^"http-\d+/.test(t));
  return {
    all: threads.length,
    http: http.length,
    httpBusy: http.filter((t) => !/idleJobPoll|ReservedThread|ManagedSelector|ServerConnector\.accept/.test(t)).length,
    pushers: threads.filter((t) => /^"log-stream-\d+"/.test(t)).length,
    streaming: threads.filter((t) => /DeploymentsApi\.events|LogStreamClient\.drain/.test(t)).length,
  };
}

/** CPU seconds a process has used (user + system, from /proc). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** An SSE client on a plain HTTP connection of its own, parsing events as they arrive. */
function connect(base, token, deploymentId) {
  const client = { statuses: [], lines: [], latencies: [], ended: false, connected: null, done: null };
  let resolveConnected;
  client.connected = new Promise((r) => { resolveConnected = r; });
  client.done = new Promise((resolve, reject) => {
    const request = http.get(`${base}/api/v1/deployments/${deploymentId}/events`, {
      agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`events: ${response.statusCode}`));
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk) => {
        const now = Date.now();
        buffer += chunk;
        let end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          let name = 'message';
          const data = [];
          for (const field of block.split(/\r?\n/)) {
            if (field.startsWith('event:')) name = field.slice(6).trim();
            else if (field.startsWith('data:')) data.push(field.slice(5).replace(/^ /, ''));
          }
          if (data.length === 0) continue; // a keep-alive comment
          const text = data.join('\n');
          if (name === 'status') {
            client.statuses.push(text);
            resolveConnected();
          } else if (name === 'line') {
            const match = /^(\d{13}) (\d+)$/.exec(text);
            if (match) {
              client.lines.push(Number(match[2]));
              client.latencies.push(now - Number(match[1]));
            }
          } else if (name === 'end') {
            client.ended = true;
            response.destroy();
            resolve(client);
          }
        }
      });
      response.on('end', () => resolve(client));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  return client;
}

const miaobu = await startDistribution();
try {
  const token = await login(miaobu.base);
  const project = await api(miaobu.base, token, 'POST', '/api/v1/projects',
    { name: 'Latency', repositoryUrl: repo, branch: 'main' });
  const blocker = await api(miaobu.base, token, 'POST', `/api/v1/projects/${project.id}/deployments`);
  // a newer deployment supersedes (cancels) one that is still queued: let the blocker start first
  while ((await api(miaobu.base, token, 'GET', `/api/v1/deployments/${blocker.id}`)).status === 'QUEUED') await sleep(20);
  const measured = await api(miaobu.base, token, 'POST', `/api/v1/projects/${project.id}/deployments`);
  writeFileSync(printFor, String(measured.id));

  const threadsBefore = serverThreads(miaobu.child.pid);
  const clients = Array.from({ length: CLIENTS }, () => connect(miaobu.base, token, measured.id));
  await within(30_000, Promise.all(clients.map((c) => c.connected)),
    `not all ${CLIENTS} clients got an answer within 30 s (a server that holds a thread per client runs out of them)`);
  const queuedWhenConnected = clients.every((c) => c.statuses[0] === 'QUEUED');
  const serverCpuBefore = cpuSeconds(miaobu.child.pid);
  const benchCpuBefore = process.cpuUsage();
  writeFileSync(gate, '');
  // once every line is in, while the build still runs and the clients wait: how many of the server's threads are
  // inside the SSE endpoint or a log stream (a thread dump stops the JVM for a moment, so not while measuring)
  const lastLineDue = Date.now() + SECONDS * 1000 + 60_000;
  while (!clients.every((c) => c.lines.at(-1) === LINES) && Date.now() < lastLineDue) await sleep(20);
  await sleep(200);
  const serverCpu = cpuSeconds(miaobu.child.pid) - serverCpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const threads = serverThreads(miaobu.child.pid);
  writeFileSync(finish, '');

  await within(SECONDS * 1000 + 60_000, Promise.all(clients.map((c) => c.done)), 'the clients did not see the end');
  const final = await api(miaobu.base, token, 'GET', `/api/v1/deployments/${measured.id}`);
  await api(miaobu.base, token, 'GET', `/api/v1/deployments/${blocker.id}`);

  const all = clients.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const complete = clients.every((c) => c.lines.length === LINES && c.lines.every((seq, i) => seq === i + 1));
  const received = clients.map((c) => c.lines.length);
  const p99 = percentile(all, 99);
  console.log(`clients: ${CLIENTS}, lines printed: ${LINES} (one per ${INTERVAL_MS} ms), deployment ended ${final.status}`);
  console.log(`all clients connected while the deployment was queued: ${queuedWhenConnected}`);
  console.log(`lines received per client: min ${Math.min(...received)}, max ${Math.max(...received)}`);
  console.log(`every client got every line once, in order, then 'end': ${complete && clients.every((c) => c.ended)}`);
  console.log(`latency over ${all.length} line deliveries: p50 ${percentile(all, 50)} ms, p90 ${percentile(all, 90)} ms,`
    + ` p99 ${p99} ms, max ${all[all.length - 1]} ms (target p99 <= 200 ms)`);
  console.log(`server threads before the clients connected: ${threadsBefore.all} (Jetty's pool ${threadsBefore.http},`
    + ` ${threadsBefore.httpBusy} busy)`);
  console.log(`server threads while the build runs and ${CLIENTS} clients wait for lines: ${threads.all} (Jetty's pool`
    + ` ${threads.http}, ${threads.httpBusy} busy; ${threads.pushers} log-stream pushers); in the SSE endpoint or`
    + ` writing to a client: ${threads.streaming}`);
  console.log(`CPU while the lines were printed and delivered: server ${serverCpu.toFixed(1)} s, the build and`
    + ` the rest of the server, this bench's ${CLIENTS} clients ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s`);
  console.log(`statuses seen by client 1: ${clients[0].statuses.join(' ')}`);
  if (!complete || (CLIENTS <= 20 && p99 > 200)) process.exitCode = 1;
} finally {
  await miaobu.stop();
  rmSync(control, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
}
