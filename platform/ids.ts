import { createHash, randomUUID } from 'node:crypto';
import type { Channel, DeliveryStatusName, SourceType } from '../schemas/types';

/** Fixed namespace: the same inputs give the same id in every process, forever. */
export const VESTNIK_NAMESPACE = '7c1c3a36-5f5c-4f0e-9b0e-3d5f6a1e2b40';
const NAMESPACE_BYTES = Buffer.from(VESTNIK_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * RFC 4122 version 5 (SHA-1, name-based) in VESTNIK_NAMESPACE: the same id the `uuid` package's v5 gives
 * for any string it accepts (ids.test.ts checks that on random text), in a third of its time (the fan-out
 * makes two per recipient): one hash of the namespace and the name's UTF-8 bytes, no byte arrays in between.
 */
export function uuidv5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE_BYTES).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The delivery id of one source × recipient × channel: the idempotency key end to end. */
export function deliveryIdOf(sourceType: SourceType, sourceId: string, clientId: string, channel: Channel): string {
  return uuidv5(`${sourceType}:${sourceId}:${clientId}:${channel}`);
}

/** The delivery id of the `round`-th re-send (1, 2, …) of the delivery `originalId`: the same on every retry of a resend. */
export function resendIdOf(originalId: string, round: number): string {
  if (!Number.isInteger(round) || round < 1) throw new RangeError(`resend round must be a positive integer: ${round}`);
  return uuidv5(`resend:${originalId}:${round}`);
}

/** One id per status change of a delivery: a replayed change has the same id and counts once. */
export function statusIdOf(deliveryId: string, status: DeliveryStatusName, attempt: number): string {
  return uuidv5(`${deliveryId}:${status}:${attempt}`);
}

/** A random id for new resources. */
export function newId(): string {
  return randomUUID();
}
