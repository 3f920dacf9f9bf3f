import { MAX_LOOKUP_IDS, type SimulatorStatsView } from './control';
import type { FaultsPatch, SmsFaults } from './faults';
import type { MessageRecord } from './ledger';

export interface SmsControlClient {
  stats(): Promise<SimulatorStatsView>;
  /** One message's record, or null when the simulator never saw a request for it. */
  message(msgId: number): Promise<MessageRecord | null>;
  /** Many records at once (in lookups of at most MAX_LOOKUP_IDS), in the order of `msgIds`. */
  messages(msgIds: readonly number[]): Promise<(MessageRecord | null)[]>;
  setFaults(patch: FaultsPatch): Promise<SmsFaults>;
  reset(): Promise<void>;
}

/**
 * The SMS simulator's /_control API, for a test or benchmark whose simulator runs in another process
 * (`vestnik simulators`). `controlUrl` is its SMS_API_URL, or its control-only listener.
 */
export function createSmsControlClient(controlUrl: string): SmsControlClient {
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetch(`${controlUrl}/_control${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    if (response.status === 404 && path.startsWith('/messages/')) return null;
    if (!response.ok) throw new Error(`sms simulator ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    stats: async () => (await call('/stats')) as SimulatorStatsView,
    message: async (msgId) => (await call(`/messages/${msgId}`)) as MessageRecord | null,
    async messages(msgIds) {
      const records: (MessageRecord | null)[] = [];
      for (let offset = 0; offset < msgIds.length; offset += MAX_LOOKUP_IDS) {
        const body = JSON.stringify({ msgIds: msgIds.slice(offset, offset + MAX_LOOKUP_IDS) });
        const answer = (await call('/messages/lookup', { method: 'POST', body })) as { messages: (MessageRecord | null)[] };
        for (const record of answer.messages) records.push(record);
      }
      return records;
    },
    setFaults: async (patch) => (await call('/faults', { method: 'PUT', body: JSON.stringify(patch) })) as SmsFaults,
    async reset() {
      await call('/reset', { method: 'POST' });
    },
  };
}
