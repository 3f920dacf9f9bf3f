/**
 * The tables operators read (cli-table3): one function per command's shape, so the commands only gather
 * rows. Colour only on a terminal; a log or a pipe gets plain box-drawing characters.
 */
import Table from 'cli-table3';
import { formatCount } from './rate';

export interface TableOptions {
  /** Bold headers (a terminal); off for logs and pipes. */
  color?: boolean;
}

/** A table with the given headers and rows; numbers right-aligned and comma-grouped. */
export function renderTable(head: readonly string[], rows: readonly (readonly (string | number)[])[], options: TableOptions = {}): string {
  // Bold is written here rather than through cli-table3's `style.head`: that goes through @colors/colors, which
  // turns itself off when it sees CI=true or no TTY, and the caller has already decided (a terminal or not).
  const table = new Table({
    head: options.color ? head.map(bold) : [...head],
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    table.push(row.map((cell) => (typeof cell === 'number' ? { content: formatCount(cell), hAlign: 'right' as const } : cell)));
  }
  return table.toString();
}

function bold(text: string): string {
  return `\x1b[1m${text}\x1b[22m`;
}

export interface GroupTopicLag {
  group: string;
  topic: string;
  partitions: number;
  /** null for a group that has committed nothing (its topics are unknown until it does). */
  lag: number | null;
  /** Partitions where the group has committed nothing yet (their lag counts from the log start). */
  uncommitted: number;
  state: string;
  members: number;
}

/** `vestnik lag`: one row per group and topic. */
export function renderLagTable(rows: readonly GroupTopicLag[], options: TableOptions = {}): string {
  if (rows.length === 0) return 'no consumer groups with committed offsets under this group prefix';
  return renderTable(
    ['group', 'topic', 'partitions', 'lag', 'state', 'members'],
    rows.map((r) => [r.group, r.topic, partitionsCell(r), r.lag ?? '-', r.state, r.members]),
    options,
  );
}

function partitionsCell(row: GroupTopicLag): string | number {
  if (row.lag === null) return '-';
  return row.uncommitted > 0 ? `${row.partitions} (${row.uncommitted} uncommitted)` : row.partitions;
}

export interface TopicRow {
  topic: string;
  physical: string;
  /** null when the topic does not exist on the broker. */
  partitions: number | null;
  /** Records between the log start and end, summed over partitions (compaction and retention lower it). */
  records: number | null;
  cleanupPolicy: string;
  retention: string;
}

/** `vestnik topics`: one row per topic of TOPIC_SPECS. */
export function renderTopicsTable(rows: readonly TopicRow[], options: TableOptions = {}): string {
  return renderTable(
    ['topic', 'on the broker', 'partitions', 'records', 'cleanup', 'retention'],
    rows.map((r) => [r.topic, r.partitions === null ? `${r.physical} (missing)` : r.physical, r.partitions ?? '-', r.records ?? '-', r.cleanupPolicy, r.retention]),
    options,
  );
}

export interface DeadLetterRow {
  id: string;
  originalTopic: string;
  reasonCode: string;
  reason: string;
  failedAt: string;
  replayed: boolean;
}

/** `vestnik dlq list`: one row per dead letter, the reason cut to fit a terminal. */
export function renderDeadLetterTable(rows: readonly DeadLetterRow[], options: TableOptions = {}): string {
  if (rows.length === 0) return 'no dead letters';
  return renderTable(
    ['id', 'failed at', 'topic', 'code', 'reason', 'replayed'],
    rows.map((r) => [r.id, r.failedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), r.originalTopic, r.reasonCode, truncate(r.reason, 60), r.replayed ? 'yes' : 'no']),
    options,
  );
}

/** Cuts `text` to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `1d`, `7d`, `12h`, `forever`: a topic's retention for people. */
export function formatRetention(ms: number | undefined): string {
  if (ms === undefined || ms < 0) return 'forever';
  const hours = ms / 3_600_000;
  return hours >= 24 && hours % 24 === 0 ? `${hours / 24}d` : `${Math.round(hours)}h`;
}
