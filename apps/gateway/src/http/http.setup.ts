import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { GatewayConfig } from '../config/config.schema.js';
import { isLoopbackOrigin } from '../config/loopback.js';
import type { OriginList } from '../config/origins.js';
import { HttpErrorFilter } from './http-error.filter.js';

/**
 * The HTTP side's edges: JSON bodies up to `maxFrameBytes` (the same bound as a frame), CORS
 * for the allowed browser origins (the gateway still checks the origin itself), and JSON
 * errors for everything, including body-parser's, which run before Nest's filters (Node's own
 * parser errors, before any of this, are answered in `client-errors.ts`).
 */
export function configureHttp(app: INestApplication, config: GatewayConfig): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: config.maxFrameBytes });
  const filter = new HttpErrorFilter();
  express.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    filter.catch(err, {
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    } as never);
  });
  app.useGlobalFilters(filter);
  const cors = {
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    maxAge: 600,
  };
  // `/auth/*` (development tokens) gets no CORS at all: a page of another origin must not be
  // able to read a token, whatever ALLOWED_ORIGINS says. The console asks through its own
  // origin (the Vite proxy), which needs no CORS.
  app.enableCors((req: Request, done: (err: Error | null, options: object) => void) => {
    const origin = req.headers.origin;
    const allowed =
      origin !== undefined &&
      !req.path.startsWith('/auth/') &&
      originListed(config.allowedOrigins, origin);
    done(null, { ...cors, origin: allowed });
  });
}

function originListed(list: OriginList, origin: string): boolean {
  return list.any || list.origins.has(origin) || (list.loopback && isLoopbackOrigin(origin));
}
