/*
 * words.ts — English spelling of a number, as the sqlite.org/speed.html
 * data has it in column c: 13153 -> "thirteen thousand one hundred fifty
 * three" (no "and", no hyphens, words separated by one space).
 *
 * Exports: numberName(n).
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES: [number, string][] = [[1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']];

/** 0 <= n < 1000, n > 0: the words, pushed onto out. */
function below1000(n: number, out: string[]): void {
  if (n >= 100) {
    out.push(ONES[Math.floor(n / 100)], 'hundred');
    n %= 100;
  }
  if (n >= 20) {
    out.push(TENS[Math.floor(n / 10)]);
    n %= 10;
  }
  if (n > 0) out.push(ONES[n]);
}

/** A non-negative integer below 10^12 in words. */
export function numberName(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`numberName: ${n} is out of range`);
  if (n === 0) return 'zero';
  const out: string[] = [];
  for (const [scale, word] of SCALES) {
    if (n >= scale) {
      below1000(Math.floor(n / scale), out);
      out.push(word);
      n %= scale;
    }
  }
  if (n > 0) below1000(n, out);
  return out.join(' ');
}
