/** The listing schemas of /api/clients (the resource's own schemas are in domain/resources/clients). */
import { ClientSchema, OperatorCode, Tag } from '../../domain/resources/clients';
import { z } from '../../domain/resources/zod';
import { pageOf, pageQueryShape } from './paging';

export const ClientListQuery = z.strictObject({
  ...pageQueryShape,
  tag: Tag.optional(),
  operatorCode: OperatorCode.optional(),
});

export const ClientPageSchema = pageOf(ClientSchema, 'ClientPage');
