/**
 * The names of the built-in providers: in statuses (`provider`), logs and metric labels. A provider defined
 * in HTTP_PROVIDERS takes a name of its own, never one of these.
 */
import type { Channel } from '../schemas/types';

/**
 * The provider each channel talks to unless configured otherwise. The webhook channel has none built in:
 * its providers are HTTP_PROVIDERS entries, and without one its messages fail as `unconfigured`.
 */
export const DEFAULT_PROVIDER: Readonly<Record<Channel, string>> = {
  sms: 'sms-api',
  email: 'smtp',
  push: 'fcm',
  inapp: 'redis-inbox',
  webhook: 'unconfigured',
};

/** The second SMS API of the same contract (SMS_SECONDARY_API_URL). */
export const SMS_SECONDARY_PROVIDER = 'sms-api-secondary';
/** The second SMTP relay (SMTP_SECONDARY_URL). */
export const SMTP_SECONDARY_PROVIDER = 'smtp-secondary';

export const BUILT_IN_PROVIDERS: readonly string[] = [...Object.values(DEFAULT_PROVIDER), SMS_SECONDARY_PROVIDER, SMTP_SECONDARY_PROVIDER];
