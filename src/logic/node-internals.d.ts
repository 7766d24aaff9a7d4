// Buffer.prototype.latin1Slice exists in Node.js (it backs toString('latin1')) but is not in @types/node.
// Calling it directly skips toString's argument checks on the hot parsing path.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}
export {};
