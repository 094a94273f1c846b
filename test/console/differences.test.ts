// Reconciliation differences under Needs attention (issue #13): what a reconciliation found is
// listed with the books' figure beside MoMo's, an operator resolves it there with a note (kept
// by the books, audited), and a viewer sees it without the form.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, demoProductId, pay } from '../checkout/helpers';
import { auditRowsOf, signedIn, startConsole, type ConsoleStore } from './helpers';

let store: ConsoleStore;
beforeAll(async () => {
  store = await startConsole();
});
afterAll(() => store?.close());

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

it('lists a difference, lets an operator resolve it with a note, and shows a viewer no form', async () => {
  const placed = await pay(store, { productId: demoProductId, qty: 1, phone: '256772123456' }, 20);
  expect(placed.body.status).toBe('settled');
  store.control.rewriteTransaction(placed.body.payout.referenceId, { status: 'FAILED' });
  const run = await store.http.post('/api/books/reconciliations').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ from: day(0), to: day(1) });
  expect(run.status, JSON.stringify(run.body)).toBe(201);
  // The status difference, and the balance one (the sandbox's opening balances were never booked).
  expect(run.body.unresolved, JSON.stringify(run.body)).toBe(2);
  const id = String((run.body.items as { id: number; kind: string }[]).find((item) => item.kind === 'status')!.id);

  const viewer = await signedIn(store, 'viewer');
  const seen = await viewer.get('/admin/attention');
  expect(seen.text).toContain('Reconciliation differences (2)');
  expect(seen.text).toContain(placed.body.payout.referenceId);
  expect(seen.text).not.toContain('/resolve"');

  const operator = await signedIn(store, 'operator');
  expect((await operator.get('/admin/attention')).text).toContain(`/admin/reconciliation-items/${id}/resolve`);
  const empty = await operator.post(`/admin/reconciliation-items/${id}/resolve`, { note: '' }, { from: '/admin/attention' });
  expect(empty.status).toBe(400);
  const done = await operator.post(`/admin/reconciliation-items/${id}/resolve`, { note: 'MTN confirmed the transfer arrived' }, { from: '/admin/attention' });
  expect(done.status).toBe(303);
  expect((await operator.get('/admin/attention')).text).toContain('Reconciliation differences (1)');
  expect(await auditRowsOf(store, 'reconciliation.resolve')).toEqual([
    expect.objectContaining({ actorEmail: 'operator@example.com', objectId: id, outcome: 'refused' }),
    expect.objectContaining({ actorEmail: 'operator@example.com', objectId: id, outcome: 'done' }),
  ]);
});
