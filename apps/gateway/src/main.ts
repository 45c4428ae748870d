import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import type { GatewayConfig } from './config/config.schema.js';
import { ConfigError, loadConfig } from './config/load-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pulse gateway: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = configureApp(
    await NestFactory.create(AppModule.forRoot(config), { bufferLogs: false }),
  );
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const log = new Logger('Pulse');
  log.log(
    `gateway ${config.serverId} listening on http://${config.host}:${port} (ws path /ws, bus ${busName(config)})`,
  );
  if (config.jwtSecretGenerated)
    log.warn('JWT_SECRET not set: using a generated development secret');
  if (config.devTokens) log.warn('development tokens enabled at GET /auth/dev-token');
}

function busName(config: GatewayConfig): string {
  if (config.redisClusterNodes)
    return `redis cluster ${config.redisClusterNodes.length} seed nodes`;
  if (config.redisUrl) return `redis ${new URL(config.redisUrl).host}`;
  return 'memory';
}

void main();
