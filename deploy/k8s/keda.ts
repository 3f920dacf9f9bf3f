/**
 * KEDA's ScaledObject is a custom resource, so kubernetes-models has no schema for it. This is a small one,
 * written from KEDA's documented fields (ScaledObject spec, Apache Kafka scaler, KEDA 2.x): unknown fields,
 * wrong types and missing required fields are errors. It is not KEDA's own CRD schema.
 */
const SPEC_FIELDS = new Set([
  'scaleTargetRef', 'pollingInterval', 'cooldownPeriod', 'initialCooldownPeriod', 'idleReplicaCount',
  'minReplicaCount', 'maxReplicaCount', 'fallback', 'advanced', 'triggers',
]);
const TARGET_FIELDS = new Set(['apiVersion', 'kind', 'name', 'envSourceContainerName']);
const TRIGGER_FIELDS = new Set(['type', 'name', 'metadata', 'authenticationRef', 'metricType', 'useCachedMetrics']);
const KAFKA_FIELDS = new Set([
  'bootstrapServers', 'consumerGroup', 'topic', 'lagThreshold', 'activationLagThreshold', 'offsetResetPolicy',
  'allowIdleConsumers', 'scaleToZeroOnInvalidOffset', 'excludePersistentLag', 'limitToPartitionsWithLag', 'version',
  'partitionLimitation', 'sasl', 'tls', 'unsafeSsl',
]);
const INT_FIELDS = ['pollingInterval', 'cooldownPeriod', 'initialCooldownPeriod', 'idleReplicaCount', 'minReplicaCount', 'maxReplicaCount'];

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every problem of a ScaledObject, as `path: message` (empty when it is valid). */
export function scaledObjectProblems(object: Record<string, any>): string[] {
  const problems: string[] = [];
  const unknownIn = (where: string, value: Record<string, unknown>, known: Set<string>) => {
    for (const key of Object.keys(value)) if (!known.has(key)) problems.push(`${where}.${key}: unknown field`);
  };
  if (object.apiVersion !== 'keda.sh/v1alpha1') problems.push('apiVersion: must be keda.sh/v1alpha1');
  if (typeof object.metadata?.name !== 'string') problems.push('metadata.name: required string');
  const spec = object.spec;
  if (!isMap(spec)) return [...problems, 'spec: required object'];
  unknownIn('spec', spec, SPEC_FIELDS);
  if (!isMap(spec.scaleTargetRef) || typeof spec.scaleTargetRef.name !== 'string') problems.push('spec.scaleTargetRef.name: required string');
  else unknownIn('spec.scaleTargetRef', spec.scaleTargetRef, TARGET_FIELDS);
  for (const field of INT_FIELDS) {
    const value = spec[field];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) problems.push(`spec.${field}: must be a non-negative integer`);
  }
  const min = (spec.minReplicaCount as number | undefined) ?? 0;
  const max = (spec.maxReplicaCount as number | undefined) ?? 100;
  if (min > max) problems.push('spec.minReplicaCount: must not exceed maxReplicaCount');
  if (!Array.isArray(spec.triggers) || spec.triggers.length === 0) return [...problems, 'spec.triggers: required non-empty list'];
  spec.triggers.forEach((trigger: unknown, i: number) => {
    const where = `spec.triggers[${i}]`;
    if (!isMap(trigger)) return void problems.push(`${where}: must be an object`);
    unknownIn(where, trigger, TRIGGER_FIELDS);
    if (typeof trigger.type !== 'string') problems.push(`${where}.type: required string`);
    if (!isMap(trigger.metadata)) return void problems.push(`${where}.metadata: required map`);
    for (const [key, value] of Object.entries(trigger.metadata)) {
      if (typeof value !== 'string') problems.push(`${where}.metadata.${key}: must be a string (KEDA reads metadata as strings)`);
    }
    if (trigger.type === 'kafka') kafkaProblems(`${where}.metadata`, trigger.metadata, problems, unknownIn);
  });
  return problems;
}

function kafkaProblems(
  where: string, metadata: Record<string, unknown>, problems: string[],
  unknownIn: (where: string, value: Record<string, unknown>, known: Set<string>) => void,
): void {
  unknownIn(where, metadata, KAFKA_FIELDS);
  for (const field of ['bootstrapServers', 'consumerGroup']) {
    if (typeof metadata[field] !== 'string' || metadata[field] === '') problems.push(`${where}.${field}: required`);
  }
  for (const field of ['lagThreshold', 'activationLagThreshold']) {
    const value = metadata[field];
    if (value !== undefined && !/^\d+$/.test(String(value))) problems.push(`${where}.${field}: must be a whole number`);
  }
  const reset = metadata.offsetResetPolicy;
  if (reset !== undefined && reset !== 'earliest' && reset !== 'latest') problems.push(`${where}.offsetResetPolicy: earliest or latest`);
}
