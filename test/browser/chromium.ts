// Finding and launching Debian's Chromium for the browser tests. playwright-core never
// downloads a browser: CI installs the `chromium` package (.ci/run), developers do the same.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const INSTALL_HINT = 'Chromium not found: install it with `apt-get install chromium` (or set CHROMIUM_PATH) to run the browser tests.';

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((path): path is string => typeof path === 'string' && path !== '' && existsSync(path));
}

/** In CI a missing browser must fail the run, never skip it quietly. */
export const browserRequired = process.env.CI === 'true';

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    // Root in a container with a closed network: without these Chromium waits on lookups and
    // background services, or refuses to start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
