import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defineConfig, type ProxyOptions } from 'vite';

/** Where the dashboard's `/ws`, `/auth`, `/health` and `/history` requests go in dev and preview. */
const gateway = process.env.PULSE_GATEWAY_URL ?? 'http://127.0.0.1:8080';
const port = Number(process.env.DASHBOARD_PORT ?? 5173);

// The page talks to its own origin only; the proxy forwards to the gateway, so no CORS is
// needed (the gateway serves none for /auth). Development tokens go only to clients on the
// gateway's machine: `/auth` keeps the page's Host (an address or localhost, which the gateway
// checks against DNS rebinding) and adds X-Forwarded-For, so a browser elsewhere on the network
// that reaches this server is refused rather than served through it.
const proxy: Record<string, ProxyOptions> = {
  '/ws': { target: gateway, ws: true, changeOrigin: true },
  '/auth': { target: gateway, changeOrigin: false, xfwd: true },
  '/health': { target: gateway, changeOrigin: true },
  // The client's fallback when WebSocket cannot connect: SSE to read, HTTP to publish.
  '/sse': { target: gateway, changeOrigin: true },
  '/publish': { target: gateway, changeOrigin: true },
  // Long chart windows (1 h … 30 d) from the gateway's history store.
  '/history': { target: gateway, changeOrigin: true },
};

export default defineConfig({
  plugins: [svelte()],
  // `pulse:source` first: @pulse/* packages resolve to their TypeScript source, no build step.
  resolve: { conditions: ['pulse:source', ...defaultClientConditions] },
  server: { port, strictPort: false, proxy },
  preview: { port, strictPort: false, proxy },
  build: { target: 'es2022', sourcemap: true },
  // The chart worker is an ES module worker (it shares chart.js chunks with the page).
  worker: { format: 'es' },
});
