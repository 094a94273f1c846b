// Arguments of every `npm run` command, one way: node's parseArgs, strict. `--help` (or `-h`)
// prints the command's usage on stdout and exits 0 before the command does anything; an unknown
// option, a missing value or a bad one is one line on stderr and exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };
export type Args<O extends Options> = ReturnType<typeof parseArgs<{ options: WithHelp<O>; strict: true; allowPositionals: false }>>['values'];

export interface Command<O extends Options> {
  /** As people type it, e.g. `npm run seed`. */
  name: string;
  /** The whole --help text. */
  usage: string;
  options: O;
}

export function readArgs<const O extends Options>(command: Command<O>, argv: string[] = process.argv.slice(2)): Args<O> {
  const options = { ...command.options, help: { type: 'boolean', short: 'h' } } as WithHelp<O>;
  let values: Args<O>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs explains itself in a few sentences; the first says what was wrong.
    const message = error instanceof Error ? error.message.split(/\.\s/)[0]! : String(error);
    return refuse(command, message);
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${command.usage.trimEnd()}\n`);
    process.exit(0);
  }
  return values;
}

/** One line on stderr saying what is wrong with the arguments, and exit code 2. */
export function refuse(command: { name: string }, message: string): never {
  process.stderr.write(`${command.name}: ${message} (${command.name} -- --help shows the usage)\n`);
  process.exit(2);
}

/** A flag's value as a number, or refuse: `above` a bound (exclusive), or `atLeast` one, optionally whole. */
export function numberArg(
  command: { name: string },
  flag: string,
  value: string | undefined,
  rule: { above: number } | { atLeast: number; integer?: boolean },
): number {
  const n = Number(value);
  const ok = value !== undefined && value.trim() !== '' && Number.isFinite(n)
    && ('above' in rule ? n > rule.above : n >= rule.atLeast && (!rule.integer || Number.isInteger(n)));
  if (ok) return n;
  const wanted = 'above' in rule ? `a number above ${rule.above}` : `${rule.integer ? 'an integer' : 'a number'} of at least ${rule.atLeast}`;
  return refuse(command, `--${flag} must be ${wanted}, not ${JSON.stringify(value ?? '')}`);
}
