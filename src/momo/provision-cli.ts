// npm run momo:provision -- --host <callback host> --primary-key <subscription key>
//   [--product collection|disbursement|remittance] [--base-url URL]
// Prints the .env lines on stdout (and nothing else there, so the output can be appended to
// .env); any failure goes to stderr with a non-zero exit code.
import { readArgs, refuse } from '../cli-args';
import { MomoError } from './errors';
import { MTN_SANDBOX_URL, provision } from './provision';
import type { MomoProduct } from './types';

const PRODUCTS: MomoProduct[] = ['collection', 'disbursement', 'remittance'];

const USAGE = `usage: npm run momo:provision -- --host <callback host> --primary-key <subscription key>
         [--product collection|disbursement|remittance] [--base-url URL]

  --host         host MoMo may call back, e.g. webhook.site or your ngrok host (a URL is cut to its host)
  --primary-key  the product's primary subscription key from momodeveloper.mtn.com
  --product      which product the key belongs to (default collection)
  --base-url     MoMo to provision against (default ${MTN_SANDBOX_URL})`;

const COMMAND = {
  name: 'npm run momo:provision',
  usage: USAGE,
  options: {
    host: { type: 'string' },
    'primary-key': { type: 'string' },
    product: { type: 'string', default: 'collection' },
    'base-url': { type: 'string', default: MTN_SANDBOX_URL },
  },
} as const;

function provisionArgs() {
  const values = readArgs(COMMAND);
  if (!values.host) return refuse(COMMAND, '--host is required');
  if (!values['primary-key']) return refuse(COMMAND, '--primary-key is required');
  const product = values.product as MomoProduct;
  if (!PRODUCTS.includes(product)) return refuse(COMMAND, `--product must be one of ${PRODUCTS.join(', ')}`);
  const baseUrl = values['base-url'].replace(/\/+$/, '');
  return { host: hostOf(values.host), subscriptionKey: values['primary-key'], product, baseUrl };
}

/** MoMo stores a bare host; people often paste the whole callback URL. */
function hostOf(value: string): string {
  try {
    return /^[a-z]+:\/\//i.test(value) ? new URL(value).hostname : value;
  } catch {
    return value;
  }
}

function describe(error: unknown): string {
  if (error instanceof MomoError) {
    const status = error.status === null ? '' : `HTTP ${error.status} `;
    return `${error.operation} failed: ${status}${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  const args = provisionArgs();
  try {
    const result = await provision({ baseUrl: args.baseUrl, subscriptionKey: args.subscriptionKey, providerCallbackHost: args.host, product: args.product });
    process.stderr.write(`Created API user ${result.apiUser} for ${args.product} at ${args.baseUrl}. Paste into .env:\n`);
    process.stdout.write(`${result.envLines.join('\n')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`momo:provision: ${describe(error)}\n`);
    return 1;
  }
}

process.exitCode = await main();
