import type { Client } from '../schemas/types';
import type { ResourceStore } from './stores/ports';

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

/**
 * The field-level change "drop these dead tokens", for ResourceStore.update: it is applied to the record
 * as it is when the store writes (under its per-id lock), never to an earlier read, so a concurrent
 * change of another field (an opt-out) is kept. Absent client or nothing to drop: no write (undefined).
 */
export function dropTokens(tokens: readonly string[], now: () => number): (current: Client | null) => Client | undefined {
  return (current) => {
    if (!current) return undefined;
    const next = withoutTokens(current, tokens);
    return next === current ? undefined : { ...next, updatedAt: now() };
  };
}

/** Removes dead device tokens from a client as one field-level update; true when something was removed. */
export async function removeDeviceTokens(
  clients: Pick<ResourceStore<Client>, 'update'>, clientId: string, tokens: readonly string[], now: () => number = Date.now,
): Promise<boolean> {
  return (await clients.update(clientId, dropTokens(tokens, now))).written;
}
