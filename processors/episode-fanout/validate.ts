/**
 * What makes an episode event unusable for the subscribers' emails. events.episode-released is open to
 * any service (POST /api/events/episode-released checks only the Avro shape), so the fan-out refuses
 * here, with the reason (dead letter), an event it could only turn into broken emails: a series id no
 * subscription can name, empty titles, negative numbers, or a link that is not http(s) — it goes into
 * an `<a href>`, and HTML escaping does not stop a `javascript:` URL.
 */
import { httpUrlProblem, instantProblem, zodProblems } from '../../platform/kafka/invalid-record';
import type { EpisodeReleased } from '../../schemas/types';
import { ResourceId } from '../../domain/resources/common';

/** Every problem of the event; empty when the fan-out may go on. */
export function episodeReleasedProblems(event: EpisodeReleased): string[] {
  return [
    ...(event.eventId.trim() === '' ? ['eventId: required'] : []),
    ...instantProblem('occurredAt', event.occurredAt),
    ...zodProblems(ResourceId, event.seriesId).map((p) => p.replace('(record)', 'seriesId')),
    ...(['seriesTitle', 'episodeId', 'episodeTitle'] as const).flatMap((field) => (event[field].trim() === '' ? [`${field}: required`] : [])),
    ...(['seasonNumber', 'episodeNumber'] as const).flatMap((field) => {
      const value = event[field];
      return value === null || value >= 0 ? [] : [`${field}: negative (${value})`];
    }),
    ...httpUrlProblem('url', event.url),
  ];
}
