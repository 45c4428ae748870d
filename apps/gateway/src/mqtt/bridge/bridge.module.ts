import { Module } from '@nestjs/common';
import { IngestModule } from '../../ingest/ingest.module.js';
import { MqttBridge } from './mqtt-bridge.js';

/** Device traffic from an external MQTT broker, into the same publish path (MQTT_BRIDGE_URL). */
@Module({
  imports: [IngestModule],
  providers: [MqttBridge],
  exports: [MqttBridge],
})
export class MqttBridgeModule {}
