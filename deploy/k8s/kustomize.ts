/**
 * A small offline kustomize for the manifest tests: reads a kustomization and what it lists, and applies
 * the few transformations Vestnik's overlays use (labels, namespace, images, replicas, strategic-merge
 * patches, a Secret replaced from an env file). Any other kustomization field is an error, so a new feature
 * cannot be silently ignored here. Checked by hand against `kubectl kustomize` (README "Deploying").
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
};

const KNOWN_FIELDS = new Set([
  'apiVersion', 'kind', 'resources', 'components', 'labels', 'namespace', 'images', 'replicas', 'patches', 'secretGenerator',
]);
const CLUSTER_SCOPED = new Set(['Namespace']);

/** Every object of a multi-document YAML file (empty documents skipped); a parse error throws. */
export function readYamlFile(file: string): K8sObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    return value ? [value] : [];
  });
}

/** The files a kustomization reads, itself included, transitively (to find YAML that nothing lists). */
export function filesOf(dir: string): string[] {
  const kustomization = readYamlFile(path.join(dir, 'kustomization.yaml'))[0] as Record<string, unknown>;
  const files = [path.join(dir, 'kustomization.yaml')];
  const entries = [...((kustomization.resources as string[]) ?? []), ...((kustomization.components as string[]) ?? [])];
  for (const entry of entries) {
    const target = path.resolve(dir, entry);
    files.push(...(fs.statSync(target).isDirectory() ? filesOf(target) : [target]));
  }
  for (const patch of (kustomization.patches as { path: string }[]) ?? []) files.push(path.resolve(dir, patch.path));
  return files;
}

/** The objects a kustomization directory produces. `envFile` picks the file a secretGenerator reads. */
export function build(dir: string, envFile: (file: string) => string = (f) => f): K8sObject[] {
  const kustomization = readYamlFile(path.join(dir, 'kustomization.yaml'))[0] as Record<string, any>;
  const unknown = Object.keys(kustomization).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) throw new Error(`${dir}: kustomization fields this check does not apply: ${unknown.join(', ')}`);
  const objects: K8sObject[] = [];
  for (const entry of [...(kustomization.resources ?? []), ...(kustomization.components ?? [])] as string[]) {
    const target = path.resolve(dir, entry);
    objects.push(...(fs.statSync(target).isDirectory() ? build(target, envFile) : readYamlFile(target)));
  }
  const find = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${dir}: no ${kind} ${name} to transform`);
    return found;
  };
  for (const patch of (kustomization.patches ?? []) as { path: string }[]) {
    for (const partial of readYamlFile(path.resolve(dir, patch.path))) {
      const target = find(partial.kind, partial.metadata.name);
      Object.assign(target, strategicMerge(target, partial));
    }
  }
  for (const { name, count } of (kustomization.replicas ?? []) as { name: string; count: number }[]) {
    (find('Deployment', name).spec as Record<string, unknown>).replicas = count;
  }
  for (const generator of (kustomization.secretGenerator ?? []) as { name: string; behavior?: string; envs?: string[] }[]) {
    if (generator.behavior !== 'replace') throw new Error(`${dir}: secretGenerator ${generator.name}: only behavior "replace" is checked`);
    const secret = find('Secret', generator.name);
    delete secret.data;
    secret.stringData = Object.assign({}, ...(generator.envs ?? []).map((file) => readEnvFile(envFile(path.resolve(dir, file)))));
  }
  for (const object of objects) {
    for (const { pairs } of (kustomization.labels ?? []) as { pairs: Record<string, string> }[]) {
      object.metadata.labels = { ...object.metadata.labels, ...pairs };
    }
    if (kustomization.namespace && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = kustomization.namespace;
    for (const image of (kustomization.images ?? []) as { name: string; newName?: string; newTag?: string }[]) {
      for (const container of containersOf(object)) {
        if (container.image === image.name) container.image = `${image.newName ?? image.name}${image.newTag ? `:${image.newTag}` : ''}`;
      }
    }
  }
  return objects;
}

/** The containers of a workload's pod template (none for other kinds). */
export function containersOf(object: K8sObject): Record<string, any>[] {
  return ((object.spec as any)?.template?.spec?.containers as Record<string, any>[]) ?? [];
}

/** KEY=value lines, `#` comments and blank lines skipped. */
export function readEnvFile(file: string): Record<string, string> {
  const entries = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return Object.fromEntries(entries.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Strategic merge as kustomize does it for what we patch: maps merge, lists of named objects merge by name. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch) && patch.every((p) => p && typeof p === 'object' && 'name' in p)) {
    const merged = base.map((item) => {
      const match = patch.find((p) => p.name === (item as { name?: string }).name);
      return match ? strategicMerge(item, match) : item;
    });
    return [...merged, ...patch.filter((p) => !base.some((b) => (b as { name?: string }).name === p.name))];
  }
  if (base && patch && typeof base === 'object' && typeof patch === 'object' && !Array.isArray(base) && !Array.isArray(patch)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(patch)) out[key] = key in out ? strategicMerge(out[key], value) : value;
    return out;
  }
  return patch;
}
