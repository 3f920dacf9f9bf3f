import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface TableRow {
  figure: string;
  value: string;
  target: string;
  /** null when the row has no target. */
  met: boolean | null;
}

const fmt = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const rate = (value: number) => `${fmt(value)}/s`;
export const ms = (value: number | null | undefined) => `${fmt(value)} ms`;
export const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024)} MiB`;
export const share = (part: number, whole: number) => (whole > 0 ? `${fmt((100 * part) / whole, 1)}%` : 'n/a');
/** `part` as a multiple of `whole`, e.g. `2.4×`. */
export const times = (part: number, whole: number) => (whole > 0 ? `${fmt(part / whole, 1)}×` : 'n/a');
export { fmt };

/** The table as plain text columns, one row a line. */
export function renderTable(rows: readonly TableRow[]): string {
  const mark = (met: boolean | null) => (met === null ? '' : met ? 'ok' : 'MISSED');
  const cells = [['figure', 'value', 'target', ''], ...rows.map((r) => [r.figure, r.value, r.target, mark(r.met)])];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ').trimEnd();
  const [head, ...body] = cells;
  return [line(head as string[]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
