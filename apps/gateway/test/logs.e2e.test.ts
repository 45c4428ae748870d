import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';

/** Collects JSON log lines. */
class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  raw = '';
  write(chunk: string): void {
    this.raw += chunk;
    for (const line of chunk.split('\n').filter(Boolean))
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  events(event: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === event);
  }
  async until(event: string, count = 1): Promise<Record<string, unknown>[]> {
    for (let i = 0; i < 200 && this.events(event).length < count; i++)
      await new Promise((r) => setTimeout(r, 10));
    return this.events(event);
  }
}

describe('structured logs', () => {
  it('one JSON line per lifecycle event and error, with connection id, role and subject, and no token', async () => {
    const logs = new LogCapture();
    await using gw = await startGateway({ LOG_LEVEL: 'info' }, { logs });
    const token = await gw.token('device', 'dev-7');
    const s = await TestSocket.connect(gw.wsUrl, token);
    s.send({
      type: 'publish',
      id: 1,
      topic: 'device.dev-8.t',
      payload: { value: 123456789, unit: 'C', ts: 1 },
    });
    await s.next('error');
    s.close();
    await s.closed;
    const [open] = await logs.until('connection.open');
    const [error] = await logs.until('connection.error');
    const [close] = await logs.until('connection.close');
    for (const line of [open, error, close])
      expect(line).toMatchObject({
        role: 'device',
        sub: 'dev-7',
        transport: 'ws',
        conn: expect.any(String),
      });
    expect(open!.conn).toBe(close!.conn);
    expect(error).toMatchObject({ code: 'FORBIDDEN', ref: 1, topic: 'device.dev-8.t' });
    expect(close).toMatchObject({ code: 1005, errors: 1 });

    await expect(TestSocket.open(gw.wsUrl, 'forged')).rejects.toThrow();
    const [refused] = await logs.until('connection.refused');
    expect(refused).toMatchObject({ status: 401, code: 'UNAUTHORIZED', transport: 'ws' });

    // An HTTP request with the token in its query: logged, with the token masked.
    await fetch(`${gw.httpUrl}/metrics?token=${token}`);
    for (let i = 0; i < 100 && !logs.raw.includes('/metrics'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(logs.raw).toContain('/metrics?token=[REDACTED]');
    if (process.env.SHOW_LOGS) console.log(logs.raw);
    expect(logs.raw).not.toContain(token);
    expect(logs.raw).not.toContain('123456789'); // no payloads either
  });
});
