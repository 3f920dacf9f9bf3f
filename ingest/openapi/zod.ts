/**
 * The one zod instance of the API, extended with `.openapi()` so every request/response schema is
 * also its OpenAPI description. Import `z` from here (not from 'zod') in ingest/.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
