// MoMo's error codes become label values, and they come from outside: a misbehaving gateway
// could send a new code with every answer, and each would be a new time series kept for ever.
// Codes that look like codes are kept as they are up to a fixed number of them; the rest are
// counted together.

/** Enough for every code MoMo and the client use (momo-api.md §5), with room to spare. */
export const MAX_OUTCOMES = 40;
export const OTHER_OUTCOME = 'OTHER';
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export class OutcomeLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_OUTCOMES) {}

  /** `ok`, the code itself, or OTHER once `max` codes have been seen or for one that is not a code. */
  label(outcome: string): string {
    if (outcome === 'ok' || this.seen.has(outcome)) return outcome;
    if (!CODE.test(outcome) || this.seen.size >= this.max) return OTHER_OUTCOME;
    this.seen.add(outcome);
    return outcome;
  }
}
