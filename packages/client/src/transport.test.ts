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

  it('goes back to the preferred transport for one try when a fallback connection ends', () => {
    const t = new Transports(['websocket', 'sse'], 3, { websocket: fake('ws'), sse: fake('sse') });
    t.failed();
    t.failed();
    t.failed();
    expect(t.current).toBe('sse');
    t.succeeded();
    t.ended(); // the SSE connection closed (a restart, a drain)
    expect(t.current).toBe('websocket');
    t.failed(); // WebSocket is still blocked: straight back to SSE, not three more tries
    expect(t.current).toBe('sse');
    t.succeeded();
    t.ended();
    t.succeeded(); // WebSocket works again: it stays
    t.ended();
    expect(t.current).toBe('websocket');
  });

  it('stays put with a single transport', () => {
    const t = new Transports(['websocket'], 1, { websocket: fake('ws'), sse: undefined });
    t.failed();
    t.failed();
    expect(t.current).toBe('websocket');
  });
});
