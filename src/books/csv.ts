// RFC 4180 CSV: CRLF line ends, and a field quoted (its quotes doubled) when it holds a comma,
// a quote or a line break.
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(fields: readonly (string | number | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * Text people wrote (notes, names), prefixed with a quote mark when a spreadsheet would run it
 * as a formula (OWASP's advice on CSV injection). Amounts are never passed through this.
 */
export function personText(value: string | null): string | null {
  return value !== null && FORMULA.test(value) ? `'${value}` : value;
}
