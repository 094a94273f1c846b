// Every MoMo API route goes through here: count the call, apply faults, check the subscription
// key, the bearer token (of the route's product) and the target environment, apply the product's
// rate limit, read the body, run the handler, and write (or lose) its answer. Handlers return a
// Reply and never touch the response.
import type { Request, Response, Router } from 'express';
import type { SandboxCore } from './core';
import type { ApiUser } from './identity';
import { PRODUCTS, type Product } from './products';
import type { LimitedCall } from './rate-limits';
import { badRequest, gatewayError, internalError, serviceUnavailable, tooManyRequests, wrongEnvironment, type Reply } from './reply';

export interface Ctx {
  req: Request;
  params: Record<string, string>;
  body: unknown;
  /** The token's API user (bearer routes only). */
  apiUser: ApiUser;
  /** The X-Target-Environment value (bearer routes only). */
  environment: string;
  core: SandboxCore;
}

export interface Route {
  method: 'get' | 'post';
  /** Bearer routes start with their product: `/collection/...`. */
  path: string;
  /** Names the operation for call counts and fault rules, e.g. "collection.requestToPay". */
  operation: string;
  /** `key`: subscription key only (provisioning, token); `bearer`: product calls. */
  auth: 'key' | 'bearer';
  /** Counted against the product's rate limit of this kind. */
  limit?: LimitedCall;
  body?: boolean;
  handle(ctx: Ctx): Reply | Promise<Reply>;
}

const MISSING_KEY = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const INVALID_KEY = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
// MTN does not document the body of a bearer-token 401 (§5.2); this follows the gateway's shape.
const INVALID_TOKEN = 'Access denied due to invalid or expired access token. Make sure to provide a valid access token.';

const BODY_LIMIT = 64 * 1024;

function subscriptionKey(req: Request, core: SandboxCore): Reply | null {
  // The spec also accepts the key as a `subscription-key` query parameter (§2.1).
  const key = req.get('ocp-apim-subscription-key') ?? (typeof req.query['subscription-key'] === 'string' ? req.query['subscription-key'] : undefined);
  if (!key) return gatewayError(401, MISSING_KEY);
  const allowed = core.settings.subscriptionKeys;
  if (allowed && !allowed.includes(key)) return gatewayError(401, INVALID_KEY);
  return null;
}

/** Reads a JSON body, whatever the Content-Type; a parser mounted before the sandbox may have read it already. */
function readBody(req: Request): Promise<unknown> {
  if (req.body !== undefined) return Promise.resolve(req.body);
  if (req.readableEnded) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) reject(new SyntaxError('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        // JSON.parse throws only SyntaxErrors; the wrap is for the type checker.
        reject(e instanceof Error ? e : new SyntaxError(String(e)));
      }
    });
    req.on('error', reject);
  });
}

/** The product whose tokens a route accepts, from the first segment of its path. */
function productOf(route: Route): Product | null {
  return PRODUCTS.find((p) => route.path.startsWith(`/${p}/`)) ?? null;
}

async function process(route: Route, product: Product | null, req: Request, core: SandboxCore): Promise<Reply> {
  const keyProblem = subscriptionKey(req, core);
  if (keyProblem) return keyProblem;
  const ctx = { req, params: req.params as Record<string, string>, body: undefined, core } as Ctx;
  if (route.auth === 'bearer') {
    const check = product ? core.identity.checkBearer(req.get('authorization'), product) : { problem: 'invalid' as const };
    if ('problem' in check) return gatewayError(401, INVALID_TOKEN);
    ctx.apiUser = check.apiUser;
    const environment = req.get('x-target-environment');
    if (!environment || !Object.hasOwn(core.settings.currencies, environment)) return wrongEnvironment();
    ctx.environment = environment;
    if (route.limit && product && !core.rateLimits.admit(product, route.limit, core.clock.now())) return tooManyRequests();
  }
  if (route.body) {
    try {
      ctx.body = await readBody(req);
    } catch {
      return badRequest('The request body is not valid JSON.');
    }
  }
  return route.handle(ctx);
}

function write(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  if (reply.body === undefined) res.status(reply.status).end();
  else res.status(reply.status).json(reply.body);
}

export function register(router: Router, core: SandboxCore, route: Route): void {
  core.calls.register(route.operation, `${route.method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
  const rates = !route.operation.startsWith('provisioning.');
  const product = productOf(route);
  router[route.method](route.path, (req: Request, res: Response) => {
    core.calls.hit(route.operation);
    const { latencyMs, fault } = core.faults.forRequest(route.operation, rates);
    const run = async () => {
      if (fault?.kind === 'error') {
        core.calls.answered(route.operation, fault.status);
        return write(res, fault.status === 503 ? serviceUnavailable() : internalError());
      }
      if (fault?.kind === 'timeout') {
        // Held with nothing done, then the connection is cut, as a gateway that gave up would.
        core.timers.after(fault.holdMs, () => req.socket.destroy());
        return;
      }
      let reply: Reply;
      try {
        reply = await process(route, product, req, core);
      } catch {
        reply = internalError();
      }
      if (fault?.kind === 'lostAnswer') {
        // The state has changed; the client only sees an error or a dropped connection.
        if (fault.as === 'drop') return void req.socket.destroy();
        reply = internalError();
      }
      core.calls.answered(route.operation, reply.status);
      write(res, reply);
    };
    if (latencyMs > 0) core.timers.after(latencyMs, () => void run());
    else void run();
  });
}
