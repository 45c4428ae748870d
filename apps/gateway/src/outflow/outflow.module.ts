import { Module } from '@nestjs/common';
import { Outflow } from './outflow.js';

/** Outbound queues and send budgets of every client, whatever its transport. */
@Module({
  providers: [Outflow],
  exports: [Outflow],
})
export class OutflowModule {}
