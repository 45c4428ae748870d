import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import type { GatewayConfig } from './config/config.schema.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { MqttServer } from './mqtt/mqtt-server.js';
import { exposureWarning, securitySummary } from './config/security-summary.js';

/** Starts the gateway from an environment; throws `ConfigError` before anything listens. */
export async function startGateway(
  env: Record<string, string | undefined>,
): Promise<INestApplication> {
  const config = loadConfig(env);
  const app = configureApp(
    // forceCloseConnections: after the drain, a request still open (an upload that never
    // finishes, a stream a proxy stopped reading) must not hold the shutdown forever.
    // abortOnError off: a ConfigError raised while modules start (a DATA_DIR another gateway
    // holds) reaches `run` and exits 2 like any bad setting, instead of Nest's exit 1.
    await NestFactory.create(AppModule.forRoot(config), {
      bufferLogs: true,
      forceCloseConnections: true,
      abortOnError: false,
    }),
  );
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const mqttPort = app.get(MqttServer).port;
  const log = new Logger('Pulse');
  log.log(
    `gateway ${config.serverId} listening on http://${config.host}:${port} (ws path /ws, sse /sse, mqtt over ws /mqtt, bus ${busName(config)}, history ${historyName(config)})`,
  );
  log.log(
    mqttPort === undefined
      ? 'mqtt listener off (MQTT_PORT=off)'
      : `mqtt listening on mqtt://${config.host}:${mqttPort}`,
  );
  log.log(securitySummary(config, port));
  const exposure = exposureWarning(config);
  if (exposure) log.warn(exposure);
  if (config.jwtSecretGenerated)
    log.warn('JWT_SECRET not set: using a generated development secret');
  if (config.devTokens)
    log.warn(
      `development tokens enabled at GET /auth/dev-token for ${config.devTokenClients.join(',')} clients`,
    );
  return app;
}

function historyName(config: GatewayConfig): string {
  const h = config.history;
  if (!h.enabled) return 'off';
  return h.databaseUrl ? `postgres ${new URL(h.databaseUrl).host}` : `pglite ${h.dataDir}`;
}

function busName(config: GatewayConfig): string {
  if (config.redisClusterNodes)
    return `redis cluster ${config.redisClusterNodes.length} seed nodes`;
  if (config.redisUrl) return `redis ${new URL(config.redisUrl).host}`;
  return 'memory';
}

export interface ProcessIo {
  error(line: string): void;
  exit(code: number): void;
}

/**
 * What `node dist/main.js` does: start, or on a bad environment print the one message that
 * names each bad variable and what it allows, and exit with 2 (nothing listens).
 */
export async function run(
  env: Record<string, string | undefined>,
  io: ProcessIo = {
    error: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => process.exit(code),
  },
): Promise<INestApplication | undefined> {
  try {
    return await startGateway(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.error(`pulse gateway: ${err.message}`);
    io.exit(2);
    return undefined;
  }
}
