/**
 * The Kubernetes manifests under deploy/k8s, checked offline (no cluster here): every object of the base
 * and of the production overlay validates against the Kubernetes schemas (kubernetes-models) or, for KEDA's
 * ScaledObject, against keda.ts; and the invariants that keep Vestnik safe to run hold (probes, resources,
 * non-root, every role and lane deployed, budgets that select their pods, config names Vestnik knows, the
 * autoscaler watching the consumer groups the code really uses).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { ALL_ROLES, ROLES } from '../../cli/roles';
import { envSchema } from '../../platform/config';
import { parseLanes } from '../../platform/lanes';
import { TOPIC_SPECS, TOPICS } from '../../platform/topics';
import { scaledObjectProblems } from './keda';
import { build, containersOf, filesOf, type K8sObject } from './kustomize';

const K8S = __dirname;
const ROOT = path.resolve(K8S, '../..');
const MODELS: Record<string, { validate(o: K8sObject): void }> = Object.fromEntries(
  ([['v1/ConfigMap', ConfigMap], ['v1/Secret', Secret], ['v1/Service', Service], ['v1/Namespace', Namespace],
    ['apps/v1/Deployment', Deployment], ['policy/v1/PodDisruptionBudget', PodDisruptionBudget]] as const)
    .map(([key, Model]) => [key, { validate: (o: K8sObject) => new (Model as any)(o).validate() }]),
);
/** Variables that are not Vestnik's configuration: read by Node itself. */
const NODE_VARIABLES = new Set(['NODE_OPTIONS']);
/** The base, and the production overlay with its Secret read from the committed example file. */
const BUILDS: [string, K8sObject[]][] = [
  ['base', build(path.join(K8S, 'base'))],
  ['overlays/production', build(path.join(K8S, 'overlays/production'), (file) => `${file}.example`)],
];

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const podSpec = (d: K8sObject) => (d.spec as any).template.spec as Record<string, any>;
const podLabels = (d: K8sObject) => (d.spec as any).template.metadata.labels as Record<string, string>;
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const envOf = (container: Record<string, any>) =>
  Object.fromEntries(((container.env ?? []) as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
const dataOf = (o: K8sObject) => ({ ...(o.data as Record<string, string>), ...(o.stringData as Record<string, string>) });
const mebibytes = (quantity: string) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`memory ${quantity}: write it in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};

/** Property names of a kubernetes-models interface, from its .d.ts: kubernetes-models ignores unknown fields. */
function fieldsOf(model: string): Set<string> {
  const text = fs.readFileSync(path.join(path.dirname(require.resolve('kubernetes-models/package.json')), `${model}.d.ts`), 'utf8');
  const body = text.slice(text.indexOf('export interface'), text.indexOf('\n}', text.indexOf('export interface')));
  return new Set([...body.matchAll(/^ {4}"(\w+)"\??:/gm)].map((m) => m[1]!));
}
const STRICT: [string, (d: K8sObject) => Record<string, unknown>[]][] = [
  ['apps/v1/DeploymentSpec', (d) => [d.spec as Record<string, unknown>]],
  ['v1/PodSpec', (d) => [podSpec(d)]],
  ['v1/PodSecurityContext', (d) => [podSpec(d).securityContext ?? {}]],
  ['v1/Container', (d) => containersOf(d)],
  ['v1/SecurityContext', (d) => containersOf(d).map((c) => c.securityContext ?? {})],
  ['v1/Probe', (d) => containersOf(d).flatMap((c) => [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean))],
  ['v1/HTTPGetAction', (d) => containersOf(d).flatMap((c) => [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean).map((p) => p.httpGet ?? {}))],
  ['v1/ResourceRequirements', (d) => containersOf(d).map((c) => c.resources ?? {})],
  ['v1/EnvVar', (d) => containersOf(d).flatMap((c) => c.env ?? [])],
];

/** Consumer-group stages per role file, as cli/roles/*.ts name them (`runtime.groupId('…')`). */
function groupStagesOf(role: string, lanes: string[]): string[] {
  const source = fs.readFileSync(path.join(ROOT, 'cli/roles', `${role}.ts`), 'utf8');
  const stages = [...source.matchAll(/groupId\(\s*[`'"]([^`'"]+)[`'"]\s*\)/g)].map((m) => m[1]!);
  return stages.flatMap((stage) => (stage.includes('${lane}') ? lanes.map((lane) => stage.replace('${lane}', lane)) : [stage]));
}

describe('deploy/k8s: files', () => {
  it('lists every YAML file under deploy/k8s in a kustomization', () => {
    const listed = new Set([...filesOf(path.join(K8S, 'base')), ...filesOf(path.join(K8S, 'overlays/production'))]);
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const yamls = walk(K8S).filter((f) => /\.ya?ml$/.test(f));
    expect(yamls.filter((f) => !listed.has(f)).map((f) => path.relative(K8S, f))).toEqual([]);
  });
});

