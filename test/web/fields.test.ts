import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sanitizeUrl } from '../../src/web/access-log';
import { ApiError } from '../../src/web/errors';
import { MARKET_COUNTRY_CODES, maskMsisdn, msisdn, parseBody, qty } from '../../src/web/fields';

function refusal(schema: z.ZodType, body: unknown): ApiError {
  try {
    parseBody(schema, body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe('qty', () => {
  const schema = z.object({ qty });

  it('accepts whole numbers 1–100, also as form strings', () => {
    expect(parseBody(schema, { qty: 3 })).toEqual({ qty: 3 });
    expect(parseBody(schema, { qty: '3' })).toEqual({ qty: 3 });
    expect(parseBody(schema, { qty: '100' })).toEqual({ qty: 100 });
  });

  it.each([['3.5'], ['3abc'], [''], [' '], ['-1'], ['0x10'], ['1e2'], [3.5], [0], [101], [true], [null], [[3]]])('refuses %j with 400 on qty', (value) => {
    const error = refusal(schema, { qty: value });
    expect([error.status, error.code, error.field]).toEqual([400, 'invalid_field', 'qty']);
  });

  it('says a missing field is required', () => {
    expect(refusal(schema, {}).message).toBe('qty is required');
    expect(refusal(schema, undefined).field).toBe('qty');
  });
});

describe('msisdn', () => {
  it('removes what people type around the digits', () => {
    const schema = msisdn('sandbox');
    for (const typed of ['+256 772 123 456', '256-772-123-456', '(256) 772.123.456', '256772123456']) {
      expect(schema.parse(typed)).toBe('256772123456');
    }
  });

  it('takes any country code in the sandbox', () => {
    expect(msisdn('sandbox').parse('46733123450')).toBe('46733123450');
  });

  it.each(Object.entries(MARKET_COUNTRY_CODES))('on %s takes only numbers starting with %s', (market, code) => {
    const schema = z.object({ phone: msisdn(market) });
    // Nigeria's, Benin's and Côte d'Ivoire's mobile numbers have 10 digits after the code.
    const national = ['234', '229', '225'].includes(code) ? 10 : 12 - code.length;
    const local = `${code}${'7'.repeat(national)}`;
    expect(parseBody(schema, { phone: `+${local}` })).toEqual({ phone: local });
    const foreign = code === '256' ? '233241234567' : '256772123456';
    const error = refusal(schema, { phone: foreign });
    expect([error.status, error.field]).toEqual([422, 'phone']);
  });

  it.each([['0772123456'], ['25677212345a'], ['2567721'], ['2567721234567890'], ['+'], ['256_772_123_456']])('refuses %j with 400', (value) => {
    const error = refusal(z.object({ phone: msisdn('sandbox') }), { phone: value });
    expect([error.status, error.field]).toEqual([400, 'phone']);
  });
});

describe('maskMsisdn', () => {
  it('keeps the country code and last digits only', () => {
    expect(maskMsisdn('256772123456')).toBe('2567*****456');
    expect(maskMsisdn('46733123450')).toBe('4673****450');
    expect(maskMsisdn('12345678')).toBe('12****78');
  });
});

describe('sanitizeUrl', () => {
  it('masks digit runs of 8 or more, with typed separators', () => {
    expect(sanitizeUrl('/handset/256772123456')).toBe('/handset/2567*****456');
    expect(sanitizeUrl('/pay?phone=256+772+123+456')).toBe('/pay?phone=2567*****456');
    expect(sanitizeUrl('/orders/1234567')).toBe('/orders/1234567');
  });

  it('redacts secret-looking query values', () => {
    expect(sanitizeUrl('/callback?token=abc&x=1&api_key=k&Signature=s')).toBe('/callback?token=[redacted]&x=1&api_key=[redacted]&Signature=[redacted]');
  });
});
