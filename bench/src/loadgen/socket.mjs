// Opening client sockets the same way for every role: no compression (neither server uses it),
// no UTF-8 re-validation on receive (the load generator must stay cheaper than the server), and a
// bounded retry when the server answers 429 at the upgrade.
import WebSocket from 'ws';
import { sleep } from './clock.mjs';
import { openSioSocket } from './sio-socket.mjs';

/** A frame as received: JSON text from a WebSocket, or an object from the Socket.IO shim. */
export const decodeFrame = (data) =>
  typeof data === 'object' && data.type !== undefined ? data : JSON.parse(data.toString());

/**
 * Opens `url` offering `subprotocol` (an http:// url: a Socket.IO connection); retries a 429 after its Retry-After (at most `attempts`).
 * @returns {Promise<WebSocket>}
 */
export async function openSocket(url, subprotocol, { timeoutMs = 10_000, attempts = 5 } = {}) {
  // http:// is the Socket.IO comparison server (see sio-socket.mjs).
  if (url.startsWith('http')) return openSioSocket(url, { timeoutMs });
  for (let attempt = 1; ; attempt++) {
    const result = await tryOpen(url, subprotocol, timeoutMs);
    if (result.ws) return result.ws;
    if (result.status === 429 && attempt < attempts) {
      await sleep(Math.min(5000, (result.retryAfterS || 1) * 1000));
      continue;
    }
    throw new Error(result.error);
  }
}

function tryOpen(url, subprotocol, timeoutMs) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, subprotocol, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.on('error', () => {});
      resolve({ ws });
    });
    ws.once('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      resolve({
        status: res.statusCode,
        retryAfterS: Number(res.headers['retry-after']) || 0,
        error: `upgrade refused: HTTP ${res.statusCode}`,
      });
    });
    ws.once('error', (err) => resolve({ error: `connect failed: ${err.message}` }));
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; resolves to the settled results. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i], i) };
      } catch (err) {
        results[i] = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
