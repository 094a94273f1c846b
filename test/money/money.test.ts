import { describe, expect, it } from 'vitest';
import { formatMoney, parseDecimal, splitShare, toDecimalString } from '../../src/money';

describe('money', () => {
  it('prints minor units as MoMo decimal strings per currency exponent', () => {
    expect(toDecimalString(12345, 'EUR')).toBe('123.45');
    expect(toDecimalString(5, 'EUR')).toBe('0.05');
    expect(toDecimalString(5000, 'UGX')).toBe('5000');
    expect(() => toDecimalString(1.5, 'EUR')).toThrow();
    expect(() => toDecimalString(100, 'XYZ')).toThrow(/unsupported currency/);
  });

  it('parses what MoMo echoes back, refusing more decimals than the currency has', () => {
    expect(parseDecimal('6', 'EUR')).toBe(600);
    expect(parseDecimal('6.0', 'EUR')).toBe(600);
    expect(parseDecimal('6.50', 'EUR')).toBe(650);
    expect(parseDecimal('5000', 'UGX')).toBe(5000);
    expect(() => parseDecimal('1.234', 'EUR')).toThrow();
    expect(() => parseDecimal('1.5', 'UGX')).toThrow();
    expect(() => parseDecimal('-1', 'EUR')).toThrow();
    expect(() => parseDecimal('1e3', 'EUR')).toThrow();
  });

  it('splits exactly: seller = floor(total × share), platform keeps the remainder', () => {
    // The float version of this (333 × 7 × 0.8) gives 1864.8000000000002.
    expect(splitShare(2331, 8000)).toEqual({ seller: 1864, platform: 467 });
    expect(splitShare(1, 8000)).toEqual({ seller: 0, platform: 1 });
    expect(splitShare(999, 10_000)).toEqual({ seller: 999, platform: 0 });
    for (let total = 0; total < 3000; total += 7) {
      for (const bps of [0, 1, 3333, 8000, 9999, 10_000]) {
        const { seller, platform } = splitShare(total, bps);
        expect(seller + platform).toBe(total);
        expect(seller).toBe(Math.floor((total * bps) / 10_000));
      }
    }
    expect(splitShare(Number.MAX_SAFE_INTEGER, 8000).seller + splitShare(Number.MAX_SAFE_INTEGER, 8000).platform).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('formats prices for people in the currency', () => {
    expect(formatMoney(12345, 'EUR')).toBe('€123.45');
    expect(formatMoney(5000, 'UGX')).toMatch(/5,000/);
  });
});
