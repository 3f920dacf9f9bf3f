/** The listing schemas of /api/clients (the resource's own schemas are in domain/resources/clients). */
import { ClientSchema, OperatorCode, Tag } from '../../domain/resources/clients';
import { z } from '../../domain/resources/zod';
import { pageOf, pageQueryShape } from './paging';

export const ClientListQuery = z.strictObject({
  ...pageQueryShape,
  tag: Tag.optional(),
  operatorCode: OperatorCode.optional(),
  phone: z.string().regex(/^7\d{10}$/, 'expected 7 followed by 10 digits').optional().openapi({ description: 'Exact phone', example: '79001234567' }),
  email: z.email().max(320).optional().openapi({ description: 'Exact email, whatever its case' }),
});

export const ClientPageSchema = pageOf(ClientSchema, 'ClientPage');
