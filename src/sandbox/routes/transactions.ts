// The creating POSTs (202, empty body) and their status GETs, shared by every product.
import type { Kind } from '../accounts';
import type { Ctx, Route } from '../dispatch';
import type { Product } from '../products';
import { accepted, badRequest, duplicate, notFound, ok, type Reply } from '../reply';
import { callbackUrlHeader, createBody, isReply, isUuid, referenceIdHeader, type Party } from '../validation';

/** Compares the callback URL's host with the registered providerCallbackHost, which users also store as a URL. */
function hostMatches(url: URL, registered: string): boolean {
  let host = registered.trim().toLowerCase();
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname;
    } catch {
      return false;
    }
  }
  return url.hostname.toLowerCase() === host.replace(/\/.*$/, '').replace(/:\d+$/, '');
}

interface CreateSpec {
  product: Product;
  kind: Kind;
  version: 'v1_0' | 'v2_0';
  path: string;
  operation: string;
}

export function createRoute(spec: CreateSpec): Route {
  const partyField = spec.kind === 'requesttopay' || spec.kind === 'requesttowithdraw' ? 'payer' : spec.kind === 'refund' ? null : 'payee';
  return {
    method: 'post',
    path: `/${spec.product}/${spec.version}/${spec.path}`,
    operation: spec.operation,
    auth: 'bearer',
    limit: 'create',
    body: true,
    handle(ctx: Ctx): Reply {
      const { req, core } = ctx;
      const referenceId = referenceIdHeader(req.get('x-reference-id'));
      if (isReply(referenceId)) return referenceId;
      const callbackUrl = callbackUrlHeader(req.get('x-callback-url'));
      if (isReply(callbackUrl)) return callbackUrl;
      const body = createBody(ctx.body, partyField, core.settings.currencies[ctx.environment]!);
      if (isReply(body)) return body;
      let party: Party;
      if (body.party) party = body.party;
      else {
        // A refund pays back the payer of the original requesttopay, which must exist.
        const original = core.accounts.find(body.referenceIdToRefund!, ['requesttopay']);
        if (!original) return notFound();
        party = original.party;
      }
      if (core.accounts.has(referenceId)) return duplicate();
      const callbackHostRejected = callbackUrl !== null && core.settings.callbackHostCheck && !hostMatches(callbackUrl, ctx.apiUser.providerCallbackHost);
      core.accounts.create({
        referenceId,
        product: spec.product,
        kind: spec.kind,
        version: spec.version,
        operation: spec.operation,
        apiUser: ctx.apiUser.id,
        body,
        party,
        callbackUrl,
        callbackHostRejected,
      });
      return accepted();
    },
  };
}

/** The status GET; v1_0 paths answer for v2_0 creations too (§4.1). */
export function statusRoute(product: Product, path: string, kinds: Kind[], operation: string): Route {
  return {
    method: 'get',
    path: `/${product}/v1_0/${path}/:referenceId`,
    operation,
    auth: 'bearer',
    limit: 'statusRead',
    handle({ params, core }) {
      if (!isUuid(params.referenceId)) return badRequest('The reference id must be a UUID.');
      const tx = core.accounts.find(params.referenceId, kinds);
      if (!tx || tx.product !== product) return notFound();
      return ok(core.accounts.resultBody(tx));
    },
  };
}
