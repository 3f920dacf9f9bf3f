import { hash, randomUUID } from 'node:crypto';
import type { Channel, DeliveryStatusName, SourceType } from '../schemas/types';

/** Fixed namespace: the same inputs give the same id in every process, forever. */
export const VESTNIK_NAMESPACE = '7c1c3a36-5f5c-4f0e-9b0e-3d5f6a1e2b40';
const NAMESPACE_BYTES = Buffer.from(VESTNIK_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * The namespace's bytes, then room for a name: one hashed buffer, written in place. Names are ids joined
 * by colons, far under this; a longer one gets a buffer of its own.
 */
const HASHED = Buffer.alloc(16 + 1024);
NAMESPACE_BYTES.copy(HASHED, 0);
/** UTF-8 takes at most 3 bytes per UTF-16 code unit: a name this long always fits HASHED. */
const NAME_FITS_CHARS = Math.floor((HASHED.length - 16) / 3);

/**
 * RFC 4122 version 5 (SHA-1, name-based) in VESTNIK_NAMESPACE: the same id the `uuid` package's v5 gives
 * for any string it accepts (ids.test.ts checks that on random text), in a third of its time (the fan-out
 * makes two per recipient): one-shot `crypto.hash` of the namespace and the name's UTF-8 bytes in one
 * buffer, with no Hash object (half the time of createHash's update, update, digest).
 */
export function uuidv5(name: string): string {
  const bytes = name.length <= NAME_FITS_CHARS
    ? HASHED.subarray(0, 16 + HASHED.write(name, 16, 'utf8'))
    : Buffer.concat([NAMESPACE_BYTES, Buffer.from(name, 'utf8')]);
  const digest = hash('sha1', bytes, 'buffer');
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.toString('hex', 0, 16);
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
