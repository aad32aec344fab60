/**
 * UTF-8 and base64 for the pure core. TextEncoder/TextDecoder are globals in Node and browsers
 * alike; they are declared here because the core is compiled without Node's ambient types.
 */
declare const TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(bytes: Uint8Array): string };
declare const TextEncoder: new () => { encode(text: string): Uint8Array; encodeInto(text: string, into: Uint8Array): { read: number; written: number } };

const utf8Decoder = new TextDecoder('utf-8');
const utf8StrictDecoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Invalid sequences become U+FFFD, as Go's encoding/json writes them. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Short ASCII strings dominate Kubernetes objects; for them, copying the bytes into a plain
  // array and making the string in one fromCharCode call beats both a TextDecoder call (a subarray
  // and a native call each) and adding the string up one character at a time.
  const length = end - start;
  if (length < 24) {
    const codes = new Array<number>(length);
    for (let i = 0; i < length; i++) {
      const c = bytes[start + i] as number;
      if (c >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
      codes[i] = c;
    }
    return String.fromCharCode.apply(null, codes);
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/** Decode, or return undefined when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return utf8StrictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Writes the text as UTF-8 into `into` (room for 3 bytes per UTF-16 unit always suffices); gives the bytes written. */
export function utf8EncodeInto(text: string, into: Uint8Array): number {
  return utf8Encoder.encodeInto(text, into).written;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_INDEX[BASE64_ALPHABET.charCodeAt(i)] = i;

/** Node's Buffer when the core runs in Node: its native base64 is several times the loop below. */
const nodeBuffer = (globalThis as { Buffer?: { from(buffer: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string } } }).Buffer;
/** Below this, the loop wins over a Buffer view's setup. */
const NATIVE_BASE64_FROM = 48;

/** Standard base64 with padding, as Go's encoding/json writes []byte. */
export function base64Encode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (nodeBuffer !== undefined && end - start >= NATIVE_BASE64_FROM) return nodeBuffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64');
  const parts: string[] = [];
  let chunk = '';
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    chunk += BASE64_ALPHABET[n >> 18] + BASE64_ALPHABET[(n >> 12) & 63]! + BASE64_ALPHABET[(n >> 6) & 63]! + BASE64_ALPHABET[n & 63]!;
    if (chunk.length > 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = end - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    chunk += BASE64_ALPHABET[n >> 18]! + BASE64_ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    chunk += BASE64_ALPHABET[n >> 18]! + BASE64_ALPHABET[(n >> 12) & 63]! + BASE64_ALPHABET[(n >> 6) & 63]! + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

/** Strict standard base64 (Go's StdEncoding): returns undefined for anything else. */
export function base64Decode(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      let v: number;
      if (code === 61 /* = */ && i + 4 === text.length && j >= 4 - pad) v = 0;
      else v = code < 128 ? (BASE64_INDEX[code] as number) : -1;
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

export function hexPreview(bytes: Uint8Array, max = 32): string {
  let s = '';
  for (let i = 0; i < Math.min(bytes.length, max); i++) s += (bytes[i] as number).toString(16).padStart(2, '0');
  return bytes.length > max ? `${s}…` : s;
}
