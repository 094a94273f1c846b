// MoMo behind the checkout's provider port: requesttopay to collect, Disbursements transfer
// to pay out, and MoMo's errors sorted into what the workflow can act on.
import { isRequestSpecificCode, MomoError, type MomoClient, type TransactionResult } from '../momo';
import { ProviderError, type PaymentProvider, type ProviderTransaction } from './provider';

/**
 * A create that MoMo refused outright created nothing, so the workflow may fail it; any other
 * failure (no answer, a timeout, a 5xx about MoMo itself) leaves the outcome unknown until the
 * reference is read.
 */
export function classifyCreateError(error: unknown): ProviderError {
  if (!(error instanceof MomoError)) return new ProviderError('unknown', 'UNEXPECTED', String(error));
  const { status, code, message } = error;
  if (status === 409 || code === 'RESOURCE_ALREADY_EXIST') return new ProviderError('duplicate', code, message, status);
  const clientError = status !== null && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
  const refused = clientError || code === 'VALIDATION_ERROR' || (status !== null && isRequestSpecificCode(code));
  return new ProviderError(refused ? 'rejected' : 'unknown', code, message, status);
}

function toTransaction(result: TransactionResult): ProviderTransaction {
  return {
    status: result.status,
    amountMinor: result.amountMinor,
    currency: result.currency,
    financialTransactionId: result.financialTransactionId,
    reason: result.reason?.code ?? null,
  };
}

async function readOrNull(read: () => Promise<TransactionResult>): Promise<ProviderTransaction | null> {
  try {
    return toTransaction(await read());
  } catch (error) {
    if (error instanceof MomoError && error.status === 404) return null;
    throw error;
  }
}

async function create(send: () => Promise<string>): Promise<void> {
  try {
    await send();
  } catch (error) {
    throw classifyCreateError(error);
  }
}

export function momoProvider(client: MomoClient): PaymentProvider {
  return {
    name: 'momo',
    collect: (r) =>
      create(() =>
        client.collection.requestToPay({
          referenceId: r.referenceId,
          amountMinor: r.amountMinor,
          currency: r.currency,
          externalId: r.externalId,
          payer: { partyIdType: 'MSISDN', partyId: r.payerMsisdn },
          payerMessage: r.payerMessage,
          payeeNote: r.payeeNote,
          ...(r.callbackUrl ? { callbackUrl: r.callbackUrl } : {}),
        }),
      ),
    getCollection: (referenceId) => readOrNull(() => client.collection.getRequestToPay(referenceId)),
    payout: (r) =>
      create(() =>
        client.disbursement.transfer({
          referenceId: r.referenceId,
          amountMinor: r.amountMinor,
          currency: r.currency,
          externalId: r.externalId,
          payee: { partyIdType: 'MSISDN', partyId: r.payeeMsisdn },
          payerMessage: r.payerMessage,
          payeeNote: r.payeeNote,
          ...(r.callbackUrl ? { callbackUrl: r.callbackUrl } : {}),
        }),
      ),
    getPayout: (referenceId) => readOrNull(() => client.disbursement.getTransfer(referenceId)),
    async balances() {
      const [collection, disbursement] = await Promise.all([client.collection.getBalance(), client.disbursement.getBalance()]);
      return { collection, disbursement };
    },
  };
}
