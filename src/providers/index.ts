// The providers room's door: the port the engine talks to, Sokoni's reason kinds, the
// registry, and one adapter per provider (today MoMo).
export * from './port';
export * from './reasons';
export { ProviderRegistry } from './registry';
export { createMomoProvider } from './momo';
export { acceptsCurrencyIn } from './momo/markets';
