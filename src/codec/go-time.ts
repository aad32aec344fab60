/**
 * Go's time formats as the Kubernetes API writes them: RFC 3339 for metav1.Time (seconds) and
 * metav1.MicroTime (6 fractional digits), and time.Duration's String()/ParseDuration for metav1.Duration.
 */

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Two digits; the common case of pad, without building a padded string. */
function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

const SECONDS_PER_DAY = 86400;

/**
 * Year, month and day of a day count from 1970-01-01: the days-to-civil algorithm of Howard
 * Hinnant's date library, proleptic Gregorian like Go's time package.
 */
export function civilFromDays(daysSinceEpoch: number): [number, number, number] {
  // Days since 0000-03-01, so that leap days fall at the end of a 400-year era's years.
  const z = daysSinceEpoch + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * RFC 3339 in UTC; `micros` given adds exactly six fractional digits. Every stored object has a
 * few timestamps, so the date is worked out with integer arithmetic (civilFromDays) rather than
 * through a Date.
 */
export function formatRfc3339(seconds: number | bigint, micros?: number): string | undefined {
  const total = Number(seconds);
  if (!Number.isFinite(total) || Math.abs(total) > 8.64e12) return undefined;
  const days = Math.floor(total / SECONDS_PER_DAY);
  const secondOfDay = total - days * SECONDS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  if (year < 0 || year > 9999) return undefined;
  const hours = Math.floor(secondOfDay / 3600);
  const minutes = Math.floor((secondOfDay % 3600) / 60);
  const secs = secondOfDay % 60;
  const base = `${year >= 1000 ? `${year}` : pad(year, 4)}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(secs)}`;
  return micros === undefined ? `${base}Z` : `${base}.${pad(micros, 6)}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parse RFC 3339 (as Go's time.Parse(time.RFC3339) accepts it) into Unix seconds and nanoseconds. */
export function parseRfc3339(text: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  let seconds = Math.floor(ms / 1000);
  if (sign !== undefined) {
    const offset = (Number(oh) * 60 + Number(om)) * 60;
    seconds += sign === '+' ? -offset : offset;
  }
  const nanos = frac === undefined ? 0 : Number(frac.padEnd(9, '0'));
  return { seconds, nanos };
}

const NS_PER_S = 1_000_000_000n;

/** Fractional part of v / 10^prec without trailing zeros, as Go's fmtFrac writes it. */
function fraction(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let printed = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    printed ||= digit !== 0n;
    if (printed) digits = digit.toString() + digits;
    v /= 10n;
  }
  return [printed ? `.${digits}` : '', v];
}

/** time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function formatGoDuration(nanoseconds: number | bigint): string {
  let u = BigInt(nanoseconds);
  const negative = u < 0n;
  if (negative) u = -u;
  let out: string;
  if (u < NS_PER_S) {
    if (u === 0n) return '0s';
    let unit: string;
    let prec: number;
    if (u < 1000n) {
      unit = 'ns';
      prec = 0;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const [frac, whole] = fraction(u, prec);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, totalSeconds] = fraction(u, 9);
    out = `${totalSeconds % 60n}${frac}s`;
    const totalMinutes = totalSeconds / 60n;
    if (totalMinutes > 0n) {
      out = `${totalMinutes % 60n}m${out}`;
      const hours = totalMinutes / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: NS_PER_S,
  m: 60n * NS_PER_S,
  h: 3600n * NS_PER_S,
};

/** time.ParseDuration: returns nanoseconds, or undefined for text Go would reject. */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (m === null) return undefined;
    const [whole, intPart = '', fracPart, unitName = ''] = m;
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return undefined;
    const unit = DURATION_UNITS[unitName] as bigint;
    total += BigInt(intPart === '' ? '0' : intPart) * unit;
    if (fracPart !== undefined && fracPart !== '') {
      // Go scales the fraction in floating point; for the units and precisions that occur this truncates alike.
      total += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    }
    s = s.slice(whole.length);
  }
  if (total > 9223372036854775807n) return undefined;
  return negative ? -total : total;
}
