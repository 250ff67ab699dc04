// Shared helpers for the benchmarks: start a Miaobu (war/target/miaobu.war, or the unpacked distribution) in a temp
// home, talk to its API.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const war = join(root, 'war', 'target', 'miaobu.war');
export const ADMIN = { username: 'bench', password: 'bench-password-123' };

export function requireWar() {
  if (!existsSync(war)) {
    console.error(`${war} is missing: run 'mvn -B -q install -DskipTests' first`);
    process.exit(2);
  }
}

export async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts Miaobu; resolves when /health/ready answers 200 (everything is served), with the time that took. */
export async function startMiaobu({ home = mkdtempSync(join(tmpdir(), 'miaobu-bench-')), javaOptions = [], env = {} } = {}) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn('java', [...javaOptions, '-jar', war], {
    env: {
      ...process.env, MIAOBU_HOME: home, MIAOBU_PORT: String(port), MIAOBU_HOST: '127.0.0.1',
      MIAOBU_INITIAL_ADMIN_USER: ADMIN.username, MIAOBU_INITIAL_ADMIN_PASSWORD: ADMIN.password, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Miaobu exited:\n${output}`);
    try {
      const response = await fetch(`${base}/health/ready`);
      if (response.ok) break;
    } catch { /* not yet listening */ }
    await sleep(5);
  }
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { child, port, base, home, startupMs, output: () => output, stop: () => stop(child) };
}

/**
 * Starts the real distribution: distribution/target/*.tar.gz unpacked into a temp directory and run with bin/miaobu and
 * its default JVM options (a 512 MB heap at most). Resolves when /health/ready answers 200. stop() also removes the
 * installation and the home.
 */
export async function startDistribution({ home = mkdtempSync(join(tmpdir(), 'miaobu-bench-')), env = {} } = {}) {
  const tarball = readdirSync(join(root, 'distribution/target')).find((f) => f.endsWith('.tar.gz'));
  if (!tarball) {
    console.error("distribution/target/*.tar.gz is missing: run 'mvn -B -q install -DskipTests' first");
    process.exit(2);
  }
  const install = mkdtempSync(join(tmpdir(), 'miaobu-dist-'));
  execFileSync('tar', ['-xzf', join(root, 'distribution/target', tarball), '-C', install, '--strip-components=1']);
  const port = await freePort();
  const child = spawn(join(install, 'bin/miaobu'), [], {
    env: {
      ...process.env, MIAOBU_HOME: home, MIAOBU_PORT: String(port), MIAOBU_HOST: '127.0.0.1', MIAOBU_CDS: 'off',
      MIAOBU_INITIAL_ADMIN_USER: ADMIN.username, MIAOBU_INITIAL_ADMIN_PASSWORD: ADMIN.password, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Miaobu exited:\n${output}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch { /* not yet listening */ }
    await sleep(5);
  }
  const stopAndRemove = async () => {
    await stop(child);
    rmSync(install, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  return { child, port, base, home, output: () => output, stop: stopAndRemove };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(50);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function login(base) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
  });
  if (!response.ok) throw new Error(`login: ${response.status} ${await response.text()}`);
  return (await response.json()).accessToken;
}

export async function api(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A git repository with a tiny Node site whose build needs no registry packages. */
export function tinySiteRepository() {
  const dir = mkdtempSync(join(tmpdir(), 'miaobu-bench-site-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tiny', private: true, scripts: { build: 'node build.js' } }));
  writeFileSync(join(dir, 'build.js'), `
const fs = require('fs');
fs.mkdirSync('dist', { recursive: true });
for (let i = 0; i < 20; i++) fs.writeFileSync('dist/page' + i + '.html', '<h1>page ' + i + '</h1>');
fs.writeFileSync('dist/index.html', '<h1>' + fs.readFileSync('message.txt', 'utf8') + '</h1>');
`);
  writeFileSync(join(dir, 'message.txt'), 'hello');
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'site');
  return dir;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function rssMegabytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  return kb / 1024;
}

export { mkdtempSync, tmpdir, join, execFileSync, mkdirSync };
