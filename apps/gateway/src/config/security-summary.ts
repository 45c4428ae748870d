import type { GatewayConfig } from './config.schema.js';
import { formatDuration } from './duration.js';
import { isLoopbackHost } from './loopback.js';

/**
 * The effective security settings in one line, printed once at start so an operator can see
 * what production is actually running with. Names and choices only, never a secret.
 */
export function securitySummary(config: GatewayConfig, port: number): string {
  const parts = [
    `NODE_ENV=${config.env}`,
    `bind ${config.host}:${port}${config.hostExplicit ? '' : ' (default)'}`,
    `origins ${originsText(config)}`,
    `dev tokens ${config.devTokens ? `on for ${config.devTokenClients.join(',')}` : 'off'}`,
    `token max ttl ${formatDuration(config.tokenMaxTtlS)}`,
    `metrics ${metricsText(config)}`,
    `trusted proxies ${config.trustedProxies.length ? config.trustedProxies.join(',') : 'none'}`,
    `JWT_SECRET ${config.jwtSecretGenerated ? 'generated (development)' : 'set'}`,
  ];
  return `security: ${parts.join('; ')}`;
}

function originsText({ allowedOrigins: o }: GatewayConfig): string {
  if (o.any) return 'any (*)';
  const listed = [...o.origins];
  if (o.loopback) listed.push('pages on this machine');
  return `${listed.length ? listed.join(',') : 'none'} + same-origin`;
}

function metricsText(config: GatewayConfig): string {
  const on = config.metricsPort === undefined ? 'main port' : `port ${config.metricsPort}`;
  if (config.metricsPort !== undefined)
    return `${on}, ${config.metricsToken ? 'METRICS_TOKEN required' : 'OPEN (no METRICS_TOKEN)'}`;
  return `${on}, admin tokens${config.metricsToken ? ' or METRICS_TOKEN' : ''}`;
}

/**
 * Why a development gateway on a non-loopback address deserves a warning: its conveniences
 * (dev tokens for any role, a generated secret) were meant for one machine.
 */
export function exposureWarning(config: GatewayConfig): string | undefined {
  if (config.env !== 'development' || isLoopbackHost(config.host)) return undefined;
  const widened = config.devTokenClients.some((c) => c !== 'loopback');
  return (
    `HOST=${config.host}: a development gateway is listening beyond this machine. ` +
    (widened
      ? `DEV_TOKEN_CLIENTS=${config.devTokenClients.join(',')} hands admin tokens to those networks. `
      : 'Dev tokens (any role, admin included) are refused to other machines, but a proxy on ' +
        'this machine that forwards them without X-Forwarded-For would hand them out. ') +
    'Anything reachable from a network should run with NODE_ENV=production and JWT_SECRET.'
  );
}
