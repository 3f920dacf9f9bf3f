/**
 * What the directory view refuses to store. The state topics are written by the API, which validates
 * first, but anyone with producer rights can write them: a client whose phone is "abc" would otherwise
 * sit in the view and fail at every send. The rules are the API's own zod schemas, so the view accepts
 * exactly what the API would have accepted.
 */
import { instantProblem, zodProblems } from '../../platform/kafka/invalid-record';
import { TOPICS } from '../../platform/topics';
import type { Client, Mailing, Template } from '../../schemas/types';
import { PatchClientSchema } from '../../domain/resources/clients';
import { ResourceId } from '../../domain/resources/common';
import { CreateMailingSchema } from '../../domain/resources/mailings';
import { TemplateInputSchema } from '../../domain/resources/templates';

/** Why a state record (key + value, null = tombstone) must not enter the view; empty when it may. */
export function stateRecordProblems(topic: string, key: string | null, value: Client | Mailing | Template | null): string[] {
  if (key === null) return ['key: a state record needs its id as key'];
  const keyProblems = zodProblems(ResourceId, key).map((p) => p.replace('(record)', 'key'));
  if (value === null) return keyProblems;
  const idProblems = value.id === key ? [] : [`id: ${JSON.stringify(value.id)} differs from the key`];
  return [...keyProblems, ...idProblems, ...valueProblems(topic, value)];
}

function valueProblems(topic: string, value: Client | Mailing | Template): string[] {
  switch (topic) {
    case TOPICS.clients:
      return clientProblems(value as Client);
    case TOPICS.mailings:
      return mailingProblems(value as Mailing);
    case TOPICS.templates:
      return templateProblems(value as Template);
    default:
      return [];
  }
}

export function clientProblems(client: Client): string[] {
  const { id: _id, updatedAt, ...fields } = client;
  return [...zodProblems(PatchClientSchema, fields), ...instantProblem('updatedAt', updatedAt)];
}

export function mailingProblems(mailing: Mailing): string[] {
  const { id: _id, status: _status, createdAt, updatedAt, startAt, endAt, ...fields } = mailing;
  const times = [...instantProblem('startAt', startAt), ...instantProblem('endAt', endAt)];
  if (times.length > 0) return [...times, ...zodProblems(CreateMailingSchema, { ...fields, startAt: EPOCH, endAt: EPOCH_PLUS })];
  const iso = { startAt: new Date(startAt).toISOString(), endAt: new Date(endAt).toISOString() };
  return [
    ...zodProblems(CreateMailingSchema, { ...fields, ...iso }),
    ...instantProblem('createdAt', createdAt), ...instantProblem('updatedAt', updatedAt),
  ];
}

export function templateProblems(template: Template): string[] {
  const { updatedAt, ...fields } = template;
  return [...zodProblems(TemplateInputSchema, fields), ...instantProblem('updatedAt', updatedAt)];
}

// Stand-ins that satisfy the time rules, so a mailing with bad times still reports its other problems.
const EPOCH = new Date(0).toISOString();
const EPOCH_PLUS = new Date(1000).toISOString();
