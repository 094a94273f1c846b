// The console's refunds: the Refund form on an order's page (amount in the order's currency,
// prefilled with what is left to give back, and a reason), the Refunds to approve page where a
// second person approves or declines, and the one-click refund under Needs attention. Every
// action goes through the refunds room (its rules, maker-checker and audit); a refused form comes
// back on the order's page with the reason beside its field.
import type express from 'express';
import type { Request, Response } from 'express';
import { allows, type ActionContext, type Caller } from '../../accounts';
import type { OrderDetailRows } from '../../backoffice';
import type { Refunds, RefundState, RefundView } from '../../refunds';
import { DomainError } from '../../domain-error';
import { MoneyError, parseDecimal, toDecimalString } from '../../money';
import { actionContext, callerOf } from '../admin-auth';
import { toApiError } from '../errors';
import * as fields from '../fields';
import { money, time } from './format';
import type { Guard, Render } from './page-deps';

/** What the console asks of the refunds room. */
export type RefundDesk = Pick<Refunds, 'ofOrder' | 'awaitingApproval' | 'refundable' | 'request' | 'requestSuspense' | 'approve' | 'decline'>;

/** A request waiting for approval, with what the approver needs to judge it. */
export interface PendingRefund extends RefundView {
  productName: string;
  sellerName: string;
  orderAmountMinor: number;
}


export interface RefundPagesDeps {
  desk: RefundDesk;
  render: Render;
  viewer: Guard;
  operator: Guard;
  /** The order as the console reads it; undefined when there is no such order. */
  order: (orderId: string) => Promise<OrderDetailRows | undefined>;
  /** The order's page again, with these locals on top (a refused Refund form) and this status. */
  renderOrder: (req: Request, res: Response, extra: Record<string, unknown>, status: number) => Promise<void>;
}

/** The requester never approves their own (the service refuses it too): one email is one person. */
export function isRequester(refund: RefundView, caller: Caller): boolean {
  return refund.requestedBy === caller.email;
}

/** What the refund's state means, in words that say whether money moved and what comes next. */
export function refundWords(r: RefundView): string {
  const amount = money(r.amountMinor, r.currency);
  switch (r.state) {
    case 'pending_approval':
      return `Waiting for a second person to approve it (until ${time(r.expiresAt)}). No money has moved.`;
    case 'declined':
      return `Declined by ${r.declinedBy ?? 'someone'}${r.declineReason ? `: ${r.declineReason}` : ''}. No money moved.`;
    case 'expired':
      return 'Expired: nobody approved it within 7 days. No money moved; ask again if it is still owed.';
    case 'failed':
      return `MoMo refused it${r.movement?.reason ? ` (${r.movement.reason})` : ''}. No money moved; you can ask for a new refund.`;
    case 'refunded':
      return `Refunded: ${amount} is back in the shopper's MoMo wallet.${clawback(r)}`;
    case 'approved': {
      const status = r.movement?.status;
      if (status === 'pending') return `MoMo accepted it: ${amount} is on its way to the shopper's wallet.`;
      if (status === 'waiting_funds') return 'Waiting for funds: the disbursement account cannot cover it, so no money has moved. It goes out by itself once a balance check finds the funds.';
      if (status === 'retry_wait') return 'MoMo failed it for a passing reason; Sokoni sends it again by itself. No money has moved yet.';
      return 'Approved; being sent to MoMo. No money has moved yet.';
    }
  }
}

function clawback(r: RefundView): string {
  if (r.fromSuspense || r.sellerPartMinor === 0) return '';
  return ` The seller's part (${money(r.sellerPartMinor, r.currency)}) comes back from them: off their payout if it had not left, else from their next payouts.`;
}

const STATE_WORDS = new Map<RefundState, string>([
  ['pending_approval', 'Waiting for approval'],
  ['approved', 'Approved, on its way'],
  ['declined', 'Declined'],
  ['expired', 'Expired'],
  ['refunded', 'Refunded'],
  ['failed', 'Failed'],
]);

export const refundStateWord = (state: RefundState) => STATE_WORDS.get(state) ?? state;

const bodyOf = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

/** The amount as typed in the order's currency ("12.50") → minor units; refused by the field. */
function amountOf(text: unknown, currency: string): number {
  try {
    const minor = typeof text === 'string' ? parseDecimal(text.trim(), currency) : Number.NaN;
    if (minor > 0) return minor;
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
  }
  throw new DomainError('invalid', 'invalid_field', `The amount must be an amount in ${currency} such as ${toDecimalString(1250, currency)}`, 'amount');
}

