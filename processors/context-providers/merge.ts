import type { ContextsByUser } from './classify';

/**
 * How a recipient's provided context meets the template: it is put under the kind's name in camelCase
 * (`monthly-digest` → `{{monthlyDigest.favouriteGenre}}`), beside the request's own context keys. The
 * template names its provider, so the same name in its sources says where the values come from, and a
 * provider never overwrites a request key by accident (a request key of that very name is replaced).
 */

/** Why a recipient gets nothing when the service answered for the page but not for them. */
export const NO_CONTEXT_REASON = 'no context from user-data service';

/** The context key of a kind: its words in camelCase ("monthly-digest" → "monthlyDigest"). */
export function contextKeyOf(kind: string): string {
  const words = kind.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 0) return kind;
  return words.map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() : word.charAt(0).toUpperCase()) + word.slice(1)).join('');
}

/** A recipient's part of the render context, `{ [contextKeyOf(kind)]: context }`, or null when the service did not answer for them. */
export function recipientContextOf(kind: string, contexts: ContextsByUser, userId: string): Record<string, unknown> | null {
  const context = contexts.get(userId);
  return context === undefined ? null : { [contextKeyOf(kind)]: context };
}

/** Looks up a page's recipient contexts; a template without a provider gives every recipient an empty one. */
export type RecipientContexts = (userId: string) => Record<string, unknown> | null;

export const NO_PROVIDED_CONTEXT: RecipientContexts = () => ({});
