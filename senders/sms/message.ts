import { hash } from 'node:crypto';
import type { DeliveryCommand } from '../../schemas/types';
import { SendResult, permanent } from '../policy/send-result';

/** The JSON body of `POST /v1/send/{msgId}`. */
export interface SmsProviderBody {
  id: number;
  phone: number;
  text: string;
}

/** 52 bits: the largest whole-hex-digit slice that is still a safe JavaScript integer. */
const MSG_ID_HEX_DIGITS = 13;

/**
 * The provider's integer message id for a delivery: the first 52 bits of SHA-256(deliveryId), plus
 * one, so 1 ≤ id ≤ 2^52. Deterministic, so every retry of a delivery carries the same id and the
 * provider (and our simulator) can recognise it as the same message. Hashing, rather than slicing
 * the UUID, spreads ids evenly whatever the deliveryId format; below 2^53 it survives JSON parsers
 * that read numbers as doubles. Collisions are ~1e-4 likely across a million deliveries; they only
 * matter if the provider deduplicates by id, and the deliveryId stays the key of record.
 */
export function smsMessageId(deliveryId: string): number {
  const digest = hash('sha256', deliveryId, 'hex'); // one-shot: no Hash object per message
  return Number.parseInt(digest.slice(0, MSG_ID_HEX_DIGITS), 16) + 1;
}

/** International number, digits only after an optional "+", as the directory stores it (7XXXXXXXXXX). */
const PHONE = /^\+?([1-9]\d{9,14})$/;

export type SmsRequest = { ok: true; msgId: number; body: SmsProviderBody } | { ok: false; result: SendResult };

/**
 * The provider request for a command, or the permanent failure that makes calling pointless
 * (wrong channel, unusable phone, empty text). Reasons never contain the phone or the text.
 */
export function toSmsRequest(command: DeliveryCommand): SmsRequest {
  if (command.channel !== 'sms') {
    return { ok: false, result: permanent('VALIDATION_FAILED', `not an sms command (channel ${command.channel})`) };
  }
  const phone = PHONE.exec(command.address.replace(/[\s()-]/g, ''));
  if (!phone?.[1]) return { ok: false, result: permanent('VALIDATION_FAILED', 'recipient phone is not a valid number') };
  if (command.content.text.trim() === '') return { ok: false, result: permanent('VALIDATION_FAILED', 'message text is empty') };
  const msgId = smsMessageId(command.deliveryId);
  return { ok: true, msgId, body: { id: msgId, phone: Number(phone[1]), text: command.content.text } };
}
