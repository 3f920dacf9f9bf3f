/** Conversions between the mailing API shapes and the stored Mailing record. */
import type { Mailing, MailingStatus } from '../../schemas/types';
import { toIso } from '../../domain/resources/common';
import type { CreateMailingInput, MailingView } from '../../domain/resources/mailings';

/** The stored record of a validated body: ISO instants become epoch milliseconds. */
export function toMailing(
  input: CreateMailingInput,
  meta: { id: string; status: MailingStatus; createdAt: number; updatedAt: number },
): Mailing {
  return {
    id: meta.id,
    text: input.text ?? null,
    templateId: input.templateId ?? null,
    startAt: Date.parse(input.startAt),
    endAt: Date.parse(input.endAt),
    filter: { operatorCodes: [...new Set(input.filter.operatorCodes)], tags: [...new Set(input.filter.tags)] },
    channel: input.channel,
    sendWindow: input.sendWindow,
    promo: input.promo,
    priority: input.priority,
    status: meta.status,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
  };
}

/** The editable fields of a stored mailing in the POST body's shape, so a PATCH merge is validated again. */
export function mailingInput(mailing: Mailing): Record<string, unknown> {
  const { id: _id, status: _status, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = mailing;
  return { ...fields, startAt: toIso(mailing.startAt), endAt: toIso(mailing.endAt) };
}

/** The response shape: the record with ISO timestamps. */
export function mailingView(mailing: Mailing): MailingView {
  return {
    ...mailing,
    startAt: toIso(mailing.startAt),
    endAt: toIso(mailing.endAt),
    createdAt: toIso(mailing.createdAt),
    updatedAt: toIso(mailing.updatedAt),
  };
}
