import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { GatewayConfig } from '../config/config.schema.js';
import { HttpErrorFilter } from './http-error.filter.js';

/**
 * The HTTP side's edges: JSON bodies up to `maxFrameBytes` (the same bound as a frame), CORS
 * for the allowed browser origins (the gateway still checks the origin itself), and JSON
 * errors for everything, including body-parser's, which run before Nest's filters.
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
  const { any, origins } = config.allowedOrigins;
  app.enableCors({
    origin: (origin: string | undefined, done: (err: Error | null, allow?: boolean) => void) =>
      done(null, origin !== undefined && (any || origins.has(origin))),
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    maxAge: 600,
  });
}
