// A subscriber that completes the WebSocket upgrade by hand on a raw TCP socket, subscribes, and
// then stops reading: the kernel's receive window fills, then the server's send buffers. It keeps
// what it needs to tell afterwards whether and how the server closed it.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { serverSideSocket } from '../proc.mjs';

const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;

/** One masked client text frame (RFC 6455 §5.2). */
export function clientTextFrame(text) {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = Buffer.alloc(head + 4 + len);
  frame[0] = 0x80 | OP_TEXT;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, head);
  for (let i = 0; i < len; i++) frame[head + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/** Incremental parser of unmasked server frames; calls `onFrame(opcode, payload)` per frame. */
export class FrameReader {
  chunks = [];
  buffered = 0;
  constructor(onFrame) {
    this.onFrame = onFrame;
  }

  push(chunk) {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    let off = 0;
    for (;;) {
      if (buf.length - off < 2) break;
      const opcode = buf[off] & 0x0f;
      let len = buf[off + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (buf.length - off < head + len) break;
      this.onFrame(opcode, buf.subarray(off + head, off + head + len));
      off += head + len;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
  }
}

/**
 * Connects, upgrades with `subprotocol`, subscribes to `topics` (waits for each `subscribed`,
 * or a short grace period on a server that never confirms), then stalls.
 * @param {{host: string, port: number, path: string, token: string, subprotocol: string,
 *   topics: string[], timeoutMs?: number}} opts
 */
export async function connectStalled(opts) {
  const { host, port, path, token, subprotocol, topics } = opts;
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  const state = {
    socket,
    localPort: 0,
    stalledAt: 0,
    framesBeforeStall: 0,
    closeCode: /** @type {number | undefined} */ (undefined),
    closeReason: '',
    framesAfterResume: 0,
    bytesAfterResume: 0,
    endedAt: 0,
    socketError: '',
  };
  let phase = 'upgrade';
  let header = '';
  let confirmed = 0;
  let resolveReady;
  let rejectReady;
  const ready = new Promise((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  const reader = new FrameReader((opcode, payload) => {
    if (opcode === OP_CLOSE) {
      state.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      state.closeReason = payload.subarray(2).toString('utf8');
      return;
    }
    if (phase === 'subscribing') {
      state.framesBeforeStall++;
      if (opcode === OP_TEXT && payload.includes('"subscribed"')) {
        confirmed++;
        if (confirmed >= topics.length) resolveReady();
      }
    } else {
      state.framesAfterResume++;
    }
  });
  socket.on('data', (chunk) => {
    if (phase === 'upgrade') {
      header += chunk.toString('latin1');
      const end = header.indexOf('\r\n\r\n');
      if (end === -1) return;
      if (!/^HTTP\/1\.1 101/.test(header)) {
        rejectReady(new Error(`stalled client upgrade refused: ${header.split('\r\n')[0]}`));
        return;
      }
      phase = 'subscribing';
      const rest = Buffer.from(header.slice(end + 4), 'latin1');
      topics.forEach((topic, i) => {
        socket.write(
          clientTextFrame(JSON.stringify({ type: 'subscribe', id: i + 1, topic, history: 0 })),
        );
      });
      if (rest.length) reader.push(rest);
      return;
    }
    if (phase === 'drain') state.bytesAfterResume += chunk.length;
    reader.push(chunk);
  });
  socket.on('error', (err) => {
    state.socketError = err.code ?? err.message;
    rejectReady(err);
  });
  socket.on('close', () => {
    state.endedAt = Date.now();
    rejectReady(new Error('stalled client closed before it stalled'));
  });
  socket.on('connect', () => {
    state.localPort = socket.localPort ?? 0;
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET ${path}?token=${encodeURIComponent(token)} HTTP/1.1\r\n` +
        `Host: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Protocol: ${subprotocol}\r\n\r\n`,
    );
  });
  const timeout = setTimeout(
    () => rejectReady(new Error('stalled client setup timed out')),
    opts.timeoutMs ?? 10_000,
  );
  try {
    await ready;
  } finally {
    clearTimeout(timeout);
  }

  return {
    state,
    /** Stops reading from the socket: from now on the server's data piles up. */
    stall() {
      socket.pause();
      state.stalledAt = Date.now();
    },
    /** The kernel's view of the server side of this connection (undefined: the server closed it). */
    serverSocket() {
      return serverSideSocket(port, state.localPort);
    },
    /**
     * Reads what piled up until the server's close frame or end of stream, at most `maxMs`.
     * Tells whether a close frame was in the stream and with which code.
     */
    async drain(maxMs) {
      phase = 'drain';
      socket.resume();
      const deadline = Date.now() + maxMs;
      while (
        Date.now() < deadline &&
        state.closeCode === undefined &&
        !socket.destroyed &&
        !socket.readableEnded
      ) {
        await new Promise((r) => setTimeout(r, 20));
      }
      socket.destroy();
      return state;
    },
  };
}