/** The Refund form's locals on an order's page: prefilled with what is left to give back. */
export async function refundFormLocals(desk: RefundDesk, caller: Caller, orderId: string) {
  const can = await desk.refundable(orderId);
  // Money held for a failed order goes back whole, from Needs attention; the form is for paid orders.
  const left = can && !can.fromSuspense ? can.amountMinor : 0;
  return {
    refunds: (await desk.ofOrder(orderId)) ?? [],
    refundable: left,
    canRefund: allows(caller.role, 'operator') && left > 0,
    canApprove: allows(caller.role, 'operator'),
    refundValues: new Map([['amount', can && left > 0 ? toDecimalString(left, can.currency) : ''], ['reason', '']]),
    refundErrors: new Map<string, string>(),
    refundWords,
    refundStateWord,
    isRequester: (r: RefundView) => isRequester(r, caller),
  };
}

export function mountRefundPages(router: express.Router, { desk, render, viewer, operator, order, renderOrder }: RefundPagesDeps): void {
  const idOf = (req: Request, what: 'order' | 'refund') => {
    const parsed = fields.uuid.safeParse(req.params.id);
    if (!parsed.success) throw new DomainError('not_found', `${what}_not_found`, `No ${what} with this id`);
    return parsed.data;
  };
  // Where a form sends the operator back to: the page it was on.
  const backTo = (req: Request, orderId: string | null) => {
    const back = bodyOf(req).back;
    if (back === 'attention') return '/admin/attention';
    if (back === 'order' && orderId) return `/admin/orders/${orderId}`;
    return orderId ? `/admin/orders/${orderId}` : '/admin/refunds';
  };

  // Asked for from the order's page, or in one click under Needs attention (the whole amount).
  router.post('/admin/orders/:id/refunds', operator, async (req, res) => {
    const orderId = idOf(req, 'order');
    const body = bodyOf(req);
    const currency = (await order(orderId))?.order.currency;
    if (currency === undefined) throw new DomainError('not_found', 'order_not_found', 'No order with this id');
    try {
      const amountMinor = amountOf(body.amount, currency);
      await desk.request(actionContext(req, res), orderId, { amountMinor, reason: body.reason });
      res.redirect(303, backTo(req, orderId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const api = toApiError(error);
      const values = new Map([['amount', typeof body.amount === 'string' ? body.amount.slice(0, 40) : ''], ['reason', typeof body.reason === 'string' ? body.reason.slice(0, 500) : '']]);
      await renderOrder(req, res, { refundValues: values, refundErrors: new Map([[api.field === 'amountMinor' ? 'amount' : api.field ?? '', api.message]]) }, api.status);
    }
  });

  // Needs attention's one click: the whole amount of a payment that arrived against a failed order.
  router.post('/admin/orders/:id/refunds/whole', operator, async (req, res) => {
    const orderId = idOf(req, 'order');
    try {
      await desk.requestSuspense(actionContext(req, res), orderId, { reason: 'Money received against a failed order' });
      res.redirect(303, backTo(req, orderId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'refunds', { ...(await refundsLocals(res)), error: error.message }, toApiError(error).status);
    }
  });

  const refundsLocals = async (res: Response) => {
    const caller = callerOf(res)!;
    const pending: PendingRefund[] = [];
    for (const r of await desk.awaitingApproval()) {
      const detail = (await order(r.orderId))!;
      pending.push({ ...r, productName: detail.order.productName, sellerName: detail.order.sellerName, orderAmountMinor: detail.order.amountMinor });
    }
    return {
      title: 'Refunds to approve',
      pending,
      canApprove: allows(caller.role, 'operator'),
      isRequester: (r: RefundView) => isRequester(r, caller),
      refundWords,
      error: null as string | null,
    };
  };

  router.get('/admin/refunds', viewer, async (req, res) => render(req, res, 'refunds', await refundsLocals(res)));

  // Approving and declining answer on the list: a refusal (one's own request, already decided)
  // is shown there, in words, with the status it carries.
  const decide = (act: (ctx: ActionContext, id: string, req: Request) => Promise<RefundView>) => async (req: Request, res: Response) => {
    const id = idOf(req, 'refund');
    try {
      const refund = await act(actionContext(req, res), id, req);
      res.redirect(303, bodyOf(req).back === 'order' ? `/admin/orders/${refund.orderId}` : '/admin/refunds');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      render(req, res, 'refunds', { ...(await refundsLocals(res)), error: error.message }, toApiError(error).status);
    }
  };
  router.post('/admin/refunds/:id/approve', operator, decide((ctx, id) => desk.approve(ctx, id)));
  router.post('/admin/refunds/:id/decline', operator, decide((ctx, id, req) => desk.decline(ctx, id, { reason: bodyOf(req).reason })));
}
