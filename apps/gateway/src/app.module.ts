import { Module, type DynamicModule } from '@nestjs/common';
import { AlarmsModule } from './alarms/alarms.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConfigModule } from './config/config.module.js';
import type { GatewayConfig } from './config/config.schema.js';
import { HealthModule } from './health/health.module.js';
import { HistoryModule } from './history/history.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MqttBridgeModule } from './mqtt/bridge/bridge.module.js';
import { MqttModule } from './mqtt/mqtt.module.js';
import { SseModule } from './sse/sse.module.js';
import { WsModule } from './ws/ws.module.js';

/** The gateway: config, logs → auth → (ingest → bus → fan-out over ws and sse; MQTT ingest and bridge; alarms and durable history on ingest) → health, metrics. */
@Module({})
export class AppModule {
  static forRoot(config?: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule,
        AuthModule,
        AlarmsModule,
        WsModule,
        MqttModule,
        MqttBridgeModule,
        SseModule,
        HistoryModule,
        HealthModule,
      ],
    };
  }
}
