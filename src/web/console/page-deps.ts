// What the console's page modules are handed by console-routes.ts: its role guards and its
// render, which wraps a view in the console's layout with the signed-in person and CSRF token.
import type express from 'express';
import type { Request, Response } from 'express';

export type Guard = express.RequestHandler;
export type Render = (req: Request, res: Response, view: string, locals: Record<string, unknown>, status?: number) => void;
