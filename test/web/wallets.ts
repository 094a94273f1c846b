// A real MoMo sandbox on a real port for the tests that write sellers: their numbers are
// checked with MoMo's account-holder calls, as the store does.
import type { VerifyWallet } from '../../src/catalogue';
import { momoWalletCheck } from '../../src/server';
import { clientFor, startHarness, type Harness } from '../momo/helpers';

export interface WalletSandbox {
  harness: Harness;
  verifyWallet: VerifyWallet;
  close(): Promise<void>;
}

export async function startWalletSandbox(): Promise<WalletSandbox> {
  const harness = await startHarness();
  return { harness, verifyWallet: momoWalletCheck(clientFor(harness).client), close: () => harness.close() };
}
