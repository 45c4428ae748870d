// Checks a running Pulse cluster through its balancer: two operators land on different
// gateways, a feed publishes, and both receive every message in order with one gapless
// sequence. Exits non-zero on failure.
//   node scripts/cluster-check.mjs http://127.0.0.1:8080
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from './lib.mjs';

// `ws` is the gateway's dependency; Node 20 has no stable WebSocket of its own.
const WebSocket = createRequire(join(root, 'apps/gateway/package.json'))('ws');

async function token(httpUrl, role, sub) {
  const res = await fetch(`${httpUrl}/auth/dev-token?role=${role}&sub=${sub}`);
  if (!res.ok) throw new Error(`dev token: HTTP ${res.status} (is DEV_TOKENS on?)`);
  return (await res.json()).token;
}

/** A JSON-protocol socket that queues frames and lets the caller await one by predicate. */
function open(wsUrl, tok) {
  const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(tok)}`, ['pulse.v1.json']);
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
    const w = waiters.findIndex((x) => x.match(frame));
    if (w >= 0) waiters.splice(w, 1)[0].resolve(frame);
    else frames.push(frame);
  });
  const next = (match, timeoutMs = 10_000) => {
    const i = frames.findIndex(match);
    if (i >= 0) return Promise.resolve(frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  };
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({ ws, next, send: (m) => ws.send(JSON.stringify(m)) }));
  });
}

/** Runs the check against `httpUrl` (the balancer); resolves with the servers seen. */
export async function checkCluster(httpUrl, { count = 20, log = console.log } = {}) {
  const wsUrl = `${httpUrl.replace(/^http/, 'ws')}/ws`;
  const ready = await fetch(`${httpUrl}/health/ready`);
  if (!ready.ok) throw new Error(`not ready: ${await ready.text()}`);

  // leastconn: keep opening operators until two different gateways answered.
  const operators = new Map();
  const extra = [];
  for (let i = 0; i < 8 && operators.size < 2; i++) {
    const s = await open(wsUrl, await token(httpUrl, 'operator', `check-${i}`));
    const { serverId } = await s.next((f) => f.type === 'welcome');
    if (operators.has(serverId)) extra.push(s);
    else operators.set(serverId, s);
  }
  extra.forEach((s) => s.ws.close());
  if (operators.size < 2) throw new Error(`only reached ${[...operators.keys()].join(', ')}`);
  log(`[check] operators on ${[...operators.keys()].join(' and ')}`);

  const topic = `price.CHECK-${Date.now().toString(36)}`;
  for (const s of operators.values()) {
    s.send({ type: 'subscribe', id: 1, topic, history: 0 });
    await s.next((f) => f.type === 'subscribed');
  }
  const feed = await open(wsUrl, await token(httpUrl, 'feed', 'check-feed'));
  const { serverId: feedServer } = await feed.next((f) => f.type === 'welcome');
  // Spaced wider than the default price.* throttle (20/s), so every update is delivered.
  for (let i = 1; i <= count; i++) {
    feed.send({
      type: 'publish',
      id: i,
      topic,
      payload: { bid: i, ask: i + 1, last: i, volume: 1, ts: Date.now() },
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  await feed.next((f) => (f.type === 'ack' && f.id === count) || f.type === 'error');
  log(`[check] ${count} publishes acknowledged by ${feedServer}`);

  for (const [server, s] of operators) {
    const seqs = [];
    const epochs = new Set();
    while (seqs.length < count) {
      const f = await s.next((x) => x.type === 'message' || x.type === 'batch');
      for (const m of f.type === 'batch' ? f.messages : [f]) {
        if (m.topic !== topic) continue;
        seqs.push(m.seq);
        epochs.add(m.epoch);
      }
    }
    const gapless = seqs.every((seq, i) => seq === i + 1);
    if (!gapless || epochs.size !== 1) throw new Error(`${server} got ${seqs.join(',')}`);
    log(`[check] ${server}: seq 1..${count} in order, one epoch`);
  }
  for (const s of [...operators.values(), feed]) s.ws.close();
  return [...operators.keys()];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.argv[2] ?? 'http://127.0.0.1:8080';
  checkCluster(url).then(
    () => console.log('[check] ok'),
    (err) => {
      console.error(`[check] FAILED: ${err.message}`);
      process.exit(1);
    },
  );
}
