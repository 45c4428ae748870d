#!/usr/bin/env node
// The textbook raw-`ws` broadcast server Pulse is measured against: exact-topic subscriptions,
// JSON.stringify once per publish, `ws.send` to each subscriber. No batching, no limits, no
// auth, no validation, no backpressure. Two courtesies so the same load generator drives both
// servers: it echoes the offered subprotocol, and it answers `subscribe` with `subscribed` and a
// publish that carries an `id` with `ack`.
//
//   node bench/src/baseline-server.mjs [port]     (or PORT=...; HOST defaults to 127.0.0.1)
//   prints "READY <port>" once listening.
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

/** topic → subscribed sockets */
const subscribers = new Map();
/** topic → last sequence number */
const sequences = new Map();

const wss = new WebSocketServer({
  host,
  port,
  perMessageDeflate: false,
  handleProtocols: (offered) => offered.values().next().value ?? false,
});

wss.on('connection', (ws) => {
  const topics = new Set();
  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (msg.type === 'publish') {
      const seq = (sequences.get(msg.topic) ?? 0) + 1;
      sequences.set(msg.topic, seq);
      const frame = JSON.stringify({
        type: 'message',
        topic: msg.topic,
        seq,
        ts: Date.now(),
        payload: msg.payload,
      });
      const subs = subscribers.get(msg.topic);
      if (subs) for (const sub of subs) sub.send(frame);
      if (msg.id !== undefined)
        ws.send(JSON.stringify({ type: 'ack', id: msg.id, topic: msg.topic, seq }));
    } else if (msg.type === 'subscribe') {
      let subs = subscribers.get(msg.topic);
      if (!subs) subscribers.set(msg.topic, (subs = new Set()));
      subs.add(ws);
      topics.add(msg.topic);
      ws.send(JSON.stringify({ type: 'subscribed', id: msg.id, topic: msg.topic }));
    } else if (msg.type === 'ping') {
      ws.send(JSON.stringify({ type: 'pong', ts: msg.ts }));
    }
  });
  ws.on('close', () => {
    for (const topic of topics) subscribers.get(topic)?.delete(ws);
  });
  ws.on('error', () => {});
});

wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`READY ${typeof address === 'object' ? address.port : port}\n`);
});

const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
