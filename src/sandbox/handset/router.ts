// `{mount}/handset`: the page, its two asset files, and the JSON API the page and tests use.
import { readFileSync } from 'node:fs';
import express, { type Request, type Response, type Router } from 'express';
import type { SandboxCore } from '../core';
import { handsetPage } from './page';
import { answerRequest, normaliseMsisdn, pendingRequests, walletFor } from './requests';

// A Map: the asset name comes from the URL, and "constructor" must be a 404, not Object's.
const assets = new Map([
  ['handset.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/handset.js', import.meta.url)) }],
  ['handset.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/handset.css', import.meta.url)) }],
]);

// The page's own policy, the same strictness Sokoni applies: no inline code anywhere.
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function handsetRouter(core: SandboxCore): Router {
  const router = express.Router();

  router.get('/', (req, res) => {
    const msisdn = typeof req.query.msisdn === 'string' ? req.query.msisdn.trim() : '';
    res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    // baseUrl ends with "/handset"; the page's links are built from the sandbox's mount point.
    const base = req.baseUrl.replace(/\/handset$/, '');
    res.type('html').send(handsetPage(base, msisdn ? walletFor(core, msisdn) : null, msisdn));
  });

  router.get('/assets/:name', (req, res) => {
    const asset = assets.get(req.params.name);
    if (!asset) return void res.status(404).end();
    res.set({ 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }).send(asset.body);
  });

  // Everything here answers for one number, the one asked about: a handset never lists who else
  // has requests waiting (that would show every shopper's phone number to anyone).
  const msisdnOf = (req: Request, res: Response): string | null => {
    const msisdn = typeof req.query.msisdn === 'string' ? req.query.msisdn : '';
    if (msisdn.trim()) return msisdn;
    res.status(400).json({ error: 'msisdn is required.' });
    return null;
  };

  router.get('/api/pending', (req, res) => {
    const msisdn = msisdnOf(req, res);
    if (msisdn) res.json({ msisdn: normaliseMsisdn(msisdn), now: new Date(core.clock.now()).toISOString(), requests: pendingRequests(core, msisdn) });
  });

  router.get('/api/wallet', (req, res) => {
    const msisdn = msisdnOf(req, res);
    if (msisdn) res.json(walletFor(core, msisdn));
  });

  // JSON only: a cross-site HTML form cannot send application/json without a CORS preflight.
  const json = express.json({ limit: '4kb' });
  const answer = (action: 'approve' | 'reject') => (req: Request, res: Response) => {
    if (!req.is('application/json')) return void res.status(415).json({ error: 'Send application/json.' });
    const result = answerRequest(core, String(req.params.referenceId), action, (req.body as { pin?: unknown } | undefined)?.pin);
    if (result.ok) res.json({ referenceId: result.referenceId, status: result.status, reason: result.reason, message: result.message });
    else res.status(result.status).json({ error: result.error });
  };
  router.post('/api/requests/:referenceId/approve', json, answer('approve'));
  router.post('/api/requests/:referenceId/reject', json, answer('reject'));
  router.use('/api', (_req, res) => void res.status(404).json({ error: 'No such handset endpoint.' }));
  router.use((err: Error, _req: Request, res: Response, _next: express.NextFunction) => void res.status(400).json({ error: err.message }));
  return router;
}
