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
 * The index a client listing walks: the operator set when an operator is named (usually the smaller
 * one, and the tag is then checked on each doc), else the tag set, else every id.
 */
export function clientIndexFor(filter: StoreFilter): string | null {
  if (filter.operatorCode !== undefined) return KEYS.clientsByOperator(filter.operatorCode);
  if (filter.tag !== undefined) return KEYS.clientsByTag(filter.tag);
  return null;
}

export function clientMatches(client: Client, filter: StoreFilter): boolean {
  return (filter.tag === undefined || client.tags.includes(filter.tag))
    && (filter.operatorCode === undefined || client.operatorCode === filter.operatorCode);
}

/** Clients, filterable by `tag` and `operatorCode`. */
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
