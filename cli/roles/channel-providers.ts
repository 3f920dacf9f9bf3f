/**
 * Each channel's providers for one sender lane, in the order of preference: the built-in one, its configured
 * second (SMS_SECONDARY_API_URL, SMTP_SECONDARY_URL), then HTTP_PROVIDERS entries of that channel. The
 * webhook channel has only the configured ones (or one that fails every message, saying so).
 */
import { removeDeviceTokens } from '../../platform/device-tokens';
import { SMS_SECONDARY_PROVIDER, SMTP_SECONDARY_PROVIDER } from '../../platform/providers';
import type { Redis } from '../../platform/redis/client';
import type { ResourceStore } from '../../platform/stores/ports';
import type { Channel, Client } from '../../schemas/types';
import { createEmailChannel } from '../../senders/email/channel';
import { createHttpChannel } from '../../senders/http/channel';
import { createInappChannel } from '../../senders/inapp/channel';
import { unconfiguredChannel, type GuardedChannel } from '../../senders/policy/guarded-channel';
import { createPushChannel } from '../../senders/push/channel';
import { createSmsChannel } from '../../senders/sms/channel';
import type { Runtime } from '../runtime';

export function channelProviders(runtime: Runtime, lane: string, deps: { redis: Redis; clients: ResourceStore<Client> }): Record<Channel, GuardedChannel[]> {
  const { config, logger, metrics } = runtime;
  const { redis, clients } = deps;
  const smsPrimary = createSmsChannel({
    onProviderCall: metrics?.providerCalls('sms'),
    url: config.sms.url, token: config.sms.token, timeoutMs: config.sms.timeoutMs, concurrency: config.sms.concurrency,
    logger: logger.child({ module: 'sms', lane }),
  });
  const secondary = config.sms.secondary;
  const smsSecondary = secondary
    ? [createSmsChannel({
      provider: SMS_SECONDARY_PROVIDER, onProviderCall: metrics?.providerCalls('sms', SMS_SECONDARY_PROVIDER),
      url: secondary.url, token: secondary.token, timeoutMs: config.sms.timeoutMs, concurrency: secondary.concurrency,
      logger: logger.child({ module: 'sms', provider: SMS_SECONDARY_PROVIDER, lane }),
    })]
    : [];
  // HTTP_PROVIDERS follow their channel's built-in provider(s), in the order configured.
  const configured = (channel: Channel) => config.httpProviders.filter((spec) => spec.channel === channel).map((spec) => createHttpChannel(spec, {
    onProviderCall: metrics?.providerCalls(channel, spec.name), logger: logger.child({ lane }),
  }));
  const inOrder = (channel: Channel, builtIn: GuardedChannel[]) => [...builtIn, ...configured(channel)];
  const email = createEmailChannel({
    onProviderCall: metrics?.providerCalls('email'),
    smtpUrl: config.email.smtpUrl, from: config.email.from, pool: true, maxConnections: 5,
    logger: logger.child({ module: 'email', lane }),
  });
  const secondaryRelay = config.email.secondarySmtpUrl;
  const emailSecondary = secondaryRelay
    ? [createEmailChannel({
      provider: SMTP_SECONDARY_PROVIDER, onProviderCall: metrics?.providerCalls('email', SMTP_SECONDARY_PROVIDER),
      smtpUrl: secondaryRelay, from: config.email.from, pool: true, maxConnections: 5,
      logger: logger.child({ module: 'email', provider: SMTP_SECONDARY_PROVIDER, lane }),
    })]
    : [];
  const push = createPushChannel({
    onProviderCall: metrics?.providerCalls('push'),
    url: config.push.url, project: config.push.project, token: config.push.token,
    timeoutMs: config.push.timeoutMs, concurrency: config.push.concurrency,
    logger: logger.child({ module: 'push', lane }),
    // A token the provider says is gone is removed from the client, so it is not tried again. A field-level
    // update (never a read-modify-write of the whole record), so a concurrent opt-out is not undone.
    onInvalidTokens: async (clientId, tokens) => void (await removeDeviceTokens(clients, clientId, tokens)),
  });
  // In-app: the message goes to the user's Redis inbox; the API's websocket gateway hands it to the user.
  const inapp = createInappChannel({
    onProviderCall: metrics?.providerCalls('inapp'),
    redis, inboxMax: config.inapp.inboxMax, historyMax: config.inapp.historyMax, logger: logger.child({ module: 'inapp', lane }),
  });
  const webhooks = configured('webhook');
  return {
    sms: inOrder('sms', [smsPrimary, ...smsSecondary]),
    email: inOrder('email', [email, ...emailSecondary]),
    push: inOrder('push', [push]),
    inapp: inOrder('inapp', [inapp]),
    webhook: webhooks.length > 0 ? webhooks : [unconfiguredChannel('webhook')],
  };
}
