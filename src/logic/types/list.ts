// The list value: a double-ended queue as plain data (a ring buffer over a JS array), with O(1)
// push/pop at both ends and O(1) access by index. Redis 7.0 stores every list as a quicklist, so
// OBJECT ENCODING always says 'quicklist'.

export interface ListValue {
  type: 'list';
  enc: 'quicklist';
  /** ring storage; its length (the capacity) is a power of two */
  buf: (string | undefined)[];
  /** slot of the first element */
  head: number;
  len: number;
}

const MIN_CAP = 8;

export function createList(): ListValue {
  return { type: 'list', enc: 'quicklist', buf: new Array<string | undefined>(MIN_CAP), head: 0, len: 0 };
}

export function listFromArray(items: readonly string[]): ListValue {
  let cap = MIN_CAP;
  while (cap < items.length) cap *= 2;
  const buf = new Array<string | undefined>(cap);
  for (let i = 0; i < items.length; i++) buf[i] = items[i];
  return { type: 'list', enc: 'quicklist', buf, head: 0, len: items.length };
}

export function listLength(l: ListValue): number {
  return l.len;
}

/** Re-lay the elements from slot 0 in a buffer of the given capacity. */
function resize(l: ListValue, cap: number): void {
  const old = l.buf;
  const mask = old.length - 1;
  const buf = new Array<string | undefined>(cap);
  for (let i = 0; i < l.len; i++) buf[i] = old[(l.head + i) & mask];
  l.buf = buf;
  l.head = 0;
}

/** Give memory back once the list is much smaller than its buffer. */
function maybeShrink(l: ListValue): void {
  const cap = l.buf.length;
  if (cap > MIN_CAP && l.len < cap >>> 2) {
    let n = MIN_CAP;
    while (n < l.len * 2) n *= 2;
    resize(l, n);
  }
}

export function listPushHead(l: ListValue, v: string): void {
  if (l.len === l.buf.length) resize(l, l.buf.length * 2);
  const mask = l.buf.length - 1;
  l.head = (l.head - 1) & mask;
  l.buf[l.head] = v;
  l.len++;
}

export function listPushTail(l: ListValue, v: string): void {
  if (l.len === l.buf.length) resize(l, l.buf.length * 2);
  l.buf[(l.head + l.len) & (l.buf.length - 1)] = v;
  l.len++;
}

export function listPush(l: ListValue, v: string, head: boolean): void {
  if (head) listPushHead(l, v);
  else listPushTail(l, v);
}

export function listPopHead(l: ListValue): string | undefined {
  if (l.len === 0) return undefined;
  const v = l.buf[l.head];
  l.buf[l.head] = undefined;
  l.head = (l.head + 1) & (l.buf.length - 1);
  l.len--;
  maybeShrink(l);
  return v;
}

export function listPopTail(l: ListValue): string | undefined {
  if (l.len === 0) return undefined;
  const slot = (l.head + l.len - 1) & (l.buf.length - 1);
  const v = l.buf[slot];
  l.buf[slot] = undefined;
  l.len--;
  maybeShrink(l);
  return v;
}

export function listPop(l: ListValue, head: boolean): string | undefined {
  return head ? listPopHead(l) : listPopTail(l);
}

/** Element at a 0-based index (0 <= i < len). */
export function listGet(l: ListValue, i: number): string {
  return l.buf[(l.head + i) & (l.buf.length - 1)] as string;
}

export function listSet(l: ListValue, i: number, v: string): void {
  l.buf[(l.head + i) & (l.buf.length - 1)] = v;
}

/** Elements start..end (inclusive, already clamped to the list), in order or reversed. */
export function listRange(l: ListValue, start: number, end: number, reverse = false): string[] {
  const out: string[] = new Array<string>(end - start + 1);
  const mask = l.buf.length - 1;
  if (reverse) for (let i = end, j = 0; i >= start; i--, j++) out[j] = l.buf[(l.head + i) & mask] as string;
  else for (let i = start, j = 0; i <= end; i++, j++) out[j] = l.buf[(l.head + i) & mask] as string;
  return out;
}

export function listToArray(l: ListValue): string[] {
  return l.len === 0 ? [] : listRange(l, 0, l.len - 1);
}

/** Replace the whole content (LREM, LINSERT: O(N) edits, as Redis's are). */
function replaceContent(l: ListValue, items: string[]): void {
  const fresh = listFromArray(items);
  l.buf = fresh.buf;
  l.head = 0;
  l.len = items.length;
}

/** Insert v at index i (0 <= i <= len), moving the shorter side. */
export function listInsertAt(l: ListValue, i: number, v: string): void {
  if (i === 0) return listPushHead(l, v);
  if (i === l.len) return listPushTail(l, v);
  if (l.len === l.buf.length) resize(l, l.buf.length * 2);
  const mask = l.buf.length - 1;
  if (i < l.len - i) {
    // shift the first i elements one slot toward the front
    l.head = (l.head - 1) & mask;
    for (let k = 0; k < i; k++) l.buf[(l.head + k) & mask] = l.buf[(l.head + k + 1) & mask];
  } else {
    for (let k = l.len; k > i; k--) l.buf[(l.head + k) & mask] = l.buf[(l.head + k - 1) & mask];
  }
  l.buf[(l.head + i) & mask] = v;
  l.len++;
}

/** Index of the first element equal to v, scanning from the head; -1 if none. */
export function listIndexOf(l: ListValue, v: string): number {
  const mask = l.buf.length - 1;
  for (let i = 0; i < l.len; i++) if (l.buf[(l.head + i) & mask] === v) return i;
  return -1;
}

/**
 * Remove elements equal to v: count > 0 up to count from the head, count < 0 up to -count from the
 * tail, 0 all of them. Returns how many were removed.
 */
export function listRemove(l: ListValue, v: string, count: number): number {
  const mask = l.buf.length - 1;
  const limit = count === 0 ? Infinity : Math.abs(count);
  const drop = new Uint8Array(l.len);
  let removed = 0;
  if (count >= 0) {
    for (let i = 0; i < l.len && removed < limit; i++) {
      if (l.buf[(l.head + i) & mask] === v) { drop[i] = 1; removed++; }
    }
  } else {
    for (let i = l.len - 1; i >= 0 && removed < limit; i--) {
      if (l.buf[(l.head + i) & mask] === v) { drop[i] = 1; removed++; }
    }
  }
  if (removed === 0) return 0;
  const kept: string[] = [];
  for (let i = 0; i < l.len; i++) if (drop[i] === 0) kept.push(l.buf[(l.head + i) & mask] as string);
  replaceContent(l, kept);
  return removed;
}

/** Remove `left` elements from the head and `right` from the tail. */
export function listTrim(l: ListValue, left: number, right: number): void {
  if (left + right >= l.len) {
    replaceContent(l, []);
    return;
  }
  const mask = l.buf.length - 1;
  for (let i = 0; i < left; i++) l.buf[(l.head + i) & mask] = undefined;
  for (let i = l.len - right; i < l.len; i++) l.buf[(l.head + i) & mask] = undefined;
  l.head = (l.head + left) & mask;
  l.len -= left + right;
  maybeShrink(l);
}
