#!/usr/bin/env node
// `npm test`: make sure the reference components exist (Debian's redis-server and redis-tools),
// build, type-check, then run every test file with Node's test runner.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const missing = ['redis-server', 'redis-cli', 'redis-benchmark', 'redis-check-rdb', 'redis-check-aof'].filter((c) => !have(c));
if (missing.length > 0) {
  if (process.getuid?.() === 0 && have('apt-get')) {
    console.log(`installing Debian packages redis-server and redis-tools (missing: ${missing.join(', ')})`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'redis-server', 'redis-tools'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    console.error(`The tests need Debian's redis-server and redis-tools packages (missing: ${missing.join(', ')}).\n` +
      'Install them with: sudo apt-get install redis-server redis-tools');
    process.exit(1);
  }
}

run(process.execPath, ['scripts/build.mjs']);
// HOTKV_SKIP_TYPECHECK=1 is for quick local iterations on one file; CI and `npm test` always type-check.
if (process.env.HOTKV_SKIP_TYPECHECK !== '1') {
  run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
}

function testFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out.sort();
}
const only = process.argv.slice(2);
const files = only.length > 0 ? only : testFiles(path.join(root, 'test'));
run(process.execPath, ['--expose-gc', '--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
