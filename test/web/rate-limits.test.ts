// The per-address fixed-window limiter both lanes share: its window per address, its refusal
// and headers, IPv6 clients by their /56, and forgetting addresses whose window has passed.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/web/rate-limits';

function fakeResponse() {
  const headers = new Map<string, string>();
  return { headers, res: { setHeader: (name: string, value: string) => headers.set(name, value) } as unknown as ServerResponse };
}

const from = (ip: string) => ip;

describe('RateLimiter', () => {
  it('allows `limit` requests per address per window, then refuses with 429 and its headers until the window ends', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60_000, 'Slow down.', () => now);
    const { res, headers } = fakeResponse();
    expect(limiter.take(from('203.0.113.1'), res)).toBeUndefined();
    expect(limiter.take(from('203.0.113.1'), res)).toBeUndefined();
    // Another address has its own window.
    expect(limiter.take(from('203.0.113.2'), res)).toBeUndefined();
    expect(headers.size).toBe(0);
    now += 15_000;
    const refusal = limiter.take(from('203.0.113.1'), res);
    expect(refusal?.toJSON()).toEqual({ error: { code: 'too_many_requests', message: 'Slow down.' } });
    expect(refusal?.status).toBe(429);
    expect(Object.fromEntries(headers)).toEqual({
      'RateLimit-Policy': '"2-in-1min"; q=2; w=60',
      RateLimit: '"2-in-1min"; r=0; t=45',
      'Retry-After': '45',
    });
    now += 45_000;
    expect(limiter.take(from('203.0.113.1'), res)).toBeUndefined();
  });

  it('counts an IPv6 client by its /56 and an IPv4-mapped address as the IPv4 one', () => {
    const limiter = new RateLimiter(1, 60_000, 'Slow down.');
    const { res } = fakeResponse();
    expect(limiter.take(from('2001:db8:0:100::1'), res)).toBeUndefined();
    expect(limiter.take(from('2001:db8:0:1ff::2'), res)?.status).toBe(429);
    expect(limiter.take(from('2001:db8:0:200::1'), res)).toBeUndefined();
    expect(limiter.take(from('198.51.100.1'), res)).toBeUndefined();
    expect(limiter.take(from('::ffff:198.51.100.1'), res)?.status).toBe(429);
  });

  it('forgets addresses whose window has passed, so many one-off clients do not pile up', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 60_000, 'Slow down.', () => now);
    const { res } = fakeResponse();
    for (let i = 0; i < 100; i++) limiter.take(from(`198.51.100.${i}`), res);
    expect(limiter.size).toBe(100);
    now = 60_000;
    limiter.take(from('203.0.113.9'), res);
    expect(limiter.size).toBe(1);
  });
});
