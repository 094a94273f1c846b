// What every step of the workflow needs, passed explicitly so tests can build it around a
// real database and a real provider, and nothing hides in module state.
import type { EventEmitter } from 'node:events';
import type { WorkerSettings } from '../config';
import type { OrderStore } from '../db';
import type { Logger } from '../log';
import type { PaymentProvider } from './provider';

export interface CheckoutContext {
  store: OrderStore;
  provider: PaymentProvider;
  settings: WorkerSettings;
  log: Logger;
  /** Emits `order` with the order id after every committed change of its state. */
  events: EventEmitter;
  clock: () => number;
  /** The X-Callback-Url for a reference, or null to rely on polling alone. */
  callbackUrl: (referenceId: string) => string | null;
  /** Tells the worker a check is due at `at`, in case it planned to sleep past it. */
  wake: (at: number) => void;
  /** How long a create call may take before the worker reads its reference itself. */
  sendGraceMs: number;
}
