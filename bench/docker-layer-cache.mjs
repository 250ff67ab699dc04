// Project build images and the engine's layer cache: how long the docker runner takes to provide a project's image
// from .miaobu/build.Dockerfile when it is new (cold: every step runs), when only its last step changed (warm: the
// steps before come from the layer cache) and when nothing changed (up to date: no build). End to end through the
// server (war/target/miaobu.war) with builds.runner=docker, on the machine's engine at /var/run/docker.sock with the
// image miaobu-test/node:20 (.ci/docker-test-image.sh makes it). Target: warm <= 1/3 of cold; up to date ~ 0.
//
//   node bench/docker-layer-cache.mjs [rounds (3)]     (after `mvn -B -q install -DskipTests`)
//
// Each round starts a new Dockerfile (a new first step), so its first build is really cold. The project's images
// are removed at the end.
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import {
  requireWar, startMiaobu, login, api, tinySiteRepository, median, sleep, join, execFileSync,
} from './lib.mjs';

const rounds = Number(process.argv[2] ?? 3);
const IMAGE = 'miaobu-test/node:20';
requireWar();
try {
  execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
} catch {
  console.error(`the Docker engine (or its image ${IMAGE}) is missing: start dockerd and run .ci/docker-test-image.sh`);
  process.exit(2);
}

const repo = tinySiteRepository();
const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
const commit = (message) => {
  git('add', '.');
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', message);
};
mkdirSync(join(repo, '.miaobu'));
writeFileSync(join(repo, '.miaobu', 'tool.sh'), '#!/bin/sh\necho "tool $*"\n', { mode: 0o755 });
// steps that do some work: copying npm (thousands of files, as installing a tool would write) and CPU work
const dockerfile = (round, last) => `ARG MIAOBU_BASE_IMAGE
FROM \${MIAOBU_BASE_IMAGE}
RUN echo "round ${round}" > /etc/bench-round && mkdir -p /opt && cp -a /usr/lib/node_modules/npm /opt/npm-copy
RUN node -e "const h = require('crypto').createHash('sha256'); for (let i = 0; i < 2e6; i++) h.update('x' + i); console.log(h.digest('hex'))" > /opt/digest
COPY tool.sh /usr/local/bin/tool
RUN echo "${last}" > /etc/bench-last
`;

const miaobu = await startMiaobu({ env: { MIAOBU_BUILDS_RUNNER: 'docker' } });
let slug;
try {
  const token = await login(miaobu.base);
  await api(miaobu.base, token, 'PUT', '/api/v1/extensions/BuildRunner/docker/settings', {
    values: {
      'docker-host': 'unix:///var/run/docker.sock', image: IMAGE, network: 'none', 'memory-mb': '1024', cpus: '2',
      'project-images': 'true', 'project-images-kept': '2',
    },
  });
  const project = await api(miaobu.base, token, 'POST', '/api/v1/projects',
    { name: `Layer bench ${process.pid}`, repositoryUrl: repo, branch: 'main' });
  slug = project.slug;

  // deploys and returns { total ms, image build s (from the log, 0 when up to date), up to date, cache hits }
  const deploy = async () => {
    const start = process.hrtime.bigint();
    const deployment = await api(miaobu.base, token, 'POST', `/api/v1/projects/${project.id}/deployments`);
    let status;
    do {
      await sleep(20);
      status = (await api(miaobu.base, token, 'GET', `/api/v1/deployments/${deployment.id}`)).status;
    } while (!['LIVE', 'FAILED', 'CANCELLED'].includes(status));
    const total = Number(process.hrtime.bigint() - start) / 1e6;
    const response = await fetch(`${miaobu.base}/api/v1/deployments/${deployment.id}/log`,
      { headers: { authorization: `Bearer ${token}` } });
    const log = await response.text();
    if (status !== 'LIVE') throw new Error(`deployment ${deployment.id} ended ${status}:\n${log}`);
    const built = /Built image \S+ in ([\d.]+) s/.exec(log);
    return {
      total,
      image: built ? Number(built[1]) * 1000 : 0,
      upToDate: /Build image \S+ is up to date/.test(log),
      cached: (log.match(/---> Using cache/g) ?? []).length,
    };
  };

  const cold = [];
  const warm = [];
  const same = [];
  for (let round = 1; round <= rounds; round++) {
    const nonce = `${process.pid}-${round}-${Date.now()}`;
    writeFileSync(join(repo, '.miaobu', 'build.Dockerfile'), dockerfile(nonce, 'first'));
    commit(`round ${round}: new Dockerfile`);
    const c = await deploy();
    writeFileSync(join(repo, '.miaobu', 'build.Dockerfile'), dockerfile(nonce, 'changed'));
    commit(`round ${round}: last step changed`);
    const w = await deploy();
    writeFileSync(join(repo, 'message.txt'), `round ${round}`);
    commit(`round ${round}: only the site changed`);
    const s = await deploy();
    if (c.upToDate || c.cached > 0 || w.upToDate || w.cached < 3 || !s.upToDate) {
      throw new Error(`unexpected cache use: cold ${JSON.stringify(c)}, warm ${JSON.stringify(w)}, same ${JSON.stringify(s)}`);
    }
    cold.push(c);
    warm.push(w);
    same.push(s);
    console.log(`round ${round}: cold image ${c.image.toFixed(0)} ms (deploy ${c.total.toFixed(0)} ms) | last step`
      + ` changed ${w.image.toFixed(0)} ms, ${w.cached} steps from the cache (deploy ${w.total.toFixed(0)} ms) |`
      + ` unchanged: up to date (deploy ${s.total.toFixed(0)} ms)`);
  }
  const m = (list, key) => median(list.map((r) => r[key]));
  console.log(`\nmedians over ${rounds} rounds (image build time from the build log, 0.1 s resolution):`);
  console.log(`cold image build (every step runs):            ${m(cold, 'image').toFixed(0)} ms  deploy to LIVE ${m(cold, 'total').toFixed(0)} ms`);
  console.log(`warm image build (last step changed):          ${m(warm, 'image').toFixed(0)} ms  deploy to LIVE ${m(warm, 'total').toFixed(0)} ms`);
  console.log(`unchanged Dockerfile (up to date, no build):   ${m(same, 'image').toFixed(0)} ms  deploy to LIVE ${m(same, 'total').toFixed(0)} ms`);
  console.log(`ratio cold / warm image build: ${(m(cold, 'image') / m(warm, 'image')).toFixed(1)} (target >= 3)`);
} finally {
  await miaobu.stop();
  rmSync(repo, { recursive: true, force: true });
  if (slug) {
    const ids = execFileSync('docker', ['images', '-q', '--filter', `label=io.miaobu.project=${slug}`],
      { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (ids.length > 0) execFileSync('docker', ['image', 'rm', '-f', ...new Set(ids)], { stdio: 'ignore' });
  }
}
