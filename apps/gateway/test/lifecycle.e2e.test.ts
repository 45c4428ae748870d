import { CloseCode } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';

describe.each(BUSES)('lifecycle (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('answers liveness and readiness', async () => {
    await using gw = await startGateway();
    const live = await fetch(`${gw.httpUrl}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${gw.httpUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', bus, connections: 0 });
  });

  it('publishes presence when a device connects and when its last connection closes', async () => {
    await using gw = await startGateway();
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'presence.*', history: 0 });
    await op.next('subscribed');
    const dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'dev-7'));
    const [online] = await op.messages(1);
    expect(online).toMatchObject({
      topic: 'presence.dev-7',
      payload: { deviceId: 'dev-7', online: true, transport: 'ws' },
    });
    dev.close();
    const [offline] = await op.messages(1);
    expect(offline).toMatchObject({
      topic: 'presence.dev-7',
      seq: 2,
      payload: { online: false, transport: 'ws' },
    });
  });

  it('welcomes with the limits and pings at the heartbeat interval', async () => {
    await using gw = await startGateway({ HEARTBEAT_MS: '200', HISTORY_SIZE: '50' });
    const s = await TestSocket.open(gw.wsUrl, await gw.token('operator', 'op'));
    await using _ = s;
    expect(await s.next('welcome')).toMatchObject({
      heartbeatMs: 200,
      limits: { maxFrameBytes: 65536, maxSubscriptions: 1000, historySize: 50 },
    });
    expect(await s.next('ping')).toMatchObject({ type: 'ping' });
  });

  it('closes a client that stops answering with 4101', async () => {
    await using gw = await startGateway({ HEARTBEAT_MS: '200' });
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    // A raw ws client sends nothing on its own: after 2 heartbeats it is presumed dead.
    expect((await s.closed).code).toBe(CloseCode.HEARTBEAT_TIMEOUT);
  });

  it('tells clients to reconnect elsewhere (1012) on shutdown and refuses readiness meanwhile', async () => {
    const gw = await startGateway();
    const s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    const closing = gw.close();
    expect(await s.next('notice')).toMatchObject({ code: 'DRAINING' });
    expect((await s.closed).code).toBe(CloseCode.SERVICE_RESTART);
    await closing;
  });

  it('finishes shutting down after the drain time even if a client never answers the close', async () => {
    const gw = await startGateway();
    const s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'mute'));
    // Stops reading: it will never see the close frame, let alone answer it.
    s.pauseReading();
    const started = Date.now();
    await gw.close();
    // The drain waits 3 s for clients to go; a mute one must not hold the exit for ws's 30 s
    // closing handshake.
    expect(Date.now() - started).toBeLessThan(6000);
    s.ws.terminate();
  });
});
