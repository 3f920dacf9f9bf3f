/**
 * Who gets nothing on a channel, and why: the one rule every flow applies before it renders anything.
 * The reason is what the `suppressed` status carries, so operators read the same words for a mailing,
 * a notification, an episode email or an in-app message.
 */
import type { Channel, Client } from '../../schemas/types';

/** The client's address on a channel, or null when it has none (push, in-app and webhook address the client itself). */
export function addressOf(channel: Channel, client: Client): string | null {
  switch (channel) {
    case 'sms': return client.phone || null; // '' = no phone (a user created from a registration)
    case 'email': return client.email;
    case 'push': return client.deviceTokens.length > 0 ? client.id : null;
    case 'inapp': return client.id;
    // The webhook's receiver knows its users by id; the provider's body template says what else to send.
    case 'webhook': return client.id;
  }
}

/** Why a client gets nothing of this message on this channel, or null when it may. */
export function suppressionReason(message: { promo: boolean; channel: Channel }, client: Client): string | null {
  if (message.promo && !client.preferences.promo) return 'promo opt-out';
  if (client.preferences.channels[message.channel] === false) return `${message.channel} opt-out`;
  if (addressOf(message.channel, client) === null) return `no ${message.channel} address`;
  return null;
}
