import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { GatewayConfig } from './config.schema.js';
import { loadConfig } from './load-config.js';

/** DI token for the checked `GatewayConfig`. */
export const CONFIG = Symbol('GatewayConfig');

@Global()
@Module({})
export class ConfigModule {
  /** Provides the configuration: the given one (tests) or the environment's. */
  static forRoot(config?: GatewayConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: CONFIG, useFactory: () => config ?? loadConfig() }],
      exports: [CONFIG],
    };
  }
}
