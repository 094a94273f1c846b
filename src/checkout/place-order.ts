// Placing an order: validate against the catalogue, write the order and its collection (with
// the provider's reference) in one transaction, and only then ask the provider to collect.
import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type MovementOf, type OrderRow } from '../db';
import { DomainError } from '../domain-error';
import { currencyOf, splitShare, formatMoney } from '../money';
import { timeOrderedUuid } from '../uuid';
import type { CheckoutContext } from './context';

export interface PlaceOrderInput {
  productId: string;
  qty: number;
  /** Already normalised: country code first, digits only. */
  msisdn: string;
  idempotencyKey: string | null;
}

function sameRequest(order: OrderRow, input: PlaceOrderInput): boolean {
  return order.productId === input.productId && order.qty === input.qty && order.payerMsisdn === input.msisdn;
}

async function existingFor(ctx: CheckoutContext, input: PlaceOrderInput): Promise<OrderRow | undefined> {
  if (!input.idempotencyKey) return undefined;
  const order = await ctx.orders.orderByIdempotencyKey(input.idempotencyKey);
  if (order && !sameRequest(order, input)) {
    throw new DomainError('conflict', 'idempotency_key_reused', 'This idempotencyKey was already used for a different order', 'idempotencyKey');
  }
  return order;
}

/** Another request with the same key wrote its order first (orders.idempotency_key is unique), on either database. */
function isIdempotencyCollision(error: unknown): boolean {
  return isUniqueViolation(error, { table: 'orders', columns: ['idempotency_key'] });
}

/** What placing answers: the order, and its collection as written when this call created it (not for a repeated idempotency key). */
export type PlacedOrder = { order: OrderRow; created: false } | { order: OrderRow; created: true; collection: MovementOf<'collection'> };

export async function createOrder(ctx: CheckoutContext, input: PlaceOrderInput): Promise<PlacedOrder> {
  const existing = await existingFor(ctx, input);
  if (existing) return { order: existing, created: false };

  const product = await ctx.orders.productForOrder(input.productId);
  if (!product) throw new DomainError('refused', 'product_not_found', 'No product with this id', 'productId');
  if (!product.active || !ctx.forSale(product)) throw new DomainError('refused', 'product_inactive', 'This product is not for sale at the moment', 'productId');

  const currency = currencyOf(product.currency);
  const amountMinor = product.priceMinor * input.qty;
  if (amountMinor < currency.minMinor || amountMinor > currency.maxMinor) {
    const range = `${formatMoney(currency.minMinor, currency.code)} to ${formatMoney(currency.maxMinor, currency.code)}`;
    throw new DomainError('refused', 'amount_out_of_range', `A MoMo payment must be from ${range}; change the quantity`, 'qty');
  }

  const split = splitShare(amountMinor, product.sellerShareBps);
  const now = ctx.clock();
  const order = {
    // Time-ordered: each order's rows go beside the last order's in every index on an order id.
    id: timeOrderedUuid(now),
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
  let collection: MovementOf<'collection'>;
  try {
    // Until the send settles, the collection is held by this process's lease; if the process
    // dies first, the worker finds it due when the lease runs out (or at once on restart).
    collection = await ctx.orders.createOrderWithPayment(order, randomUUID(), now, ctx.engine.sendLease(now), ctx.providers.default.name);
  } catch (error) {
    if (input.idempotencyKey && isIdempotencyCollision(error)) {
      return { order: (await existingFor(ctx, input))!, created: false };
    }
    throw error;
  }
  // The rows as written (createOrderWithPayment): no need to read them back.
  return { order: { ...order, status: 'pending', createdAt: now, updatedAt: now }, created: true, collection };
}
