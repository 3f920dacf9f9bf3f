import { Pool } from 'undici';
import { deliveryLogFields } from '../../platform/log-fields';
import { Logger, silentLogger } from '../../platform/logger';
import type { DeliveryCommand } from '../../schemas/types';
import { SendResult, retriable } from '../policy/send-result';
import { classifyError, classifyResponse } from './classify';
import { toSmsRequest } from './message';

export interface SmsDelivererOptions {
  /** SMS_API_URL: origin, optionally with a path prefix before /v1/send. */
  url: string;
  /** SMS_API_TOKEN: the provider's long-lived JWT, sent as a bearer token. */
  token: string;
  /** deliver() settles within this (a retriable timeout), waiting for a free connection included. */
  timeoutMs: number;
  /** Most requests in flight at once (= pooled keep-alive connections); more wait in the pool's queue. */
  concurrency: number;
  logger?: Logger;
}

export interface SmsDeliverer {
  /** Exactly one provider call for the command (none if the command cannot be sent), classified. */
  deliver(command: DeliveryCommand, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
}

/** Answers bigger than this are not the provider's tiny JSON; refusing them protects memory. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The SMS channel's provider call: `POST {url}/v1/send/{msgId}` over a keep-alive undici pool whose
 * connection count is the concurrency bound. No retries here: the consumer decides what a
 * retriable result means (backoff topic, circuit breaker), so one deliver is one provider call.
 */
export function createSmsDeliverer(options: SmsDelivererOptions): SmsDeliverer {
  const base = new URL(options.url);
  const pathPrefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: options.timeoutMs },
    maxResponseSize: MAX_RESPONSE_BYTES,
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.token}` };
  const log = (options.logger ?? silentLogger).child({ module: 'sms-deliver' });

  async function call(msgId: number, body: string, signal?: AbortSignal): Promise<{ result: SendResult; status?: number }> {
    // undici's own header/body timers are coarse (~0.5–1 s late) and start only once a connection
    // is free; this native deadline makes deliver() settle within timeoutMs, queue wait included.
    const deadline = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await pool.request({
        method: 'POST',
        path: `${pathPrefix}/v1/send/${msgId}`,
        headers,
        body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
      });
      const text = await response.body.text();
      const result = classifyResponse({ status: response.statusCode, body: text, retryAfter: response.headers['retry-after'], msgId });
      return { result, status: response.statusCode };
    } catch (error) {
      if (deadline.aborted) return { result: retriable('PROVIDER_UNAVAILABLE', `no answer within ${options.timeoutMs} ms`) };
      return { result: classifyError(error) };
    }
  }

  return {
    async deliver(command, callOptions = {}) {
      const ids = { ...deliveryLogFields(command), attempt: command.attempt };
      const request = toSmsRequest(command);
      if (!request.ok) {
        log.warn({ ...ids, result: request.result }, 'sms command not sendable');
        return request.result;
      }
      const { msgId } = request;
      log.debug({ ...ids, msgId }, 'sms request');
      const started = performance.now();
      const { result, status } = await call(msgId, JSON.stringify(request.body), callOptions.signal);
      const line = { ...ids, msgId, status, durationMs: Math.round(performance.now() - started), result };
      if (result.kind === 'sent') log.debug(line, 'sms response');
      else log.info(line, 'sms response');
      return result;
    },
    close: () => pool.close(),
  };
}
