import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicMatches } from '@pulse/protocol';
import { Redis } from 'ioredis';
import { BUS, type Bus } from '../../src/bus/bus.js';
import { reading, tick } from '../fixtures.js';
import { freshPrefix, startGateway, type GatewayResource } from '../gateway-resource.js';
import type { RedisServer } from '../redis/redis-server.js';
import { TestSocket } from '../test-socket.js';
import { check, checkPublishes, report } from './checker.js';
import { ModelClient, type Place } from './model-client.js';
import { CLIENTS, TOPICS, type Op, type Topic } from './ops.js';
import { Truth, type Position } from './truth.js';

export const HISTORY_SIZE = 100;

/**
 * Small marks, so a paused reader really is conflated and closed: every update is seen
 * (`TOPIC_POLICIES=none`, the test default), and Redis hangs are noticed within 300 ms.
 */
const ENV = {
  HISTORY_SIZE: String(HISTORY_SIZE),
  SLOW_SOFT_BYTES: '8192',
  SLOW_HARD_BYTES: '131072',
  SLOW_MAX_MS: '1000',
  BATCH_WINDOW_MS: '5',
  REDIS_COMMAND_TIMEOUT_MS: '300',
  PUBLISH_LIMITS: 'admin=1000000/1000000',
};

/**
 * One gateway, its bus, a publisher and `CLIENTS` model clients, driven one op at a time. The
 * clients reach the gateway through a Unix socket on the same HTTP server: its kernel buffers
 * are a few hundred KB where loopback TCP's are several MB, so a paused reader fills them after
 * a few thousand messages and the gateway's own send budget comes into play.
 */
