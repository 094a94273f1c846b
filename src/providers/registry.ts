// Providers looked up by the name each movement row carries, so a row always goes back to the
// provider that holds its money, whichever is the default for new ones.
import type { PaymentProvider } from './port';

export class ProviderRegistry {
  private readonly byName = new Map<string, PaymentProvider>();

  constructor(providers: readonly PaymentProvider[], readonly defaultName: string) {
    for (const provider of providers) this.byName.set(provider.name, provider);
    if (!this.byName.has(defaultName)) throw new Error(`no provider named ${defaultName}`);
  }

  get(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new Error(`no provider named ${name}`);
    return provider;
  }

  get default(): PaymentProvider {
    return this.get(this.defaultName);
  }
}
