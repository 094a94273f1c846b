// MoMo behind the provider port: requesttopay to collect, a Disbursements transfer to pay out, a
// Disbursements refund (v2) to give a collection back, MoMo's errors sorted into what the engine
// can act on, and MoMo's reason map.
import { isRequestSpecificCode, MomoError, type MomoClient, type TransactionResult } from '../../momo';
import { ProviderError, type MovementKind, type PaymentProvider, type ProviderTransaction, type SendRequest } from '../port';
import { momoCallbackReference } from './callback';
import { acceptsCurrencyIn } from './markets';
import { momoReasonMap } from './reasons';
import { momoText } from './text';

/**
 * A create that MoMo refused outright created nothing, so the engine may fail it; any other
 * failure (no answer, a timeout, a 5xx about MoMo itself) leaves the outcome unknown until the
 * reference is read.
 */
export function classifyCreateError(error: unknown): ProviderError {
  if (!(error instanceof MomoError)) return new ProviderError('unknown', 'UNEXPECTED', String(error));
  const { status, code, message } = error;
  if (status === 409 || code === 'RESOURCE_ALREADY_EXIST') return new ProviderError('duplicate', code, message, status);
  const clientError = status !== null && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
  const refused = clientError || code === 'VALIDATION_ERROR' || (status !== null && isRequestSpecificCode(code));
  return new ProviderError(refused ? 'rejected' : 'unknown', code, message, status, error.retryAt ?? null);
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
    if (!(error instanceof MomoError)) throw new ProviderError('unknown', 'UNEXPECTED', String(error));
    if (error.status === 404) return null;
    throw new ProviderError('unknown', error.code, error.message, error.status, error.retryAt ?? null);
  }
}

function sendOf(client: MomoClient, r: SendRequest): Promise<string> {
  if (r.kind === 'refund') {
    if (!r.refundOf) return Promise.reject(new ProviderError('rejected', 'NO_ORIGINAL', 'a refund names the collection it gives back'));
    // v2 takes referenceIdToRefund and pays the original payer from the disbursement account (momo-api.md §4.2).
    return client.disbursement.refund({
      referenceId: r.referenceId, amountMinor: r.amountMinor, currency: r.currency, externalId: r.externalId,
      payerMessage: momoText(r.payerMessage), payeeNote: momoText(r.payeeNote), referenceIdToRefund: r.refundOf,
      ...(r.callbackUrl ? { callbackUrl: r.callbackUrl } : {}),
    }, 'v2_0');
  }
  const party = { partyIdType: 'MSISDN' as const, partyId: r.partyMsisdn };
  const common = {
    referenceId: r.referenceId,
    amountMinor: r.amountMinor,
    currency: r.currency,
    externalId: r.externalId,
    payerMessage: momoText(r.payerMessage),
    payeeNote: momoText(r.payeeNote),
    ...(r.callbackUrl ? { callbackUrl: r.callbackUrl } : {}),
  };
  return r.kind === 'collection'
    ? client.collection.requestToPay({ ...common, payer: party })
    : client.disbursement.transfer({ ...common, payee: party });
}

function readOf(client: MomoClient, kind: MovementKind, referenceId: string): Promise<TransactionResult> {
  if (kind === 'collection') return client.collection.getRequestToPay(referenceId);
  return kind === 'refund' ? client.disbursement.getRefund(referenceId) : client.disbursement.getTransfer(referenceId);
}

export interface MomoProviderOptions {
  /** How long MoMo leaves a payer to approve (APPROVAL_WINDOW_S): its reason codes read differently past it. */
  approvalWindowMs: number;
  /** MOMO_TARGET_ENVIRONMENT: which currencies MoMo takes depends on it. */
  targetEnvironment: string;
}

export function createMomoProvider(client: MomoClient, options: MomoProviderOptions): PaymentProvider {
  return {
    name: 'momo',
    async send(request) {
      try {
        await sendOf(client, request);
      } catch (error) {
        throw classifyCreateError(error);
      }
    },
    read: (kind: MovementKind, referenceId: string) => readOrNull(() => readOf(client, kind, referenceId)),
    async balances() {
      const [collection, disbursement] = await Promise.all([client.collection.getBalance(), client.disbursement.getBalance()]);
      return { collection, disbursement };
    },
    parseCallback: momoCallbackReference,
    reasonOf: momoReasonMap(options.approvalWindowMs),
    acceptsCurrency: acceptsCurrencyIn(options.targetEnvironment),
  };
}
