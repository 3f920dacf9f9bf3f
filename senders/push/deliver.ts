import { deliveryLogFields } from '../../platform/log-fields';
import type { ProviderConcurrency } from '../policy/adaptive-concurrency';
import { createProviderHttp } from '../policy/provider-http';
import { Logger, silentLogger } from '../../platform/logger';
import type { DeliveryCommand } from '../../schemas/types';
import type { SendResult } from '../policy/send-result';
import { TokenOutcome, classifyTokenResponse, combineTokenOutcomes } from './classify';
import { fcmSendPath, toFcmSendBody, toPushRequests } from './message';

/** Told which device tokens the provider condemned, so they can be removed from the client. */
export type InvalidTokensListener = (clientId: string, tokens: string[]) => void | Promise<void>;

export interface PushDelivererOptions {
  /** PUSH_API_URL: origin, optionally with a path prefix before /v1/projects. */
  url: string;
  /** PUSH_PROJECT_ID: the FCM project the messages are sent under. */
  project: string;
  /** PUSH_API_TOKEN: the OAuth2 access token, sent as a bearer token. */
  token: string;
  /** deliver() settles within this (a retriable timeout), every token's call and the queue wait included. */
  timeoutMs: number;
  /** The most requests in flight at once (pooled keep-alive connections); within it the limit adapts to the provider. */
  concurrency: number;
  /** Called (and awaited) when tokens came back UNREGISTERED/invalid; its failure is logged, never thrown. */
  onInvalidTokens?: InvalidTokensListener;
  logger?: Logger;
}

export interface PushDeliverer {
  /** One provider call per device token of the command (none if it cannot be sent), combined into one result. */
  deliver(command: DeliveryCommand, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** The provider's adaptive concurrency limit. */
  concurrency: ProviderConcurrency;
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
}

/**
 * The push channel's provider calls: `POST {url}/v1/projects/{project}/messages:send` per device token,
 * in parallel over a keep-alive undici pool whose connection count bounds the concurrency. No retries
 * here: the consumer decides what a retriable result means; see combineTokenOutcomes for the rules.
 */
export function createPushDeliverer(options: PushDelivererOptions): PushDeliverer {
  const http = createProviderHttp(options);
  const path = fcmSendPath(http.pathPrefix, options.project);
  const log = (options.logger ?? silentLogger).child({ module: 'push-deliver' });

  async function call(body: string, callerSignal?: AbortSignal): Promise<TokenOutcome> {
    const answer = await http.post(path, body, callerSignal);
    if (answer.kind === 'failed') return answer;
    return classifyTokenResponse({ status: answer.status, body: answer.body, retryAfter: answer.retryAfter });
  }

  async function reportInvalid(command: DeliveryCommand, tokens: string[]): Promise<void> {
    if (tokens.length === 0 || !options.onInvalidTokens) return;
    try {
      await options.onInvalidTokens(command.clientId, tokens);
    } catch (error) {
      // Removing dead tokens is housekeeping: the next push finds them dead again and retries the removal.
      log.warn({ ...deliveryLogFields(command), err: error, invalidDevices: tokens.length }, 'could not remove invalid device tokens');
    }
  }

  return {
    async deliver(command, callOptions = {}) {
      const ids = { ...deliveryLogFields(command), attempt: command.attempt };
      const request = toPushRequests(command);
      if (!request.ok) {
        log.warn({ ...ids, result: request.result }, 'push command not sendable');
        return request.result;
      }
      // The tokens' calls run together, each within its own deadlines: deliver() settles within twice
      // timeoutMs (a slot, then the request) however many tokens.
      const started = performance.now();
      const outcomes = await Promise.all(request.tokens.map(async (token) => ({
        token, outcome: await call(JSON.stringify(toFcmSendBody(command, token)), callOptions.signal),
      })));
      const { result, invalidTokens } = combineTokenOutcomes(outcomes);
      // Counts named devices: a field named like a token is censored by the logger whatever it holds.
      const line = { ...ids, devices: request.tokens.length, invalidDevices: invalidTokens.length, durationMs: Math.round(performance.now() - started), result };
      if (result.kind === 'sent') log.debug(line, 'push response');
      else log.info(line, 'push response');
      await reportInvalid(command, invalidTokens);
      return result;
    },
    concurrency: http.concurrency,
    close: () => http.close(),
  };
}
