import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '@pulse/protocol';
import { PulseClient, type SocketConstructor } from '../src/index.js';
import {
  Inbox,
  createClient,
  nextEvent,
  recordedBackoff,
  startServer,
  statusLog,
  waitForStatus,
} from './helpers.js';

describe('connection lifecycle', () => {
  it('goes connecting → connected → reconnecting → connected when the link drops', async () => {
    const server = await startServer();
    const client = createClient(server);
    const log = statusLog(client);
    const welcomed = nextEvent(client, 'welcome');
    client.connect();
    expect((await welcomed).serverId).toBe('fake-1');
    expect(client.serverId).toBe('fake-1');

    (await server.connection(0)).terminate();
    await waitForStatus(client, 'connected');

    expect(log.map((e) => e.status)).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'connected',
    ]);
    expect(log[2]).toMatchObject({
      previous: 'connected',
      attempt: 1,
      nextRetryInMs: 0,
      closeCode: 1006,
    });
    expect(log[3]).toMatchObject({ previous: 'reconnecting', attempt: 0 });
    expect(client.welcome?.connectionId).toBe('conn-1');
    expect(client.stats.reconnects).toBe(1);
  });

  it('counts attempts while the server keeps failing, and asks backoff for each', async () => {
    const backoff = recordedBackoff();
    const server = await startServer({ rejectUpgrade: (i) => (i >= 1 && i <= 2 ? 503 : false) });
    const client = createClient(server, { backoff });
    const log = statusLog(client);
    client.connect();
    await waitForStatus(client, 'connected');
    (await server.connection(0)).terminate();
    await waitForStatus(client, 'connected');

    expect(log.map((e) => [e.status, e.attempt])).toEqual([
      ['connecting', 0],
      ['connected', 0],
      ['reconnecting', 1],
      ['reconnecting', 2],
      ['reconnecting', 3],
      ['connected', 0],
    ]);
    expect(backoff.attempts).toEqual([1, 2, 3]);
    // In Node, `ws` tells why the upgrade failed; that becomes the close reason.
    expect(log[3]?.closeReason).toContain('503');
  });

  it.each([CloseCode.UNAUTHORIZED, CloseCode.UNSUPPORTED_PROTOCOL])(
    'does not retry after close code %i: disconnected with that code',
    async (code) => {
      const backoff = recordedBackoff();
      const server = await startServer();
      const client = createClient(server, { backoff });
      const log = statusLog(client);
      client.connect();
      await waitForStatus(client, 'connected');
      (await server.connection(0)).close(code, 'go away');

      const final = await waitForStatus(client, 'disconnected');
      expect(final).toMatchObject({
        previous: 'connected',
        closeCode: code,
        closeReason: 'go away',
      });
      expect(log.map((e) => e.status)).toEqual(['connecting', 'connected', 'disconnected']);
      expect(backoff.attempts).toEqual([]);
      expect(server.connections).toHaveLength(1);
    },
  );

  it('reconnects at once after 1012 (service restart), without waiting for backoff', async () => {
    const backoff = recordedBackoff(60_000);
    const server = await startServer();
    const client = createClient(server, { backoff });
    const log = statusLog(client);
    client.connect();
    await waitForStatus(client, 'connected');
    (await server.connection(0)).close(CloseCode.SERVICE_RESTART, 'draining');
    await waitForStatus(client, 'connected');

    expect(log[2]).toMatchObject({
      status: 'reconnecting',
      attempt: 1,
      nextRetryInMs: 0,
      closeCode: 1012,
    });
    expect(backoff.attempts).toEqual([]);
  });

  it('reads the token again on every connection and sends it as ?token=', async () => {
    const server = await startServer();
    let calls = 0;
    const client = createClient(server, { token: async () => `t${++calls}` });
    client.connect();
    await waitForStatus(client, 'connected');
    (await server.connection(0)).terminate();
    await waitForStatus(client, 'connected');
    expect(server.connections.map((c) => c.token)).toEqual(['t1', 't2']);

    const fixed = createClient(server, { token: 'static' });
    fixed.connect();
    await waitForStatus(fixed, 'connected');
    expect(server.connections[2]?.token).toBe('static');
  });

  it('close() says 1000 to the server, ends disconnected and stays there', async () => {
    const backoff = recordedBackoff();
    const server = await startServer();
    const client = createClient(server, { backoff });
    client.connect();
    await waitForStatus(client, 'connected');
    const conn = await server.connection(0);
    const disconnected = waitForStatus(client, 'disconnected');
    client.close();
    expect(await disconnected).toMatchObject({ closeCode: 1000 });
    expect((await conn.closed).code).toBe(1000);
    expect(client.status).toBe('disconnected');
    expect(client.welcome).toBeUndefined();
    expect(backoff.attempts).toEqual([]);
  });

  it('connects lazily on the first subscribe', async () => {
    const server = await startServer();
    const client = createClient(server);
    expect(client.status).toBe('disconnected');
    client.subscribe('price.X', () => {});
    expect(client.status).toBe('connecting');
    const conn = await server.connection(0);
    expect((await conn.next('subscribe')).topic).toBe('price.X');
  });

  it('reports undecodable or invalid frames as error events and keeps the connection', async () => {
    const server = await startServer();
    const client = createClient(server);
    const inbox = new Inbox();
    client.subscribe('price.X', inbox.handler);
    const conn = await server.connection(0);
    await conn.next('subscribe');
    const bad = nextEvent(client, 'error', (e) => e.code === 'BAD_FRAME');
    conn.sendRaw('{not json');
    await bad;
    const invalid = nextEvent(client, 'error', (e) => e.code === 'INVALID_MESSAGE');
    conn.send({ type: 'subscribed', id: 'one' });
    await invalid;
    conn.message('price.X', 1);
    await inbox.until(1);
    expect(client.status).toBe('connected');
  });

  it('emits notices', async () => {
    const server = await startServer();
    const client = createClient(server);
    client.connect();
    const conn = await server.connection(0);
    const notice = nextEvent(client, 'notice');
    conn.send({ type: 'notice', code: 'DRAINING', message: 'bye soon' });
    expect(await notice).toMatchObject({ code: 'DRAINING', message: 'bye soon' });
  });
});

