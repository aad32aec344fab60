/**
 * resource.Quantity's canonical form ("500m", "1Gi", "1e3" → "1k"), which is what the API serves
 * and what kube-apiserver stores, whatever spelling the user wrote. Exact arithmetic on bigints,
 * with Kubernetes's rules: values round up (away from zero) to nano units, binary-suffixed values
 * stay binary only when they are whole and at least 1024, decimal exponents are multiples of 3.
 */

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const BINARY_SUFFIX_POWER: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX_OF_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX_EXPONENT).map(([s, e]) => [e, s]));
const BINARY_SUFFIX_OF_POWER = new Map([[0, ''], ...Object.entries(BINARY_SUFFIX_POWER).map(([s, p]) => [p, s] as [number, string])]);

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;

/** The largest value a binary quantity may hold (Kubernetes caps at 2^63 - 1). */
const MAX_ALLOWED = 2n ** 63n - 1n;

/** The canonical string of a quantity, or undefined when Kubernetes would reject the text. */
export function canonicalQuantity(text: string): string | undefined {
  const m = QUANTITY.exec(text.trim());
  if (m === null) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = m;
  if (whole === '' && fraction === '') return undefined;

  let format: QuantityFormat;
  let exponent10 = 0;
  let power2 = 0;
  if (suffix in BINARY_SUFFIX_POWER) {
    format = 'BinarySI';
    power2 = BINARY_SUFFIX_POWER[suffix] as number;
  } else if (suffix.startsWith('e') || suffix.startsWith('E')) {
    format = 'DecimalExponent';
    exponent10 = Number(suffix.slice(1));
  } else {
    format = 'DecimalSI';
    exponent10 = DECIMAL_SUFFIX_EXPONENT[suffix] as number;
  }

  // value = unscaled * 10^-scale, exactly
  let unscaled = BigInt((whole + fraction).replace(/^0+(?=\d)/, '') || '0') * 2n ** BigInt(power2);
  let scale = fraction.length - exponent10;
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  // Round up (away from zero) to nano units: asking for any amount gets at least 1n.
  if (scale > 9) {
    const divisor = 10n ** BigInt(scale - 9);
    unscaled = unscaled / divisor + (unscaled % divisor === 0n ? 0n : 1n);
    scale = 9;
  }
  if (unscaled === 0n) return '0';
  const negative = sign === '-';

  if (format === 'BinarySI') {
    if (unscaled > MAX_ALLOWED * 10n ** BigInt(scale)) unscaled = MAX_ALLOWED * 10n ** BigInt(scale);
    const isWhole = unscaled % 10n ** BigInt(scale) === 0n;
    const magnitudeBelow1024 = unscaled < 1024n * 10n ** BigInt(scale);
    if (magnitudeBelow1024 || !isWhole) {
      format = 'DecimalSI';
    } else {
      let amount = unscaled / 10n ** BigInt(scale);
      let power = 0;
      while (amount % 1024n === 0n && BINARY_SUFFIX_OF_POWER.has(power + 10)) {
        amount /= 1024n;
        power += 10;
      }
      return `${negative ? '-' : ''}${amount}${BINARY_SUFFIX_OF_POWER.get(power) as string}`;
    }
  }

  let exponent = -scale;
  while (unscaled % 10n === 0n) {
    unscaled /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    unscaled *= 10n;
    exponent--;
  }
  const number = `${negative ? '-' : ''}${unscaled}`;
  if (format === 'DecimalExponent') return exponent === 0 ? number : `${number}e${exponent}`;
  const decimalSuffix = DECIMAL_SUFFIX_OF_EXPONENT.get(exponent);
  // Beyond E (10^18) there is no SI suffix; write the digits out.
  if (decimalSuffix === undefined) return exponent > 0 ? `${number}${'0'.repeat(exponent)}` : `${number}e${exponent}`;
  return `${number}${decimalSuffix}`;
}

/** A quantity's exact value: numerator / denominator. */
export interface QuantityValue {
  numerator: bigint;
  denominator: bigint;
}

/** The exact value of a quantity as a fraction, or undefined when the text is not a quantity. */
export function quantityValue(text: string): QuantityValue | undefined {
  const m = QUANTITY.exec(text.trim());
  if (m === null) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = m;
  if (whole === '' && fraction === '') return undefined;
  const power2 = BINARY_SUFFIX_POWER[suffix] ?? 0;
  const exponent10 = (suffix.startsWith('e') || suffix.startsWith('E') ? Number(suffix.slice(1)) : (DECIMAL_SUFFIX_EXPONENT[suffix] ?? 0)) - fraction.length;
  // Kubernetes refuses such exponents anyway; this keeps the bigints small.
  if (Math.abs(exponent10) > 1000) return undefined;
  const digits = BigInt(whole + fraction || '0') * 2n ** BigInt(power2) * (sign === '-' ? -1n : 1n);
  return exponent10 >= 0 ? { numerator: digits * 10n ** BigInt(exponent10), denominator: 1n } : { numerator: digits, denominator: 10n ** BigInt(-exponent10) };
}

/** -1, 0 or 1 as quantity a is less than, equal to or more than b ("500m" < "1" < "1Ki"); undefined when either is not a quantity. */
export function compareQuantities(a: string, b: string): number | undefined {
  const x = quantityValue(a);
  const y = quantityValue(b);
  return x === undefined || y === undefined ? undefined : compareQuantityValues(x, y);
}

/** -1, 0 or 1 as x is less than, equal to or more than y. */
export function compareQuantityValues(x: QuantityValue, y: QuantityValue): number {
  const left = x.numerator * y.denominator;
  const right = y.numerator * x.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}
