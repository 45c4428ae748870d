import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CLOSE_CODES, ErrorCode, type CodecName, type Role } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { FuzzSocket, Outcomes } from './fuzz/fuzz-socket.js';
import { GENERATORS, type Category, type Frame } from './fuzz/frames.js';
import { Random } from './fuzz/random.js';
import {
  DOCUMENTED_DISCONNECTS,
  DOCUMENTED_SUBACKS,
  mqttSubscribeLane,
} from './fuzz/mqtt-subscribe-lane.js';
import { MqttPeers } from '../src/mqtt/mqtt-peers.js';
import { Admission } from '../src/auth/admission.js';
import { Connections } from '../src/ws/connections.js';
import { startGateway, type GatewayResource } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';

setFlagsFromString('--expose_gc');
/** The real collector, so heap numbers mean live objects, not garbage not yet collected. */
const gc = runInNewContext('gc') as () => void;

const SEED = Number(process.env.FUZZ_SEED ?? 20_26);
const MAX_FRAME_BYTES = 16_384;
const CHUNK = 250;

/** Frames per lane; the lanes run side by side. */
const LANES: { category: Category; frames: number; codec: CodecName; role: Role }[] = [
  { category: 'random bytes (binary on json)', frames: 18_000, codec: 'json', role: 'operator' },
  { category: 'random text', frames: 18_000, codec: 'json', role: 'operator' },
  { category: 'truncated', frames: 10_000, codec: 'json', role: 'operator' },
  { category: 'wrong types', frames: 10_000, codec: 'json', role: 'feed' },
  { category: 'numbers', frames: 10_000, codec: 'json', role: 'feed' },
  { category: 'deeply nested', frames: 2_500, codec: 'json', role: 'feed' },
  { category: 'very wide objects', frames: 2_500, codec: 'json', role: 'feed' },
  { category: 'unknown types', frames: 10_000, codec: 'json', role: 'operator' },
  { category: 'msgpack garbage', frames: 12_000, codec: 'msgpack', role: 'operator' },
];

const MQTT_LANE = 'MQTT hostile SUBSCRIBE/UNSUBSCRIBE';

const KNOWN_ERRORS = new Set<string>(Object.values(ErrorCode));
/** Closes a hostile client may get; each is documented in CLOSE_CODES. */
const DOCUMENTED_CLOSES = new Set([1002, 1007, 1009, 4003, 4102]);

async function memory(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Sends `frames` hostile frames, reconnecting whenever the gateway closes the socket. */
async function lane(
  gw: GatewayResource,
  frames: number,
  codec: CodecName,
  role: Role,
  next: () => Frame,
  outcomes: Outcomes,
  syncIds: { n: number },
): Promise<void> {
  const token = await gw.token(role, `fuzz-${role}-${syncIds.n}`);
  while (outcomes.sent < frames) {
    const s = await FuzzSocket.open(gw.wsUrl, token, codec, outcomes);
    while (s.open && outcomes.sent < frames) {
      for (let i = 0; i < CHUNK && outcomes.sent < frames && s.send(next()); i++);
      await s.sync(1_000_000_000 + syncIds.n++);
    }
    await s.close();
  }
}

/** Sends one frame per connection that the gateway must close: oversized, or invalid UTF-8. */
async function closingLane(
  gw: GatewayResource,
  count: number,
  frame: () => Frame,
  outcomes: Outcomes,
): Promise<void> {
  const token = await gw.token('operator', 'fuzz-closing');
  for (let i = 0; i < count; i++) {
    const s = await FuzzSocket.open(gw.wsUrl, token, 'json', outcomes);
    s.send(frame());
    await s.closed;
  }
}

/** Floods of subscribe/unsubscribe (and duplicates): RATE_LIMITED, then 4102. */
async function controlFlood(
  gw: GatewayResource,
  frames: number,
  outcomes: Outcomes,
  r: Random,
): Promise<void> {
  const token = await gw.token('operator', 'fuzz-flood');
  while (outcomes.sent < frames) {
    const s = await FuzzSocket.open(gw.wsUrl, token, 'json', outcomes);
    while (s.open && outcomes.sent < frames) {
      for (let i = 0; i < CHUNK && outcomes.sent < frames; i++) {
        const topic = `price.S${r.int(0, 40)}`;
        const id = r.int(0, 2 ** 31 - 1);
        const message =
          r.next() < 0.6
            ? { type: 'subscribe', id, topic, history: 0 }
            : { type: 'unsubscribe', id, topic };
        if (!s.send({ data: JSON.stringify(message), binary: false })) break;
      }
      await s.sync(2_000_000_000 + r.int(0, 100_000_000));
    }
    await s.close();
  }
}

/** Below the WebSocket layer: garbage instead of HTTP, and broken frames after an upgrade. */
async function rawLane(
  gw: GatewayResource,
  count: number,
  outcomes: Outcomes,
  r: Random,
): Promise<void> {
  const token = await gw.token('operator', 'fuzz-raw');
  const upgrade =
    `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: pulse.v1.json\r\n\r\n`;
  const broken = [
    () => Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), // unmasked client frame
    () => Buffer.from([0xf1, 0x80, 0, 0, 0, 0]), // reserved bits set
    () => Buffer.from([0x83, 0x80, 0, 0, 0, 0]), // reserved opcode 3
    () => Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // 2^63 length
    () => Buffer.from([0x81, 0xfe]), // truncated header, then silence
  ];
  for (let i = 0; i < count; i++) {
    const socket = connect(gw.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('data', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    if (i % 3 === 0) {
      socket.write(r.bytes(r.int(1, 300))); // not HTTP at all
    } else {
      socket.write(upgrade);
      await new Promise((resolve) => setTimeout(resolve, 2));
      socket.write(r.pick(broken)());
      if (i % 5 === 0) socket.end(); // and hang up mid-frame
    }
    outcomes.sent += 1;
    const got: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => got.push(chunk));
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy(); // a gateway that waits for the rest of a frame: the client gives up
        resolve(false);
      }, 500);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    outcomes.add(
      outcomes.replies,
      answered ? rawOutcome(Buffer.concat(got)) : 'waits for the rest (heartbeat ends it)',
    );
  }
}

