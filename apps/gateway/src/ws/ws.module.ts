import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { SessionModule } from '../session/session.module.js';
import { Connections } from './connections.js';
import { Heartbeat } from './heartbeat.js';
import { PulseGateway } from './pulse.gateway.js';

@Module({
  imports: [DispatchModule, IngestModule, FanoutModule, PresenceModule, SessionModule],
  providers: [Connections, Heartbeat, PulseGateway],
  exports: [Connections],
})
export class WsModule {}
