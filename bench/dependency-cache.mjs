// Dependency cache: a cold `npm ci` (empty npm cache) against a restore from the cache plus the install command the
// pipeline runs after a hit. Component level, since the pipeline does not call the cache yet: this builds the bench
// module's classpath and runs io.miaobu.bench.DependencyCacheBenchmark (see its Javadoc for what each number is).
// Needs node, npm and the npm registry. Target: cold / warm >= 5.
//
//   node bench/dependency-cache.mjs [rounds (3)] [app|small]     (after `mvn -B -q install -DskipTests`)
//
// MVN_FLAGS adds flags to the Maven call that builds the classpath (e.g. MVN_FLAGS=-o when offline).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { root, tmpdir, join } from './lib.mjs';

const rounds = process.argv[2] ?? '3';
const project = process.argv[3] ?? 'app';
// the reactor (-pl bench -am), so that the server's classes come from this checkout, not from ~/.m2
const pom = join(root, 'pom.xml');
const work = mkdtempSync(join(tmpdir(), 'miaobu-bench-classpath-'));
try {
  const classpathFile = join(work, 'classpath.txt');
  const flags = (process.env.MVN_FLAGS ?? '').split(' ').filter(Boolean);
  const mvn = spawnSync('mvn', ['-q', '-B', ...flags, '-f', pom, '-pl', 'bench', '-am', 'compile',
    'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`], { encoding: 'utf8' });
  if (mvn.status !== 0) {
    console.error(`building the benchmark classpath failed:\n${mvn.stdout}${mvn.stderr}`);
    process.exit(1);
  }
  const classpath = `${join(root, 'bench', 'target', 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`;
  const java = spawnSync('java', ['-cp', classpath, 'io.miaobu.bench.DependencyCacheBenchmark', rounds, project],
    { stdio: 'inherit' });
  process.exitCode = java.status ?? 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