/** What a raw TCP peer saw: an HTTP error status, or the code of the WebSocket close frame. */
function rawOutcome(bytes: Buffer): string {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1'))?.[1];
  if (status === undefined) return 'closed, no reply';
  if (status !== '101') return `HTTP ${status}`;
  const close = bytes.indexOf(Buffer.from([0x88]), bytes.indexOf('\r\n\r\n'));
  return close === -1 ? 'closed without a close frame' : `close ${bytes.readUInt16BE(close + 2)}`;
}

describe('hostile input', () => {
  it('keeps serving others through 100,000 hostile frames, answers each offender, and returns to its memory baseline', async () => {
    await using gw = await startGateway({
      MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      MAX_INVALID_FRAMES: '1000',
      MAX_SUBSCRIPTIONS: '20',
      PUBLISH_LIMITS: 'feed=2000/2000',
    });
    // A bystander subscribed before the storm, and a feed publishing to it all along.
    await using bystander = await TestSocket.connect(
      gw.wsUrl,
      await gw.token('operator', 'bystander'),
    );
    bystander.send({ type: 'subscribe', id: 1, topic: 'price.BYSTANDER', history: 0 });
    await bystander.next('subscribed');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'steady-feed'));
    // The MQTT lane's code paths (parser, generator, subscriptions) allocate once on first use,
    // in the gateway and in this test's clients alike: warm them up before the baseline.
    const mqttToken = await gw.token('operator', 'fuzz-mqtt');
    await mqttSubscribeLane(gw.mqttPort!, mqttToken, 300, new Outcomes(), new Random(SEED + 1));
    const baseline = await memory();

    let published = 0;
    const ticker = setInterval(() => {
      published += 1;
      feed.send({
        type: 'publish',
        topic: 'price.BYSTANDER',
        payload: { bid: published, ask: published + 1, last: published, volume: 1, ts: 1 },
      });
    }, 2);

    const r = new Random(SEED);
    const outcomes = new Map<string, Outcomes>();
    const track = (name: string) => {
      const o = new Outcomes();
      outcomes.set(name, o);
      return o;
    };
    const syncIds = { n: 0 };
    const started = Date.now();
    try {
      await Promise.all([
        ...LANES.map(({ category, frames, codec, role }) =>
          lane(gw, frames, codec, role, () => GENERATORS[category](r), track(category), syncIds),
        ),
        controlFlood(gw, 8_000, track('subscribe/unsubscribe flood'), r),
        closingLane(
          gw,
          150,
          () => ({ data: 'x'.repeat(MAX_FRAME_BYTES + r.int(1, 50_000)), binary: false }),
          track('oversized frames'),
        ),
        closingLane(
          gw,
          150,
          () => ({
            data: Buffer.from([0x7b, 0x22, r.int(0x80, 0xff), 0xfe, 0x22, 0x7d]),
            binary: false,
          }),
          track('invalid UTF-8 text'),
        ),
        rawLane(gw, 60, track('raw TCP (not HTTP, broken frames)'), r),
        mqttSubscribeLane(gw.mqttPort!, mqttToken, 3_000, track(MQTT_LANE), r),
      ]);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = Date.now() - started;

    const total = [...outcomes.values()].reduce((n, o) => n + o.sent, 0);
    if (process.env.FUZZ_REPORT) {
      for (const [name, o] of outcomes)
        console.log(
          name.padEnd(36),
          String(o.sent).padStart(6),
          'errors',
          Object.fromEntries(o.errors),
          'closes',
          Object.fromEntries(o.closes),
          'replies',
          Object.fromEntries(o.replies),
        );
      console.log(`total ${total} frames in ${elapsed} ms`);
    }
    expect(total).toBeGreaterThanOrEqual(100_000);

    // Every offender was told: an error frame with a known code, or a documented close.
    for (const [name, o] of outcomes) {
      for (const code of o.errors.keys()) expect(KNOWN_ERRORS, `${name}: ${code}`).toContain(code);
      for (const code of o.closes.keys()) {
        expect(DOCUMENTED_CLOSES, `${name}: close ${code}`).toContain(code);
        expect(CLOSE_CODES[code as keyof typeof CLOSE_CODES]).toBeDefined();
      }
      expect(o.errors.get(ErrorCode.INTERNAL) ?? 0, name).toBe(0);
    }
    const lanesAnswered = LANES.filter(
      ({ category }) => (outcomes.get(category)!.errors.size ?? 0) > 0,
    );
    expect(lanesAnswered.map((l) => l.category)).toEqual(LANES.map((l) => l.category));
    expect(outcomes.get('oversized frames')!.closes.get(1009)).toBe(150);
    expect(outcomes.get('invalid UTF-8 text')!.closes.get(1007)).toBe(150);
    expect(outcomes.get('subscribe/unsubscribe flood')!.errors.get('RATE_LIMITED')).toBeGreaterThan(
      0,
    );
    expect(outcomes.get('random bytes (binary on json)')!.closes.get(4003)).toBeGreaterThan(0);
    // Hostile SUBSCRIBE packets: each filter got a documented SUBACK code, each end a documented
    // DISCONNECT reason (MQTT 3.1.1 connections are just closed).
    const mqtt = outcomes.get(MQTT_LANE)!.replies;
    for (const [what] of mqtt) {
      const [kind, code] = what.split(' ');
      if (kind === 'suback') expect(DOCUMENTED_SUBACKS, what).toContain(Number(code));
      if (kind === 'disconnect') expect(DOCUMENTED_DISCONNECTS, what).toContain(Number(code));
      expect(what).not.toMatch(/^invalid packet/); // the gateway only writes valid MQTT
    }
    expect(mqtt.get(`suback ${0x8f}`)).toBeGreaterThan(0);
    expect(mqtt.get('suback 0')).toBeGreaterThan(0);

    // The bystander got every update, in order, once.
    feed.send({
      type: 'publish',
      id: 1,
      topic: 'price.BYSTANDER',
      payload: { bid: 0, ask: 1, last: 0, volume: 1, ts: 1 },
    });
    const { seq: last } = await feed.next('ack');
    expect(last).toBe(published + 1);
    const seqs = (await bystander.messages(last)).map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(feed.frames.filter((f) => f.type === 'error')).toEqual([]);

    // Still up and serving newcomers.
    expect((await fetch(`${gw.httpUrl}/health/live`)).status).toBe(200);
    await using late = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'late'));
    late.send({ type: 'ping', ts: 1 });
    expect(await late.next('pong')).toEqual({ type: 'pong', ts: 1 });

    // Nothing of the offenders is left: connections, connection slots, memory.
    for (let i = 0; i < 100 && gw.app.get(Connections).all.size > 3; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(gw.app.get(Connections).all.size).toBe(3); // bystander, feed, late
    expect(gw.app.get(Admission).size).toBe(3);
    expect(gw.app.get(MqttPeers).all.size).toBe(0);
    bystander.frames.length = 0;
    const after = await memory();
    if (process.env.FUZZ_REPORT)
      console.log(
        `heapUsed baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, after ${(after / 2 ** 20).toFixed(1)} MiB`,
      );
    expect(after - baseline).toBeLessThan(8 * 2 ** 20);
  }, 60_000);
});
