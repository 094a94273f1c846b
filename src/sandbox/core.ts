// The sandbox's state and services, shared by the HTTP routes, the handset and the control API.
import { Calls } from './calls';
import { Callbacks } from './callbacks';
import { Clock, Timers } from './clock';
import { Faults } from './faults';
import { Identity } from './identity';
import { RateLimits } from './rate-limits';
import { MomoAccounts } from './accounts';
import { DEFAULT_SETTINGS, mergeSettings, type SandboxSettings, type SettingsPatch } from './settings';
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

  constructor(options: SettingsPatch, now?: () => number) {
    this.current = mergeSettings(DEFAULT_SETTINGS, options);
    const settings = () => this.current;
    this.clock = new Clock(now);
    this.identity = new Identity(this.clock);
    this.wallets = new Wallets(settings);
    this.faults = new Faults(settings);
    this.rateLimits = new RateLimits(settings);
    this.callbacks = new Callbacks(settings, this.timers, (operation) => this.faults.dropCallback(operation));
    this.accounts = new MomoAccounts(settings, this.clock, this.timers, this.wallets, this.callbacks);
  }

  get settings(): SandboxSettings {
    return this.current;
  }

  updateSettings(patch: SettingsPatch): SandboxSettings {
    this.current = mergeSettings(this.current, patch);
    return this.current;
  }

  advanceClock(ms: number): void {
    this.clock.advance(ms);
    this.accounts.tick();
  }

  /** Forgets transactions, wallets, counts, faults and the clock offset; API users are kept unless asked. */
  reset(options: { users?: boolean } = {}): void {
    this.accounts.clear();
    this.wallets.clear();
    this.calls.reset();
    this.rateLimits.clear();
    this.faults.clear();
    this.clock.reset();
    if (options.users) this.identity.clear();
  }

  close(): void {
    this.callbacks.close();
    this.timers.clearAll();
  }
}