export class World {
  readonly truth = new Truth();
  readonly clients: ModelClient[] = [];
  private gw!: GatewayResource;
  private publisher!: TestSocket;
  private unix: NetServer | undefined;
  private readonly unixSockets = new Set<Socket>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'pulse-property-'));
  private place!: Place;
  private admin: Redis | undefined;
  private generation = 0;

  private constructor(
    readonly bus: 'memory' | 'redis',
    private readonly redis: RedisServer | undefined,
    private readonly prefix: string,
  ) {}

  static async start(bus: 'memory' | 'redis', redis?: RedisServer): Promise<World> {
    const world = new World(bus, redis, freshPrefix());
    if (redis) {
      world.admin = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 3 });
      world.admin.on('error', () => {});
    }
    await world.startGateway();
    for (let i = 0; i < CLIENTS; i++) {
      const c = new ModelClient(i, world.place);
      world.clients.push(c);
      await c.connect('ws');
    }
    return world;
  }

  async run(op: Op): Promise<void> {
    switch (op.op) {
      case 'publish':
        return void (await this.publish(Array<Topic>(op.count).fill(op.topic)));
      case 'subscribe': {
        const c = this.clients[op.client]!;
        const held = [...c.subs.keys()];
        const overlaps = held.some((s) =>
          TOPICS.some((t) => topicMatches(s, t) && topicMatches(op.sub, t)),
        );
        if (!overlaps) await c.subscribe(op.sub, op.history);
        return;
      }
      case 'slowRead':
        return this.slowRead(op.client, op.burst, op.chunk, op.holdMs);
      case 'reconnect': {
        const c = this.clients[op.client]!;
        await c.disconnect(op.abrupt);
        return c.connect(c.transport);
      }
      case 'switchTransport': {
        const c = this.clients[op.client]!;
        await c.disconnect(false);
        return c.connect(c.transport === 'ws' ? 'sse' : 'ws');
      }
      case 'redisStall':
        return this.redisStall(op.ms, op.publishes, op.reconnect);
      case 'redisRestart':
        return this.redisRestart(op.publishes);
      case 'gatewayRestart':
        return this.restartGateway(op.crash);
    }
  }

  /** What a real client does on its own: reconnect and resume after any close. */
  async settle(): Promise<void> {
    for (const c of this.clients) {
      for (let attempt = 0; !c.connected || c.refused.size > 0; attempt++) {
        if (attempt === 5) throw new Error(`client ${c.id} cannot reconnect and subscribe`);
        if (c.connected) await c.retryRefused();
        else {
          await c.disconnect(true);
          await c.connect(c.transport);
        }
      }
    }
  }

  /**
   * The end: every fault healed, every client connected, one more message on every topic, and
   * every client holding the latest of every topic it watches. Returns those latest positions.
   */
  async finish(): Promise<Map<string, Position>> {
    await this.settle();
    for (let attempt = 0; ; attempt++) {
      const refused = (await this.publish([...TOPICS])).filter((r) => !('ack' in (r ?? {})));
      if (refused.length === 0) break;
      if (attempt === 5) throw new Error('the final publishes keep failing');
    }
    const finals = new Map<string, Position>();
    for (const t of TOPICS) {
      const p = await this.oracle(t);
      if (p) finals.set(t, p);
    }
    for (const c of this.clients) {
      for (let round = 0; round < 4; round++) {
        await this.settle();
        const watched = TOPICS.filter((t) => [...c.subs.keys()].some((s) => topicMatches(s, t)));
        const caughtUp = () =>
          watched.every((t) => {
            const got = c.positions.get(t);
            const want = finals.get(t);
            return got?.epoch === want?.epoch && got?.seq === want?.seq;
          });
        try {
          await c.until(() => caughtUp() || !c.connected, 'the final messages', 5000);
        } catch {
          break; // the checker reports who did not catch up
        }
        if (caughtUp()) break;
      }
    }
    return finals;
  }

  /** Every broken promise, as readable reports (empty when the run held). */
  verdict(finals: ReadonlyMap<string, Position>): string[] {
    for (const c of this.clients)
      for (const e of c.events) if (e.k === 'msg') this.truth.saw(e.topic, e);
    const out = checkPublishes(
      this.clients.map((c) => c.events),
      this.truth,
    );
    for (const c of this.clients) {
      for (const v of check(c.id, c.events, this.truth, HISTORY_SIZE, finals))
        out.push(report(v, c.events, this.truth));
    }
    return out;
  }

  /** One line on what the run exercised, so a green run can be told from an idle one. */
  summary(ops: readonly Op[]): string {
    const count = (
      k: string,
      pred: (e: { k: string } & Record<string, unknown>) => boolean = () => true,
    ) =>
      this.clients.reduce(
        (n, c) => n + c.events.filter((e) => e.k === k && pred(e as never)).length,
        0,
      );
    const closes = new Map<number, number>();
    for (const c of this.clients)
      for (const e of c.events)
        if (e.k === 'close') closes.set(e.code, (closes.get(e.code) ?? 0) + 1);
    const refused = [...this.truth.publishes.values()].filter(
      (r) => r.outcome && 'error' in r.outcome,
    ).length;
    return [
      `${ops.length} ops (${[...new Set(ops.map((o) => o.op))].join(',')})`,
      `${this.truth.publishes.size} published (${refused} refused)`,
      `${count('msg')} received`,
      `${count('conflated')} CONFLATED`,
      `${count('epochChanged')} EPOCH_CHANGED`,
      `recovered true/false ${count('subscribed', (e) => e.recovered === true)}/${count('subscribed', (e) => e.recovered === false)}`,
      `closes ${[...closes].map(([c, n]) => `${c}×${n}`).join(' ') || '-'}`,
      `SSE opens ${count('open', (e) => e.transport === 'sse')}`,
    ].join(', ');
  }

  async close(): Promise<void> {
    this.redis?.resume();
    for (const c of this.clients) await c.disconnect(true).catch(() => {});
    await this.publisher?.[Symbol.asyncDispose]();
    await this.gw?.close();
    this.closeUnix();
    this.admin?.disconnect();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The topic's latest position, read from the bus itself. */
  async oracle(topic: string): Promise<Position | undefined> {
    let p: Position | undefined;
    if (this.admin) {
      const [epoch, seq] = await this.admin.hmget(`${this.prefix}:{${topic}}:meta`, 'epoch', 'seq');
      p = epoch ? { epoch, seq: Number(seq) } : undefined;
    } else {
      const bus = this.gw.app.get<Bus>(BUS);
      const { state } = await bus.recover(topic, { positions: new Map(), history: 0 });
      p = state;
    }
    if (p) this.truth.saw(topic, p);
    return p;
  }

  /** Publishes one message per entry and waits for every reply (ack or error). */
  private async publish(
    topics: readonly string[],
    { read = true } = {},
  ): Promise<({ ack: number } | { error: string } | undefined)[]> {
    const records = topics.map((topic) => {
      const r = this.truth.publish(topic);
      const payload = topic.startsWith('price.') ? tick(r.value) : reading(r.value);
      this.publisher.send({ type: 'publish', id: r.value, topic, payload });
      return r;
    });
    for (const r of records) {
      const reply = await Promise.race([
        this.publisher.next(
          (f) =>
            (f.type === 'ack' && f.id === r.value) || (f.type === 'error' && f.ref === r.value),
        ),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref()),
      ]);
      if (reply?.type === 'ack') r.outcome = { ack: reply.seq };
      else if (reply?.type === 'error') r.outcome = { error: reply.code };
    }
    if (read) for (const t of new Set(topics)) await this.oracle(t);
    return records.map((r) => r.outcome);
  }

  private async slowRead(client: number, burst: number, chunk: number, holdMs: number) {
    const c = this.clients[client]!;
    const ws = c.ws;
    // The burst goes to what the paused client watches, so its buffers really fill.
    const watched = TOPICS.filter((t) => [...c.subs.keys()].some((s) => topicMatches(s, t)));
    const topics = watched.length > 0 ? watched : TOPICS;
    ws?.pause();
    try {
      for (let sent = 0; sent < burst; sent += chunk) {
        await this.publish(Array.from({ length: chunk }, (_, i) => topics[i % topics.length]!));
      }
      // The reader stays away a while: long enough, and the gateway gives up on it (4100).
      if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    } finally {
      ws?.resume();
    }
  }

  private async redisStall(ms: number, publishes: number, reconnect: number): Promise<void> {
    const redis = this.redis!;
    redis.pause();
    let replies: Promise<unknown> = Promise.resolve();
    let reconnected: Promise<unknown> = Promise.resolve();
    try {
      // Sent into a hung Redis: answered UNAVAILABLE after the command timeout.
      replies = this.publish(TOPICS.slice(0, publishes), { read: false });
      const c = this.clients[reconnect];
      if (c) reconnected = c.disconnect(true).then(() => c.connect(c.transport));
      await new Promise((r) => setTimeout(r, ms));
    } finally {
      redis.resume();
    }
    await replies;
    await reconnected;
    await this.untilReady();
    for (const t of TOPICS) await this.oracle(t);
  }

  private async redisRestart(publishes: number): Promise<void> {
    const redis = this.redis!;
    await redis.kill();
    await this.publish(TOPICS.slice(0, publishes), { read: false });
    await redis.restart();
    await this.untilReady();
  }

  private async restartGateway(crash: boolean): Promise<void> {
    if (crash) await this.gw.crash();
    else await this.gw.close();
    this.closeUnix();
    await this.publisher[Symbol.asyncDispose]();
    for (const c of this.clients)
      await c.until(() => !c.connected, 'the close of a stopped gateway');
    await this.startGateway();
    for (const c of this.clients) {
      c.moveTo(this.place);
      await c.connect(c.transport);
    }
  }

  private async startGateway(): Promise<void> {
    const where: Record<string, string> = this.redis
      ? { REDIS_URL: this.redis.url, REDIS_KEY_PREFIX: this.prefix }
      : {};
    this.gw = await startGateway({ ...ENV, ...where });
    const path = join(this.dir, `gw${++this.generation}.sock`);
    const http = this.gw.app.getHttpServer() as Server;
    this.unix = createServer((s) => {
      this.unixSockets.add(s);
      s.once('close', () => this.unixSockets.delete(s));
      http.emit('connection', s);
    });
    await new Promise<void>((resolve) => this.unix!.listen(path, resolve));
    this.publisher = await TestSocket.connect(this.gw.wsUrl, await this.gw.token('admin', 'feed'));
    this.place = {
      wsUrl: `ws+unix://${path}:/ws`,
      httpUrl: this.gw.httpUrl,
      token: await this.gw.token('operator', 'op'),
      historySize: HISTORY_SIZE,
      oracle: (t) => this.oracle(t),
    };
  }

  private closeUnix(): void {
    this.unix?.close();
    for (const s of this.unixSockets) s.destroy();
    this.unixSockets.clear();
  }

  /** Readiness follows Redis with no event to wait on from outside: poll it, with a deadline. */
  private async untilReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(`${this.gw.httpUrl}/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return;
      if (Date.now() > deadline) throw new Error('the gateway did not become ready again');
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
