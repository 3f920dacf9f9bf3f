/**
 * The notification run record ("broadcast history"), as pure data: what a request's Redis hash holds,
 * how it is read back, which status moves are allowed, and the fan-out's tally. No I/O here.
 */
import type { DeliveryStatusName, MailingStatus, NotificationRequested } from '../../schemas/types';

/** A notification's lifecycle status: the same four as a mailing's. */
export type RunStatus = MailingStatus;

/** One notification request (or one occurrence of a recurring one) as the history shows it. Times are epoch ms. */
export interface NotificationRun {
  id: string;
  status: RunStatus;
  templateId: string;
  priority: string;
  promo: boolean;
  channels: string[];
  notBefore: number | null;
  expiresAt: number | null;
  recurrence: { cron: string; timezone: string } | null;
  requestedBy: string | null;
  /** The recurring request this is an occurrence of; null for a top-level request. */
  parentId: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  cancelledAt: number | null;
  /** True once the fan-out has paged every recipient; `total` etc. are known from then on. */
  fanoutDone: boolean;
  /** Deliveries the fan-out decided (queued + suppressed + failed); null while it runs. */
  total: number | null;
  suppressed: number | null;
  failed: number | null;
}

/** What a fan-out decided, counted per page and summed. */
export interface FanoutTally {
  total: number;
  queued: number;
  suppressed: number;
  failed: number;
}

export const EMPTY_TALLY: FanoutTally = Object.freeze({ total: 0, queued: 0, suppressed: 0, failed: 0 });

/** Counts a page's decided statuses (queued = will be sent; suppressed / failed = decided not to). */
export function tallyOf(statuses: readonly { status: DeliveryStatusName }[]): FanoutTally {
  const tally = { ...EMPTY_TALLY };
  for (const { status } of statuses) {
    tally.total += 1;
    if (status === 'queued') tally.queued += 1;
    else if (status === 'suppressed') tally.suppressed += 1;
    else if (status === 'failed') tally.failed += 1;
  }
  return tally;
}

export function addTally(a: FanoutTally, b: FanoutTally): FanoutTally {
  return { total: a.total + b.total, queued: a.queued + b.queued, suppressed: a.suppressed + b.suppressed, failed: a.failed + b.failed };
}

/**
 * The recurring request an occurrence belongs to. scheduler/recurrence.ts `occurrenceOf` names an
 * occurrence `<requestId>@<fireAt>`; the caller confirms the parent exists before linking to it.
 */
export function parentOfOccurrence(requestId: string): { parentId: string; fireAt: number } | null {
  const match = /^(.+)@(\d{1,15})$/.exec(requestId);
  return match ? { parentId: match[1] as string, fireAt: Number(match[2]) } : null;
}

/**
 * Allowed moves, keyed by target status: a run only moves forward, and a cancellation or a finish is
 * never undone (a replayed request or a late occurrence cannot reopen it).
 */
export const TRANSITIONS: Readonly<Record<'running' | 'finished' | 'cancelled', readonly RunStatus[]>> = {
  running: ['scheduled'],
  finished: ['scheduled', 'running'],
  cancelled: ['scheduled', 'running'],
};

/** The field that stamps the time a run reached a status. */
export const STAMP_FIELD: Readonly<Record<keyof typeof TRANSITIONS, string>> = {
  running: 'startedAt',
  finished: 'finishedAt',
  cancelled: 'cancelledAt',
};

/** The hash fields written when a request is first seen (status scheduled). */
export function runFieldsOf(request: NotificationRequested, parentId: string | null): Record<string, string> {
  return {
    id: request.requestId,
    status: 'scheduled',
    templateId: request.templateId,
    priority: request.priority,
    promo: request.promo ? '1' : '0',
    channels: JSON.stringify(request.channels),
    notBefore: request.notBefore === null ? '' : String(request.notBefore),
    expiresAt: request.expiresAt === null ? '' : String(request.expiresAt),
    recurrence: request.recurrence ? JSON.stringify(request.recurrence) : '',
    requestedBy: request.requestedBy ?? '',
    parentId: parentId ?? '',
    createdAt: String(request.occurredAt),
  };
}

/** The hash fields of a finished fan-out. */
export function fanoutFieldsOf(tally: FanoutTally): Record<string, string> {
  return {
    fanoutDone: '1', total: String(tally.total), queued: String(tally.queued),
    suppressed: String(tally.suppressed), failed: String(tally.failed),
  };
}

const STATUSES: readonly RunStatus[] = ['scheduled', 'running', 'finished', 'cancelled'];
const numberOrNull = (value: string | undefined): number | null => (value === undefined || value === '' ? null : Number(value));

/** A run hash read back (HGETALL); null for a missing (empty) hash. */
export function parseRun(hash: Record<string, string>): NotificationRun | null {
  if (!hash.id) return null;
  return {
    id: hash.id,
    status: STATUSES.find((s) => s === hash.status) ?? 'scheduled',
    templateId: hash.templateId ?? '',
    priority: hash.priority ?? 'bulk',
    promo: hash.promo === '1',
    channels: hash.channels ? (JSON.parse(hash.channels) as string[]) : [],
    notBefore: numberOrNull(hash.notBefore),
    expiresAt: numberOrNull(hash.expiresAt),
    recurrence: hash.recurrence ? (JSON.parse(hash.recurrence) as { cron: string; timezone: string }) : null,
    requestedBy: hash.requestedBy || null,
    parentId: hash.parentId || null,
    createdAt: Number(hash.createdAt ?? 0),
    startedAt: numberOrNull(hash.startedAt),
    finishedAt: numberOrNull(hash.finishedAt),
    cancelledAt: numberOrNull(hash.cancelledAt),
    fanoutDone: hash.fanoutDone === '1',
    total: numberOrNull(hash.total),
    suppressed: numberOrNull(hash.suppressed),
    failed: numberOrNull(hash.failed),
  };
}

/** Listing cursors: the last item's (createdAt, id), opaque to callers. */
export function encodeRunCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeRunCursor(cursor: string): { createdAt: number; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') return { createdAt: value[0], id: value[1] };
  } catch {
    // fall through: a malformed cursor
  }
  return null;
}
