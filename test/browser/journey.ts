// A person's journey in one browser context, and the other people's phones it meets (`phone()`:
// an operator, a shopper). Each named step keeps a screenshot of every open page in memory; when
// the journey fails they are written to test/artifacts/, with one of the moment of failure, so a
// red CI run shows what each person saw.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

export interface Journey {
  context: BrowserContext;
  /** A phone-sized page in the journey's context. */
  page: Page;
  /** Runs a step, then keeps a screenshot of every open page under the step's name. */
  step<T>(name: string, action: () => Promise<T>): Promise<T>;
  /** Someone else's phone: a page in a new context (own cookies) of the same size, kept in the screenshots and closed with the journey. */
  phone(): Promise<Page>;
}

interface JourneyOptions {
  javaScript?: boolean;
  viewport?: { width: number; height: number };
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export async function journey(browser: Browser, name: string, run: (j: Journey) => Promise<void>, options: JourneyOptions = {}): Promise<void> {
  const settings = { viewport: options.viewport ?? { width: 390, height: 844 }, javaScriptEnabled: options.javaScript ?? true };
  const context = await browser.newContext(settings);
  const contexts = [context];
  const page = await context.newPage();
  const shots: { file: string; png: Buffer }[] = [];
  const snapshot = async (label: string) => {
    for (const [index, open] of contexts.flatMap((c) => c.pages()).entries()) {
      const png = await open.screenshot({ fullPage: true }).catch(() => null);
      if (png) shots.push({ file: `${slug(name)}-${String(shots.length).padStart(2, '0')}-${slug(label)}-page${index}.png`, png });
    }
  };
  let current = 'start';
  try {
    await run({
      context,
      page,
      async step(label, action) {
        current = label;
        const result = await action();
        await snapshot(label);
        return result;
      },
      async phone() {
        const other = await browser.newContext(settings);
        contexts.push(other);
        return other.newPage();
      },
    });
  } catch (error) {
    await snapshot(`failed-in-${current}`);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    for (const shot of shots) writeFileSync(`${ARTIFACTS_DIR}${shot.file}`, shot.png);
    throw new Error(`${(error as Error).message}\n(step "${current}"; screenshots in test/artifacts/${slug(name)}-*.png)`, { cause: error });
  } finally {
    for (const open of contexts) await open.close();
  }
}
