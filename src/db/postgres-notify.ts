// Live pages across instances (issue #17). An order's watchers (long-polls, event streams, the
// seller portal's and the console's live views) live in the instance that serves them, but the
// change may be made by any instance's worker. On PostgreSQL each change is announced with
// NOTIFY once committed, and every instance holds one connection that LISTENs and hands each
// order id to its own watchers. SQLite has one process, so its changes never leave it.
import pg from 'pg';
import type { Logger } from '../log';
import type { Sql } from './sql';

/** The channel every instance on one database listens to; the payload is an order id. */
export const ORDER_CHANNEL = 'sokoni_orders';

/** Order changes shared between the instances on one database. */
export interface OrderChanges {
  /** After the commit: tells every instance, this one included, that the order changed. Never throws. */
  publish(orderId: string): void;
  /**
   * Hears the changes every instance publishes, this one's own too (a watcher re-reads the order,
   * so a duplicate costs a read). `missed` is called when changes may have gone unheard (the
   * listening connection was lost and is back): whoever watches should read again.
   * Returns the unsubscribe function.
   */
  subscribe(listener: (orderId: string) => void, missed?: () => void): () => void;
  close(): Promise<void>;
}

export interface PostgresOrderChangesOptions {
  /** The database's URL, for the listening connection of its own. */
  url: string;
  /** Where NOTIFY is sent from: the instance's pool. */
  sql: Sql;
  log: Logger;
  /** The first wait before connecting again after the listening connection is lost; it doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Subscriber {
  listener: (orderId: string) => void;
  missed: () => void;
}

/** Names the listening connection in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'sokoni_listen';

/**
 * Publishes through the pool and listens on one dedicated pg.Client. A lost connection is
 * opened again after a backoff that doubles while it keeps failing (never a hot loop), and is
 * reset once LISTEN succeeds again.
 */
export class PostgresOrderChanges implements OrderChanges {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Connections lost in a row without LISTEN succeeding in between. */
  private failures = 0;
  /** Whether the connection is listening now. */
  private listeningNow = false;
  /** Since when the connection has not been listening (epoch ms); null while it listens. */
  private lostSince: number | null = null;
  /** Whether LISTEN ever succeeded: a later one follows a gap in which changes may have been missed. */
  private listenedBefore = false;
  private waiting: (() => void)[] = [];
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: PostgresOrderChangesOptions) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 15_000;
  }

  /** Opens the listening connection; resolves once it listens (retrying in the background until then). */
  start(): Promise<void> {
    const listening = this.listening();
    void this.connect();
    return listening;
  }

  /** Resolves once the listening connection is (again) listening. */
  listening(): Promise<void> {
    if (this.listeningNow) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * For /readyz: whether this instance hears the others' changes now. Not hearing them does not
   * stop it taking orders (its own changes reach its own watchers, and a long-poll reads again at
   * its timeout), so the check stays ok and says what is late and since when.
   */
  readiness(): { ok: boolean; detail: string } {
    if (this.listeningNow) return { ok: true, detail: 'listening for other instances\' order changes' };
    if (this.lostSince === null) return { ok: true, detail: 'connecting the listener for other instances\' order changes' };
    return {
      ok: true,
      detail: `not listening since ${new Date(this.lostSince).toISOString()} (${this.failures} tries); live pages hear other instances' changes only when they read again`,
    };
  }

  publish(orderId: string): void {
    this.options.sql.run(`SELECT pg_notify('${ORDER_CHANNEL}', ?)`, [orderId]).catch((error: unknown) => {
      // The change itself is committed; only other instances' live pages hear of it late (at
      // their long-poll's timeout, or their page's next load).
      this.options.log.warn('orders.notify_failed', { orderId, error });
    });
  }

  subscribe(listener: (orderId: string) => void, missed: () => void = () => undefined): () => void {
    const subscriber = { listener, missed };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    this.listeningNow = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.options.url, application_name: LISTENER_APPLICATION_NAME });
    let lost = false;
    const lose = (error?: unknown) => {
      if (lost) return;
      lost = true;
      if (this.client === client) {
        this.client = null;
        this.listeningNow = false;
        this.lostSince ??= Date.now();
      }
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      this.retry(error);
    };
    client.on('error', lose);
    client.on('end', () => lose());
    client.on('notification', (message) => {
      if (message.channel === ORDER_CHANNEL && message.payload) this.dispatch(message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ORDER_CHANNEL}`);
    } catch (error) {
      lose(error);
      return;
    }
    if (lost || this.closed) return;
    if (this.failures > 0) this.options.log.info('orders.listen_recovered', { after: this.failures });
    this.failures = 0;
    this.listeningNow = true;
    this.lostSince = null;
    const gap = this.listenedBefore;
    this.listenedBefore = true;
    for (const resolve of this.waiting.splice(0)) resolve();
    if (gap) for (const subscriber of [...this.subscribers]) this.call(() => subscriber.missed());
  }

  private retry(error: unknown): void {
    if (this.closed) return;
    this.failures++;
    // Logged when it starts failing, not on every try: a database that is down must not flood the log.
    if (this.failures === 1) this.options.log.warn('orders.listen_lost', { error });
    const delay = Math.min(this.minBackoffMs * 2 ** (this.failures - 1), this.maxBackoffMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private dispatch(orderId: string): void {
    for (const subscriber of [...this.subscribers]) this.call(() => subscriber.listener(orderId));
  }

  /** One watcher's failure must not keep the change from the others. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.log.error('orders.watcher_failed', { error });
    }
  }
}
