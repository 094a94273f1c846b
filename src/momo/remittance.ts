// Remittances: cross-border transfers into MoMo wallets (missing from the mtn-momo package).
import type { CallChannel } from './channel';
import { accountOperations, createTransaction, readTransaction } from './common';
import type { Remittances } from './types';

export function createRemittances(channel: CallChannel): Remittances {
  return {
    transfer: (input) =>
      createTransaction(channel, { operation: 'remittance.transfer', path: '/remittance/v1_0/transfer', partyField: 'payee' }, input),

    getTransfer: (referenceId) =>
      readTransaction(channel, 'remittance.getTransfer', '/remittance/v1_0/transfer', referenceId, 'payee'),

    ...accountOperations('remittance', channel),
  };
}
