import { VestnikError } from '../../platform/errors';
import type { ContextsByUser } from './classify';
import type { ContextSource } from './client';
import { NO_PROVIDED_CONTEXT, RecipientContexts, recipientContextOf } from './merge';

/** The most user ids the service takes in one request (its contract). */
export const MAX_USER_IDS_PER_REQUEST = 1000;

/**
 * The contexts of one page of recipients: one request for the page (split only when the page holds
 * more ids than the service takes at once, the parts in parallel). Any failed request fails the page:
 * the caller produces nothing for it, so no recipient is sent a half-rendered message.
 */
export async function gatherContexts(source: ContextSource, kind: string, recipients: readonly { id: string }[]): Promise<ContextsByUser> {
  const ids = [...new Set(recipients.map((recipient) => recipient.id))];
  if (ids.length === 0) return new Map();
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_USER_IDS_PER_REQUEST) parts.push(ids.slice(i, i + MAX_USER_IDS_PER_REQUEST));
  const answers = await Promise.all(parts.map((part) => source.fetchContexts(kind, part)));
  const merged = new Map<string, Record<string, unknown>>();
  for (const [index, answer] of answers.entries()) {
    // Only the ids asked in that request count: an answer cannot speak for anyone else.
    for (const id of parts[index] as string[]) {
      const context = answer.get(id);
      if (context !== undefined) merged.set(id, context);
    }
  }
  return merged;
}

/**
 * Each recipient's provided context for a page rendered with `template`: none needed without a
 * provider (no request made); otherwise gathered once for the page, null for a recipient left out.
 */
export async function pageContexts(
  source: ContextSource | undefined, template: { id: string; contextProvider: string | null }, recipients: readonly { id: string }[],
): Promise<RecipientContexts> {
  const kind = template.contextProvider;
  if (kind === null || recipients.length === 0) return NO_PROVIDED_CONTEXT;
  if (!source) {
    throw new VestnikError('CONFIG_INVALID', `template ${template.id} needs context provider ${kind}, and no user-data service is configured`);
  }
  const contexts = await gatherContexts(source, kind, recipients);
  return (userId) => recipientContextOf(kind, contexts, userId);
}
