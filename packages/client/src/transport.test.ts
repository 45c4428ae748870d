import { describe, expect, it } from 'vitest';
import type { SocketConstructor } from './socket.js';
import { Transports } from './transport.js';

const fake = (name: string) =>
  class {
    readonly name = name;
  } as unknown as SocketConstructor;

describe('Transports', () => {
  it('moves to the next transport after `fallbackAfter` failed attempts, and keeps one that works', () => {
    const t = new Transports(['websocket', 'sse'], 2, { websocket: fake('ws'), sse: fake('sse') });
    expect(t.current).toBe('websocket');
    t.failed();
    expect(t.current).toBe('websocket');
    t.failed();
    expect(t.current).toBe('sse');
    expect((t.open('ws://x/ws', 'p') as unknown as { name: string }).name).toBe('sse');
    t.succeeded();
    t.failed();
    expect(t.current).toBe('sse');
    t.failed();
    expect(t.current).toBe('websocket'); // both are tried in turn while nothing works
  });

  it('stays put with a single transport', () => {
    const t = new Transports(['websocket'], 1, { websocket: fake('ws'), sse: undefined });
    t.failed();
    t.failed();
    expect(t.current).toBe('websocket');
  });
});
