// Servers and temp dirs a test file starts, all stopped (SIGKILL) and removed in after().
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import type { RunningServer } from './servers';

export interface Scratch {
  /** await a server start and remember the server for after() */
  track<T extends RunningServer>(p: Promise<T>): Promise<T>;
  /** a fresh temp dir, removed in after() */
  tmpDir(): string;
}

export function scratch(prefix: string): Scratch {
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    for (const d of [...dirs, ...servers.map((s) => s.dir)]) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    async track(p) {
      const s = await p;
      servers.push(s);
      return s;
    },
    tmpDir() {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
  };
}
