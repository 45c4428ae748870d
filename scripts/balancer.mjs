// A small round-robin load balancer for the local cluster and docker-compose: HTTP requests and
// WebSocket upgrades go to the next gateway whose /health/ready says 200, so a draining or
// Redis-less gateway gets no new clients. Run alone:
//   BALANCER_PORT=8080 BALANCER_TARGETS=http://127.0.0.1:8081,http://127.0.0.1:8082 node scripts/balancer.mjs
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import httpProxy from 'http-proxy';

/**
 * Starts the balancer; resolves with `{ port, targets, close }` once it listens.
 * `targets` are gateway base URLs (`http://host:port`).
 */
export function startBalancer({
  port = 8080,
  host = '0.0.0.0',
  targets,
  healthMs = 1000,
  log = console.log,
}) {
  const pool = targets.map((url) => ({ url, ready: true }));
  const proxy = httpProxy.createProxyServer({ xfwd: true });
  // Separate turns for HTTP and upgrades, so a token fetch before each connect does not send
  // every WebSocket to the same gateway.
  const turns = { http: 0, ws: 0 };

  // Ready gateways in turn; when none says ready, all of them (the client then sees why).
  const pick = (kind) => {
    const ready = pool.filter((t) => t.ready);
    const from = ready.length > 0 ? ready : pool;
    return from[turns[kind]++ % from.length];
  };

  const probe = async (t) => {
    let ready = false;
    try {
      ready = (await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(healthMs) })).ok;
    } catch {
      // down
    }
    if (ready !== t.ready) log(`[balancer] ${t.url} ${ready ? 'ready' : 'not ready'}`);
    t.ready = ready;
  };
  const timer = setInterval(() => pool.forEach((t) => void probe(t)), healthMs);
  timer.unref();

  const server = createServer((req, res) => {
    if (req.url === '/balancer') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ targets: pool }));
    }
    const target = pick('http');
    proxy.web(req, res, { target: target.url }, (err) => {
      target.ready = false; // connection refused: skip it until its next good probe
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`gateway ${target.url} unreachable: ${err.message}`);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const target = pick('ws');
    proxy.ws(req, socket, head, { target: target.url }, () => {
      target.ready = false;
      socket.destroy();
    });
  });
  // A client or gateway socket closing mid-stream is routine, not a crash.
  proxy.on('error', () => {});

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: server.address().port,
        targets: pool,
        close: () =>
          new Promise((done) => {
            clearInterval(timer);
            server.closeAllConnections?.();
            server.close(() => done());
            proxy.close();
          }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const targets = (process.env.BALANCER_TARGETS ?? '').split(',').filter(Boolean);
  if (targets.length === 0) {
    console.error('set BALANCER_TARGETS=http://host:port,http://host:port');
    process.exit(2);
  }
  const lb = await startBalancer({ port: Number(process.env.BALANCER_PORT ?? 8080), targets });
  console.log(`[balancer] listening on :${lb.port}, round-robin over ${targets.join(', ')}`);
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => lb.close().then(() => process.exit(0)));
}
