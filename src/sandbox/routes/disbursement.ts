// Disbursement: transfer, deposit and refund (v1_0 and v2_0), plus the shared routes.
import type { Route } from '../dispatch';
import { sharedRoutes } from './shared';
import { createRoute, statusRoute } from './transactions';

export const disbursementRoutes: Route[] = [
  ...sharedRoutes('disbursement'),
  createRoute({ product: 'disbursement', kind: 'transfer', version: 'v1_0', path: 'transfer', operation: 'disbursement.transfer' }),
  statusRoute('disbursement', 'transfer', ['transfer'], 'disbursement.getTransfer'),
  createRoute({ product: 'disbursement', kind: 'deposit', version: 'v1_0', path: 'deposit', operation: 'disbursement.deposit' }),
  createRoute({ product: 'disbursement', kind: 'deposit', version: 'v2_0', path: 'deposit', operation: 'disbursement.depositV2' }),
  statusRoute('disbursement', 'deposit', ['deposit'], 'disbursement.getDeposit'),
  createRoute({ product: 'disbursement', kind: 'refund', version: 'v1_0', path: 'refund', operation: 'disbursement.refund' }),
  createRoute({ product: 'disbursement', kind: 'refund', version: 'v2_0', path: 'refund', operation: 'disbursement.refundV2' }),
  statusRoute('disbursement', 'refund', ['refund'], 'disbursement.getRefund'),
];
