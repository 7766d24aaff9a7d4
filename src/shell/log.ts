// Redis-style log lines: "pid:M 26 Nov 2026 06:36:29.123 * message".
import * as fs from 'node:fs';
import type { LogLevel } from '../abi';

const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  private fd: number | null = null;
  private min = LEVELS.notice;
  private file = '';

  configure(file: string, level: string): void {
    this.min = LEVELS[level as LogLevel] ?? LEVELS.notice;
    if (file === this.file) return;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = file ? fs.openSync(file, 'a') : null;
    this.file = file;
  }

  log(level: LogLevel, message: string): void {
    if ((LEVELS[level] ?? 2) < this.min) return;
    const d = new Date();
    const p2 = (n: number) => (n < 10 ? '0' : '') + n;
    const ms = String(d.getMilliseconds()).padStart(3, '0');
    const line = `${process.pid}:M ${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
      `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms} ${MARK[level] ?? '*'} ${message}\n`;
    if (this.fd !== null) fs.writeSync(this.fd, line);
    else process.stdout.write(line);
  }
}
