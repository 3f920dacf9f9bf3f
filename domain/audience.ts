/**
 * Who a mailing (or a segment of a notification) reaches, as pure rules over the directory view's
 * index sets: which sets to walk, whether a client matches, and from which set a client is emitted so
 * that the union is walked without remembering who was seen.
 */
import { KEYS } from '../platform/redis/keys';
import type { Client, MailingFilter } from '../schemas/types';

/**
 * The index sets whose union holds every candidate: the operator-code sets when the filter names codes,
 * else the tag sets, else all clients. Each set is walked in id order from a saved cursor.
 */
export function candidateSets(filter: MailingFilter): string[] {
  if (filter.operatorCodes.length > 0) return unique(filter.operatorCodes).map(KEYS.clientsByOperator);
  if (filter.tags.length > 0) return unique(filter.tags).map(KEYS.clientsByTag);
  return [KEYS.clientIds];
}

/** A client matches when its operator code is one of the filter's (if any) and it has any of its tags (if any). */
export function matchesFilter(client: Client, filter: MailingFilter): boolean {
  const codeOk = filter.operatorCodes.length === 0 || filter.operatorCodes.includes(client.operatorCode);
  const tagOk = filter.tags.length === 0 || client.tags.some((tag) => filter.tags.includes(tag));
  return codeOk && tagOk;
}

/**
 * A client in several tag sets is emitted from the first of them only, so the union is walked without
 * remembering who was seen (memory stays flat however large the audience).
 */
export function isFirstSetOf(client: Client, filter: MailingFilter, setIndex: number): boolean {
  if (filter.operatorCodes.length > 0 || filter.tags.length === 0) return true;
  const tags = unique(filter.tags);
  return !tags.slice(0, setIndex).some((tag) => client.tags.includes(tag));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
