import { v5 as uuidv5, v4 as uuidv4 } from 'uuid';
import type { Channel, DeliveryStatusName, SourceType } from '../schemas/types';

/** Fixed namespace: the same inputs give the same id in every process, forever. */
const VESTNIK_NAMESPACE = '7c1c3a36-5f5c-4f0e-9b0e-3d5f6a1e2b40';

/** The delivery id of one source × recipient × channel: the idempotency key end to end. */
export function deliveryIdOf(sourceType: SourceType, sourceId: string, clientId: string, channel: Channel): string {
  return uuidv5(`${sourceType}:${sourceId}:${clientId}:${channel}`, VESTNIK_NAMESPACE);
}

/** The delivery id of the `round`-th re-send (1, 2, …) of the delivery `originalId`: the same on every retry of a resend. */
export function resendIdOf(originalId: string, round: number): string {
  if (!Number.isInteger(round) || round < 1) throw new RangeError(`resend round must be a positive integer: ${round}`);
  return uuidv5(`resend:${originalId}:${round}`, VESTNIK_NAMESPACE);
}

/** One id per status change of a delivery: a replayed change has the same id and counts once. */
export function statusIdOf(deliveryId: string, status: DeliveryStatusName, attempt: number): string {
  return uuidv5(`${deliveryId}:${status}:${attempt}`, VESTNIK_NAMESPACE);
}

/** A random id for new resources. */
export function newId(): string {
  return uuidv4();
}
