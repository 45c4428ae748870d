#!/usr/bin/env node
// The comparison server for the Redis scenarios: Socket.IO 4 with `@socket.io/redis-adapter`,
// written the way its documentation shows. It does the same job as Pulse in those scenarios as
// far as Socket.IO can: a client joins one room per topic; a publish is broadcast to the topic's
// room on every instance through Redis and acknowledged once handed to the adapter.
//
//   node bench/src/socketio-server.mjs <port> [redis-url]
//
// What it does not do (and Pulse does): sequence numbers that hold across instances, history,
// resume after a reconnect, throttling, limits, auth, validation. The per-topic counter below is
// local to the instance that receives the publish; the benchmark only publishes through one
// instance, so it is gapless there and lets the load generator check that nothing acknowledged
// was lost, the same check it makes on Pulse.
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const redisUrl = process.argv[3];

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
});

if (redisUrl) {
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub));
}

/** topic → last counter value handed out by this instance */
const seqs = new Map();

io.on('connection', (socket) => {
  socket.on('subscribe', (topics, ack) => {
    socket.join(topics);
    if (typeof ack === 'function') ack(topics.length);
  });
  socket.on('publish', (topic, payload, ack) => {
    const seq = (seqs.get(topic) ?? 0) + 1;
    seqs.set(topic, seq);
    io.to(topic).emit('message', topic, seq, payload);
    if (typeof ack === 'function') ack(seq);
  });
});

http.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${http.address().port}\n`));
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
