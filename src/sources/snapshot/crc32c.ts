/**
 * CRC-32C (Castagnoli), the checksum `etcdctl snapshot status` prints as its hash. Node's own
 * zlib.crc32 uses the other polynomial (IEEE), so the fast path is the optional dependency
 * @node-rs/crc32 (the CPU's crc32 instruction, about ten times the speed of the best JavaScript);
 * without it (npm i --omit=optional, or a platform with no prebuilt binary) the same digest comes
 * from slicing-by-8 in JavaScript.
 */
import { createRequire } from 'node:module';

/** A running CRC-32C: feed bytes in order, read the digest at any point. */
export interface Crc32c {
  update(bytes: Uint8Array): void;
  digest(): number;
}

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

let native: NativeCrc32c | null | undefined;

/** The native function, or null when the optional dependency cannot be loaded here. */
function nativeCrc32c(): NativeCrc32c | null {
  if (native !== undefined) return native;
  try {
    // A require, not an import: it stays synchronous and fails quietly where the binary is missing.
    const loaded = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: unknown };
    native = typeof loaded.crc32c === 'function' ? (loaded.crc32c as NativeCrc32c) : null;
  } catch {
    native = null;
  }
  return native;
}

/** A CRC-32C that uses the native code when it is installed; `javascript: true` forces the fallback. */
export function createCrc32c(options: { javascript?: boolean } = {}): Crc32c {
  const fast = options.javascript === true ? null : nativeCrc32c();
  return fast === null ? new JavascriptCrc32c() : new NativeBackedCrc32c(fast);
}

/** The CRC-32C of `crc`'s bytes followed by `bytes` (0: of `bytes` alone), without an object to keep. */
export function crc32cUpdate(crc: number, bytes: Uint8Array): number {
  const fast = nativeCrc32c();
  if (fast !== null) return fast(bytes, crc) >>> 0;
  const running = new JavascriptCrc32c(crc);
  running.update(bytes);
  return running.digest();
}

/**
 * Each native call costs a fixed ~0.2 µs, more than hashing a short key: small inputs are gathered
 * into one buffer and hashed together (a CRC over a concatenation is the CRC of its parts in order).
 */
const GATHER_BYTES = 64 * 1024;
const GATHER_BELOW = 512;

class NativeBackedCrc32c implements Crc32c {
  private crc = 0;
  private readonly gathered = new Uint8Array(GATHER_BYTES);
  private used = 0;

  constructor(private readonly fn: NativeCrc32c) {}

  update(bytes: Uint8Array): void {
    if (bytes.length < GATHER_BELOW) {
      if (this.used + bytes.length > GATHER_BYTES) this.flush();
      this.gathered.set(bytes, this.used);
      this.used += bytes.length;
      return;
    }
    this.flush();
    this.crc = this.fn(bytes, this.crc);
  }

  digest(): number {
    this.flush();
    return this.crc >>> 0;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.crc = this.fn(this.gathered.subarray(0, this.used), this.crc);
    this.used = 0;
  }
}

/** Slicing by 8 over one flat table. */
class JavascriptCrc32c implements Crc32c {
  private static table: Int32Array | undefined;

  constructor(private crc = 0) {}

  /** Eight 256-entry tables back to back: table t advances a byte through t more zero bytes. */
  private static build(): Int32Array {
    const table = new Int32Array(8 * 256);
    for (let byte = 0; byte < 256; byte++) {
      let crc = byte;
      for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      table[byte] = crc;
    }
    for (let byte = 0; byte < 256; byte++) {
      for (let slice = 1; slice < 8; slice++) {
        const previous = table[(slice - 1) * 256 + byte] as number;
        table[slice * 256 + byte] = (previous >>> 8) ^ (table[previous & 0xff] as number);
      }
    }
    return table;
  }

  update(bytes: Uint8Array): void {
    const t = (JavascriptCrc32c.table ??= JavascriptCrc32c.build());
    let crc = ~this.crc;
    const length = bytes.length;
    const whole = length - (length & 7);
    let i = 0;
    // The ! below: indexes are in range by the loop bounds; checking each would halve the speed.
    for (; i < whole; i += 8) {
      const low = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
      crc =
        t[1792 + (low & 0xff)]! ^
        t[1536 + ((low >>> 8) & 0xff)]! ^
        t[1280 + ((low >>> 16) & 0xff)]! ^
        t[1024 + (low >>> 24)]! ^
        t[768 + bytes[i + 4]!]! ^
        t[512 + bytes[i + 5]!]! ^
        t[256 + bytes[i + 6]!]! ^
        t[bytes[i + 7]!]!;
    }
    for (; i < length; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
    this.crc = ~crc >>> 0;
  }

  digest(): number {
    return this.crc;
  }
}

/**
 * The CRC-32C of A followed by B from the CRCs of A and B and B's length, without the bytes (zlib's
 * crc32_combine, for this polynomial): A's CRC is carried through B's length of zero bits, which is
 * a multiplication by x^(8·length) modulo the polynomial. That multiplication is linear in A's CRC,
 * so for each power of two a table per byte of the CRC does it; a length takes one table per set bit.
 */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  const tables = (shiftTables ??= buildShiftTables());
  let crc = crcA >>> 0;
  let rest = lengthB;
  for (let bit = 0; rest > 0; bit++, rest = Math.floor(rest / 2)) {
    if (rest % 2 === 0) continue;
    const t = bit * 1024;
    // The ! below: indexes are in range by construction (a byte plus a table's offset).
    crc = (tables[t + (crc & 0xff)]! ^ tables[t + 256 + ((crc >>> 8) & 0xff)]! ^ tables[t + 512 + ((crc >>> 16) & 0xff)]! ^ tables[t + 768 + (crc >>> 24)]!) >>> 0;
  }
  return (crc ^ crcB) >>> 0;
}

/** Lengths up to 2^SHIFT_BITS - 1 bytes. */
const SHIFT_BITS = 48;
let shiftTables: Int32Array | undefined;

/** Table bit·1024 + byte·256 + value: the value in that byte of a CRC, shifted through 2^bit zero bytes. */
function buildShiftTables(): Int32Array {
  const tables = new Int32Array(SHIFT_BITS * 1024);
  // x^8 (one zero byte), in the reflected representation where x^0 is the top bit.
  let power = 1 << 23;
  for (let bit = 0; bit < SHIFT_BITS; bit++) {
    for (let byte = 0; byte < 4; byte++) {
      for (let value = 0; value < 256; value++) tables[bit * 1024 + byte * 256 + value] = multiplyModulo(value << (8 * byte), power);
    }
    power = multiplyModulo(power, power);
  }
  return tables;
}

/** a·b modulo the CRC-32C polynomial, both in the reflected representation. */
function multiplyModulo(a: number, b: number): number {
  let product = 0;
  let multiplier = b >>> 0;
  for (let mask = 0x8000_0000; mask !== 0; mask >>>= 1) {
    if ((a & mask) !== 0) product ^= multiplier;
    multiplier = multiplier & 1 ? (multiplier >>> 1) ^ 0x82f63b78 : multiplier >>> 1;
  }
  return product >>> 0;
}
