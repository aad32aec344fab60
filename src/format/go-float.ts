/** Go's float formatting, shared by the printers that must read like kubectl's output. Pure. */

/**
 * strconv.FormatFloat(v, 'g', -1, 64) of a finite number: the shortest digits, in exponent form
 * below 1e-4 and from 1e6 up (%g's rule), the exponent at least two digits. The non-finite values
 * are the caller's: fmt and go-yaml name them differently.
 */
export function formatFiniteFloatG(value: number): string {
  if (Object.is(value, -0)) return '-0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  // Between the two bounds JS writes the same digits in the same %f form.
  if (exponent >= -4 && exponent < 6) return String(value);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
