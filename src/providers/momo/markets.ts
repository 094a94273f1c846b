// Which currencies each MoMo target environment takes (momo-api.md §1.3, §1.4). MTN's sandbox
// takes EUR only; a live market takes its own currency. MTN publishes no table: the live rows are
// the local ISO 4217 codes of the markets in the integration guide (seed 004) and §1.3's list.
const CURRENCIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['sandbox', ['EUR']],
  ['mtnuganda', ['UGX']],
  ['mtnghana', ['GHS']],
  ['mtnrwanda', ['RWF']],
  ['mtnzambia', ['ZMW']],
  ['mtnnigeria', ['NGN']],
  ['mtnbenin', ['XOF']],
  ['mtnivorycoast', ['XOF']],
  ['mtncameroon', ['XAF']],
  ['mtncongo', ['XAF']],
  ['mtnguineaconakry', ['GNF']],
  ['mtnliberia', ['LRD']],
  ['mtnswaziland', ['SZL']],
  ['mtnsouthafrica', ['ZAR']],
  ['mtnsouthsudan', ['SSP']],
]);

/**
 * Whether MoMo in this target environment can take payments in `code`. A market missing from the
 * table is not second-guessed: MoMo itself answers INVALID_CURRENCY there.
 */
export function acceptsCurrencyIn(targetEnvironment: string): (code: string) => boolean {
  const accepted = CURRENCIES.get(targetEnvironment);
  return (code) => accepted === undefined || accepted.includes(code);
}
