/** Conversions between the client API shapes and the stored Client record. */
import type { Client } from '../../schemas/types';
import { toIso } from '../../domain/resources/common';
import type { ClientView, CreateClientInput, PatchClientInput } from '../../domain/resources/clients';

/** The stored record of a validated body; the operator code defaults to digits 2–4 of the phone. */
export function toClient(input: CreateClientInput, id: string, now: number): Client {
  return {
    id,
    phone: input.phone,
    operatorCode: input.operatorCode ?? input.phone.slice(1, 4),
    tags: [...new Set(input.tags)],
    timezone: input.timezone,
    email: input.email,
    emailConfirmed: input.emailConfirmed,
    name: input.name,
    locale: input.locale,
    deviceTokens: [...new Set(input.deviceTokens)],
    preferences: input.preferences,
    subscriptions: [...new Set(input.subscriptions)],
    updatedAt: now,
  };
}

/**
 * The stored client with a PATCH applied, in the POST body's shape so the whole result is validated
 * again. A new phone without an explicit operator code re-derives the code; a new email is
 * unconfirmed unless the patch says otherwise.
 */
export function mergeClientPatch(existing: Client, patch: PatchClientInput): Record<string, unknown> {
  const { updatedAt: _updatedAt, id: _id, ...fields } = existing;
  const merged: Record<string, unknown> = { ...fields, ...patch };
  if (patch.phone !== undefined && patch.phone !== existing.phone && patch.operatorCode === undefined) {
    delete merged.operatorCode;
  }
  if (patch.email !== undefined && patch.email !== existing.email && patch.emailConfirmed === undefined) {
    merged.emailConfirmed = false;
  }
  return merged;
}

/** The response shape: the record with an ISO timestamp. */
export function clientView(client: Client): ClientView {
  return { ...client, updatedAt: toIso(client.updatedAt) };
}
