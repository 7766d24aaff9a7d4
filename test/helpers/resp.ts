// A raw RESP connection for byte-exact comparisons: send any bytes, read whole replies as bytes.
import * as net from 'node:net';

/** Length of the first complete RESP2/RESP3 reply in buf starting at pos, or -1 if incomplete. */
export function replyLength(buf: Buffer, pos = 0): number {
  if (pos >= buf.length) return -1;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = String.fromCharCode(buf[pos]);
  const head = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return p - pos;
    case '$': case '=': case '!': {
      const n = Number(head);
      if (n < 0) return p - pos;
      if (buf.length < p + n + 2) return -1;
      return p + n + 2 - pos;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(head);
      if (n < 0) return p - pos;
      if (type === '%' || type === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        const l = replyLength(buf, p);
        if (l < 0) return -1;
        p += l;
      }
      // RESP3 attribute (|) precedes the real reply
      if (type === '|') {
        const l = replyLength(buf, p);
        if (l < 0) return -1;
        p += l;
      }
      return p - pos;
    }
    default:
      // Not RESP (inline garbage): treat the line as one reply.
      return p - pos;
  }
}

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => { /* close follows */ });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Send a command as a RESP array and return its reply bytes as a latin1 string. */
  async command(...args: (string | Buffer)[]): Promise<string> {
    this.write(encodeCommand(args));
    return this.reply();
  }

  /** Next complete reply (latin1). Rejects if the connection closes first or after timeoutMs. */
  async reply(timeoutMs = 10000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = replyLength(this.buf);
      if (n >= 0) {
        const r = this.buf.toString('latin1', 0, n);
        this.buf = this.buf.subarray(n);
        return r;
      }
      if (this.closed) throw new Error(`connection closed; pending bytes: ${JSON.stringify(this.buf.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a reply; pending bytes: ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Everything received until the server closes the connection (or timeoutMs). */
  async readUntilClose(timeoutMs = 10000): Promise<{ data: string; closed: boolean }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    const data = this.buf.toString('latin1');
    this.buf = Buffer.alloc(0);
    return { data, closed: this.closed };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A decoded reply: errors become { error }, RESP3 verbatim strings lose their "txt:" prefix, maps and sets become arrays. */
export type ReplyValue = string | number | null | { error: string } | ReplyValue[];

/** Decode one complete RESP2/RESP3 reply (as returned by RawClient.command). */
export function decodeReply(s: string): ReplyValue {
  let pos = 0;
  const next = (): ReplyValue => {
    const e = s.indexOf('\r\n', pos);
    if (e < 0) throw new Error(`truncated reply ${JSON.stringify(s)}`);
    const type = s[pos];
    const head = s.slice(pos + 1, e);
    pos = e + 2;
    switch (type) {
      case '+': return head;
      case '-': return { error: head };
      case ':': return Number(head);
      case '_': return null;
      case '$': case '=': {
        const n = Number(head);
        if (n < 0) return null;
        const v = s.slice(pos, pos + n);
        pos += n + 2;
        return type === '=' ? v.slice(4) : v;
      }
      case '*': case '%': case '~': {
        let n = Number(head);
        if (n < 0) return null;
        if (type === '%') n *= 2;
        const out: ReplyValue[] = [];
        for (let i = 0; i < n; i++) out.push(next());
        return out;
      }
      default: throw new Error(`unexpected reply ${JSON.stringify(s)}`);
    }
  };
  return next();
}
