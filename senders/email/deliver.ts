import nodemailer from 'nodemailer';
import { deliveryLogFields } from '../../platform/log-fields';
import { Logger, silentLogger } from '../../platform/logger';
import type { DeliveryCommand } from '../../schemas/types';
import { SendResult, sent } from '../policy/send-result';
import { classifySmtpError } from './classify';
import { toEmailMessage } from './message';
import { activeContext } from '../../platform/tracing/active';
import { traceHeadersOf } from '../../platform/tracing/propagation';

export interface EmailDelivererOptions {
  /** SMTP_URL, e.g. smtp://user:pass@host:587 or smtps://host:465. */
  smtpUrl: string;
  /** MAIL_FROM, e.g. "Vestnik <noreply@example.com>". */
  from: string;
  /** Keep connections open and reuse them (nodemailer's pooled transport); default true. */
  pool?: boolean;
  /** Most SMTP connections at once when pooled (default 5). */
  maxConnections?: number;
  /** Connect, greeting and per-command socket timeout (default 10 s): a silent server is retriable. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface EmailDeliverer {
  /** Exactly one SMTP transaction for the command (none if it cannot be sent), classified. */
  deliver(command: DeliveryCommand): Promise<SendResult>;
  /** Closes the pooled connections. */
  close(): Promise<void>;
}

/**
 * The email channel's provider call over nodemailer's SMTP transport. No retries here: the sender
 * loop decides what a retriable result means, so one deliver is one SMTP transaction.
 */
export function createEmailDeliverer(options: EmailDelivererOptions): EmailDeliverer {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pool = options.pool ?? true;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    ...(pool ? { pool: true, maxConnections: options.maxConnections ?? 5 } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const log = (options.logger ?? silentLogger).child({ module: 'email-deliver' });

  return {
    async deliver(command) {
      const ids = { ...deliveryLogFields(command), attempt: command.attempt };
      const built = toEmailMessage(command, options.from);
      if (!built.ok) {
        log.warn({ ...ids, result: built.result }, 'email command not sendable');
        return built.result;
      }
      const started = performance.now();
      let result: SendResult;
      try {
        // The delivery's trace rides along as a `traceparent` message header, for the mail system's logs.
        const trace = traceHeadersOf(activeContext());
        await transport.sendMail(trace ? { ...built.message, headers: { ...built.message.headers, ...trace } } : built.message);
        result = sent(built.message.messageId);
      } catch (error) {
        result = classifySmtpError(error);
      }
      const line = { ...ids, durationMs: Math.round(performance.now() - started), result };
      if (result.kind === 'sent') log.debug(line, 'email sent');
      else log.info(line, 'email not sent');
      return result;
    },
    async close() {
      transport.close();
    },
  };
}
