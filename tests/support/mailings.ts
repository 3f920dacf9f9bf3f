import { deliveryIdOf } from '../../platform/ids';
import { smsMessageId } from '../../senders/sms/message';
import type { TestStack } from './stack';

/** Creates `count` clients with the given tag and operator code through the API; returns their ids. */
export async function createClients(stack: TestStack, count: number, fields: { tag: string; operatorCode: string }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const phone = `7${fields.operatorCode}${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const response = await stack.api('POST', '/api/clients', { phone, tags: [fields.tag], timezone: 'Europe/Moscow', name: `Client ${i}` });
    if (response.status !== 201) throw new Error(`client create failed: ${response.status} ${JSON.stringify(response.body)}`);
    ids.push(response.body.id);
  }
  return ids;
}

/** The SMS provider's msgId of one client's message in a mailing (what the simulator counts by). */
export function smsIdOf(mailingId: string, clientId: string): number {
  return smsMessageId(deliveryIdOf('mailing', mailingId, clientId, 'sms'));
}

export const iso = (ms: number) => new Date(ms).toISOString();
