/**
 * What the first click on a welcome email's confirmation link means: the registered user is the client
 * of the same id, and its address is now confirmed. The welcome flow owns this rule because it issued
 * the link (`EMAIL_CONFIRMATION`); the API only reports that a link was used.
 */
import type { Link } from '../../platform/links/link-store';
import type { ResourceStore } from '../../platform/stores/ports';
import type { Client } from '../../schemas/types';
import { EMAIL_CONFIRMATION } from './decide';

/** The handler of a used link: marks the client's email confirmed; other purposes and absent clients are no-ops. */
export function createEmailConfirmation(clients: ResourceStore<Client>, now: () => number = Date.now): (link: Link) => Promise<void> {
  return async (link) => {
    if (link.purpose !== EMAIL_CONFIRMATION) return;
    // Decided on the record as it is under the store's lock: a concurrent change of another field survives.
    await clients.update(link.subject, (client) =>
      client && !client.emailConfirmed ? { ...client, emailConfirmed: true, updatedAt: now() } : undefined);
  };
}
