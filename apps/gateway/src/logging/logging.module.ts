import type { DestinationStream } from 'pino';
import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { ConnectionLog } from './connection-log.js';
import { httpLogOptions } from './http-log.js';

/** Where log lines go: stdout; tests override the provider to read them. */
export const LOG_DESTINATION = Symbol('LogDestination');

/** Structured JSON logs (pino through nestjs-pino) for Nest, HTTP requests and connections. */
@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [
        { provide: LOG_DESTINATION, useFactory: (): DestinationStream => pino.destination(1) },
      ],
      inject: [CONFIG, LOG_DESTINATION],
      useFactory: (config: GatewayConfig, destination: DestinationStream) => ({
        pinoHttp: [httpLogOptions(config), destination],
      }),
    }),
  ],
  providers: [ConnectionLog],
  exports: [ConnectionLog],
})
export class LoggingModule {}
