import { expect } from 'vitest';
import { UpgradeRefused, type TestSocket } from './test-socket.js';

/** A sensor reading whose value is also its position (`ts` moves with it). */
export const reading = (value: number) => ({
  value,
  unit: 'C',
  ts: 1_700_000_000_000 + value,
});

/** A price tick around `last`. */
export const tick = (last: number) => ({
  bid: last,
  ask: last + 1,
  last,
  volume: 1,
  ts: 1_700_000_000_000,
});

/** from, from + 1, …, to */
export const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Publishes readings `from`..`to` on `topic` (ids = values) and waits for the last ack. */
export async function publishN(
  dev: TestSocket,
  topic: string,
  from: number,
  to: number,
): Promise<void> {
  for (let i = from; i <= to; i++) dev.send({ type: 'publish', id: i, topic, payload: reading(i) });
  await dev.next('ack', (f) => f.id === to);
}

/** The refusal of an upgrade that must be refused (fails the test if it was accepted). */
export async function refusal(p: Promise<unknown>): Promise<UpgradeRefused> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeRefused);
  return err as UpgradeRefused;
}