describe.each(BUILDS)('deploy/k8s/%s', (_name, objects) => {
  const deployments = ofKind(objects, 'Deployment');
  const config = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'vestnik-config')!;
  const secret = ofKind(objects, 'Secret').find((s) => s.metadata.name === 'vestnik-secrets')!;

  it('validates every object against its schema, and knows every kind', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      const key = `${object.apiVersion}/${object.kind}`;
      if (key === 'keda.sh/v1alpha1/ScaledObject') {
        expect({ key, name: object.metadata.name, problems: scaledObjectProblems(object) }).toEqual({ key, name: object.metadata.name, problems: [] });
        continue;
      }
      const model = MODELS[key];
      if (!model) throw new Error(`${key} ${object.metadata.name}: no schema to validate it with`);
      expect(() => model.validate(object)).not.toThrow();
    }
  });

  it('uses no field the Kubernetes schemas do not have in Deployments (kubernetes-models would let a typo through)', () => {
    for (const [model, pick] of STRICT) {
      const known = fieldsOf(model);
      const unknown = deployments.flatMap((d) => pick(d).flatMap((o) => Object.keys(o).filter((k) => !known.has(k)).map((k) => `${d.metadata.name}: ${model}.${k}`)));
      expect(unknown).toEqual([]);
    }
  });

  it('gives every container /healthz liveness and /readyz readiness on its serving port', () => {
    for (const deployment of deployments) {
      for (const container of containersOf(deployment)) {
        const role = container.args?.[0];
        const ports = Object.fromEntries((container.ports ?? []).map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
        const expected = role === 'api' ? Number(dataOf(config).HTTP_PORT) : Number(envOf(container).METRICS_PORT);
        const probe = (p: { httpGet?: { path: string; port: string | number } } | undefined) =>
          p?.httpGet && { path: p.httpGet.path, port: typeof p.httpGet.port === 'string' ? ports[p.httpGet.port] : p.httpGet.port };
        expect({ name: deployment.metadata.name, live: probe(container.livenessProbe), ready: probe(container.readinessProbe) })
          .toEqual({ name: deployment.metadata.name, live: { path: '/healthz', port: expected }, ready: { path: '/readyz', port: expected } });
        expect(expected).toBeGreaterThan(0);
      }
    }
  });

  it('gives every container requests and limits, at most 512Mi, with the whole V8 heap (old cap and young generation) below the limit', () => {
    for (const deployment of deployments) {
      for (const container of containersOf(deployment)) {
        const { requests, limits } = container.resources ?? {};
        for (const [what, value] of Object.entries({ requests, limits })) {
          expect({ deployment: deployment.metadata.name, what, cpu: !!value?.cpu, memory: !!value?.memory })
            .toEqual({ deployment: deployment.metadata.name, what, cpu: true, memory: true });
        }
        const limit = mebibytes(limits.memory);
        expect(limit).toBeLessThanOrEqual(512);
        expect(mebibytes(requests.memory)).toBeLessThanOrEqual(limit);
        // V8's heap at most: the old-generation cap and the young generation (three semi-spaces).
        const options = envOf(container).NODE_OPTIONS ?? '';
        const oldCap = /--max-old-space-size=(\d+)/.exec(options);
        const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(options)?.[1] ?? 16);
        expect(oldCap && Number(oldCap[1]) + 3 * semiSpace).toBeLessThan(limit);
      }
    }
  });

  it('runs every pod as non-root, read-only, without privileges or capabilities', () => {
    for (const deployment of deployments) {
      const pod = podSpec(deployment);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of containersOf(deployment)) {
        const sc = container.securityContext ?? {};
        expect({ name: deployment.metadata.name, ro: sc.readOnlyRootFilesystem, escalation: sc.allowPrivilegeEscalation, drop: sc.capabilities?.drop })
          .toEqual({ name: deployment.metadata.name, ro: true, escalation: false, drop: ['ALL'] });
      }
    }
  });

  it('deploys every production role, processors and senders once per lane, and nothing else', () => {
    const deployed = deployments.flatMap(containersOf).map((c) => ({ role: c.args?.[0] as string, lanes: parseLanes(envOf(c).LANES ?? 'express,bulk') }));
    for (const { role } of deployed) expect(Object.keys(ROLES).filter((r) => r !== 'simulators')).toContain(role);
    expect(new Set(deployed.map((d) => d.role))).toEqual(new Set(ALL_ROLES));
    for (const role of ['processors', 'senders']) {
      expect(deployed.filter((d) => d.role === role).map((d) => d.lanes.join(',')).sort()).toEqual(['bulk', 'express']);
    }
  });

  it('gives every Deployment a selector that matches its own pods and no other Deployment\'s', () => {
    for (const deployment of deployments) {
      const selector = (deployment.spec as any).selector.matchLabels as Record<string, string>;
      expect({ name: deployment.metadata.name, selects: deployments.filter((d) => selects(selector, podLabels(d))).map((d) => d.metadata.name) })
        .toEqual({ name: deployment.metadata.name, selects: [deployment.metadata.name] });
    }
  });

  it('has a PodDisruptionBudget for every Deployment, each selecting exactly one Deployment', () => {
    const budgets = ofKind(objects, 'PodDisruptionBudget');
    for (const budget of budgets) {
      const selector = (budget.spec as any).selector.matchLabels as Record<string, string>;
      expect({ budget: budget.metadata.name, selects: deployments.filter((d) => selects(selector, podLabels(d))).map((d) => d.metadata.name) })
        .toEqual({ budget: budget.metadata.name, selects: [budget.metadata.name] });
    }
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(deployments.map((d) => d.metadata.name).sort());
  });

  it('points the Service at the API pods and a port they serve', () => {
    const [service] = ofKind(objects, 'Service');
    const selected = deployments.filter((d) => selects((service!.spec as any).selector, podLabels(d)));
    expect(selected.map((d) => containersOf(d)[0]!.args[0])).toEqual(['api']);
    const ports = containersOf(selected[0]!)[0]!.ports.map((p: { name: string }) => p.name);
    for (const port of (service!.spec as any).ports) expect(ports).toContain(port.targetPort);
  });

  it('references only ConfigMaps, Secrets and keys that exist', () => {
    const names = (kind: string) => ofKind(objects, kind).map((o) => o.metadata.name);
    for (const container of deployments.flatMap(containersOf)) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) expect(names('ConfigMap')).toContain(source.configMapRef.name);
        if (source.secretRef) expect(names('Secret')).toContain(source.secretRef.name);
      }
      for (const { valueFrom } of container.env ?? []) {
        const ref = valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef;
        if (!ref) continue;
        const kind = valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret';
        expect(Object.keys(dataOf(ofKind(objects, kind).find((o) => o.metadata.name === ref.name)!))).toContain(ref.key);
      }
    }
  });

  it('names only variables that platform/config.ts knows (a typo is a default silently used)', () => {
    const known = new Set([...Object.keys(envSchema.shape), ...NODE_VARIABLES]);
    const used = [
      ...ofKind(objects, 'ConfigMap').flatMap((c) => Object.keys(dataOf(c))),
      ...ofKind(objects, 'Secret').flatMap((s) => Object.keys(dataOf(s))),
      ...deployments.flatMap(containersOf).flatMap((c) => (c.env ?? []).map((e: { name: string }) => e.name)),
    ];
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it('holds values that platform/config.ts accepts, in the ConfigMap and each container', () => {
    for (const container of deployments.flatMap(containersOf)) {
      const env = Object.fromEntries(Object.entries({ ...dataOf(config), ...envOf(container) }).filter(([k]) => k in envSchema.shape));
      const parsed = envSchema.safeParse(env);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
    }
  });

  it('commits placeholders only as secrets, which Vestnik refuses to start with', () => {
    const values = dataOf(secret);
    expect(Object.keys(values).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(values)) expect({ key, placeholder: value.includes('REPLACE_ME') }).toEqual({ key, placeholder: true });
    const parsed = envSchema.safeParse({ ...dataOf(config), ...values });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'))).toContain('JWT_SECRET');
  });

  it('autoscales on the lag of consumer groups and topics the target role really consumes', () => {
    const scaled = ofKind(objects, 'ScaledObject');
    const { KAFKA_BROKERS, KAFKA_GROUP_PREFIX } = dataOf(config);
    for (const object of scaled) {
      const spec = object.spec as any;
      const target = deployments.find((d) => d.metadata.name === spec.scaleTargetRef.name);
      expect(target).toBeDefined();
      expect((target!.spec as any).replicas).toBeUndefined(); // the autoscaler owns the count
      const container = containersOf(target!)[0]!;
      const stages = groupStagesOf(container.args[0], parseLanes(envOf(container).LANES ?? 'express,bulk'));
      for (const { metadata } of spec.triggers) {
        expect(metadata.bootstrapServers).toBe(KAFKA_BROKERS);
        expect(stages.map((stage) => `${KAFKA_GROUP_PREFIX}-${stage}`)).toContain(metadata.consumerGroup);
        expect(Object.values(TOPICS)).toContain(metadata.topic);
        const partitions = TOPIC_SPECS.find((t) => t.name === metadata.topic)!.partitions;
        expect(spec.maxReplicaCount).toBeLessThanOrEqual(partitions);
      }
    }
    if (_name !== 'base') expect(scaled.map((s) => (s.spec as any).scaleTargetRef.name).sort()).toEqual(['vestnik-processors-bulk', 'vestnik-senders-bulk']);
  });
});
