import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defineConfig, type ProxyOptions } from 'vite';

/** Where the dashboard's `/ws`, `/auth` and `/health` requests go in dev and preview. */
const gateway = process.env.PULSE_GATEWAY_URL ?? 'http://127.0.0.1:8080';
const port = Number(process.env.DASHBOARD_PORT ?? 5173);

// The page talks to its own origin only; the proxy forwards to the gateway, so no CORS or
// origin allow-list is needed for the demo.
const proxy: Record<string, ProxyOptions> = {
  '/ws': { target: gateway, ws: true, changeOrigin: true },
  '/auth': { target: gateway, changeOrigin: true },
  '/health': { target: gateway, changeOrigin: true },
  // The client's fallback when WebSocket cannot connect: SSE to read, HTTP to publish.
  '/sse': { target: gateway, changeOrigin: true },
  '/publish': { target: gateway, changeOrigin: true },
};

export default defineConfig({
  plugins: [svelte()],
  // `pulse:source` first: @pulse/* packages resolve to their TypeScript source, no build step.
  resolve: { conditions: ['pulse:source', ...defaultClientConditions] },
  server: { port, strictPort: false, proxy },
  preview: { port, strictPort: false, proxy },
  build: { target: 'es2022', sourcemap: true },
});
