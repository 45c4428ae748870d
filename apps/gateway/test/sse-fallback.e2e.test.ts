import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PulseClient } from '@pulse/client';
import httpProxy from 'http-proxy';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';
import { tick } from './fixtures.js';

/** A proxy that passes plain HTTP (streamed) but refuses WebSocket upgrades, like some corporate ones. */
async function upgradeBlockingProxy(target: string) {
  const proxy = httpProxy.createProxyServer({ target });
  const open = new Set<Socket>();
  proxy.on('error', (_err, _req, res) => (res as ServerResponse).destroy?.());
  const server = createServer((req: IncomingMessage, res: ServerResponse) => proxy.web(req, res));
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  server.on('upgrade', (_req, socket: Socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    /** Cuts every connection through the proxy, as a network drop would. */
    dropAll: () => open.forEach((s) => s.destroy()),
    async [Symbol.asyncDispose]() {
      open.forEach((s) => s.destroy());
      proxy.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function inbox() {
  const seqs: string[] = [];
  let wake: (() => void) | undefined;
  return {
    seqs,
    handler: (m: { topic: string; seq: number }) => {
      seqs.push(`${m.topic}#${m.seq}`);
      wake?.();
    },
    /** Waits for `n` messages; fails with what did arrive instead of hanging. */
    async until(n: number, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (seqs.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${n} messages, got [${seqs.join(', ')}]`);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, left);
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
    },
  };
}

describe('client fallback to SSE', () => {
  it(
    'reads over SSE and publishes over HTTP when WebSocket upgrades are blocked, and resumes after a drop',
    // Three connection attempts, a fallback and a reconnect: slow when the whole suite (and
    // Chromium) share two cores, as in CI.
    { timeout: 60_000 },
    async () => {
      await using gw = await startGateway();
      await using proxy = await upgradeBlockingProxy(gw.httpUrl);
      const client = new PulseClient({
        url: proxy.wsUrl,
        token: () => gw.token('admin', 'console'),
        WebSocket: WebSocket as never,
        backoff: () => 0,
        fallbackAfter: 2,
      });
      // Where the time went, printed if the test does not finish (it has timed out under load).
      const t0 = Date.now();
      const phases: string[] = [];
      const phase = (what: string) => phases.push(`${Date.now() - t0} ms ${what}`);
      client.on('status', (e) =>
        phase(
          `status ${e.status} via ${client.transport}${e.closeCode ? ` (${e.closeCode} ${e.closeReason ?? ''})` : ''}`,
        ),
      );
      let finished = false;
      try {
        const x = inbox();
        // `connected` is the welcome of the first stream; the subscription rides on a second one
        // the client opens after it, so publishes right after `connected` can precede it. With
        // `history: 0` they were lost and the test waited forever (about 1 run in 10 on busy
        // cores; every run when that request is held 300 ms): history covers the race.
        client.subscribe('price.X', x.handler, { history: 3 });
        const connected = new Promise<void>((resolve) =>
          client.on('status', (e) => e.status === 'connected' && resolve()),
        );
        client.connect();
        await connected;
        phase('connected');
        expect(client.transport).toBe('sse');
        expect(client.welcome).toMatchObject({ role: 'admin', subject: 'console' });

        await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
        for (let i = 1; i <= 3; i++)
          feed.send({ type: 'publish', id: i, topic: 'price.X', payload: tick(i) });
        await x.until(3);
        phase('3 received');

        // Publish with an ack: a POST /publish behind the scenes.
        await expect(client.publish('price.Y', tick(9), { ack: true })).resolves.toMatchObject({
          topic: 'price.Y',
          seq: 1,
        });
        await expect(
          client.publish(
            'presence.console',
            { deviceId: 'x', online: true, lastSeen: 1 },
            { ack: true },
          ),
        ).rejects.toMatchObject({ code: 'FORBIDDEN' });
        phase('publishes answered');

        // A later subscription reopens the stream; what was flowing keeps its place.
        const y = inbox();
        client.subscribe('price.Y', y.handler, { history: 1 });
        await y.until(1);
        phase('price.Y backfilled');
        feed.send({ type: 'publish', id: 4, topic: 'price.X', payload: tick(4) });
        await x.until(4);
        phase('4 received');

        // The network drops; what is published meanwhile arrives after the reconnect, once.
        const reconnected = new Promise<void>((resolve) =>
          client.on('status', (e) => e.status === 'connected' && resolve()),
        );
        proxy.dropAll();
        for (let i = 5; i <= 7; i++)
          feed.send({ type: 'publish', id: i, topic: 'price.X', payload: tick(i) });
        await feed.next('ack', (a) => a.id === 7);
        phase('dropped, 5..7 acked');
        await reconnected;
        phase('reconnected');
        await x.until(7);
        expect(x.seqs).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `price.X#${n}`));
        expect(y.seqs).toEqual(['price.Y#1']);
        expect(client.transport).toBe('sse');
        finished = true;
      } finally {
        client.close();
        if (!finished) console.error(`sse fallback test, phases:\n${phases.join('\n')}`);
      }
    },
  );
});
