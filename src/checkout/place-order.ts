// Placing an order: validate against the catalogue, write the order and its payment (with the
// MoMo reference) in one transaction, and only then ask the provider to collect.
import { randomUUID } from 'node:crypto';
import { currencyOf, splitShare, formatMoney } from '../money';
import type { OrderRow } from '../db';
import type { CheckoutContext } from './context';
import { momoText } from './reasons';

export interface PlaceOrderInput {
  productId: string;
  qty: number;
  /** Already normalised: country code first, digits only. */
  msisdn: string;
  idempotencyKey: string | null;
}

export class CheckoutError extends Error {
  override name = 'CheckoutError';
  constructor(
    readonly code: string,
    message: string,
    readonly field: string,
    readonly status: 404 | 409 | 422,
  ) {
    super(message);
  }
}

function sameRequest(order: OrderRow, input: PlaceOrderInput): boolean {
  return order.productId === input.productId && order.qty === input.qty && order.payerMsisdn === input.msisdn;
}

function existingFor(ctx: CheckoutContext, input: PlaceOrderInput): OrderRow | undefined {
  if (!input.idempotencyKey) return undefined;
  const order = ctx.store.orderByIdempotencyKey(input.idempotencyKey);
  if (order && !sameRequest(order, input)) {
    throw new CheckoutError('idempotency_key_reused', 'This idempotencyKey was already used for a different order', 'idempotencyKey', 409);
  }
  return order;
}

function isIdempotencyCollision(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed: orders\.idempotency_key/.test(error.message);
}

/** Returns the order, and whether this call created it (false for a repeated idempotency key). */
export function createOrder(ctx: CheckoutContext, input: PlaceOrderInput): { order: OrderRow; created: boolean } {
  const existing = existingFor(ctx, input);
  if (existing) return { order: existing, created: false };

  const product = ctx.store.productForOrder(input.productId);
  if (!product) throw new CheckoutError('product_not_found', 'No product with this id', 'productId', 422);
  if (!product.active) throw new CheckoutError('product_inactive', 'This product is not for sale at the moment', 'productId', 422);

  const currency = currencyOf(product.currency);
  const amountMinor = product.priceMinor * input.qty;
  if (amountMinor < currency.minMinor || amountMinor > currency.maxMinor) {
    const range = `${formatMoney(currency.minMinor, currency.code)} to ${formatMoney(currency.maxMinor, currency.code)}`;
    throw new CheckoutError('amount_out_of_range', `A MoMo payment must be from ${range}; change the quantity`, 'qty', 422);
  }

  const split = splitShare(amountMinor, product.sellerShareBps);
  const now = ctx.clock();
  const order = {
    id: randomUUID(),
    idempotencyKey: input.idempotencyKey,
    productId: product.id,
    sellerId: product.sellerId,
    qty: input.qty,
    unitPriceMinor: product.priceMinor,
    amountMinor,
    currency: currency.code,
    sellerShareBps: product.sellerShareBps,
    sellerAmountMinor: split.seller,
    platformAmountMinor: split.platform,
    payerMsisdn: input.msisdn,
  };
  try {
    // Until the send below settles, the worker leaves the payment alone; if this process dies
    // first, the worker finds it due after the grace period (or at once on restart).
    ctx.store.createOrderWithPayment(order, randomUUID(), now, now + ctx.sendGraceMs);
  } catch (error) {
    if (input.idempotencyKey && isIdempotencyCollision(error)) {
      return { order: existingFor(ctx, input)!, created: false };
    }
    throw error;
  }
  return { order: ctx.store.order(order.id)!, created: true };
}

export function collectMessages(productName: string, qty: number): { payerMessage: string; payeeNote: string } {
  return {
    payerMessage: momoText(`Sokoni: ${qty} x ${productName}`),
    payeeNote: momoText(`${qty} x ${productName}`),
  };
}
