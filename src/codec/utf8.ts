/**
 * UTF-8 for the pure codec layer (TextEncoder/TextDecoder are not declared there), following Go.
 *
 * Go strings are byte sequences that need not be valid UTF-8, and Kubernetes writes Go strings as
 * CBOR byte strings without validating them. To carry such bytes through a JS string and back
 * unchanged, decodeUtf8 turns each byte that does not start a valid sequence (by the rules of Go's
 * utf8.DecodeRune) into the lone surrogate U+DC00+byte (a "surrogate escape", as Python does), and
 * encodeUtf8 turns a lone U+DC80..U+DCFF back into that byte. Valid UTF-8 never decodes to a lone
 * surrogate, so decoded strings re-encode exactly. Other lone surrogates, which no decoder here
 * produces, encode as U+FFFD.
 *
 * Pure module: no Node APIs.
 */

const REPLACEMENT_CHARACTER = 0xfffd;
/** fromCharCode takes its arguments on the stack; keep each call well under engine limits. */
const CHUNK = 8192;

/** True when the code unit is a surrogate escape of an invalid byte (see module comment). */
export function isEscapedByte(codeUnit: number): boolean {
  return codeUnit >= 0xdc80 && codeUnit <= 0xdcff;
}

/** Number of bytes encodeUtf8 produces for the string. */
export function utf8ByteLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) length += 1;
    else if (unit < 0x800) length += 2;
    else if (unit >= 0xd800 && unit <= 0xdfff) {
      if (unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          length += 4;
          i++;
          continue;
        }
      }
      length += isEscapedByte(unit) ? 1 : 3;
    } else length += 3;
  }
  return length;
}

/** Writes the UTF-8 bytes of the string at offset (the caller sized target); returns the end offset. */
export function writeUtf8(text: string, target: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    let unit = text.charCodeAt(i);
    if (unit < 0x80) {
      target[at++] = unit;
      continue;
    }
    if (unit < 0x800) {
      target[at++] = 0xc0 | (unit >> 6);
      target[at++] = 0x80 | (unit & 0x3f);
      continue;
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      if (unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
          target[at++] = 0xf0 | (codePoint >> 18);
          target[at++] = 0x80 | ((codePoint >> 12) & 0x3f);
          target[at++] = 0x80 | ((codePoint >> 6) & 0x3f);
          target[at++] = 0x80 | (codePoint & 0x3f);
          i++;
          continue;
        }
      }
      if (isEscapedByte(unit)) {
        target[at++] = unit - 0xdc00;
        continue;
      }
      unit = REPLACEMENT_CHARACTER;
    }
    target[at++] = 0xe0 | (unit >> 12);
    target[at++] = 0x80 | ((unit >> 6) & 0x3f);
    target[at++] = 0x80 | (unit & 0x3f);
  }
  return at;
}

export function encodeUtf8(text: string): Uint8Array {
  const bytes = new Uint8Array(utf8ByteLength(text));
  writeUtf8(text, bytes, 0);
  return bytes;
}

/**
 * Length of the valid UTF-8 sequence starting at `at`, or 0 when the byte there starts none.
 * Same rules as Go's utf8.DecodeRune: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
function sequenceLength(bytes: Uint8Array, at: number, end: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  if (lead < 0xc2) return 0;
  if (lead < 0xe0) return at + 1 < end && isContinuation(bytes[at + 1]!) ? 2 : 0;
  if (lead < 0xf0) {
    if (at + 2 >= end) return 0;
    const second = bytes[at + 1]!;
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return second >= low && second <= high && isContinuation(bytes[at + 2]!) ? 3 : 0;
  }
  if (lead < 0xf5) {
    if (at + 3 >= end) return 0;
    const second = bytes[at + 1]!;
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return second >= low && second <= high && isContinuation(bytes[at + 2]!) && isContinuation(bytes[at + 3]!) ? 4 : 0;
  }
  return 0;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1 if all is valid. */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let at = start;
  while (at < end) {
    if (bytes[at]! < 0x80) {
      at++;
      continue;
    }
    const length = sequenceLength(bytes, at, end);
    if (length === 0) return at;
    at += length;
  }
  return -1;
}

