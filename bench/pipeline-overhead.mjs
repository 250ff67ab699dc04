// Pipeline overhead: time from the deploy request to LIVE, minus the time of the same build command run by hand in a
// fresh clone, for a tiny site. Target: <= 1 s. Usage: node bench/pipeline-overhead.mjs [runs]
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  requireWar, startMiaobu, login, api, tinySiteRepository, median, sleep, mkdtempSync, tmpdir, join,
} from './lib.mjs';

const runs = Number(process.argv[2] ?? 7);
requireWar();
const repo = tinySiteRepository();

// by hand: a fresh clone, then the build command the node plugin detects (no install: the site has no dependencies)
const manual = [];
for (let i = 0; i < runs; i++) {
  const clone = mkdtempSync(join(tmpdir(), 'miaobu-bench-clone-'));
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, clone]);
  const start = process.hrtime.bigint();
  execFileSync('sh', ['-c', 'npm run build'], { cwd: clone, stdio: 'ignore' });
  manual.push(Number(process.hrtime.bigint() - start) / 1e6);
  rmSync(clone, { recursive: true, force: true });
}

const miaobu = await startMiaobu();
try {
  const token = await login(miaobu.base);
  const project = await api(miaobu.base, token, 'POST', '/api/v1/projects',
    { name: 'Bench site', repositoryUrl: repo, branch: 'main' });
  const pipeline = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    const deployment = await api(miaobu.base, token, 'POST', `/api/v1/projects/${project.id}/deployments`);
    let status;
    do {
      await sleep(2);
      status = (await api(miaobu.base, token, 'GET', `/api/v1/deployments/${deployment.id}`)).status;
    } while (!['LIVE', 'FAILED', 'CANCELLED'].includes(status));
    if (status !== 'LIVE') throw new Error(`deployment ${deployment.id} ended ${status}`);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (i > 0) pipeline.push(ms); // the first deploy warms the JVM up
  }
  const overhead = median(pipeline) - median(manual);
  console.log(`runs: ${runs}`);
  console.log(`build by hand (median):        ${median(manual).toFixed(0)} ms`);
  console.log(`deploy request to LIVE (median): ${median(pipeline).toFixed(0)} ms`);
  console.log(`pipeline overhead:             ${overhead.toFixed(0)} ms (target <= 1000 ms)`);
} finally {
  await miaobu.stop();
}
