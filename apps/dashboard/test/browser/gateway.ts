import { createRequire } from 'node:module';
import { AppModule } from '../../../gateway/src/app.module.js';
import { configureApp } from '../../../gateway/src/app.setup.js';
import { BUS } from '../../../gateway/src/bus/bus.js';
import { MemoryBus } from '../../../gateway/src/bus/memory-bus.js';
import { loadConfig } from '../../../gateway/src/config/load-config.js';
import { HistoryService } from '../../../gateway/src/history/history.service.js';

// Nest's testing module (to hand each run the same bus) and reflect-metadata are the gateway's.
const gatewayRequire = createRequire(new URL('../../../gateway/package.json', import.meta.url));
gatewayRequire('reflect-metadata');
const { Test } = gatewayRequire('@nestjs/testing') as { Test: TestingModules };

/** The part of `@nestjs/testing` used here (its types live with the gateway's dependencies). */
interface TestingModules {
  createTestingModule(metadata: { imports: unknown[] }): TestingModuleBuilder;
}
interface TestingModuleBuilder {
  overrideProvider(token: symbol): { useValue(value: unknown): TestingModuleBuilder };
  compile(): Promise<{
    createNestApplication(options: {
      logger: 'error'[];
      forceCloseConnections: boolean;
    }): Parameters<typeof configureApp>[0];
  }>;
}

type App = Awaited<ReturnType<typeof startApp>>;

async function startApp(config: ReturnType<typeof loadConfig>, bus: MemoryBus, port: number) {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(BUS)
    .useValue(bus)
    .compile();
  const app = configureApp(
    // As main.ts: a request still open after the drain does not hold the stop.
    moduleRef.createNestApplication({ logger: ['error'], forceCloseConnections: true }),
  );
  await app.listen(port, '127.0.0.1');
  return app;
}

/**
 * The real gateway (same wiring as main.ts) in this process on a fixed port, so it can be
 * stopped and started again where the console's proxy expects it. The bus outlives the Nest
 * app, as Redis outlives a gateway instance: a restart keeps history and epoch, and clients
 * resume without loss. `restart({ freshBus: true })` is the in-memory process restart: a new
 * epoch, so resumes report `recovered: false`.
 */
export class GatewayHost implements AsyncDisposable {
  bus: MemoryBus;
  readonly url: string;
  #app: App | undefined;

  private constructor(
    readonly port: number,
    private readonly config: ReturnType<typeof loadConfig>,
  ) {
    this.bus = new MemoryBus(config.historySize);
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(port: number, env: Record<string, string> = {}): Promise<GatewayHost> {
    const config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      MQTT_PORT: 'off', // the console does not speak MQTT; 1883 may be another broker's
      JWT_SECRET: 'browser-test-secret-that-is-long-enough!',
      DEV_TOKENS: 'true',
      CONNECT_RATE_PER_IP: '10000',
      // The console is served from its own port, chosen after the gateway starts.
      ALLOWED_ORIGINS: '*',
      // No durable history unless a test asks (then with its own DATA_DIR or DATABASE_URL):
      // the default DATA_DIR is the working directory's, which parallel test files would share.
      HISTORY: 'off',
      ...env,
    });
    const host = new GatewayHost(port, config);
    await host.start();
    return host;
  }

  get running(): boolean {
    return this.#app !== undefined;
  }

  async start(): Promise<void> {
    this.#app ??= await startApp(this.config, this.bus, this.port);
  }

  /** Waits until the history writer has stored every accepted message (HISTORY=on). */
  async flushHistory(): Promise<void> {
    const drained = await this.#app?.get(HistoryService).writer.drain(10_000);
    if (!drained) throw new Error('history writer did not drain within 10 s');
  }

  /** Shuts the app down like SIGTERM does: clients are told 1012 and the port closes. */
  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    await app?.close();
  }

  async restart(options: { freshBus?: boolean } = {}): Promise<void> {
    await this.stop();
    if (options.freshBus) this.bus = new MemoryBus(this.config.historySize);
    await this.start();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
