import type { Alarm } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';

const reading = (value: number) => ({ value, unit: '°C', ts: Date.now() });

describe('alarms', () => {
  it('publishes a raise and a clear on alarm.<device>.<metric> that every operator sees', async () => {
    await using gw = await startGateway({ ALARM_RULES: 'temperature>30:0s;battery<15:0s' });
    await using a = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op-a'));
    await using b = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op-b'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    for (const s of [a, b]) {
      s.send({ type: 'subscribe', id: 1, topic: 'alarm.*.temperature', history: 0 });
      await s.next('subscribed');
    }
    let id = 0;
    for (const value of [25, 31, 35, 29]) {
      dev.send({
        type: 'publish',
        id: ++id,
        topic: 'device.d1.temperature',
        payload: reading(value),
      });
      await dev.next('ack', (f) => f.id === id);
    }
    for (const s of [a, b]) {
      const [raised, cleared] = await s.messages(2, 'alarm.d1.temperature');
      expect(raised).toMatchObject({ seq: 1, payload: { state: 'raised', value: 31 } });
      expect(cleared).toMatchObject({ seq: 2, payload: { state: 'cleared', value: 29 } });
      expect((raised!.payload as Alarm).rule).toBe('temperature>30:0s');
      expect((raised!.payload as Alarm).threshold).toBe(30);
    }
    // Alarms are topics like any other: a late operator gets them from history.
    await using late = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'late'));
    late.send({ type: 'subscribe', id: 1, topic: 'alarm.d1.temperature', history: 10 });
    expect((await late.messages(2)).map((m) => (m.payload as Alarm).state)).toEqual([
      'raised',
      'cleared',
    ]);
  });

  it('waits for the rule duration before raising', async () => {
    await using gw = await startGateway({ ALARM_RULES: 'humidity>80:300ms' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd7'));
    op.send({ type: 'subscribe', id: 1, topic: 'alarm.d7.humidity', history: 0 });
    await op.next('subscribed');
    const started = Date.now();
    let id = 0;
    // One reading every 50 ms, all above the threshold; the alarm may only come 300 ms in.
    const timer = setInterval(() => {
      dev.send({ type: 'publish', id: ++id, topic: 'device.d7.humidity', payload: reading(85) });
    }, 50);
    try {
      const [raised] = await op.messages(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(raised).toMatchObject({ payload: { deviceId: 'd7', state: 'raised', value: 85 } });
    } finally {
      clearInterval(timer);
    }
  });

  it('does not let a device publish alarms itself', async () => {
    await using gw = await startGateway();
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    dev.send({
      type: 'publish',
      id: 1,
      topic: 'alarm.d1.temperature',
      payload: {
        deviceId: 'd1',
        metric: 'temperature',
        state: 'raised',
        value: 1,
        threshold: 0,
        rule: 'x',
        ts: 1,
      },
    });
    expect(await dev.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
  });
});
