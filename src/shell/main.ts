// Process entry: `hotkv-server [config-file] [--directive value ...]`, redis-server's conventions.
// Order (DESIGN): empty State -> initial bundle -> config -> restore from disk -> listeners.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTrust, type Trust } from './loader';
import { SHELL_VERSION, Shell, defaultLogicDir } from './shell';

const INSTALL_ROOT = path.resolve(__dirname, '..', '..');

function usage(): string {
  const me = 'hotkv-server';
  return [
    `Usage: ./${me} [/path/to/hotkv.conf] [options] [-]`,
    `       ./${me} - (read config from stdin)`,
    `       ./${me} -v or --version`,
    `       ./${me} -h or --help`,
    '',
    'Examples:',
    `       ./${me} (run the server with default conf)`,
    `       ./${me} /etc/redis/6379.conf`,
    `       ./${me} --port 7777`,
    `       ./${me} --port 7777 --replicaof 127.0.0.1 8888`,
    `       ./${me} /etc/myredis.conf --loglevel verbose -`,
    `       ./${me} /etc/myredis.conf --loglevel verbose`,
    `       ./${me} --logic-dir ./dist/logic --logic-file logic-0.1.0.cjs`,
    '',
    'hotkv-only directives: logic-dir, logic-file, enable-hotupgrade-command, hotupgrade-probation-ms,',
    '                       hotupgrade-max-errors, hotupgrade-require-signature, hotupgrade-public-key.',
    '',
  ].join('\n');
}

/** Split argv the way redis-server does: an optional config file, then `--name args...` groups. */
export function parseArgs(argv: string[]): { configFile: string; readStdin: boolean; directives: string[][] } {
  let i = 0;
  let configFile = '';
  let readStdin = false;
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    if (argv[0] === '-') readStdin = true;
    else configFile = argv[0];
    i = 1;
  }
  const directives: string[][] = [];
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-') { readStdin = true; continue; }
    if (a.startsWith('--') && a.length > 2) directives.push([a.slice(2)]);
    else if (directives.length > 0) directives[directives.length - 1].push(a);
    else directives.push([a]);
  }
  return { configFile, readStdin, directives };
}

/** The directives the shell needs before any logic exists (the last value of each wins); the logic parses
 *  and validates everything, these included, afterwards. */
const PRESCAN = ['logic-dir', 'logic-file', 'hotupgrade-require-signature', 'hotupgrade-public-key'] as const;
function prescan(text: string, directives: string[][]): Map<string, string> {
  const values = new Map<string, string>();
  const wanted = new Set<string>(PRESCAN);
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\S+)\s+(.*?)\s*$/.exec(line);
    if (m && wanted.has(m[1].toLowerCase())) values.set(m[1].toLowerCase(), m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'));
  }
  for (const d of directives) if (wanted.has(d[0].toLowerCase()) && d.length > 1) values.set(d[0].toLowerCase(), d[1]);
  return values;
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`hotkv server v=${SHELL_VERSION} sha=00000000:0 malloc=v8 bits=64 node=${process.version} build=hotkv\n`);
    process.exit(0);
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stderr.write(usage());
    process.exit(1);
  }
  const { configFile, readStdin, directives } = parseArgs(argv);
  let configText = '';
  let configPath = '';
  if (configFile) {
    configPath = path.resolve(configFile);
    try {
      configText = fs.readFileSync(configPath, 'utf8');
    } catch (e) {
      process.stderr.write(`Fatal error, can't open config file '${configPath}': ${(e as Error).message}\n`);
      process.exit(1);
    }
  }
  if (readStdin) configText += '\n' + fs.readFileSync(0, 'utf8');

  const pre = prescan(configText, directives);
  const logicDir = path.resolve(pre.get('logic-dir') ?? defaultLogicDir(INSTALL_ROOT));
  const logicFile = pre.get('logic-file') ?? `logic-${SHELL_VERSION}.cjs`;
  const keyPath = pre.get('hotupgrade-public-key') ?? '';
  let trust: Trust | null = null;
  let err = '';
  try {
    trust = loadTrust((pre.get('hotupgrade-require-signature') ?? '').toLowerCase() === 'yes', keyPath && path.resolve(keyPath));
  } catch (e) {
    err = (e as Error).message;
  }
  const shell = new Shell(logicDir, trust);
  if (!err) {
    try {
      err = shell.boot(logicFile, randomBytes(20).toString('hex'), configText, configPath, directives);
    } catch (e) {
      err = `cannot start with logic '${logicFile}' from '${logicDir}': ${(e as Error).message}`;
    }
  }
  if (err) {
    process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (hotkv ${SHELL_VERSION}) ***\n${err}\n`);
    process.exit(1);
  }
  const st = shell.state;
  // The logic writes its config echo for the shell-owned directives it validated.
  st.config.set('logic-dir', logicDir);
  if (!st.config.get('logic-file')) st.config.set('logic-file', logicFile);
  shell.log('notice', `hotkv ${SHELL_VERSION} (logic ${shell.logic.version}, node ${process.version}) pid=${process.pid} just started`);
  const lerr = await shell.listen();
  if (lerr) {
    shell.log('warning', lerr);
    shell.log('warning', 'Failed listening on port ' + (st.config.get('port') ?? '') + ', aborting.');
    process.exit(1);
  }
  const pidfile = st.config.get('pidfile');
  if (pidfile) { try { fs.writeFileSync(pidfile, `${process.pid}\n`); } catch { /* Redis also only warns */ } }
  shell.log('notice', `Server initialized, logic ${shell.logic.version} sha256=${shell.current.sha256.slice(0, 16)} port=${st.boundPort}`);
  if (trust) shell.log('notice', `Logic bundles must be listed in logic-dir's MANIFEST signed for ${trust.keyPath}`);
  shell.listening = true;
  shell.announceReady(); // now, or when a dataset still loading in the background is in

  const onSignal = (sig: string) => {
    try {
      shell.logic.onShutdownSignal(sig); // calls host.shutdown(0) when it is done
    } catch (e) {
      // A logic bug must not make the process unkillable: exit anyway.
      shell.log('warning', `logic threw during shutdown: ${(e as Error).message}`);
      if (pidfile) { try { fs.unlinkSync(pidfile); } catch { /* already gone */ } }
      shell.exit(0);
    }
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGUSR2', () => shell.reloadLogicFile());
  process.on('SIGPIPE', () => { /* ignored, as Redis does */ });
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`hotkv: fatal: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