describe('heartbeat', () => {
  it('answers server pings with a pong carrying the same ts', async () => {
    const server = await startServer();
    const client = createClient(server);
    client.connect();
    const conn = await server.connection(0);
    conn.send({ type: 'ping', ts: 123 });
    expect(await conn.next('pong')).toEqual({ type: 'pong', ts: 123 });
  });

  it('pings every heartbeat and reports the round trip; ping() resolves with the RTT', async () => {
    const server = await startServer({ welcome: () => ({ heartbeatMs: 30 }) });
    const client = createClient(server);
    const latency = nextEvent(client, 'latency');
    client.connect();
    expect((await latency).rttMs).toBeGreaterThanOrEqual(0);
    const rtt = await client.ping();
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(1000);
  });

  it('closes a silent link after 2×heartbeat + grace and reconnects', async () => {
    const server = await startServer({ welcome: () => ({ heartbeatMs: 40 }), answerPings: false });
    const client = createClient(server, { heartbeatGraceMs: 20 });
    const log = statusLog(client);
    const started = Date.now();
    client.connect();
    const first = await server.connection(0);
    const lost = await waitForStatus(client, 'reconnecting');
    const elapsed = Date.now() - started;

    expect(lost).toMatchObject({ closeCode: CloseCode.HEARTBEAT_TIMEOUT });
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(2000);
    expect((await first.closed).code).toBe(CloseCode.HEARTBEAT_TIMEOUT);
    // The client kept pinging while it waited; the server stayed silent.
    expect(first.frames('ping').length).toBeGreaterThanOrEqual(2);

    const second = await server.connection(1);
    second.answerPings = true;
    await waitForStatus(client, 'connected');
    expect(log.map((e) => e.status)).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'connected',
    ]);
  });

  it('ping() rejects with DISCONNECTED when not connected', async () => {
    const server = await startServer();
    const client = createClient(server);
    await expect(client.ping()).rejects.toMatchObject({ name: 'PulseError', code: 'DISCONNECTED' });
  });
});

describe('stale sockets', () => {
  it('ignores frames and a late close of a socket it already gave up on', async () => {
    const sockets: WebSocket[] = [];
    // Records the raw sockets so the test can wait for the old one's own close event.
    class Recording extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    }
    const server = await startServer({ welcome: (i) => (i === 0 ? false : {}) });
    const client = createClient(server, {
      WebSocket: Recording as SocketConstructor,
      connectTimeoutMs: 100,
    });
    const log = statusLog(client);
    const inbox = new Inbox();
    client.subscribe('price.X', inbox.handler);

    const old = await server.connection(0);
    // Do not read the client's close frame: the old socket stays half-open, as on a slow network.
    old.socket.pause();
    const fresh = await server.connection(1);
    await waitForStatus(client, 'connected');
    await fresh.next('subscribe');

    // The old connection now wakes up: welcome, a message and a fatal close code.
    old.welcome({ serverId: 'stale' });
    old.message('price.X', 99);
    old.close(CloseCode.UNAUTHORIZED, 'stale');
    old.socket.resume(); // let the closing handshake finish so the old socket's close fires
    const [code] = (await once(sockets[0]!, 'close')) as [number];
    expect(code).toBe(CloseCode.UNAUTHORIZED);

    fresh.message('price.X', 1);
    await inbox.until(1);
    expect(inbox.seqs()).toEqual([1]);
    expect(client.status).toBe('connected');
    expect(client.serverId).toBe('fake-1');
    expect(log.map((e) => e.status)).toEqual(['connecting', 'reconnecting', 'connected']);
    expect(log[1]?.closeReason).toBe('no welcome within 100 ms');
  });

  it('a close() while the token is still being fetched opens no socket', async () => {
    const server = await startServer();
    let release!: (token: string) => void;
    const client = createClient(server, {
      token: () => new Promise<string>((resolve) => (release = resolve)),
    });
    client.connect();
    client.close();
    expect(client.status).toBe('disconnected');
    release('late');
    // A second client proves the server is reachable; the first one never showed up.
    const other = new PulseClient({ url: server.url, WebSocket });
    other.connect();
    await waitForStatus(other, 'connected');
    other.close();
    expect(server.connections).toHaveLength(1);
  });
});
