import type { Client } from '../schemas/types';

/**
 * The client without the given device tokens (the push provider said they are dead). Returns the same
 * object when none of them is on the client, so a caller can skip a write that would change nothing;
 * `updatedAt` is left to the caller that writes the change.
 */
export function withoutTokens(client: Client, tokens: readonly string[]): Client {
  const dead = new Set(tokens);
  const kept = client.deviceTokens.filter((token) => !dead.has(token));
  return kept.length === client.deviceTokens.length ? client : { ...client, deviceTokens: kept };
}
