import type { ResourceStore } from '../../platform/stores/ports';
import type { TypedProducer } from '../../platform/kafka';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, Mailing, Template } from '../../schemas/types';
import { createKafkaBackedStore, type StoreFilter } from '../../platform/stores/kafka-backed-store';
import { createRunStatusOverlay } from '../mailing-run/record';

export interface ResourceStoreOptions {
  producer: TypedProducer;
  redis: Redis;
  /** Defaults to the kind's state topic. */
  topic?: string;
  viewTimeoutMs?: number;
}

/**
 * The index a client listing walks: the phone or email set when one is named (one or a few ids), else
 * the operator set when an operator is named (usually the smaller one, and the tag is then checked on
 * each doc), else the tag set, else every id. Whatever the index did not narrow, clientMatches checks.
 */
export function clientIndexFor(filter: StoreFilter): string | null {
  if (filter.phone !== undefined) return KEYS.clientsByPhone(filter.phone);
  if (filter.email !== undefined) return KEYS.clientsByEmail(filter.email);
  if (filter.operatorCode !== undefined) return KEYS.clientsByOperator(filter.operatorCode);
  if (filter.tag !== undefined) return KEYS.clientsByTag(filter.tag);
  return null;
}

/** The filter as checked on each doc; an email matches whatever its case. */
export function clientMatches(client: Client, filter: StoreFilter): boolean {
  return (filter.tag === undefined || client.tags.includes(filter.tag))
    && (filter.operatorCode === undefined || client.operatorCode === filter.operatorCode)
    && (filter.phone === undefined || client.phone === filter.phone)
    && (filter.email === undefined || (client.email ?? '').toLowerCase() === filter.email.toLowerCase());
}

/** Clients, filterable by `tag`, `operatorCode`, `phone` and `email`. */
export function createClientStore(options: ResourceStoreOptions): ResourceStore<Client> {
  return createKafkaBackedStore<Client>({
    ...options, kind: 'clients', topic: options.topic ?? TOPICS.clients,
    docKey: KEYS.client, idsKey: KEYS.clientIds, indexFor: clientIndexFor, matches: clientMatches,
  });
}

/** A mailing passes a `status` filter by the status it shows (the run's, overlaid before filtering). */
export function mailingMatches(mailing: Mailing, filter: StoreFilter): boolean {
  return filter.status === undefined || mailing.status === filter.status;
}

/** Mailings with their runtime status overlaid, filterable by (effective) `status`. */
export function createMailingStore(options: ResourceStoreOptions): ResourceStore<Mailing> {
  return createKafkaBackedStore<Mailing>({
    ...options, kind: 'mailings', topic: options.topic ?? TOPICS.mailings,
    docKey: KEYS.mailing, idsKey: KEYS.mailingIds,
    matches: mailingMatches,
    overlay: createRunStatusOverlay(options.redis),
  });
}

export function createTemplateStore(options: ResourceStoreOptions): ResourceStore<Template> {
  return createKafkaBackedStore<Template>({
    ...options, kind: 'templates', topic: options.topic ?? TOPICS.templates,
    docKey: KEYS.template, idsKey: KEYS.templateIds,
  });
}
