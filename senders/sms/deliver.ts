import { deliveryLogFields } from '../../platform/log-fields';
import type { ProviderConcurrency } from '../policy/adaptive-concurrency';
import { createProviderHttp } from '../policy/provider-http';
import { Logger, silentLogger } from '../../platform/logger';
import type { DeliveryCommand } from '../../schemas/types';
import type { SendResult } from '../policy/send-result';
import { classifyResponse } from './classify';
import { toSmsRequest } from './message';

export interface SmsDelivererOptions {
  /** SMS_API_URL: origin, optionally with a path prefix before /v1/send. */
  url: string;
  /** SMS_API_TOKEN: the provider's long-lived JWT, sent as a bearer token. */
  token: string;
  /** deliver() settles within this (a retriable timeout), waiting for a free connection included. */
  timeoutMs: number;
  /** The most requests in flight at once (pooled keep-alive connections); within it the limit adapts to the provider. */
  concurrency: number;
  logger?: Logger;
}

export interface SmsDeliverer {
  /** Exactly one provider call for the command (none if the command cannot be sent), classified. */
  deliver(command: DeliveryCommand, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** The provider's adaptive concurrency limit. */
  concurrency: ProviderConcurrency;
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
}

/**
 * The SMS channel's provider call: `POST {url}/v1/send/{msgId}` over a keep-alive undici pool whose
 * connection count is the concurrency bound. No retries here: the consumer decides what a
 * retriable result means (backoff topic, circuit breaker), so one deliver is one provider call.
 */
export function createSmsDeliverer(options: SmsDelivererOptions): SmsDeliverer {
  const http = createProviderHttp(options);
  const log = (options.logger ?? silentLogger).child({ module: 'sms-deliver' });

  async function call(msgId: number, body: string, callerSignal?: AbortSignal): Promise<{ result: SendResult; status?: number }> {
    const answer = await http.post(`${http.pathPrefix}/v1/send/${msgId}`, body, callerSignal);
    if (answer.kind === 'failed') return { result: answer.result };
    return { result: classifyResponse({ status: answer.status, body: answer.body, retryAfter: answer.retryAfter, msgId }), status: answer.status };
  }

  return {
    async deliver(command, callOptions = {}) {
      const ids = () => ({ ...deliveryLogFields(command), attempt: command.attempt });
      const request = toSmsRequest(command);
      if (!request.ok) {
        log.warn({ ...ids(), result: request.result }, 'sms command not sendable');
        return request.result;
      }
      const { msgId } = request;
      // The debug lines' fields are built only when they are written: this runs once per message.
      const debug = log.isLevelEnabled('debug');
      if (debug) log.debug({ ...ids(), msgId }, 'sms request');
      const started = performance.now();
      const { result, status } = await call(msgId, JSON.stringify(request.body), callOptions.signal);
      if (result.kind !== 'sent' || debug) {
        const line = { ...ids(), msgId, status, durationMs: Math.round(performance.now() - started), result };
        if (result.kind === 'sent') log.debug(line, 'sms response');
        else log.info(line, 'sms response');
      }
      return result;
    },
    concurrency: http.concurrency,
    close: () => http.close(),
  };
}
