import { deliveryIdOf } from '../platform/ids';
import { KEYS } from '../platform/redis/keys';
import { smsMessageId } from '../senders/sms/message';
import { MAX_LOOKUP_IDS } from '../simulators/sms/control';
import type { SmsControlClient } from '../simulators/sms/control-client';
import type { Deployment } from './deployment';
import type { ExpressProbe } from './express';
import { perSecond, pollUntil, sleep } from './stats';
import { outputModeOf } from '../cli/output/mode';
import { createProgressView } from '../cli/output/progress';
import { FINAL_STATUSES } from '../schemas/types';

const iso = (ms: number) => new Date(ms).toISOString();

export interface BulkResult {
  mailingId: string;
  /** null when the fan-out never reported done. */
  fanoutMs: number | null;
  fanoutCommandsPerSecond: number;
  /** Mailing start → the simulator's last first-acceptance of a bulk message. */
  deliveryMs: number;
  deliveriesPerSecond: number;
  /** Mailing start → GET /api/stats/mailings shows every one of the N final; null if it never did. */
  statsMs: number | null;
  /**
   * Mailing start → the mailing shows `finished` (the scheduler's lifecycle check,
   * processors/scheduler/mailing-lifecycle.ts); null if statistics never were exact or it never did.
   */
  finishedMs: number | null;
  /** The mailing's counts by status then (a `failed` one is an ambiguous call, counted). */
  finalStatuses: Record<string, number> | null;
  /** Acceptances stopped progressing for STALL_MS before reaching N: the figures are partial. */
  stalled: boolean;
  accepted: number;
  /** Bulk messages accepted more than once, or never. Both must be 0. */
  duplicates: number;
  missing: number;
}

/** Starts one SMS mailing to every client of `tag` through the API; returns its id and the start time. */
export async function startMailing(vestnik: Deployment, tag: string): Promise<{ mailingId: string; startedAt: number }> {
  const startedAt = Date.now();
  const created = await vestnik.api('POST', '/api/mailings', {
    text: 'Bench {{name}}', startAt: iso(startedAt), endAt: iso(startedAt + 6 * 3_600_000), filter: { tags: [tag], operatorCodes: [] },
  });
  if (created.status !== 201) throw new Error(`bulk mailing refused: ${created.status} ${JSON.stringify(created.body)}`);
  return { mailingId: created.body.id, startedAt };
}

/** The bulk window's two ends, for the caller's measurements (express probes, CPU). */
export interface BulkWindow {
  /** The mailing is out: returns what the express probes published so far (taken off the simulator's count). */
  onStarted(): () => readonly ExpressProbe[];
  /** The last bulk message was accepted (or acceptances stalled): the window ends, before the audit. */
  onDelivered(): void;
}

/**
 * Runs the bulk mailing to the `clientIds` (all tagged `tag`) and times its three milestones. The simulator
 * runs in its own process: progress is its accepted count, and the end is audited message by message in
 * lookups of 50,000, after the window has closed.
 */
