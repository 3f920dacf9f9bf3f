/**
 * The one zod instance of Vestnik, extended with `.openapi()` so every resource schema is also its
 * OpenAPI description (the API documents the domain's schemas; it does not own them). Import `z` from
 * here, not from 'zod', wherever a schema carries OpenAPI metadata.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
