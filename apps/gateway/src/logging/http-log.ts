import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { redactToken } from '../auth/token-source.js';
import type { GatewayConfig } from '../config/config.schema.js';

/** What pino's standard request serializer hands a custom one. */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
}

/**
 * pino-http options: one JSON line per HTTP request. Requests are logged from an allow-list of
 * fields (no headers, no query object, no body), with the `token` query parameter masked, so
 * neither tokens nor payloads reach the logs.
 */
export function httpLogOptions(config: GatewayConfig): Options<IncomingMessage, ServerResponse> {
  return {
    level: config.logLevel,
    base: { serverId: config.serverId },
    serializers: {
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: redactToken(req.url ?? ''),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // Probes every few seconds would drown everything else.
    autoLogging: { ignore: (req) => req.url?.startsWith('/health/') ?? false },
  };
}