export async function runBulkMailing(
  vestnik: Deployment, sms: SmsControlClient, tag: string, clientIds: readonly string[], window: BulkWindow,
): Promise<BulkResult> {
  const n = clientIds.length;
  const before = (await sms.stats()).acceptedMessages;
  const { mailingId, startedAt } = await startMailing(vestnik, tag);
  const expressProbes = window.onStarted();
  const timeoutMs = 120_000 + n * 5;
  const redis = vestnik.runtime.redis();
  const fanout = pollUntil(async () => ((await redis.hget(KEYS.fanoutCursor(mailingId), 'done')) === '1' ? Date.now() : null), {
    timeoutMs, intervalMs: 10, what: 'the fan-out checkpoint done=1',
  });
  const progress = { stalled: false, delivered: false };
  const delivered = waitForDeliveries(sms, n, before, expressProbes, progress).then(() => {
    progress.delivered = true;
    window.onDelivered();
  });
  // The stats cannot show sent == N before the provider accepted all N, and every stats query scans the
  // mailing's statuses in ClickHouse (about a second at a million): polling while sending would only load
  // the machine being measured. From then on, closely.
  const stats = pollUntil(async () => {
    if (progress.stalled) return { at: null, byStatus: null };
    if (!progress.delivered) return null;
    // The list (counts only): the detail also pages the messages, a second scan of every delivery.
    const response = await vestnik.api('GET', '/api/stats/mailings');
    const counts = (response.body?.items as { id: string; byStatus: Record<string, number> }[] | undefined)?.find((item) => item.id === mailingId);
    // Exact: every message final (a call that timed out after it was sent ends `failed`, ambiguous, and is reported).
    const final = [...FINAL_STATUSES].reduce((sum, status) => sum + (counts?.byStatus[status] ?? 0), 0);
    return final === n ? { at: Date.now(), byStatus: counts!.byStatus } : null;
  }, { timeoutMs, intervalMs: 250, what: `statistics showing ${n} sent` })
    // Statistics that never catch up (analytics down) are a finding for the table, not a reason to lose the run.
    .catch((error: Error) => {
      console.error(error.message);
      return { at: null, byStatus: null };
    });
  // How long an operator waits to see it finished; the statistics call is timed after this (run.ts).
  const finished = stats.then(({ at }) => (at === null ? null : pollUntil(async () => {
    const response = await vestnik.api('GET', `/api/mailings/${mailingId}`);
    return response.body?.status === 'finished' ? Date.now() : null;
  }, { timeoutMs: 60_000, intervalMs: 100, what: 'the mailing finished' }).catch((error: Error) => {
    console.error(error.message);
    return null;
  })));
  const [fanoutAt, , statsAt, finishedAt] = await Promise.all([fanout.catch(() => null), delivered, stats, finished]);
  const audit = await auditAcceptances(sms, mailingId, clientIds);
  const deliveryMs = audit.lastAcceptedAt - startedAt;
  const fanoutMs = fanoutAt === null ? null : fanoutAt - startedAt;
  return {
    mailingId, fanoutMs, fanoutCommandsPerSecond: fanoutMs === null ? 0 : perSecond(n, fanoutMs), deliveryMs,
    deliveriesPerSecond: perSecond(audit.accepted, deliveryMs), statsMs: statsAt.at === null ? null : statsAt.at - startedAt,
    finishedMs: finishedAt === null ? null : finishedAt - startedAt, finalStatuses: statsAt.byStatus,
    accepted: audit.accepted, duplicates: audit.duplicates, missing: audit.missing, stalled: progress.stalled,
  };
}

/** No new bulk acceptance for this long means the pipeline is stuck: stop waiting, report what was reached. */
const STALL_MS = 60_000;

/**
 * Resolves when N bulk messages were accepted, or sets `progress.stalled` when acceptances stop coming.
 * The simulator counts express probes too: once its total reaches N, the accepted probes are looked up
 * and taken off.
 */
async function waitForDeliveries(
  sms: SmsControlClient, n: number, before: number, expressProbes: () => readonly ExpressProbe[], progress: { stalled: boolean; delivered: boolean },
): Promise<void> {
  let last = -1;
  let lastProgressAt = Date.now();
  // The simulator's count, as it goes: a bar on a terminal, a line every 5 s in a log (cli/output/progress.ts).
  const view = createProgressView({ label: 'bulk SMS accepted', mode: outputModeOf({}) });
  for (;;) {
    const total = (await sms.stats()).acceptedMessages - before;
    let bulk = total;
    if (total >= n) {
      const probes = await sms.messages(expressProbes().map((p) => p.msgId));
      bulk -= probes.filter((record) => record?.firstAcceptedAt != null).length;
    }
    if (bulk >= n) return view.stop({ value: n, total: n });
    view.update({ value: bulk, total: n });
    if (bulk > last) [last, lastProgressAt] = [bulk, Date.now()];
    if (Date.now() - lastProgressAt > STALL_MS) {
      progress.stalled = true;
      view.stop();
      console.error(`bench: bulk deliveries stalled at ${bulk}/${n} (no acceptance for ${STALL_MS / 1000} s)`);
      return;
    }
    await sleep(100);
  }
}

/** Looks every bulk message up in the simulator, a lookup at a time: exactly-once check and the exact last acceptance time. */
async function auditAcceptances(sms: SmsControlClient, mailingId: string, clientIds: readonly string[]) {
  let lastAcceptedAt = 0;
  let accepted = 0;
  let duplicates = 0;
  let missing = 0;
  for (let offset = 0; offset < clientIds.length; offset += MAX_LOOKUP_IDS) {
    const msgIds = clientIds.slice(offset, offset + MAX_LOOKUP_IDS).map((clientId) => smsMessageId(deliveryIdOf('mailing', mailingId, clientId, 'sms')));
    for (const record of await sms.messages(msgIds)) {
      if (!record || record.firstAcceptedAt === null) {
        missing += 1;
        continue;
      }
      accepted += 1;
      if (record.accepted > 1) duplicates += 1;
      lastAcceptedAt = Math.max(lastAcceptedAt, record.firstAcceptedAt);
    }
  }
  return { lastAcceptedAt, accepted, duplicates, missing };
}
