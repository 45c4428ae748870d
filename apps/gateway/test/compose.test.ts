import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema } from '../src/config/config.schema.js';
import { readDockerfile } from './deploy/dockerfile.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const file = fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url));
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const gateways = Object.entries(services).filter(([name]) => name.startsWith('gateway'));
const commandText = (s: Service) =>
  Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '');
const dockerfile = readDockerfile();
const imageHealthcheck = dockerfile.find((s) => s.op === 'HEALTHCHECK')?.args ?? '';
const balancer = services.balancer!;
const lbPort = balancer.environment!.BALANCER_BIND!.split(':').at(-1);

describe('docker-compose.yml', () => {
  it('has the scaled topology: redis, two gateway replicas, HAProxy; simulator and console as a demo profile', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'redis',
        'gateway-1',
        'gateway-2',
        'balancer',
        'simulator',
        'dashboard',
      ]),
    );
    expect(gateways).toHaveLength(2);
    for (const name of ['simulator', 'dashboard'])
      expect(services[name]!.profiles).toEqual(['demo']);
    for (const name of ['redis', 'gateway-1', 'gateway-2', 'balancer'])
      expect(services[name]!.profiles, name).toBeUndefined();
  });

  it('runs the gateways from the image the Dockerfile builds, not the source tree', () => {
    for (const [name, gw] of gateways) {
      expect(gw.build, name).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      expect(gw.volumes, name).toBeUndefined();
      expect(gw.command, name).toBeUndefined(); // the image's CMD
    }
  });

  it('configures the gateways only with variables the gateway knows, and valid values', () => {
    const known = Object.keys(EnvSchema.entries);
    for (const [, gw] of gateways) {
      const env = gw.environment ?? {};
      for (const key of Object.keys(env))
        expect(known, `unknown gateway variable ${key}`).toContain(key);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      // Dev tokens only outside production: the gateway refuses the pair at start.
      if (env.DEV_TOKENS === 'true') expect(env.NODE_ENV).not.toBe('production');
      const port = env.PORT;
      // The image's HEALTHCHECK asks /health/ready on PORT, unless the service overrides it.
      const check = gw.healthcheck?.test.join(' ') ?? imageHealthcheck;
      expect(check).toContain('/health/ready');
      if (gw.healthcheck) expect(check).toContain(`http://127.0.0.1:${port}/health/ready`);
      else expect(check).toContain('process.env.PORT');
      expect(gw.ports?.some((p) => p.endsWith(`:${port}`))).toBe(true);
    }
  });

  it('runs HAProxy on deploy/haproxy.cfg in front of both gateways, and the demo at the balancer', () => {
    expect(balancer.image).toBe('haproxy:2.6-alpine');
    expect(balancer.volumes).toContain(
      './deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro',
    );
    const env = balancer.environment!;
    expect([env.GATEWAY_1, env.GATEWAY_2].sort()).toEqual(
      gateways.map(([name, gw]) => `${name}:${gw.environment!.PORT}`).sort(),
    );
    // The stats page lists servers and client addresses: loopback inside the container.
    expect(env.STATS_BIND).toMatch(/^127\.0\.0\.1:/);
    expect(balancer.ports).toContain(`127.0.0.1:${lbPort}:${lbPort}`);
    expect(commandText(services.simulator!)).toContain(`ws://balancer:${lbPort}/ws`);
    expect(services.dashboard!.environment!.PULSE_GATEWAY_URL).toBe(`http://balancer:${lbPort}`);
    expect(services.simulator!.environment!.JWT_SECRET).toBe(
      gateways[0]![1].environment!.JWT_SECRET,
    );
  });

  it('publishes ports on loopback only and runs the current Node LTS', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const p of svc.ports ?? []) expect(p, `${name} port`).toMatch(/^127\.0\.0\.1:/);
      if (svc.image?.startsWith('node:')) expect(svc.image, name).toBe('node:24-alpine');
    }
    for (const from of dockerfile.filter((s) => s.op === 'FROM'))
      expect(from.args).toMatch(/^node:24-alpine\b/);
    for (const [, gw] of gateways) expect(gw.environment?.HOST).toBe('0.0.0.0');
  });

  it('waits on health: every depends_on target exists and has a health check when required', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        const target = services[dep];
        expect(target, `${name} depends on missing ${dep}`).toBeDefined();
        if (condition === 'service_healthy') {
          const fromImage = target!.build?.dockerfile === 'Dockerfile' && imageHealthcheck !== '';
          expect(target!.healthcheck ?? fromImage, `${dep} needs a healthcheck`).toBeTruthy();
        }
      }
    }
  });
});
