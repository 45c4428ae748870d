import { describe, expect, it } from 'vitest';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';
import { publishN, range } from './fixtures.js';

describe.each(BUSES)('resume (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('a reconnect with since/epoch gets exactly the missed messages, then live ones', async () => {
    await using gw = await startGateway();
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    const topic = 'device.d1.humidity';
    const first = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    first.send({ type: 'subscribe', id: 1, topic, history: 0 });
    const { epoch } = await first.next('subscribed');
    await publishN(dev, topic, 1, 10);
    const seen = await first.messages(10);
    const last = seen.at(-1)!.seq;
    first.ws.terminate();
    await first.closed;

    await publishN(dev, topic, 11, 25); // missed while away
    await using again = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    again.send({ type: 'subscribe', id: 1, topic, since: last, epoch });
    expect(await again.next('subscribed')).toMatchObject({ recovered: true, epoch, seq: 25 });
    await publishN(dev, topic, 26, 30); // live after resume
    await again.exactly(range(11, 30));
  });

  it('a pattern resumes per topic with positions', async () => {
    await using gw = await startGateway();
    await using d1 = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    await using d2 = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd2'));
    await publishN(d1, 'device.d1.battery', 1, 4);
    await publishN(d2, 'device.d2.battery', 1, 6);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    // Epochs are per topic (on Redis each topic has its own): learn each one.
    op.send({ type: 'subscribe', id: 1, topic: 'device.d1.battery', history: 0 });
    const e1 = (await op.next('subscribed', (f) => f.id === 1)).epoch!;
    op.send({ type: 'subscribe', id: 3, topic: 'device.d2.battery', history: 0 });
    const e2 = (await op.next('subscribed', (f) => f.id === 3)).epoch!;
    op.send({
      type: 'subscribe',
      id: 2,
      topic: 'device.*.battery',
      positions: {
        'device.d1.battery': { seq: 2, epoch: e1 },
        'device.d2.battery': { seq: 5, epoch: e2 },
      },
    });
    expect(await op.next('subscribed', (f) => f.id === 2)).toMatchObject({ recovered: true });
    await op.exactly(['device.d1.battery#3', 'device.d1.battery#4', 'device.d2.battery#6']);
  });

  it('says recovered:false and sends the latest value when the gap is older than history', async () => {
    await using gw = await startGateway({ HISTORY_SIZE: '5' });
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    const topic = 'device.d1.vibration';
    await publishN(dev, topic, 1, 3);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic });
    const { epoch } = await op.next('subscribed');
    await publishN(dev, topic, 4, 20);
    op.send({ type: 'unsubscribe', id: 2, topic });
    await op.next('unsubscribed');
    op.frames.length = 0;
    op.send({ type: 'subscribe', id: 3, topic, since: 3, epoch });
    expect(await op.next('subscribed', (f) => f.id === 3)).toMatchObject({
      recovered: false,
      seq: 20,
    });
    const [latest] = await op.exactly([20]);
    expect(latest).toMatchObject({ seq: 20, payload: { value: 20 } });
  });

  it('says recovered:false for a position from another epoch (a restarted gateway)', async () => {
    await using gw = await startGateway();
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    await publishN(dev, 'device.d1.temperature', 1, 2);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({
      type: 'subscribe',
      id: 1,
      topic: 'device.d1.temperature',
      since: 1,
      epoch: 'older-epoch',
    });
    expect(await op.next('subscribed')).toMatchObject({ recovered: false, seq: 2 });
    await op.exactly([2]);
  });

  it('a resume while publishes stream in gets each missed and live seq once, where replay meets live', async () => {
    await using gw = await startGateway();
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    const topic = 'device.d1.pressure';
    await publishN(dev, topic, 1, 50);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    const { epoch } = await op.next('subscribed');
    op.send({ type: 'unsubscribe', id: 2, topic });
    await op.next('unsubscribed');
    // The resume's history read and its live subscription overlap with these publishes (in
    // rounds, so some land while the gateway reads history): the replay and the held live
    // messages then share seqs, and each must still arrive once.
    op.send({ type: 'subscribe', id: 3, topic, since: 50, epoch });
    for (let from = 51; from <= 300; from += 10) await publishN(dev, topic, from, from + 9);
    expect(await op.next('subscribed', (f) => f.id === 3)).toMatchObject({ recovered: true });
    await op.exactly(range(51, 300));
  });
});
