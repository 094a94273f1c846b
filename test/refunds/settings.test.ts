import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('refund settings', () => {
  it('default: every refund needs a second person, and claw-backs are flagged after 14 days', () => {
    const { refunds } = loadConfig({});
    expect([...refunds.approvalThresholdMinor]).toEqual([]);
    expect(refunds.clawbackAlertDays).toBe(14);
  });

  it('reads a threshold per currency', () => {
    const { refunds } = loadConfig({ REFUND_APPROVAL_THRESHOLD: 'EUR:5000, UGX:0', CLAWBACK_ALERT_DAYS: '0' });
    expect([...refunds.approvalThresholdMinor]).toEqual([['EUR', 5000], ['UGX', 0]]);
    expect(refunds.clawbackAlertDays).toBe(0);
  });

  it.each(['EUR', 'EUR:-1', 'EUR:1.5', 'XYZ:10', 'EUR:1,EUR:2', 'eur:10'])('refuses %s, naming the setting', (value) => {
    expect(() => loadConfig({ REFUND_APPROVAL_THRESHOLD: value })).toThrow(ConfigError);
    expect(() => loadConfig({ REFUND_APPROVAL_THRESHOLD: value })).toThrow(/REFUND_APPROVAL_THRESHOLD: must be CURRENCY:minor units/);
  });
});
