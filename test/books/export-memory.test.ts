// Exporting 100,000 orders stays under 100 MB RSS. The export runs in a process of its own that
// measures its own RSS. That process runs the code bundled by esbuild (tsx's own compiler) rather
// than under tsx, whose loader alone holds some 35 MB that no export causes. Of the rest, Node
// with better-sqlite3 is some 47 MB and SQLite's page cache up to 16 MB before anything is
// exported. V8 also grows its young generation (up to 3 × 16 MB) when memory looks plentiful,
// later the busier the machine: with Node's defaults this export peaks at about 87 MB on a quiet
// machine and 106 MB beside other tests. The child caps the semispaces at 2 MB
// (--max-semi-space-size, as a memory-bound deployment would set in NODE_OPTIONS), so what is
// measured is what the export holds, not when V8 chose to collect.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../db/helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 100_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('the orders export', () => {
  it('streams 100,000 orders in under 100 MB RSS', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    // Inside the checkout, so the bundle finds better-sqlite3 in node_modules.
    const out = join(process.cwd(), 'node_modules', '.cache', `sokoni-books-${process.pid}`);
    mkdirSync(out, { recursive: true });
    cleanups.push(() => rmSync(out, { recursive: true, force: true }));
    const child = join(out, 'export-memory-child.mjs');
    await build({ entryPoints: ['test/books/export-memory-child.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: child, packages: 'external', logLevel: 'error' });

    await run(['--import', 'tsx', 'test/books/export-memory-child.ts', 'fill', temp.dir, '100000']);
    const result = JSON.parse((await run(['--max-semi-space-size=2', child, 'export', temp.dir])).trim()) as { rows: number; bytes: number; peakRssMb: number };
    expect(result.rows).toBe(100_000);
    // About 196 bytes a line: the export is far larger than what the process may hold.
    expect(result.bytes).toBeGreaterThan(100_000 * 150);
    expect(result.peakRssMb).toBeLessThan(100);
  }, 120_000);
});
