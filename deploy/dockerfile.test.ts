/**
 * The Dockerfile and .dockerignore, checked offline: there is no Docker engine where the tests run, so
 * this reads the files and asserts what matters for a production image (two stages, production
 * dependencies only, a numeric non-root user, the entry point, a health check, nothing copied wholesale,
 * every file the runtime reads present). It cannot prove the image builds; see README "Deploying".
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction { keyword: string; args: string; line: number }
interface Stage { name: string; image: string; instructions: Instruction[] }

/** Dockerfile → instructions: comments and blank lines dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) start = i + 1;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending);
    if (match) out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: start });
    pending = '';
  });
  return out;
}

/** Instructions grouped by FROM; a stage without `AS name` is named by its index. */
function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', , name] = instruction.args.split(/\s+/);
      stages.push({ name: name ?? String(stages.length), image, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** COPY's sources and destination, options (--from, --chown) apart. */
function copyParts(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
}

/** A minimal .dockerignore matcher: exact paths and their folders, `*` within a name, a leading `**` /. */
function isIgnored(patterns: string[], file: string): boolean {
  const toRegex = (pattern: string) => new RegExp(`^${pattern
    .replace(/[.+^${}()|[\]]/g, '\\$&')
    .replace(/^\*\*\//, '(?:.*/)?')
    .replace(/\*/g, '[^/]*')}(?:/.*)?$`);
  return patterns.some((pattern) => toRegex(pattern).test(file));
}

const stages = stagesOf(parseDockerfile(read('Dockerfile')));
const runtime = stages.at(-1)!;
const build = stages.slice(0, -1);
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const runs = (stage: Stage) => all(stage, 'RUN').map((i) => i.args);
const exec = (args: string) => JSON.parse(args.replace(/^CMD\s+/, '')) as string[];
const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const workdir = (stage: Stage) => all(stage, 'WORKDIR').at(-1)?.args ?? '/';

/** The folders of the build, as the layer rules of .dependency-cruiser.cjs name them. */
function productFolders(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(path.join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] };
  return config.forbidden.map((rule) => /^(.+)-imports-down-only$/.exec(rule.name)?.[1]).filter((l): l is string => !!l);
}

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, from Node 20 slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.some((s) => runs(s).some((r) => /^npm ci\b/.test(r)) && runs(s).includes('npm run build'))).toBe(true);
    expect(runtime.image).toMatch(/^node:20[.\w-]*slim$/);
    expect(runs(runtime)).not.toContain('npm run build');
  });

  it('installs only production dependencies in the runtime stage', () => {
    const installs = runs(runtime).filter((r) => /\bnpm (ci|install|i)\b/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/^npm ci .*--omit=dev/);
    const copied = all(runtime, 'COPY').flatMap((c) => copyParts(c.args).sources);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    expect(copied.filter((s) => /node_modules/.test(s))).toEqual([]);
  });

  it('runs as a numeric non-root user, set after every RUN of the runtime stage', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)!;
    // Numeric: Kubernetes can only verify runAsNonRoot against a numeric user.
    const [uid, gid] = last.args.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    if (gid !== undefined) expect(Number(gid)).toBeGreaterThan(0);
    const lastRun = all(runtime, 'RUN').at(-1)!;
    expect(last.line).toBeGreaterThan(lastRun.line);
  });

  it('starts the CLI, every production role by default', () => {
    expect(exec(all(runtime, 'ENTRYPOINT').at(-1)!.args)).toEqual(['node', 'dist/cli/vestnik.js']);
    expect(exec(all(runtime, 'CMD').at(-1)!.args)).toEqual(['all']);
    // dist/cli/vestnik.js is the compiled cli/vestnik.ts (tsconfig.build.json: rootDir ".", outDir "dist").
    expect(fs.existsSync(path.join(ROOT, 'cli/vestnik.ts'))).toBe(true);
  });

  it('checks health with node against METRICS_PORT, else the API port, with a script the image holds', () => {
    const healthcheck = all(runtime, 'HEALTHCHECK').at(-1);
    expect(healthcheck).toBeDefined();
    const command = exec(healthcheck!.args.replace(/^(--\S+\s+)*/, ''));
    expect(command[0]).toBe('node');
    const script = command[1]!;
    const copy = all(runtime, 'COPY').map((c) => copyParts(c.args)).find((c) => path.posix.basename(c.dest) === script);
    expect(copy).toBeDefined();
    const source = read(copy!.sources[0]!);
    expect(source).toMatch(/process\.env\.METRICS_PORT \|\| process\.env\.HTTP_PORT/);
    expect(source).toContain("'/healthz'");
  });

  it('never copies the build context wholesale, and never ADDs', () => {
    for (const stage of stages) {
      expect(all(stage, 'ADD')).toEqual([]);
      for (const copy of all(stage, 'COPY').map((c) => copyParts(c.args))) {
        if (copy.from) continue;
        for (const source of copy.sources) expect(['.', './', '*', '/']).not.toContain(source);
      }
    }
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const sources = stages.flatMap((s) => all(s, 'COPY').map((c) => copyParts(c.args)).filter((c) => !c.from).flatMap((c) => c.sources));
    for (const source of sources) {
      expect({ source, exists: fs.existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: isIgnored(ignored, source) }).toEqual({ source, ignored: false });
    }
  });

  it('gives the build stage every folder of the product and the compiler settings', () => {
    const copied = build.flatMap((s) => all(s, 'COPY').flatMap((c) => copyParts(c.args).sources));
    const folders = productFolders();
    expect(folders).toEqual(expect.arrayContaining(['schemas', 'platform', 'cli']));
    expect(copied).toEqual(expect.arrayContaining([...folders, 'tsconfig.json', 'tsconfig.build.json']));
  });

  it('puts schemas/ beside dist/, where platform/codec/schema-set.ts reads the .avsc files at run time', () => {
    const dir = workdir(runtime);
    const copies = all(runtime, 'COPY').map((c) => copyParts(c.args));
    const dest = (d: string) => path.posix.resolve(dir, d);
    const dist = copies.find((c) => c.from && c.sources.some((s) => /\/dist\/?$/.test(s)));
    expect(dist && dest(dist.dest)).toBe(path.posix.join(dir, 'dist'));
    const schemas = copies.find((c) => !c.from && c.sources.some((s) => /^schemas\/?$/.test(s)));
    expect(schemas && dest(schemas.dest)).toBe(path.posix.join(dir, 'schemas'));
    // defaultSchemaDir() tries <dist>/platform/codec/../../../schemas, i.e. the folder beside dist/.
    expect(read('platform/codec/schema-set.ts')).toContain("path.resolve(__dirname, '../../../schemas')");
    expect(path.posix.resolve(dir, 'dist/platform/codec', '../../../schemas')).toBe(dest(schemas!.dest));
  });

  it('puts the console static files where ingest/console/pages.ts reads them from dist/', () => {
    const dir = workdir(runtime);
    const copies = all(runtime, 'COPY').map((c) => copyParts(c.args));
    const dest = (d: string) => path.posix.resolve(dir, d);
    const statics = copies.find((c) => !c.from && c.sources.some((s) => /^ingest\/console\/static\/?$/.test(s)));
    expect(read('ingest/console/assets.ts')).toContain("path.resolve(__dirname, '../../../ingest/console/static')");
    expect(statics && dest(statics.dest)).toBe(path.posix.resolve(dir, 'dist/ingest/console', '../../../ingest/console/static'));
  });
});

describe('.dockerignore', () => {
  it.each([
    'node_modules/kafkajs/package.json', '.cache/kafka/x', '.git', '.git/config', 'dist/cli/vestnik.js', 'debug.log',
    '.env', '.env.production', 'deploy/k8s/overlays/production/secrets.env', 'bench/results/run.json',
  ])('keeps %s out of the build context', (file) => {
    expect(isIgnored(ignored, file)).toBe(true);
  });

  it.each(['schemas/state.clients.avsc', 'platform/config.ts', 'package-lock.json', 'deploy/docker/healthcheck.cjs'])(
    'lets %s in', (file) => expect(isIgnored(ignored, file)).toBe(false),
  );
});
