/** The listing schemas of /api/mailings (the resource's own schemas are in domain/resources/mailings). */
import { MAILING_STATUSES } from '../../schemas/types';
import { MailingSchema } from '../../domain/resources/mailings';
import { z } from '../../domain/resources/zod';
import { pageOf, pageQueryShape } from './paging';

export const MailingListQuery = z.strictObject({ ...pageQueryShape, status: z.enum(MAILING_STATUSES).optional() });

export const MailingPageSchema = pageOf(MailingSchema, 'MailingPage');
