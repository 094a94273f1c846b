// The catalogue API: public product listing, and the merchant's admin routes for sellers and
// products. The fields are checked here (400s); the catalogue service applies its own rules.
import express from 'express';
import { z } from 'zod';
import type { Catalogue, Product, Seller, SellerWrite } from '../catalogue';
import type { Config } from '../config';
import { toDecimalString } from '../money';
import { requireRole } from './admin-auth';
import { ApiError } from './errors';
import * as fields from './fields';

export interface CatalogueRouteDeps {
  catalogue: Catalogue;
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
  active: s.active,
  createdAt: new Date(s.createdAt).toISOString(),
  updatedAt: new Date(s.updatedAt).toISOString(),
});

/** With the name MoMo has for a number just checked, for the operator to compare. */
const writtenSeller = ({ seller, walletName }: SellerWrite) => ({
  ...adminSeller(seller),
  ...(walletName !== undefined ? { walletName } : {}),
});

// Strict bodies: a misspelt field (sharePercent for shareBps) is a 400 naming it, not a
// silently kept default.
const newProduct = z.strictObject({
  sellerId: fields.uuid,
  name: fields.name(120),
  description: fields.description.default(''),
  priceMinor: fields.priceMinor,
  currency: fields.currency,
  active: fields.active.default(true),
});

const productChanges = z.strictObject({
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

export function createCatalogueRouter({ catalogue, config }: CatalogueRouteDeps): express.Router {
  const router = express.Router();
  const admin = requireRole('operator', config.adminToken);
  const viewer = requireRole('viewer', config.adminToken);
  const msisdn = fields.msisdn(config.momo.targetEnvironment, config.defaultCountryCode);
  const newSeller = z.strictObject({ name: fields.name(100), msisdn, shareBps: fields.shareBps.default(config.sellerShareBps) });
  const sellerChanges = z.strictObject({
    name: fields.name(100).optional(),
    msisdn: msisdn.optional(),
    shareBps: fields.shareBps.optional(),
    active: fields.active.optional(),
  });

  router.get('/api/products', async (_req, res) => {
    res.json({ products: (await catalogue.listForSale()).map(publicProduct) });
  });

  router.get('/api/products/:id', async (req, res) => {
    const product = await catalogue.findForSale(idParam(req));
    if (!product) throw notFound();
    res.json(publicProduct(product));
  });

  router.post('/api/products', admin, async (req, res) => {
    const product = await catalogue.createProduct(fields.parseBody(newProduct, req.body));
    res.status(201).location(`/api/products/${product.id}`).json(adminProduct(product));
  });

  router.patch('/api/products/:id', admin, async (req, res) => {
    const id = idParam(req);
    const changes = fields.parseBody(productChanges, req.body);
    requireChanges(changes);
    res.json(adminProduct(await catalogue.updateProduct(id, changes)));
  });

  router.get('/api/sellers', viewer, async (_req, res) => {
    res.json({ sellers: (await catalogue.listSellers()).map(adminSeller) });
  });

  router.get('/api/sellers/:id', viewer, async (req, res) => {
    const seller = await catalogue.findSeller(idParam(req));
    if (!seller) throw notFound();
    res.json(adminSeller(seller));
  });

  router.post('/api/sellers', admin, async (req, res) => {
    const written = await catalogue.createSeller(fields.parseBody(newSeller, req.body));
    res.status(201).location(`/api/sellers/${written.seller.id}`).json(writtenSeller(written));
  });

  router.patch('/api/sellers/:id', admin, async (req, res) => {
    const id = idParam(req);
    const changes = fields.parseBody(sellerChanges, req.body);
    requireChanges(changes);
    res.json(writtenSeller(await catalogue.updateSeller(id, changes)));
  });

  return router;
}
