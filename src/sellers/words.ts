// What the portal says to a seller about a payout and a ledger line. Failures are worded per
// Sokoni's reason kinds (src/providers/reasons.ts), never per a provider's codes, as the
// shopper's order page is (src/web/order-view.ts): a new provider needs no new wording here.
import type { ReasonKind } from '../providers';

export type PayoutState = 'paid' | 'on_the_way' | 'waiting_funds' | 'failed' | 'nothing_to_pay';

export interface PayoutWords {
  state: PayoutState;
  /** One or two words for a list: "Paid", "On the way", ... */
  label: string;
  /** Why, and what happens next, when there is something to say. */
  detail: string | null;
}

interface FailureWords {
  /** What happened, about the payout. */
  what: string;
  /** What happens next, and what the seller can do. */
  next: string;
}

// A failed payout leaves the share in "owed to you": the seller loses nothing, it rolls over
// to the shop's next try. Each `next` says so, and who acts.
const STILL_OWED = 'Your share stays owed to you.';

const FAILURES: Record<ReasonKind, FailureWords> = {
  declined: { what: 'MTN MoMo did not complete the payout.', next: `${STILL_OWED} The shop will send it again.` },
  not_approved_in_time: { what: 'MTN MoMo did not complete the payout in time.', next: `${STILL_OWED} The shop will send it again.` },
  not_enough_funds: {
    what: "The shop's MoMo account did not have enough money for the payout.",
    next: `${STILL_OWED} It goes out once the shop has topped up its account.`,
  },
  limit_reached: {
    what: 'Your MoMo wallet has reached its limit for receiving money.',
    next: `${STILL_OWED} The shop will send it again later; if it keeps happening, ask MTN about your wallet's limit.`,
  },
  party_unknown: {
    what: 'Your payout number is not registered for MTN MoMo.',
    next: `${STILL_OWED} Ask the shop to check your payout number; it is sent again once the number is right.`,
  },
  provider_unavailable: { what: 'MTN MoMo could not process the payout just now.', next: `${STILL_OWED} The shop will send it again.` },
  provider_unreachable: { what: 'MTN MoMo could not be reached.', next: `${STILL_OWED} The shop will send it again.` },
  amount_mismatch: {
    what: 'MTN MoMo reported a different amount than the one sent.',
    next: `${STILL_OWED} The shop is looking into it and will settle it with you.`,
  },
  refused: { what: 'MTN MoMo refused the payout.', next: `${STILL_OWED} The shop will look into it and send it again.` },
};

export function payoutFailure(kind: ReasonKind | null): FailureWords {
  return FAILURES[kind ?? 'refused'];
}

/**
 * A payout's state in words. `status` is the payout movement's (null when the order has none:
 * a zero share); `kind` is what its last failure means, when it has one.
 */
export function payoutWords(status: string | null, kind: ReasonKind | null): PayoutWords {
  switch (status) {
    case null:
      return { state: 'nothing_to_pay', label: 'Nothing to pay', detail: 'Your share of this sale is zero.' };
    case 'successful':
      return { state: 'paid', label: 'Paid', detail: null };
    case 'waiting_funds':
      return {
        state: 'waiting_funds',
        label: "Waiting for the shop's funds",
        detail: "The shop's MoMo account is short just now. Your share goes out by itself once it is topped up.",
      };
    case 'retry_wait':
      return { state: 'on_the_way', label: 'On the way', detail: `${payoutFailure(kind).what} Sokoni tries again by itself.` };
    case 'failed': {
      const failure = payoutFailure(kind);
      return { state: 'failed', label: 'Failed', detail: `${failure.what} ${failure.next}` };
    }
    default:
      return { state: 'on_the_way', label: 'On the way', detail: null };
  }
}

// Journal kinds the books have today, and the refunds being added; any other kind is shown by
// its own name, so a line of a kind added later still appears.
const LINE_LABELS = new Map<string, string>([
  ['collection', 'Sale'],
  ['payout', 'Payout'],
  ['refund', 'Refund'],
  ['suspense', 'Held by the shop'],
  ['operator', 'Correction by the shop'],
]);

/** A ledger line's kind in words. */
export function lineLabel(kind: string): string {
  return LINE_LABELS.get(kind) ?? kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
