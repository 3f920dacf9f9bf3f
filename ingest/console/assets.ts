/**
 * The console's browser files, read once at start-up: its own modules under ingest/console/static, and the
 * few front-end libraries it uses straight from node_modules (no build step, nothing fetched from a CDN).
 * Only the files found here are ever served: a request names a key of this map, never a path on disk.
 *
 * The pages import the libraries by bare name ("preact", "uplot"); the import map in index.html resolves
 * those names to /console/vendor/. It is the one inline script, allowed by its SHA-256 in the page's CSP.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ConsoleFile {
  type: string;
  body: Buffer;
}

export interface ConsoleAssets {
  /** By URL path below /console/ ("static/app.js", "vendor/preact.mjs"). */
  files: Map<string, ConsoleFile>;
  /** index.html with the import map written in. */
  page: ConsoleFile;
  /** The CSP source that allows the import map: 'sha256-…'. */
  importMapHash: string;
}

/** The libraries the pages import, by the name they import them under: [package, file in it, served as]. */
const VENDOR: readonly { specifier: string; pkg: string; file: string; as: string }[] = [
  { specifier: 'preact', pkg: 'preact', file: 'dist/preact.mjs', as: 'preact.mjs' },
  { specifier: 'preact/hooks', pkg: 'preact', file: 'hooks/dist/hooks.mjs', as: 'preact-hooks.mjs' },
  { specifier: 'htm', pkg: 'htm', file: 'dist/htm.mjs', as: 'htm.mjs' },
  { specifier: 'htm/preact', pkg: 'htm', file: 'preact/index.mjs', as: 'htm-preact.mjs' },
  { specifier: 'uplot', pkg: 'uplot', file: 'dist/uPlot.esm.js', as: 'uplot.mjs' },
];
/** Stylesheets of the libraries, linked by index.html. */
const VENDOR_STYLES = [{ pkg: 'uplot', file: 'dist/uPlot.min.css', as: 'uplot.css' }] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
};

/** Where the routes serve these files: the rate limiter charges them to the static budget. */
export const CONSOLE_ASSET_PREFIXES = ['/console/static/', '/console/vendor/'] as const;

/** ingest/console/static beside this file, or (running from dist/) in the source tree. */
function staticDir(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '../../../ingest/console/static')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/**
 * A package's folder, found the way Node finds packages (not through require.resolve, which a package's
 * "exports" may refuse for files it does not export).
 */
function packageDir(pkg: string): string {
  const dir = (require.resolve.paths(pkg) ?? []).map((base) => path.join(base, pkg)).find((candidate) => existsSync(path.join(candidate, 'package.json')));
  if (!dir) throw new Error(`the console needs the package ${pkg}: run npm ci`);
  return dir;
}

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return walk(path.join(dir, entry.name), relative);
    return TYPES[path.extname(entry.name)] ? [relative] : [];
  });
}

const read = (file: string): ConsoleFile => ({ type: TYPES[path.extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });

export function loadConsoleAssets(): ConsoleAssets {
  const root = staticDir();
  const files = new Map<string, ConsoleFile>();
  for (const relative of walk(root)) if (relative !== 'index.html') files.set(`static/${relative}`, read(path.join(root, relative)));
  for (const lib of [...VENDOR, ...VENDOR_STYLES]) files.set(`vendor/${lib.as}`, read(path.join(packageDir(lib.pkg), lib.file)));

  const importMap = JSON.stringify({ imports: Object.fromEntries(VENDOR.map((lib) => [lib.specifier, `/console/vendor/${lib.as}`])) });
  const html = readFileSync(path.join(root, 'index.html'), 'utf8');
  if (!html.includes('<!--import-map-->')) throw new Error('ingest/console/static/index.html lacks its <!--import-map--> marker');
  const page = { type: TYPES['.html']!, body: Buffer.from(html.replace('<!--import-map-->', `<script type="importmap">${importMap}</script>`)) };
  const importMapHash = `'sha256-${createHash('sha256').update(importMap).digest('base64')}'`;
  return { files, page, importMapHash };
}
