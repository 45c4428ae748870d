import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryResponseSchema, type HistoryResponse, type RawHistory } from '@pulse/protocol';
import * as v from 'valibot';
import { expect } from 'vitest';
import type { GatewayResource } from '../gateway-resource.js';
import { HistoryService } from '../../src/history/history.service.js';

/** A fresh DATA_DIR under the system temp dir, removed on dispose. */
export function tempDataDir(): { dir: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-history-'));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** POSTs publishes one by one (each acked = stored), returning the seqs. */
export async function publishAll(
  gw: GatewayResource,
  token: string,
  topic: string,
  payloads: readonly unknown[],
): Promise<number[]> {
  const seqs: number[] = [];
  for (const payload of payloads) {
    const res = await fetch(`${gw.httpUrl}/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic, payload }),
    });
    expect(res.status).toBe(200);
    seqs.push(((await res.json()) as { seq: number }).seq);
  }
  return seqs;
}

/** Waits until the gateway's history writer has stored everything it holds. */
export async function flushed(gw: GatewayResource): Promise<void> {
  expect(await gw.app.get(HistoryService).writer.drain(10_000)).toBe(true);
}

export interface Answer {
  status: number;
  body: unknown;
}

/** `GET /history?…` with a token (or none). */
export async function history(
  gw: GatewayResource,
  token: string | undefined,
  params: Record<string, string | number>,
): Promise<Answer> {
  const qs = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  const res = await fetch(`${gw.httpUrl}/history?${qs}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.json() };
}

/** A 200 whose body the protocol schema accepts. */
export function ok(answer: Answer): HistoryResponse {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const parsed = v.safeParse(HistoryResponseSchema, answer.body);
  expect(parsed.issues, JSON.stringify(parsed.issues)).toBeUndefined();
  return parsed.output as HistoryResponse;
}

/** A 200 raw answer the protocol schema accepts. */
export function okRaw(answer: Answer): RawHistory {
  const body = ok(answer);
  if (body.kind !== 'raw') throw new Error(`expected raw, got ${body.kind}`);
  return body;
}
