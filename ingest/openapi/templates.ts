/** The listing schema of /api/templates (the resource's own schemas are in domain/resources/templates). */
import { TemplateSchema } from '../../domain/resources/templates';
import { pageOf } from './paging';

export const TemplatePageSchema = pageOf(TemplateSchema, 'TemplatePage');
