import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { AuthTimeout } from './auth/auth-timeout.js';
import { UpgradeGuard } from './auth/upgrade-guard.js';
import { CONFIG } from './config/config.module.js';
import type { GatewayConfig } from './config/config.schema.js';
import { answerClientErrors } from './http/client-errors.js';
import { MQTT_WS_PATH, MqttServer } from './mqtt/mqtt-server.js';
import { configureHttp } from './http/http.setup.js';
import { PulseWsAdapter } from './ws/pulse-ws.adapter.js';

/** Wiring shared by `main.ts` and the end-to-end tests, so tests run the real thing. */
export function configureApp(app: INestApplication): INestApplication {
  const config = app.get<GatewayConfig>(CONFIG);
  app.useLogger(app.get(Logger));
  configureHttp(app, config);
  app.useWebSocketAdapter(
    new PulseWsAdapter(app, app.get(UpgradeGuard), config, [
      { path: MQTT_WS_PATH, server: app.get(MqttServer).webSocket },
    ]),
  );
  app.get(AuthTimeout).attach(app.getHttpServer() as Server);
  answerClientErrors(app.getHttpServer() as Server);
  app.enableShutdownHooks();
  return app;
}
