// Remittance: transfer, plus the shared routes.
import type { Route } from '../dispatch';
import { sharedRoutes } from './shared';
import { createRoute, statusRoute } from './transactions';

export const remittanceRoutes: Route[] = [
  ...sharedRoutes('remittance'),
  createRoute({ product: 'remittance', kind: 'transfer', version: 'v1_0', path: 'transfer', operation: 'remittance.transfer' }),
  statusRoute('remittance', 'transfer', ['transfer'], 'remittance.getTransfer'),
];
