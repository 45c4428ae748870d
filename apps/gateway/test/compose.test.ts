import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema } from '../src/config/config.schema.js';

interface Service {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
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

describe('docker-compose.yml', () => {
  it('has the scaled topology: redis, two gateway replicas, a balancer, simulator and dashboard', () => {
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
  });

  it('configures the gateways only with variables the gateway knows, and valid values', () => {
    const known = Object.keys(EnvSchema.entries);
    for (const [, gw] of gateways) {
      const env = gw.environment ?? {};
      for (const key of Object.keys(env))
        expect(known, `unknown gateway variable ${key}`).toContain(key);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      const port = env.PORT;
      expect(gw.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/health/ready`);
      expect(gw.ports?.some((p) => p.endsWith(`:${port}`))).toBe(true);
      expect(commandText(gw)).toContain('apps/gateway/dist/main.js');
    }
  });

  it('points the balancer at both gateways, and the simulator and dashboard at the balancer', () => {
    const targets = services.balancer!.environment!.BALANCER_TARGETS!.split(',');
    expect(targets.sort()).toEqual(
      gateways.map(([name, gw]) => `http://${name}:${gw.environment!.PORT}`).sort(),
    );
    const lbPort = services.balancer!.environment!.BALANCER_PORT;
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
    for (const [, gw] of gateways) expect(gw.environment?.HOST).toBe('0.0.0.0');
  });

  it('waits on health: every depends_on target exists and has a health check when required', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        expect(services[dep], `${name} depends on missing ${dep}`).toBeDefined();
        if (condition === 'service_healthy')
          expect(services[dep]!.healthcheck, `${dep} needs a healthcheck`).toBeDefined();
      }
    }
  });
});
