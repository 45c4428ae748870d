import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { MqttServer } from './mqtt-server.js';

/** Devices speak MQTT: the embedded broker, on the ingest path beside the WebSocket one. */
@Module({
  imports: [AuthModule, IngestModule],
  providers: [MqttServer],
  exports: [MqttServer],
})
export class MqttModule {}
