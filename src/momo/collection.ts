// Collections: getting paid by a MoMo customer (requesttopay) and paying one out of their own
// wallet at an agent (requesttowithdraw).
import type { CallChannel } from './channel';
import { accountOperations, apiVersion, createTransaction, readTransaction } from './common';
import type { Collections } from './types';
import { Checker } from './validate';

const LANGUAGE = /^[a-z]{2,3}$/i;
// Node refuses header values outside Latin-1, so a message is copied into the header only
// when it is plain ASCII; the body always carries it.
const HEADER_SAFE = /^[\x20-\x7e]+$/;

export function createCollections(channel: CallChannel): Collections {
  return {
    requestToPay: (input) =>
      createTransaction(channel, { operation: 'collection.requestToPay', path: '/collection/v1_0/requesttopay', partyField: 'payer' }, input),

    getRequestToPay: (referenceId) =>
      readTransaction(channel, 'collection.getRequestToPay', '/collection/v1_0/requesttopay', referenceId, 'payer'),

    requestToWithdraw: async (input, version) => {
      const operation = 'collection.requestToWithdraw';
      return createTransaction(channel, { operation, path: `/collection/${apiVersion(operation, version)}/requesttowithdraw`, partyField: 'payer' }, input);
    },

    getRequestToWithdraw: (referenceId) =>
      readTransaction(channel, 'collection.getRequestToWithdraw', '/collection/v1_0/requesttowithdraw', referenceId, 'payer'),

    async deliveryNotification(referenceId, message, language) {
      const operation = 'collection.deliveryNotification';
      const check = new Checker(operation, typeof referenceId === 'string' ? referenceId : null);
      const id = check.referenceIdV4(referenceId);
      const text = check.message(message, 'message');
      const headers: Record<string, string> = {};
      if (HEADER_SAFE.test(text)) headers.notificationMessage = text;
      if (language !== undefined) {
        if (typeof language !== 'string' || !LANGUAGE.test(language)) check.fail('language', 'must be an ISO 639 code such as en or sw');
        headers.Language = language;
      }
      await channel.call({
        operation,
        method: 'POST',
        path: `/collection/v1_0/requesttopay/${id}/deliverynotification`,
        referenceId: id,
        headers,
        body: { notificationMessage: text },
        expect: [200],
        // MoMo answers a second notification for one transaction with 429, which after a lost
        // answer means the first one was delivered, and which waiting would never change.
        alreadyDoneStatus: 429,
      });
    },

    ...accountOperations('collection', channel),
  };
}
