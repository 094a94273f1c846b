// What every page of the shop renders with: the shop's flags for the layout (sandbox banner,
// handset links) and one render call that keeps pages out of every cache.
import type { Response } from 'express';
import type { Config } from '../config';

export interface ShopLocals {
  sandbox: boolean;
  handset: boolean;
}

export interface Pages {
  shop: ShopLocals;
  render: (res: Response, view: string, locals: Record<string, unknown>, status?: number) => void;
}

export function createPages(config: Config): Pages {
  const embedded = config.momo.mode === 'embedded';
  const shop = { sandbox: embedded, handset: embedded && config.sandbox.approval === 'handset' };
  return {
    shop,
    render: (res, view, locals, status = 200) => {
      // Pages hold a CSRF token and order details: never from a shared cache, nor a stale copy.
      res.status(status).set('Cache-Control', 'no-store').render(view, { shop, ...locals });
    },
  };
}
