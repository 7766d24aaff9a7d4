#!/usr/bin/env node
// Signs the logic bundles of a logic-dir for `hotupgrade-require-signature yes` (npm run sign).
//
//   node scripts/sign-bundles.mjs --key <ed25519-private.pem> [--logic-dir DIR] [bundle ...]
//
// Writes DIR/MANIFEST, JSON {"bundles": {"<file>": "<sha256>"}, "codeCaches": {"<file>.cache": "<sha256>"}},
// listing the named bundles (default: every *.cjs and *.js file in DIR) and the V8 code caches the build wrote
// beside them, and DIR/MANIFEST.sig, the base64 Ed25519 signature of MANIFEST's bytes. The server verifies the
// signature with hotupgrade-public-key and loads only a bundle whose sha256 MANIFEST lists. DIR defaults to
// dist/logic. Each file is replaced atomically; a load that races with re-signing may be refused once (retry it).
import { createHash, createPrivateKey, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(msg) {
  process.stderr.write(`sign-bundles: ${msg}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
let keyFile = '';
let logicDir = path.join(root, 'dist', 'logic');
const named = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--key') keyFile = args[++i] ?? '';
  else if (args[i] === '--logic-dir') logicDir = path.resolve(args[++i] ?? '');
  else if (args[i] === '-h' || args[i] === '--help') {
    process.stdout.write('usage: node scripts/sign-bundles.mjs --key <ed25519-private.pem> [--logic-dir DIR] [bundle ...]\n');
    process.exit(0);
  } else if (args[i].startsWith('--')) fail(`unknown option ${args[i]}`);
  else named.push(args[i]);
}
if (!keyFile) fail('--key <ed25519-private.pem> is required');

let key;
try {
  key = createPrivateKey(fs.readFileSync(keyFile));
} catch (e) {
  fail(`cannot read the private key '${keyFile}': ${e.message}`);
}
if (key.asymmetricKeyType !== 'ed25519') fail(`'${keyFile}' is a ${key.asymmetricKeyType} key; an Ed25519 key is needed`);

let files;
try {
  files = named.length > 0 ? named : fs.readdirSync(logicDir).filter((n) => n.endsWith('.cjs') || n.endsWith('.js'));
} catch (e) {
  fail(`cannot read logic-dir '${logicDir}': ${e.message}`);
}
files = files.filter((f) => fs.statSync(path.join(logicDir, f), { throwIfNoEntry: false })?.isFile() ?? fail(`'${f}' not found in ${logicDir}`)).sort();
if (files.length === 0) fail(`no bundles in ${logicDir}`);

const sha256 = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const bundles = {};
const codeCaches = {};
for (const f of files) {
  bundles[f] = sha256(path.join(logicDir, f));
  const cache = path.join(logicDir, f + '.cache');
  if (fs.existsSync(cache)) codeCaches[f + '.cache'] = sha256(cache);
}
const manifest = Buffer.from(JSON.stringify({ bundles, codeCaches }, null, 2) + '\n');
const signature = sign(null, manifest, key).toString('base64') + '\n';

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
writeAtomic(path.join(logicDir, 'MANIFEST'), manifest);
writeAtomic(path.join(logicDir, 'MANIFEST.sig'), signature);
for (const f of files) process.stdout.write(`signed ${f} ${bundles[f]}${codeCaches[f + '.cache'] ? ' (+ code cache)' : ''}\n`);
process.stdout.write(`wrote ${path.join(logicDir, 'MANIFEST')} and MANIFEST.sig\n`);
