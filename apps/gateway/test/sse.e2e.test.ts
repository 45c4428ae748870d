import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { SseReader, SseRefused } from './sse-reader.js';
import { TestSocket } from './test-socket.js';
import { tick } from './fixtures.js';

const reading = (value: number) => ({ value, unit: 'C', ts: 1_700_000_000_000 });

async function publishTicks(
  feed: TestSocket,
  topic: string,
  from: number,
  to: number,
): Promise<void> {
  for (let i = from; i <= to; i++) feed.send({ type: 'publish', id: i, topic, payload: tick(i) });
  await feed.next('ack', (a) => a.id === to);
}

async function refused(p: Promise<unknown>): Promise<SseRefused> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SseRefused);
  return err as SseRefused;
}

describe('GET /sse', () => {
  it('streams the welcome, subscribed and every message with its position as the event id', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'op');
    await using sse = await SseReader.open(
      `${gw.httpUrl}/sse?topics=price.X,device.*.temperature&history=0&token=${token}`,
    );
    expect(sse.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await sse.frame('welcome')).toMatchObject({
      role: 'operator',
      subject: 'op',
      protocol: 1,
    });
    await sse.until((r) => r.frames.filter((f) => f.type === 'subscribed').length === 2);

    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    await publishTicks(feed, 'price.X', 1, 3);
    dev.send({ type: 'publish', id: 1, topic: 'device.d1.temperature', payload: reading(20) });
    await dev.next('ack');
    await sse.until((r) => r.messages.length === 4);
    expect(sse.messages.map((m) => `${m.topic}#${m.seq}`)).toEqual([
      'price.X#1',
      'price.X#2',
      'price.X#3',
      'device.d1.temperature#1',
    ]);
    const epoch = sse.messages[0]!.epoch;
    expect(sse.lastEventId).toBe(`price.X:3:${epoch},device.d1.temperature:1`);
  });

  it('resumes with Last-Event-ID exactly like since: the missed messages, once, then live', async () => {
    // A short heartbeat: its comment is the event that says nothing more is on its way.
    await using gw = await startGateway({ HEARTBEAT_MS: '200' });
    const token = await gw.token('operator', 'op');
    const url = `${gw.httpUrl}/sse?topics=price.*&history=0`;
    const headers = { authorization: `Bearer ${token}` };
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const first = await SseReader.open(url, headers);
    await first.frame('subscribed');
    await publishTicks(feed, 'price.A', 1, 3);
    await publishTicks(feed, 'price.B', 1, 2);
    await first.until((r) => r.messages.length === 5);
    const lastId = first.lastEventId;
    await first[Symbol.asyncDispose]();

    await publishTicks(feed, 'price.A', 4, 6); // missed while away
    await using again = await SseReader.open(url, { ...headers, 'last-event-id': lastId });
    expect(await again.frame('subscribed')).toMatchObject({ topic: 'price.*', recovered: true });
    await publishTicks(feed, 'price.B', 3, 3); // live
    await again.exactly(['price.A#4', 'price.A#5', 'price.A#6', 'price.B#3']);
    // The query form works for a first request that cannot set headers.
    await using byQuery = await SseReader.open(
      `${url}&lastEventId=${encodeURIComponent(lastId)}`,
      headers,
    );
    await byQuery.until((r) => r.messages.length === 4);
    expect(byQuery.messages[0]).toMatchObject({ topic: 'price.A', seq: 4 });
  });

  it('gives each topic of a stream its own maxRate and history', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'price.*=20:conflate' });
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    await publishTicks(feed, 'price.A', 1, 30);
    await publishTicks(feed, 'price.B', 1, 30);
    const token = await gw.token('operator', 'op');
    const topics = encodeURIComponent('price.A;maxRate=2;history=25,price.B;history=3,price.C');
    await using sse = await SseReader.open(
      `${gw.httpUrl}/sse?topics=${topics}&maxRate=10&token=${token}`,
    );
    await sse.until((r) => r.frames.filter((f) => f.type === 'subscribed').length === 3);
    const subscribed = sse.frames.filter((f) => f.type === 'subscribed');
    expect(subscribed.map((f) => [f.topic, f.maxRate])).toEqual([
      ['price.A', 2],
      ['price.B', 10],
      ['price.C', 10],
    ]);
    await sse.until((r) => r.messages.length === 28);
    const seqs = (topic: string) => sse.messages.filter((m) => m.topic === topic).map((m) => m.seq);
    expect(seqs('price.A')).toEqual(Array.from({ length: 25 }, (_, i) => 6 + i));
    expect(seqs('price.B')).toEqual([28, 29, 30]);
  });

  it('refuses a bad per-topic option with 400', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'op');
    for (const entry of [
      'price.A;maxRate=0',
      'price.A;history=x',
      'price.A;speed=1',
      'price.A;history=1;history=2',
    ]) {
      const err = await refused(
        SseReader.open(`${gw.httpUrl}/sse?topics=${encodeURIComponent(entry)}&token=${token}`),
      );
      expect(err.status, entry).toBe(400);
      expect(err.code, entry).toBe('BAD_REQUEST');
    }
  });

  it('is throttled by topic policy and maxRate, ending on the latest value', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'price.*=20:conflate' });
    const token = await gw.token('operator', 'op');
    await using sse = await SseReader.open(
      `${gw.httpUrl}/sse?topics=price.X&history=0&maxRate=5&token=${token}`,
    );
    expect(await sse.frame('subscribed')).toMatchObject({ maxRate: 5 });
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const started = Date.now();
    await publishTicks(feed, 'price.X', 1, 500);
    await sse.until((r) => r.messages.at(-1)?.seq === 500);
    const elapsed = Date.now() - started;
    expect(sse.messages.length).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 2);
    expect(sse.messages.at(-1)).toMatchObject({ seq: 500, payload: { last: 500 } });
  });

  it('closes a stream that stops reading as a slow consumer (4100), like a socket', async () => {
    await using gw = await startGateway({
      SLOW_SOFT_BYTES: '4096',
      SLOW_HARD_BYTES: '262144',
      SLOW_MAX_MS: '200',
      PUBLISH_LIMITS: 'feed=1000000/1000000',
    });
    const token = await gw.token('operator', 'stalled');
    // A client that sends its request and then never reads.
    const stalled = connect(gw.port, '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(`GET /sse?topics=price.*&history=0&token=${token} HTTP/1.1\r\nHost: x\r\n\r\n`);
    stalled.pause();
    await using healthy = await SseReader.open(
      `${gw.httpUrl}/sse?topics=price.*&history=0&token=${token}`,
    );
    await healthy.frame('subscribed');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const slowCloses = async () =>
      Number(/pulse_slow_consumer_closes_total (\d+)/.exec(await gw.metrics())?.[1]);
    let sent = 0;
    for (let round = 0; round < 60 && (await slowCloses()) === 0; round++) {
      for (let i = 0; i < 2000; i++)
        feed.send({
          type: 'publish',
          topic: `price.S${i % 50}`,
          payload: tick(++sent + 0.123456789),
        });
      feed.send({ type: 'publish', id: round, topic: 'price.S0', payload: tick(++sent) });
      await feed.next('ack', (a) => a.id === round);
    }
    expect(await slowCloses()).toBe(1);
    // The stream ends with the 4100 `close` event; a peer that never reads is cut after 1 s.
    for (let i = 0; i < 50 && !/pulse_closes_total\{code="4100"\} 1/.test(await gw.metrics()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await gw.metrics()).toMatch(/pulse_closes_total\{code="4100"\} 1/);
    // The one that reads got every message, in order per topic.
    await healthy.until((r) => r.messages.length === sent, 10_000);
    stalled.destroy();
  });

  it('sends heartbeat comments and accepts the token from the pulse_token cookie', async () => {
    await using gw = await startGateway({ HEARTBEAT_MS: '100' });
    const token = await gw.token('operator', 'cookie-user');
    await using sse = await SseReader.open(`${gw.httpUrl}/sse?topics=price.X`, {
      cookie: `pulse_token=${token}`,
    });
    expect(await sse.frame('welcome')).toMatchObject({ subject: 'cookie-user' });
    await sse.until((r) => r.comments.some((c) => c.startsWith('ping ')));
  });

  it('refuses with a JSON error and a code before the stream starts', async () => {
    await using gw = await startGateway({ ALLOWED_ORIGINS: 'https://ops.example.com' });
    const op = await gw.token('operator', 'op');
    const kiosk = await gw.token('operator', 'kiosk', 3600, ['price.*']);
    const base = `${gw.httpUrl}/sse`;
    const cases: [string, Record<string, string>, number, string][] = [
      [`${base}?topics=price.X`, {}, 401, 'UNAUTHORIZED'],
      [
        `${base}?topics=price.X&token=${await gw.token('operator', 'op', -5)}`,
        {},
        401,
        'TOKEN_EXPIRED',
      ],
      [`${base}?topics=price.*.x&token=${op}`, {}, 400, 'INVALID_TOPIC'],
      [`${base}?topic=price.X&token=${op}`, {}, 400, 'BAD_REQUEST'],
      [`${base}?topics=price.X&maxRate=-1&token=${op}`, {}, 400, 'BAD_REQUEST'],
      [`${base}?topics=price.X&history=1e9&token=${op}`, {}, 400, 'BAD_REQUEST'],
      [`${base}?topics=price.X&token=${op}`, { 'last-event-id': 'garbage' }, 400, 'BAD_REQUEST'],
      [`${base}?topics=device.d1.t&token=${kiosk}`, {}, 403, 'FORBIDDEN'],
      [
        `${base}?topics=price.X&token=${op}`,
        { origin: 'https://evil.example' },
        403,
        'ORIGIN_NOT_ALLOWED',
      ],
    ];
    for (const [url, headers, status, code] of cases) {
      const r = await refused(SseReader.open(url, headers));
      expect([r.status, r.code], url).toEqual([status, code]);
      expect(r.body).not.toMatch(/\bat .*\.(js|ts):\d+/);
    }
    expect(await gw.metrics()).toMatch(/pulse_refused_total\{code="BAD_REQUEST"\} 4/);
  });

  it('counts against the connection caps like a socket', async () => {
    await using gw = await startGateway({ MAX_CONNECTIONS_PER_IP: '1' });
    const token = await gw.token('operator', 'op');
    await using _first = await SseReader.open(`${gw.httpUrl}/sse?topics=price.X&token=${token}`);
    const r = await refused(SseReader.open(`${gw.httpUrl}/sse?topics=price.X&token=${token}`));
    expect([r.status, r.code]).toEqual([429, 'TOO_MANY_CONNECTIONS']);
    const metrics = await gw.metrics();
    expect(metrics).toMatch(/pulse_connections\{role="operator",transport="sse"\} 1/);
  });

  it('works with curl -N', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'op');
    const curl = spawn('curl', [
      '-N',
      '-s',
      '-H',
      `Authorization: Bearer ${token}`,
      `${gw.httpUrl}/sse?topics=price.X&history=0`,
    ]);
    let out = '';
    curl.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      for (let i = 0; i < 100 && !out.includes('"subscribed"'); i++)
        await new Promise((r) => setTimeout(r, 20));
      await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
      await publishTicks(feed, 'price.X', 1, 1);
      for (let i = 0; i < 100 && !out.includes('"seq":1'); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(out).toMatch(/^retry: 1000\n\ndata: \{"type":"welcome"/);
      expect(out).toMatch(
        /\nid: price\.X:1:[^\n]+\ndata: \{"type":"message","topic":"price\.X","seq":1,/,
      );
    } finally {
      curl.kill();
    }
  });
});
