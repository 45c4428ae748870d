import { describe, expect, it } from 'vitest';
import { MetricsServer } from '../src/metrics/metrics-server.js';
import { startGateway } from './gateway-resource.js';
import { TestSocket, UpgradeRefused } from './test-socket.js';
import { tick } from './fixtures.js';

/** The value of one sample line, e.g. `pulse_errors_total{code="BAD_FRAME"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function getJson(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

describe('/metrics', () => {
  it('is for admin tokens or the METRICS_TOKEN, with a code for every refusal', async () => {
    const METRICS_TOKEN = 'scrape-me-scrape-me-1234';
    await using gw = await startGateway({ METRICS_TOKEN });
    const url = `${gw.httpUrl}/metrics`;
    expect(await getJson(url)).toMatchObject({
      status: 401,
      body: { type: 'error', code: 'UNAUTHORIZED' },
    });
    const operator = await gw.token('operator', 'op');
    expect(await getJson(url, { headers: { authorization: `Bearer ${operator}` } })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    const admin = await gw.token('admin', 'root');
    const ok = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    const byStatic = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(byStatic.status).toBe(200);
  });

  it('moves only to METRICS_PORT when one is set', async () => {
    await using gw = await startGateway({
      METRICS_PORT: '0',
      METRICS_TOKEN: 'scrape-me-scrape-me-1234',
    });
    const admin = await gw.token('admin', 'root');
    const main = await getJson(`${gw.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(main).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const port = gw.app.get(MetricsServer).port;
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: 'Bearer scrape-me-scrape-me-1234' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('pulse_connections');
  });

  it('counters move as a scripted session plays out', async () => {
    await using gw = await startGateway();
    const before = await gw.metrics();
    expect(sample(before, 'pulse_bus_reconnects_total')).toBe(0);
    expect(before).toMatch(/^pulse_nodejs_eventloop_lag_seconds /m);
    expect(before).toMatch(/^pulse_nodejs_heap_size_used_bytes /m);

    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.*', history: 0 });
    await op.next('subscribed');
    for (let i = 1; i <= 5; i++)
      feed.send({ type: 'publish', id: i, topic: 'price.X', payload: tick(i) });
    await feed.next('ack', (a) => a.id === 5);
    await op.messages(5);
    op.ws.send('not json');
    await op.next('error');
    feed.send({ type: 'publish', id: 9, topic: 'device.d1.t', payload: tick(1) });
    await feed.next('error');
    await expect(TestSocket.open(gw.wsUrl, 'bad-token')).rejects.toBeInstanceOf(UpgradeRefused);

    const after = await gw.metrics();
    expect(sample(after, 'pulse_messages_in_total{family="price"}')).toBe(5);
    expect(sample(after, 'pulse_messages_out_total{family="price"}')).toBe(5);
    expect(sample(after, 'pulse_errors_total{code="BAD_FRAME"}')).toBe(1);
    expect(sample(after, 'pulse_errors_total{code="FORBIDDEN"}')).toBe(1);
    expect(sample(after, 'pulse_refused_total{code="UNAUTHORIZED"}')).toBe(1);
    expect(sample(after, 'pulse_connections{role="operator",transport="ws"}')).toBe(1);
    expect(sample(after, 'pulse_connections{role="feed",transport="ws"}')).toBe(1);
    expect(sample(after, 'pulse_bytes_in_total')).toBeGreaterThan(500);
    expect(sample(after, 'pulse_bytes_out_total')).toBeGreaterThan(500);
  });
});

describe('HTTP errors', () => {
  it('answers bad parameters and unknown routes with 4xx JSON, never a stack trace', async () => {
    await using gw = await startGateway({ DEV_TOKENS: 'true' });
    const bad = await getJson(`${gw.httpUrl}/auth/dev-token?role=root&sub=x`);
    expect(bad).toMatchObject({ status: 400, body: { type: 'error', code: 'BAD_REQUEST' } });
    expect(bad.type).toMatch(/^application\/json/);
    const missing = await getJson(`${gw.httpUrl}/no/such/route`);
    expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const badJson = await getJson(`${gw.httpUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"role": ',
    });
    expect(badJson).toMatchObject({
      status: 400,
      body: { code: 'BAD_REQUEST', message: 'body is not valid JSON' },
    });
    const huge = await getJson(`${gw.httpUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'TOO_LARGE' } });
    for (const r of [bad, missing, badJson, huge])
      expect(r.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
});
