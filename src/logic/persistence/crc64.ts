// CRC-64 as Redis computes it for the RDB trailer (crc64.c: the "Jones" polynomial, reflected,
// init 0, no final xor; crc64(0, "123456789") = 0xe9c6d914c4b8d9ca). Hand-written because the
// trailer must match Redis's bit for bit. The 64-bit state is two unsigned 32-bit halves so the
// table walk stays in small integers (no BigInt per byte).

/** reflected form of 0xad93d23594c935a9 */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const T_HI = new Uint32Array(256);
const T_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let b = 0; b < 8; b++) {
    const lsb = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (lsb) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  T_HI[i] = hi;
  T_LO[i] = lo;
}

/** Running CRC state: [hi, lo] (plain data, so a state can sit in State across slices and swaps). */
export type Crc64 = [number, number];

export function crc64New(): Crc64 {
  return [0, 0];
}

/** Feed bytes into the state in place. */
export function crc64Update(crc: Crc64, buf: Uint8Array, start = 0, end = buf.length): void {
  let hi = crc[0];
  let lo = crc[1];
  for (let i = start; i < end; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ T_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ T_HI[idx]) >>> 0;
  }
  crc[0] = hi;
  crc[1] = lo;
}

/** The 8 bytes Redis writes after the EOF opcode (little endian). */
export function crc64Bytes(crc: Crc64): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(crc[1], 0);
  b.writeUInt32LE(crc[0], 4);
  return b;
}

export function crc64Hex(crc: Crc64): string {
  return crc[0].toString(16).padStart(8, '0') + crc[1].toString(16).padStart(8, '0');
}
