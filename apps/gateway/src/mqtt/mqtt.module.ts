import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { SessionModule } from '../session/session.module.js';
import { MqttPeers } from './mqtt-peers.js';
import { MqttServer } from './mqtt-server.js';

/** Devices and operators' tools speak MQTT: the embedded broker, publishing and subscribing. */
@Module({
  imports: [AuthModule, IngestModule, FanoutModule, PresenceModule, SessionModule],
  providers: [MqttServer, MqttPeers],
  exports: [MqttServer],
})
export class MqttModule {}
