import { Module } from '@nestjs/common';
import { FanoutModule } from '../fanout/fanout.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { SessionModule } from '../session/session.module.js';
import { FrameDispatcher } from './frame-dispatcher.js';

/** Where every inbound frame of a socket is decoded, checked and handed to its handler. */
@Module({
  imports: [FanoutModule, IngestModule, SessionModule],
  providers: [FrameDispatcher],
  exports: [FrameDispatcher],
})
export class DispatchModule {}
