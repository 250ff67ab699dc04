// Server start to first answered request (target <= 2 s) and idle resident memory with the bundled plugins loaded
// (target <= 200 MB). Uses the JVM options of bin/miaobu. Usage: node bench/startup-memory.mjs [runs]
import { requireWar, startMiaobu, sleep, median, rssMegabytes } from './lib.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
requireWar();
const script = readFileSync(join(root, 'distribution/src/bin/miaobu'), 'utf8');
const defaults = /JAVA_OPTS:-([^}]*)\}/.exec(script)[1].trim().split(/\s+/);

const startups = [];
let rss = 0;
for (let i = 0; i < runs; i++) {
  const miaobu = await startMiaobu({ javaOptions: defaults });
  startups.push(miaobu.startupMs);
  if (i === runs - 1) {
    const plugins = await fetch(`${miaobu.base}/health/ready`).then((r) => r.json());
    await sleep(10_000); // idle
    rss = rssMegabytes(miaobu.child.pid);
    console.log(`readiness: ${JSON.stringify(plugins)}`);
  }
  await miaobu.stop();
}
console.log(`JVM options: ${defaults.join(' ')}`);
console.log(`start to first answered request: median ${median(startups).toFixed(0)} ms, max ${Math.max(...startups).toFixed(0)} ms over ${runs} starts (target <= 2000 ms)`);
console.log(`idle resident memory: ${rss.toFixed(0)} MB (target <= 200 MB)`);
