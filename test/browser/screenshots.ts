// What every README screenshot script shares: where the pictures go, a phone's viewport, and
// Debian's Chromium (a script without it stops at once, saying how to install it).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { chromiumPath, INSTALL_HINT, launchChromium } from './chromium';

export const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
export const PHONE = { width: 360, height: 740 };

export function screenshotBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  mkdirSync(OUT, { recursive: true });
  return launchChromium(executablePath);
}
