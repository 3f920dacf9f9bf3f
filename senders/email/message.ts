import type { DeliveryCommand } from '../../schemas/types';
import { SendResult, permanent } from '../policy/send-result';

/** What nodemailer's sendMail receives (the subset Vestnik sets). */
export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers: Record<string, string>;
  messageId: string;
}

/** Headers the transport sets itself: a template must not override them. */
const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'message-id', 'date', 'content-type', 'mime-version']);

/**
 * The Message-ID of a delivery: `<deliveryId@domain-of-from>`. The same on every retry, so a mail
 * server or client that saw the first attempt recognises a repeat as the same message.
 */
export function messageIdOf(deliveryId: string, from: string): string {
  return `<${deliveryId}@${domainOf(from)}>`;
}

function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  const domain = address.split('@')[1]?.trim().toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'vestnik.invalid';
}

/** The message for a command, or a permanent result when it cannot be sent at all. */
export function toEmailMessage(command: DeliveryCommand, from: string): { ok: true; message: EmailMessage } | { ok: false; result: SendResult } {
  const to = command.address.trim();
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(to)) return { ok: false, result: permanent('VALIDATION_FAILED', 'not an email address') };
  const { content } = command;
  if (content.text === '' && !content.html) return { ok: false, result: permanent('VALIDATION_FAILED', 'email without a body') };
  const headers = Object.fromEntries(
    Object.entries(content.headers).filter(([name]) => !RESERVED_HEADERS.has(name.toLowerCase())),
  );
  const message: EmailMessage = {
    from, to, subject: content.subject ?? '', text: content.text, headers, messageId: messageIdOf(command.deliveryId, from),
  };
  if (content.html) message.html = content.html;
  return { ok: true, message };
}
