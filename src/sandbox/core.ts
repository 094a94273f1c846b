// The sandbox's state and services, shared by the HTTP routes, the handset and the control API.
import { MomoAccounts } from './accounts';
import { Calls } from './calls';
import { Callbacks } from './callbacks';
import { Clock, Timers } from './clock';
import { Faults } from './faults';
import { Identity } from './identity';
import { RateLimits } from './rate-limits';
import { DEFAULT_SETTINGS, mergeSettings, SettingsError, type SandboxSettings, type SettingsPatch } from './settings';
import { SandboxStore } from './store';
import { Wallets } from './wallets';

export class SandboxCore {
  private current: SandboxSettings;
  readonly clock: Clock;
  readonly timers = new Timers();
  readonly identity: Identity;
  readonly wallets: Wallets;
  readonly faults: Faults;
  readonly calls = new Calls();
  readonly rateLimits: RateLimits;
  readonly callbacks: Callbacks;
  readonly accounts: MomoAccounts;
  readonly store: SandboxStore;

  constructor(options: SettingsPatch, now?: () => number) {
    this.current = mergeSettings(DEFAULT_SETTINGS, options);
    const settings = () => this.current;
    this.store = new SandboxStore(this.current.databasePath);
    this.clock = new Clock(now, Number(this.store.meta('clock_offset') ?? 0));
    this.identity = new Identity(this.clock, this.store);
    this.wallets = new Wallets(settings, this.store);
    this.faults = new Faults(settings);
    this.rateLimits = new RateLimits(settings);
    this.callbacks = new Callbacks(settings, this.timers, this.clock, (operation) => this.faults.dropCallback(operation));
    this.accounts = new MomoAccounts(settings, this.clock, this.timers, this.wallets, this.callbacks, this.store);
  }

  get settings(): SandboxSettings {
    return this.current;
  }

  updateSettings(patch: SettingsPatch): SandboxSettings {
    if (patch.databasePath !== undefined && patch.databasePath !== this.current.databasePath) {
      throw new SettingsError('databasePath: fixed when the sandbox starts');
    }
    this.current = mergeSettings(this.current, patch);
    return this.current;
  }

  advanceClock(ms: number): void {
    this.clock.advance(ms);
    this.store.setMeta('clock_offset', String(this.clock.offset));
    this.accounts.tick();
  }

  /** Forgets transactions, wallets, counts, limits, faults and the clock offset, in the store too; API users are kept unless asked. */
  reset(options: { users?: boolean } = {}): void {
    this.accounts.clear();
    this.wallets.clear();
    this.calls.reset();
    this.rateLimits.clear();
    this.faults.clear();
    this.clock.reset();
    if (options.users) this.identity.clear();
    this.store.clear({ users: options.users === true });
    this.store.setMeta('clock_offset', '0');
  }

  close(): void {
    this.callbacks.close();
    this.timers.clearAll();
    this.store.close();
  }
}
