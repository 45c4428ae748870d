import { describe, expect, it } from 'vitest';
import { initialStatus, transition, type StatusEvent } from './status.js';

describe('status transitions', () => {
  it('connect → welcome → lost → welcome → stop', () => {
    const connecting = transition(initialStatus, { type: 'connect' })!;
    expect(connecting).toEqual({ status: 'connecting', previous: 'disconnected', attempt: 0 });
    const connected = transition(connecting, { type: 'welcome' })!;
    expect(connected).toMatchObject({ status: 'connected', previous: 'connecting', attempt: 0 });
    const lost = transition(connected, {
      type: 'lost',
      attempt: 1,
      nextRetryInMs: 80,
      closeCode: 1006,
    })!;
    expect(lost).toEqual({
      status: 'reconnecting',
      previous: 'connected',
      attempt: 1,
      nextRetryInMs: 80,
      closeCode: 1006,
    });
    const again = transition(lost, { type: 'lost', attempt: 2, nextRetryInMs: 160 })!;
    expect(again).toMatchObject({ status: 'reconnecting', previous: 'reconnecting', attempt: 2 });
    const back = transition(again, { type: 'welcome' })!;
    expect(back).toMatchObject({ status: 'connected', attempt: 0 });
    const stopped = transition(back, { type: 'stop', closeCode: 4001, closeReason: 'bad token' })!;
    expect(stopped).toEqual({
      status: 'disconnected',
      previous: 'connected',
      attempt: 0,
      closeCode: 4001,
      closeReason: 'bad token',
    });
  });

  it('reports no change for a repeated connect, welcome or stop', () => {
    const connected: StatusEvent = { status: 'connected', previous: 'connecting', attempt: 0 };
    expect(transition(connected, { type: 'connect' })).toBeUndefined();
    expect(transition(connected, { type: 'welcome' })).toBeUndefined();
    expect(transition(initialStatus, { type: 'stop' })).toBeUndefined();
  });
});
