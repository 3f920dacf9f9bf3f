/**
 * A provider defined in configuration (HTTP_PROVIDERS) as a channel provider: one request per command,
 * built from its templates, classified by its rules, behind its own breaker and adaptive concurrency limit.
 *
 * The built-in SMS and push providers stay code: the SMS contract's integer msgId is a digest of the
 * delivery id and its body code 0 means sent; push sends one request per device token and removes the
 * tokens the provider condemns. Both could be written as templates only by growing the spec into a
 * language, so the spec covers the common case (one request, status codes and one JSON field) instead.
 */
import type { HttpProviderSpec } from '../../platform/http/provider-spec';
import { deliveryLogFields } from '../../platform/log-fields';
import { Logger, silentLogger } from '../../platform/logger';
import { guardedChannel, type BreakerOptions, type GuardedChannel } from '../policy/guarded-channel';
import { createProviderHttp } from '../policy/provider-http';
import { classifyHttpAnswer } from './classify';
import { compileRequest } from './request';

export type HttpChannelOptions = Omit<BreakerOptions, 'provider'> & { logger?: Logger };

export function createHttpChannel(spec: HttpProviderSpec, options: HttpChannelOptions = {}): GuardedChannel {
  const http = createProviderHttp({ url: spec.baseUrl, concurrency: spec.concurrency, timeoutMs: spec.timeoutMs });
  const requestOf = compileRequest(spec, http.pathPrefix);
  const log = (options.logger ?? silentLogger).child({ module: 'http-provider', provider: spec.name });
  const deliverer = {
    async deliver(command: Parameters<GuardedChannel['deliver']>[0]) {
      const started = performance.now();
      const answer = await http.send(requestOf(command));
      const result = answer.kind === 'failed' ? answer.result : classifyHttpAnswer(spec, answer);
      // The request itself is not logged: its headers hold secrets and its body personal data.
      // Built only when written: a sent message's line is a debug one, and this runs once per message.
      if (result.kind !== 'sent' || log.isLevelEnabled('debug')) {
        const line = { ...deliveryLogFields(command), attempt: command.attempt, status: answer.kind === 'answer' ? answer.status : undefined, durationMs: Math.round(performance.now() - started), result };
        if (result.kind === 'sent') log.debug(line, 'http provider response');
        else log.info(line, 'http provider response');
      }
      return result;
    },
    concurrency: http.concurrency,
    close: () => http.close(),
  };
  return guardedChannel(spec.channel, deliverer, { ...options, provider: spec.name });
}
