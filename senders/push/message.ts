import type { DeliveryCommand } from '../../schemas/types';
import { SendResult, permanent } from '../policy/send-result';

/** The JSON body of FCM HTTP v1 `messages:send` for one device token. */
export interface FcmSendBody {
  message: {
    token: string;
    notification: { title: string; body: string };
    data: Record<string, string>;
  };
}

export type PushRequests = { ok: true; tokens: string[] } | { ok: false; result: SendResult };

/**
 * The device tokens to call for a command (each once, in order), or the permanent failure that makes
 * calling pointless (wrong channel, no device, empty text). Reasons never contain tokens or text.
 */
export function toPushRequests(command: DeliveryCommand): PushRequests {
  if (command.channel !== 'push') {
    return { ok: false, result: permanent('VALIDATION_FAILED', `not a push command (channel ${command.channel})`) };
  }
  // Tokens go out exactly as stored, so a token reported dead matches the client's entry when removed.
  const tokens = [...new Set(command.deviceTokens.filter((t) => t.trim() !== ''))];
  if (tokens.length === 0) return { ok: false, result: permanent('VALIDATION_FAILED', 'client has no device tokens') };
  if (command.content.text.trim() === '') return { ok: false, result: permanent('VALIDATION_FAILED', 'message text is empty') };
  return { ok: true, tokens };
}

/**
 * The provider body for one token. `data.deliveryId` travels with the push so the app can drop a
 * repeat: a retried delivery may reach a device that already got it (FCM has no idempotency key).
 */
export function toFcmSendBody(command: DeliveryCommand, token: string): FcmSendBody {
  return {
    message: {
      token,
      notification: { title: command.content.title ?? '', body: command.content.text },
      data: { deliveryId: command.deliveryId },
    },
  };
}

/** The send path under an optional prefix: /v1/projects/{project}/messages:send. */
export function fcmSendPath(pathPrefix: string, project: string): string {
  return `${pathPrefix}/v1/projects/${encodeURIComponent(project)}/messages:send`;
}
