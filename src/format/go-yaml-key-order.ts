/**
 * The order kubectl's YAML lists map keys in: go-yaml v2 sorts string keys "naturally", not by
 * bytes. Letters sort after every other character (`b_x` before `bX`), and runs of digits compare
 * as numbers (`a9` before `a10`). Go's JSON sorts by bytes, so `-o json` and `-o yaml` can list
 * the same keys in different orders, as kubectl does. Pure.
 */

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isLetter(c: number): boolean {
  if (c < 0x80) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return LETTER.test(String.fromCodePoint(c));
}

function isDigit(c: number): boolean {
  if (c < 0x80) return c >= 0x30 && c <= 0x39;
  return DIGIT.test(String.fromCodePoint(c));
}

/** The code points of `text` from UTF-16 index `from`, as go-yaml's rune slices see them. */
function runesFrom(text: string, from: number): number[] {
  return Array.from(text.slice(from), (ch) => ch.codePointAt(0) as number);
}

/**
 * A digit run's value as Go computes it: int64 arithmetic (wrapping on overflow), with each
 * digit's value taken as its code point minus '0', as go-yaml does even for non-ASCII digits.
 */
function runValue(runes: number[], start: bigint): { value: bigint; length: number } {
  let value = start;
  let length = 0;
  while (length < runes.length && isDigit(runes[length] as number)) {
    value = BigInt.asIntN(64, value * 10n + BigInt((runes[length] as number) - 0x30));
    length++;
  }
  return { value, length };
}

/** Negative when go-yaml puts key `a` before key `b`, positive when after, 0 when equal. */
export function compareGoYamlKeys(a: string, b: string): number {
  // Most neighbouring keys differ at their first character, both ASCII letters: settled there.
  const firstA = a.charCodeAt(0) | 0x20;
  const firstB = b.charCodeAt(0) | 0x20;
  if (firstA !== firstB && firstA >= 0x61 && firstA <= 0x7a && firstB >= 0x61 && firstB <= 0x7a) return a.charCodeAt(0) - b.charCodeAt(0);
  if (a === b) return 0;
  // Equal UTF-16 prefixes are equal code point prefixes; find where the two first differ.
  let i = 0;
  const shorter = Math.min(a.length, b.length);
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === shorter) return a.length - b.length;
  // A difference in the second half of a surrogate pair belongs to the character it ends.
  if (i > 0 && (a.charCodeAt(i) & 0xfc00) === 0xdc00) i--;
  const ca = a.codePointAt(i) as number;
  const cb = b.codePointAt(i) as number;
  const aLetter = isLetter(ca);
  const bLetter = isLetter(cb);
  if (aLetter && bLetter) return ca - cb;
  if (aLetter || bLetter) return aLetter ? 1 : -1;
  if (!isDigit(ca) && !isDigit(cb) && ca !== 0x30 && cb !== 0x30) return ca - cb;
  // Digits: a zero continuing a number that has a non-zero digit before it counts from 1.
  let start = 0n;
  if (ca === 0x30 || cb === 0x30) {
    const before = Array.from(a.slice(0, i), (ch) => ch.codePointAt(0) as number);
    for (let j = before.length - 1; j >= 0 && isDigit(before[j] as number); j--) {
      if (before[j] !== 0x30) {
        start = 1n;
        break;
      }
    }
  }
  const runA = runValue(runesFrom(a, i), start);
  const runB = runValue(runesFrom(b, i), start);
  if (runA.value !== runB.value) return runA.value < runB.value ? -1 : 1;
  if (runA.length !== runB.length) return runA.length - runB.length;
  return ca - cb;
}
