/**
 * The layers of Vestnik, lowest first. A module may import from its own layer and the ones below,
 * never from above and never sideways between stages; `npm run lint:deps` (part of `npm test`)
 * fails on any import that breaks this.
 *
 *   schemas → platform → domain → processors | senders | analytics → ingest → cli
 *
 * simulators stand in for outside services: they use schemas and platform only.
 * infra/local, bench and tests are the harness: they start and drive Vestnik's processes, may
 * import anything, and nothing in the build imports them. deploy (the checks of the image and the
 * Kubernetes manifests) is harness too.
 */
const LAYERS = {
  schemas: [],
  platform: ['schemas'],
  domain: ['schemas', 'platform'],
  processors: ['schemas', 'platform', 'domain'],
  senders: ['schemas', 'platform', 'domain'],
  analytics: ['schemas', 'platform', 'domain'],
  ingest: ['schemas', 'platform', 'domain', 'processors', 'senders', 'analytics'],
  cli: ['schemas', 'platform', 'domain', 'processors', 'senders', 'analytics', 'ingest', 'simulators'],
  simulators: ['schemas', 'platform'],
};
const HARNESS = '^(infra/local|bench|tests|deploy)/';
// Folders under processors/ and senders/ that their flows share; a flow's own folder is private to it.
const SHARED_PROCESSORS = ['directory', 'rendering', 'context-providers', 'processor-options'];
const SHARED_SENDERS = ['core', 'policy'];

const layerRules = Object.entries(LAYERS).map(([layer, below]) => ({
  name: `${layer}-imports-down-only`,
  comment: `${layer}/ may import ${below.length ? below.join(', ') : 'nothing of ours'} and itself`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: {
    path: '^(schemas|platform|domain|processors|senders|analytics|ingest|cli|simulators)/',
    pathNot: [`^${layer}/`, ...below.map((b) => `^${b}/`)],
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-harness-in-build',
      comment: 'test doubles, the bench and infra/local stay outside the build',
      severity: 'error',
      from: { pathNot: [HARNESS, '\\.test\\.ts$'] },
      to: { path: HARNESS },
    },
    {
      name: 'processor-flows-private',
      comment: 'a processor flow imports only its own folder and the shared ones, never another flow',
      severity: 'error',
      from: { path: '^processors/([^/]+)/' },
      to: {
        path: '^processors/([^/.]+)/',
        pathNot: ['^processors/$1/', ...SHARED_PROCESSORS.map((s) => `^processors/${s}/`)],
      },
    },
    {
      name: 'shared-processors-below-flows',
      comment: 'the shared processor folders never import a flow',
      severity: 'error',
      from: { path: `^processors/(${SHARED_PROCESSORS.join('|')})` },
      to: { path: '^processors/', pathNot: SHARED_PROCESSORS.map((s) => `^processors/${s}`) },
    },
    {
      name: 'sender-channels-private',
      comment: 'a channel imports only its own folder and senders/core, senders/policy; never another channel',
      severity: 'error',
      from: { path: '^senders/([^/]+)/' },
      to: { path: '^senders/([^/]+)/', pathNot: ['^senders/$1/', ...SHARED_SENDERS.map((s) => `^senders/${s}/`)] },
    },
    {
      name: 'sender-policy-below-core',
      comment: 'senders/policy (backoff, breaker, results, the channel port) is below the loop and the channels',
      severity: 'error',
      from: { path: '^senders/policy/' },
      to: { path: '^senders/', pathNot: '^senders/policy/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
