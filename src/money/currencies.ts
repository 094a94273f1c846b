// Currencies Sokoni can price and pay in. `exponent` is the ISO 4217 minor-unit count;
// min and max are per-transaction limits in minor units. Uganda, Ghana and Rwanda limits are
// the MoMo figures from the integration guide (seed 004); the others are conservative guesses
// that a merchant can tighten, since MTN publishes no table.
export interface Currency {
  code: string;
  exponent: number;
  minMinor: number;
  maxMinor: number;
  /** BCP 47 locale used to format prices for people. */
  locale: string;
}

const table: Currency[] = [
  { code: 'EUR', exponent: 2, minMinor: 1, maxMinor: 1_000_000_00, locale: 'en-IE' },
  { code: 'UGX', exponent: 0, minMinor: 1_000, maxMinor: 4_000_000, locale: 'en-UG' },
  { code: 'GHS', exponent: 2, minMinor: 1_00, maxMinor: 10_000_00, locale: 'en-GH' },
  { code: 'RWF', exponent: 0, minMinor: 100, maxMinor: 5_000_000, locale: 'en-RW' },
  { code: 'ZMW', exponent: 2, minMinor: 1_00, maxMinor: 50_000_00, locale: 'en-ZM' },
  { code: 'NGN', exponent: 2, minMinor: 50_00, maxMinor: 5_000_000_00, locale: 'en-NG' },
  { code: 'XOF', exponent: 0, minMinor: 100, maxMinor: 2_000_000, locale: 'fr-CI' },
  { code: 'XAF', exponent: 0, minMinor: 100, maxMinor: 2_000_000, locale: 'fr-CM' },
  { code: 'GNF', exponent: 0, minMinor: 1_000, maxMinor: 50_000_000, locale: 'fr-GN' },
  { code: 'LRD', exponent: 2, minMinor: 1_00, maxMinor: 500_000_00, locale: 'en-LR' },
  { code: 'SZL', exponent: 2, minMinor: 1_00, maxMinor: 50_000_00, locale: 'en-SZ' },
  { code: 'ZAR', exponent: 2, minMinor: 1_00, maxMinor: 50_000_00, locale: 'en-ZA' },
  { code: 'SSP', exponent: 2, minMinor: 1_00, maxMinor: 5_000_000_00, locale: 'en-SS' },
];

const byCode = new Map(table.map((c) => [c.code, c]));

export function findCurrency(code: string): Currency | undefined {
  return byCode.get(code);
}

export function currencyCodes(): string[] {
  return table.map((c) => c.code);
}
