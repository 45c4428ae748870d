// A Socket.IO client dressed as the load generator's WebSocket, so the same publishers and
// subscribers drive `socketio-server.mjs`. It turns the Pulse frames they send into Socket.IO
// events with acknowledgement callbacks, and what the server emits back into Pulse-shaped
// objects (handed over as objects: `decodeFrame` in socket.mjs passes them through).
import { io } from 'socket.io-client';

/**
 * Connects to a Socket.IO server at `url` (http://host:port) over WebSocket only.
 * @returns {Promise<SioSocket>}
 */
export function openSioSocket(url, { timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      timeout: timeoutMs,
      perMessageDeflate: false,
    });
    socket.once('connect', () => resolve(new SioSocket(socket)));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`connect failed: ${err.message}`));
    });
  });
}

class SioSocket {
  #socket;
  #onMessage = [];
  #paused = false;

  constructor(socket) {
    this.#socket = socket;
    socket.on('message', (topic, seq, payload) =>
      this.#deliver({ type: 'message', topic, seq, payload }),
    );
  }

  /** Like ws: 1 while open. */
  get readyState() {
    return this.#socket.connected ? 1 : 3;
  }

  /** Bytes not yet written: what engine.io still holds plus the underlying socket's buffer. */
  get bufferedAmount() {
    const engine = this.#socket.io.engine;
    return (engine?.transport?.ws?.bufferedAmount ?? 0) + (engine?.writeBuffer?.length ?? 0) * 128;
  }

  on(event, fn) {
    if (event === 'message') this.#onMessage.push(fn);
    else if (event === 'close') this.#socket.on('disconnect', () => fn(1006));
    return this;
  }

  /** Takes a Pulse client frame (JSON text) and emits its Socket.IO twin. */
  send(text) {
    const msg = JSON.parse(text);
    switch (msg.type) {
      case 'publish':
        if (msg.id === undefined) this.#socket.emit('publish', msg.topic, msg.payload);
        else
          this.#socket.emit('publish', msg.topic, msg.payload, (seq) =>
            this.#deliver({ type: 'ack', id: msg.id, topic: msg.topic, seq }),
          );
        break;
      case 'subscribe':
        this.#socket.emit('subscribe', [msg.topic], () =>
          this.#deliver({ type: 'subscribed', id: msg.id, topic: msg.topic }),
        );
        break;
      default:
        break; // pong and the rest: Socket.IO keeps its own heartbeat
    }
  }

  /** Stops handing frames over (the report is being built). */
  pause() {
    this.#paused = true;
  }

  terminate() {
    this.#socket.disconnect();
  }

  #deliver(frame) {
    if (this.#paused) return;
    for (const fn of this.#onMessage) fn(frame);
  }
}
