// Routes every product has: the token, the account balance and the account-holder checks.
import type { Ctx, Route } from '../dispatch';
import { TOKEN_LIFETIME_S } from '../identity';
import type { Product } from '../products';
import { invalidCurrency, momoError, noSuchOperation, ok, type Reply } from '../reply';
import { holderOutcome } from '../testNumbers';
import { balanceString } from '../wallets';

const HOLDER_TYPES = new Set(['msisdn', 'email', 'party_code']);

function balance(ctx: Ctx, product: Product, currency: string | undefined): Reply {
  const allowed = ctx.core.settings.currencies[ctx.environment]!;
  // Without a currency the account's own currency answers: the environment's first.
  const code = currency ?? allowed[0]!;
  if (!allowed.includes(code)) return invalidCurrency();
  return ok({ availableBalance: balanceString(ctx.core.wallets.account(product, code), code), currency: code });
}

/**
 * MTN wants the id type in lower case in the path; one client saw 404 for `MSISDN` (§4.4), yet
 * mtn-momo's Collections sends upper case. Lenient by default, strict with `strictIdTypeCase`.
 * The 404 comes from the gateway, which matches operations on the path.
 */
function holder(ctx: Ctx): Reply | 'active' | 'inactive' {
  const type = ctx.params.type!;
  const strict = ctx.core.settings.strictIdTypeCase;
  if (!HOLDER_TYPES.has(strict ? type : type.toLowerCase())) return noSuchOperation();
  const outcome = holderOutcome(ctx.params.id!);
  if (!outcome) return 'active';
  if (outcome === 'inactive') return 'inactive';
  return momoError(outcome.status, outcome.code, outcome.message);
}

/** The sandbox's basic user info: every sandbox customer is "Sand Box" (§4.4). */
const SAND_BOX = { given_name: 'Sand', family_name: 'Box', birthdate: '1976-08-13', locale: 'sv_SE', gender: 'MALE', status: 'ACTIVE' };

export function sharedRoutes(product: Product): Route[] {
  return [
    {
      method: 'post',
      path: `/${product}/token`,
      operation: `${product}.token`,
      auth: 'key',
      handle({ req, core }) {
        const user = core.identity.login(req.get('authorization'));
        // Observed: 500 {"error":"login_failed"}; the spec says 401 (§3.1). 401 by default, 500 by setting.
        if (!user) return { status: core.settings.tokenFailureStatus, body: { error: 'login_failed' } };
        return ok({ access_token: core.identity.issueToken(user, product), token_type: 'access_token', expires_in: TOKEN_LIFETIME_S });
      },
    },
    {
      method: 'get',
      path: `/${product}/v1_0/account/balance`,
      operation: `${product}.getBalance`,
      auth: 'bearer',
      handle: (ctx) => balance(ctx, product, undefined),
    },
    {
      method: 'get',
      path: `/${product}/v1_0/account/balance/:currency`,
      operation: `${product}.getBalanceInCurrency`,
      auth: 'bearer',
      handle: (ctx) => balance(ctx, product, ctx.params.currency),
    },
    {
      method: 'get',
      path: `/${product}/v1_0/accountholder/:type/:id/active`,
      operation: `${product}.accountHolderActive`,
      auth: 'bearer',
      handle(ctx) {
        const answer = holder(ctx);
        return typeof answer === 'string' ? ok({ result: answer === 'active' }) : answer;
      },
    },
    {
      method: 'get',
      path: `/${product}/v1_0/accountholder/:type/:id/basicuserinfo`,
      operation: `${product}.basicUserInfo`,
      auth: 'bearer',
      handle(ctx) {
        const answer = holder(ctx);
        return typeof answer === 'string' ? ok(SAND_BOX) : answer;
      },
    },
  ];
}
