// MoMo's callbacks are unsigned and sent once, so their body is never trusted: a callback only
// names a reference, whose status is then read. Sokoni's callback URLs carry `ref`; a body's
// referenceId is accepted too, for hand-made tests.
import { isUuid } from '../../uuid';
import type { IncomingCallback } from '../port';

export function momoCallbackReference({ query, body }: IncomingCallback): string | null {
  if (isUuid(query.ref)) return query.ref;
  try {
    const parsed = JSON.parse(body) as { referenceId?: unknown } | null;
    return parsed !== null && typeof parsed === 'object' && isUuid(parsed.referenceId) ? parsed.referenceId : null;
  } catch {
    return null;
  }
}
