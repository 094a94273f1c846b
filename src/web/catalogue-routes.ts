// The catalogue API: public product listing, and the merchant's admin routes for sellers and
// products. Every write validates the whole body before touching the database.
import express from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import {
  createProduct,
  createSeller,
  getProduct,
  getSeller,
  listProducts,
  listSellers,
  UnknownSellerError,
  updateProduct,
  updateSeller,
  type Database,
  type Product,
  type Seller,
} from '../db';
import { toDecimalString } from '../money';
import { requireRole } from './admin-auth';
import { ApiError } from './errors';
import * as fields from './fields';

export interface CatalogueDeps {
  db: Database;
  config: Config;
}

export function publicProduct(p: Product) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    sellerId: p.sellerId,
    sellerName: p.sellerName,
    priceMinor: p.priceMinor,
    price: toDecimalString(p.priceMinor, p.currency),
    currency: p.currency,
  };
}

const adminProduct = (p: Product) => ({
  ...publicProduct(p),
  active: p.active,
  createdAt: new Date(p.createdAt).toISOString(),
  updatedAt: new Date(p.updatedAt).toISOString(),
});

const adminSeller = (s: Seller) => ({
  id: s.id,
  name: s.name,
  msisdn: s.msisdn,
  shareBps: s.shareBps,
  createdAt: new Date(s.createdAt).toISOString(),
  updatedAt: new Date(s.updatedAt).toISOString(),
});

function productSchema() {
  return z
    .object({
      sellerId: fields.uuid,
      name: fields.name(120),
      description: fields.description.default(''),
      priceMinor: fields.priceMinor,
      currency: fields.currency,
      active: fields.active.default(true),
    })
    .superRefine((p, ctx) => fields.checkPriceLimits(ctx, p.priceMinor, p.currency));
}

const productChanges = z.object({
  sellerId: fields.uuid.optional(),
  name: fields.name(120).optional(),
  description: fields.description.optional(),
  priceMinor: fields.priceMinor.optional(),
  currency: fields.currency.optional(),
  active: fields.active.optional(),
});

function requireChanges(changes: object): void {
  if (!Object.values(changes).some((v) => v !== undefined)) {
    throw new ApiError(400, 'invalid_body', 'Send at least one field to change');
  }
}

// Malformed ids cannot exist, so they are as unknown as well-formed ones: 404 either way.
function idParam(req: express.Request): string {
  const parsed = fields.uuid.safeParse(req.params.id);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

const notFound = () => new ApiError(404, 'not_found', 'No such item');

function unknownSellerAs422<T>(write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof UnknownSellerError) throw new ApiError(422, 'unknown_seller', 'sellerId names no seller', 'sellerId');
    throw error;
  }
}

export function createCatalogueRouter({ db, config }: CatalogueDeps): express.Router {
  const router = express.Router();
  const admin = requireRole('operator', config.adminToken);
  const viewer = requireRole('viewer', config.adminToken);
  const msisdn = fields.msisdn(config.momo.targetEnvironment);
  const newSeller = z.object({ name: fields.name(100), msisdn, shareBps: fields.shareBps.default(config.sellerShareBps) });
  const sellerChanges = z.object({ name: fields.name(100).optional(), msisdn: msisdn.optional(), shareBps: fields.shareBps.optional() });
  const newProduct = productSchema();

  router.get('/api/products', (_req, res) => {
    res.json({ products: listProducts(db, { activeOnly: true }).map(publicProduct) });
  });

  router.get('/api/products/:id', (req, res) => {
    const product = getProduct(db, idParam(req));
    if (!product || !product.active) throw notFound();
    res.json(publicProduct(product));
  });

  router.post('/api/products', admin, (req, res) => {
    const input = fields.parseBody(newProduct, req.body);
    const product = unknownSellerAs422(() => createProduct(db, input));
    res.status(201).location(`/api/products/${product.id}`).json(adminProduct(product));
  });

  router.patch('/api/products/:id', admin, (req, res) => {
    const id = idParam(req);
    const changes = fields.parseBody(productChanges, req.body);
    requireChanges(changes);
    const current = getProduct(db, id);
    if (!current) throw notFound();
    // The merged product must still hold together, e.g. a new currency with the old price.
    const merged = fields.parseBody(newProduct, { ...current, ...changes });
    const product = unknownSellerAs422(() => updateProduct(db, id, merged));
    if (!product) throw notFound();
    res.json(adminProduct(product));
  });

  router.get('/api/sellers', viewer, (_req, res) => {
    res.json({ sellers: listSellers(db).map(adminSeller) });
  });

  router.get('/api/sellers/:id', viewer, (req, res) => {
    const seller = getSeller(db, idParam(req));
    if (!seller) throw notFound();
    res.json(adminSeller(seller));
  });

  router.post('/api/sellers', admin, (req, res) => {
    const seller = createSeller(db, fields.parseBody(newSeller, req.body));
    res.status(201).location(`/api/sellers/${seller.id}`).json(adminSeller(seller));
  });

  router.patch('/api/sellers/:id', admin, (req, res) => {
    const id = idParam(req);
    const changes = fields.parseBody(sellerChanges, req.body);
    requireChanges(changes);
    const seller = updateSeller(db, id, changes);
    if (!seller) throw notFound();
    res.json(adminSeller(seller));
  });

  return router;
}
