// What placing and following orders needs, passed explicitly so tests can build it around a
// real database and a real provider, and nothing hides in module state.
import type { WorkerSettings } from '../config';
import type { OrderStore, ProductForOrder } from '../db';
import type { Logger } from '../log';
import type { MovementEngine } from '../movements';
import type { ProviderRegistry } from '../providers';

export interface CheckoutContext {
  orders: OrderStore;
  engine: MovementEngine;
  providers: ProviderRegistry;
  settings: WorkerSettings;
  log: Logger;
  clock: () => number;
  forSale: (product: ProductForOrder) => boolean;
}