/** Decodes UTF-8, turning each invalid byte into a surrogate escape (see module comment). */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let at = start;
  while (at < end && bytes[at]! < 0x80) at++;
  if (at === end) return asciiString(bytes, start, end);

  let text = at > start ? asciiString(bytes, start, at) : '';
  const units: number[] = [];
  while (at < end) {
    const lead = bytes[at]!;
    const length = lead < 0x80 ? 1 : sequenceLength(bytes, at, end);
    switch (length) {
      case 0:
        units.push(0xdc00 + lead);
        at += 1;
        break;
      case 1:
        units.push(lead);
        at += 1;
        break;
      case 2:
        units.push(((lead & 0x1f) << 6) | (bytes[at + 1]! & 0x3f));
        at += 2;
        break;
      case 3:
        units.push(((lead & 0x0f) << 12) | ((bytes[at + 1]! & 0x3f) << 6) | (bytes[at + 2]! & 0x3f));
        at += 3;
        break;
      default: {
        const codePoint = ((lead & 0x07) << 18) | ((bytes[at + 1]! & 0x3f) << 12) | ((bytes[at + 2]! & 0x3f) << 6) | (bytes[at + 3]! & 0x3f);
        const offset = codePoint - 0x10000;
        units.push(0xd800 + (offset >> 10), 0xdc00 + (offset & 0x3ff));
        at += 4;
      }
    }
    if (units.length >= CHUNK) {
      text += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return units.length > 0 ? text + String.fromCharCode.apply(null, units) : text;
}

function asciiString(bytes: Uint8Array, start: number, end: number): string {
  // Short strings (most keys and values): concatenation beats building an argument list.
  if (end - start <= 16) {
    let text = '';
    for (let at = start; at < end; at++) text += String.fromCharCode(bytes[at]!);
    return text;
  }
  let text = '';
  for (let at = start; at < end; at += CHUNK) {
    // apply takes any array-like, and reads a typed array far faster than spreading its iterator.
    text += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + CHUNK)) as unknown as number[]);
  }
  return text;
}

/** Bytewise lexical comparison: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compareByteRanges(a, 0, a.length, b, 0, b.length);
}

/** Bytewise lexical comparison of a[aStart, aEnd) with b[bStart, bEnd), without making views. */
export function compareByteRanges(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const difference = a[aStart + i]! - b[bStart + i]!;
    if (difference !== 0) return difference;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/**
 * Compares two strings by their UTF-8 bytes, which is how Go orders strings (and so map keys in
 * encoding/json). JS's default sort compares UTF-16 code units, which disagrees once a string
 * holds characters above U+FFFF (surrogates sort below U+E000..U+FFFF) or escaped bytes.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const unitA = a.charCodeAt(i);
    const unitB = b.charCodeAt(i);
    if (unitA === unitB) continue;
    // Below the surrogates, code unit order is code point order is UTF-8 byte order.
    if (unitA < 0xd800 && unitB < 0xd800) return unitA - unitB;
    return compareUtf8Tails(a, b, i);
  }
  if (a.length !== b.length) {
    // A trailing lone high surrogate in the shorter string may pair up in the longer one.
    const last = length > 0 ? a.charCodeAt(length - 1) : 0;
    if (last >= 0xd800 && last <= 0xdbff) return compareUtf8Tails(a, b, length);
  }
  return a.length - b.length;
}

/** Byte comparison from index `from` on (backing up one unit so as not to split a surrogate pair). */
function compareUtf8Tails(a: string, b: string, from: number): number {
  let start = from;
  if (start > 0) {
    const previous = a.charCodeAt(start - 1);
    if (previous >= 0xd800 && previous <= 0xdbff) start--;
  }
  return compareBytes(encodeUtf8(a.slice(start)), encodeUtf8(b.slice(start)));
}
