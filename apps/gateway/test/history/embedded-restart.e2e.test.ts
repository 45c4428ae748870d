import { describe, expect, it } from 'vitest';
import { startGateway } from '../gateway-resource.js';
import { flushed, history, okRaw, publishAll, tempDataDir } from './history-client.js';

describe('embedded history across a restart', () => {
  it('keeps what was flushed, and refuses a second gateway on the same DATA_DIR', async () => {
    using data = tempDataDir();
    const env = { HISTORY: 'on', DATA_DIR: data.dir };
    const ts = Date.now() - 10_000;
    const readings = [1, 2, 3].map((value, i) => ({ value, unit: 'C', ts: ts + i }));
    {
      await using first = await startGateway(env);
      await expect(startGateway(env)).rejects.toThrow(/DATA_DIR .* is in use by process/);
      await publishAll(first, await first.token('device', 'd1'), 'device.d1.temp', readings);
      await flushed(first);
    }
    await using second = await startGateway(env);
    const raw = okRaw(
      await history(second, await second.token('operator', 'op'), {
        topic: 'device.d1.temp',
        from: ts,
        to: ts + 1000,
        step: 'raw',
      }),
    );
    expect(raw.points.map((p) => p.payload)).toEqual(readings);
  });
});
