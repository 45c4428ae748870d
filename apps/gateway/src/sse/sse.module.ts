import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { SessionModule } from '../session/session.module.js';
import { WsModule } from '../ws/ws.module.js';
import { SseController } from './sse.controller.js';
import { SseStreams } from './sse-streams.js';

@Module({
  imports: [AuthModule, FanoutModule, SessionModule, WsModule],
  controllers: [SseController],
  providers: [SseStreams],
})
export class SseModule {}
