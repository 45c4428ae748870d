import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { EnvSchema } from '../../src/config/config.schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { HealthController } from '../../src/health/health.controller.js';
import { repoRoot } from './processes.js';

/**
 * No cluster runs here: deploy/k8s/ is checked by reading it. Every manifest parses, and the
 * Deployment, Service, PDB, Ingress and ConfigMap agree with each other and with the gateway.
 */
interface Manifest {
  kind: string;
  metadata?: { name: string; annotations?: Record<string, string> };
  [k: string]: unknown;
}
/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are walked as parsed YAML */
type Any = any;

const dir = `${repoRoot}deploy/k8s/`;
const yamlFiles = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const manifests: Manifest[] = yamlFiles.flatMap((f) =>
  parseAllDocuments(readFileSync(dir + f, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${f}: ${d.errors[0]!.message}`);
    return d.toJS() as Manifest;
  }),
);
const only = (kind: string): Any => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};
const deployment = () => only('Deployment');
const pod = () => deployment().spec.template.spec;
const container = () => pod().containers[0];
const configMap = () => only('ConfigMap');
/** The gateway's Service (the other one, `redis`, is an ExternalName). */
const gatewayService = (): Any =>
  manifests.find((m: Any) => m.kind === 'Service' && m.spec.type !== 'ExternalName');

/** The gateway's drain: how long it waits for clients after sending 1012 (ws and sse). */
function drainSeconds(): number {
  const ms = ['ws/pulse.gateway.ts', 'sse/sse-streams.ts'].map((f) => {
    const src = readFileSync(`${repoRoot}apps/gateway/src/${f}`, 'utf8');
    return Number(/const DRAIN_TIMEOUT_MS = ([\d_]+);/.exec(src)![1]!.replace(/_/g, ''));
  });
  return Math.max(...ms) / 1000;
}

/** The HTTP paths the gateway's health controller serves. */
function healthPaths(): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
  const proto = HealthController.prototype as unknown as Record<string, object>;
  return Object.getOwnPropertyNames(proto)
    .map((name) => Reflect.getMetadata(PATH_METADATA, proto[name]!) as string | undefined)
    .filter((p): p is string => p !== undefined)
    .map((p) => `/${base}/${p}`);
}

describe('deploy/k8s', () => {
  it('kustomization lists every manifest in the folder, and only those', () => {
    const kustomization = only('Kustomization');
    expect([...kustomization.resources].sort()).toEqual(
      yamlFiles.filter((f) => f !== 'kustomization.yaml').sort(),
    );
  });

  it('probes ask paths the gateway serves: readiness on /health/ready, liveness on /health/live', () => {
    const c = container();
    const served = healthPaths();
    expect(served).toEqual(expect.arrayContaining(['/health/ready', '/health/live']));
    expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/health/live');
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean))
      expect(served).toContain(probe.httpGet.path);
  });

  it('ports agree: ConfigMap PORT, container port, probes, Service and Ingress', () => {
    const c = container();
    const http = c.ports.find((p: Any) => p.name === 'http');
    expect(String(http.containerPort)).toBe(configMap().data.PORT);
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
      expect([http.name, http.containerPort]).toContain(probe.httpGet.port);
    const service = gatewayService();
    expect(service.spec.selector).toEqual(deployment().spec.template.metadata.labels);
    expect(service.spec.ports[0].targetPort).toBe(http.name);
    const backend = only('Ingress').spec.rules[0].http.paths[0].backend.service;
    expect(backend.name).toBe(service.metadata.name);
    expect(backend.port.name).toBe(service.spec.ports[0].name);
  });

  it('lets the drain finish: grace period > preStop sleep + the gateway drain, no pod down at once', () => {
    const preStop = container().lifecycle.preStop.exec.command as string[];
    expect(preStop[0]).toBe('sleep');
    const sleep = Number(preStop[1]);
    expect(sleep).toBe(5);
    expect(pod().terminationGracePeriodSeconds).toBe(30);
    // 5 s margin for Nest's own shutdown (Redis quit, listeners closed).
    expect(pod().terminationGracePeriodSeconds).toBeGreaterThan(sleep + drainSeconds() + 5);
    const rolling = deployment().spec.strategy.rollingUpdate;
    expect(rolling.maxUnavailable).toBe(0);
    expect(rolling.maxSurge).toBeGreaterThanOrEqual(1);
    expect(deployment().spec.replicas).toBeGreaterThanOrEqual(2);
    const pdb = only('PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment().spec.selector.matchLabels);
    expect(pdb.spec.maxUnavailable ?? deployment().spec.replicas - pdb.spec.minAvailable).toBe(1);
  });

  it('configures the gateway with variables it knows and values it accepts, in production mode', () => {
    const data = configMap().data as Record<string, string>;
    const known = Object.keys(EnvSchema.entries);
    for (const key of Object.keys(data)) expect(known, key).toContain(key);
    expect(data.NODE_ENV).toBe('production');
    expect(container().envFrom[0].configMapRef.name).toBe(configMap().metadata.name);
    // Starts as the pod would: the ConfigMap plus the Secret's key.
    const config = loadConfig({
      ...data,
      JWT_SECRET: 'x'.repeat(48),
      DATABASE_URL: 'postgres://pulse:pw@postgres:5432/pulse',
    });
    expect(config.devTokens).toBe(false);
    expect(config.allowedOrigins).toBeDefined();
    const host = only('Ingress').spec.rules[0].host as string;
    expect(data.ALLOWED_ORIGINS).toBe(`https://${host}`);
  });

  it('carries no secret in plain text: JWT_SECRET from a Secret, none in a manifest', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    const secretish = /SECRET|TOKEN|PASSWORD/i;
    for (const key of Object.keys(configMap().data)) expect(key).not.toMatch(secretish);
    for (const e of container().env as Any[])
      if (secretish.test(e.name)) expect(e.valueFrom?.secretKeyRef, e.name).toBeDefined();
    expect(
      container().env.find((e: Any) => e.name === 'JWT_SECRET').valueFrom.secretKeyRef,
    ).toEqual({ name: 'pulse-gateway', key: 'JWT_SECRET' });
    // A URL with a password belongs in the Secret.
    expect(new URL(configMap().data.REDIS_URL).password).toBe('');
  });

  it('keeps history in PostgreSQL (DATABASE_URL from the Secret, an ExternalName), not on the pod', () => {
    expect(configMap().data.HISTORY).toBe('on');
    const db = (container().env as Any[]).find((e) => e.name === 'DATABASE_URL');
    expect(db.valueFrom.secretKeyRef).toEqual({ name: 'pulse-gateway', key: 'DATABASE_URL' });
    expect(db.valueFrom.secretKeyRef.optional).toBeUndefined();
    const pg = manifests.find((m) => m.metadata?.name === 'postgres') as Any;
    expect(pg.spec.type).toBe('ExternalName');
  });

  it('reaches Redis through an ExternalName service named as REDIS_URL says', () => {
    const redis = manifests.find((m) => m.metadata?.name === 'redis') as Any;
    expect(redis.kind).toBe('Service');
    expect(redis.spec.type).toBe('ExternalName');
    const url = new URL(configMap().data.REDIS_URL);
    expect(url.hostname).toBe('redis');
    expect(String(redis.spec.ports[0].port)).toBe(url.port);
  });

  it('requests resources, limits memory, and runs as non-root with a read-only root', () => {
    const { requests, limits } = container().resources;
    expect(requests.cpu).toBeDefined();
    expect(requests.memory).toMatch(/^\d+Mi$/);
    expect(parseInt(limits.memory)).toBeGreaterThanOrEqual(parseInt(requests.memory));
    expect(pod().securityContext.runAsNonRoot).toBe(true);
    expect(container().securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
  });

  it('terminates TLS at the Ingress with timeouts for WebSocket and SSE longer than the heartbeat', () => {
    const ingress = only('Ingress');
    const hosts = ingress.spec.rules.map((r: Any) => r.host);
    expect(ingress.spec.tls[0].secretName).toBeTruthy();
    expect(ingress.spec.tls[0].hosts).toEqual(hosts);
    const a = ingress.metadata.annotations;
    const heartbeatS = Number(configMap().data.HEARTBEAT_MS) / 1000;
    for (const t of ['proxy-read-timeout', 'proxy-send-timeout'])
      expect(Number(a[`nginx.ingress.kubernetes.io/${t}`])).toBeGreaterThanOrEqual(
        Math.max(3600, 2 * heartbeatS),
      );
    expect(a['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
  });
});
