import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { HistoryModule } from '../history/history.module.js';
import { MqttBridgeModule } from '../mqtt/bridge/bridge.module.js';
import { WsModule } from '../ws/ws.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [BusModule, WsModule, HistoryModule, MqttBridgeModule],
  controllers: [HealthController],
})
export class HealthModule {}
