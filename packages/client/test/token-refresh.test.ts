import { describe, expect, it } from 'vitest';
import { CloseCode } from '@pulse/protocol';
import { createClient, nextEvent, startServer, waitForStatus } from './helpers.js';

const expiring = { type: 'notice', code: 'TOKEN_EXPIRING', message: 'soon', retryAfterMs: 5000 };

describe('token refresh', () => {
  it('answers TOKEN_EXPIRING with a fresh token from the token function, on the same connection', async () => {
    const server = await startServer({ auth: () => ({ expiresAt: 1_700_000_999_000 }) });
    let calls = 0;
    const client = createClient(server, { token: () => `token-${++calls}` });
    client.connect();
    await waitForStatus(client, 'connected');
    const conn = await server.connection(0);
    expect(conn.token).toBe('token-1');

    const refreshed = nextEvent(client, 'authenticated');
    conn.send(expiring);
    expect(await conn.next('auth')).toMatchObject({ type: 'auth', token: 'token-2' });
    expect(await refreshed).toEqual({ expiresAt: 1_700_000_999_000 });
    expect(server.connections).toHaveLength(1);
    expect(client.status).toBe('connected');
  });

  it('reports a refused refresh as an error and keeps the connection', async () => {
    const server = await startServer({ auth: false });
    const client = createClient(server, { token: async () => 'fresh' });
    client.connect();
    await waitForStatus(client, 'connected');
    const conn = await server.connection(0);
    conn.send(expiring);
    const auth = await conn.next('auth');
    const error = nextEvent(client, 'error');
    conn.send({ type: 'error', code: 'TOKEN_EXPIRED', message: 'token expired', ref: auth.id });
    expect(await error).toMatchObject({ code: 'TOKEN_EXPIRED', ref: auth.id });
    expect(client.status).toBe('connected');
  });

  it('does nothing on TOKEN_EXPIRING with a fixed token, and stops at 4002', async () => {
    const server = await startServer();
    const client = createClient(server, { token: 'fixed' });
    client.connect();
    await waitForStatus(client, 'connected');
    const conn = await server.connection(0);
    const notice = nextEvent(client, 'notice');
    conn.send(expiring);
    await notice;
    conn.close(CloseCode.TOKEN_EXPIRED, 'token expired');
    expect(await waitForStatus(client, 'disconnected')).toMatchObject({
      closeCode: CloseCode.TOKEN_EXPIRED,
    });
    expect(conn.frames('auth')).toEqual([]);
  });

  it('reconnects after 4002 when a token function can supply a fresh token', async () => {
    const server = await startServer();
    let calls = 0;
    const client = createClient(server, { token: () => `token-${++calls}` });
    client.connect();
    await waitForStatus(client, 'connected');
    (await server.connection(0)).close(CloseCode.TOKEN_EXPIRED, 'token expired');
    const again = await server.connection(1);
    expect(again.token).toBe('token-2');
    await waitForStatus(client, 'connected');
  });
});
