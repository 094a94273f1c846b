// Disbursements: paying out of Sokoni's account (seller payouts), deposits and refunds of
// collected payments.
import type { CallChannel } from './channel';
import { accountOperations, apiVersion, createTransaction, readTransaction } from './common';
import type { Disbursements } from './types';

export function createDisbursements(channel: CallChannel): Disbursements {
  return {
    transfer: (input) =>
      createTransaction(channel, { operation: 'disbursement.transfer', path: '/disbursement/v1_0/transfer', partyField: 'payee' }, input),

    getTransfer: (referenceId) =>
      readTransaction(channel, 'disbursement.getTransfer', '/disbursement/v1_0/transfer', referenceId, 'payee'),

    deposit: async (input, version) => {
      const operation = 'disbursement.deposit';
      return createTransaction(channel, { operation, path: `/disbursement/${apiVersion(operation, version)}/deposit`, partyField: 'payee' }, input);
    },

    getDeposit: (referenceId) =>
      readTransaction(channel, 'disbursement.getDeposit', '/disbursement/v1_0/deposit', referenceId, 'payee'),

    refund: async (input, version) => {
      const operation = 'disbursement.refund';
      return createTransaction(channel, { operation, path: `/disbursement/${apiVersion(operation, version)}/refund`, partyField: null }, input);
    },

    getRefund: (referenceId) =>
      readTransaction(channel, 'disbursement.getRefund', '/disbursement/v1_0/refund', referenceId, 'payee'),

    ...accountOperations('disbursement', channel),
  };
}
