import { describe, expect, it } from 'vitest';
import { fetchDevToken, gatewaySocketUrl } from './dev-token.js';

function respond(status: number, body: unknown): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    respond.lastUrl = String(input);
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
}
respond.lastUrl = '';

describe('dev token', () => {
  it('asks the gateway for an operator token for the console', async () => {
    await expect(fetchDevToken(respond(200, { token: 'abc' }))).resolves.toBe('abc');
    expect(respond.lastUrl).toBe('/auth/dev-token?role=operator&sub=console');
  });

  it('fails loudly so the client retries with backoff', async () => {
    await expect(fetchDevToken(respond(502, {}))).rejects.toThrow('HTTP 502');
    await expect(fetchDevToken(respond(404, {}))).rejects.toThrow('HTTP 404');
    await expect(fetchDevToken(respond(200, { nope: 1 }))).rejects.toThrow('no token');
  });

  it('builds the socket URL on the page origin', () => {
    expect(gatewaySocketUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe(
      'ws://localhost:5173/ws',
    );
    expect(gatewaySocketUrl({ protocol: 'https:', host: 'pulse.example' })).toBe(
      'wss://pulse.example/ws',
    );
  });
});
