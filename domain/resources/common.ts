/** Field schemas shared by several resources: ids, times of day, instants, locales. */
import { z } from './zod';

/** Ids become Kafka keys and Redis key parts: short and plain. */
export const ResourceId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected 1–128 characters of A-Z a-z 0-9 . _ : -')
  .openapi({ example: 'c-42' });

/** "HH:mm", 00:00–23:59. */
export const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm')
  .openapi({ example: '09:00' });

/** A daily window in the recipient's local time; from > to wraps past midnight. */
export const TimeWindowSchema = z
  .strictObject({ from: TimeOfDay, to: TimeOfDay })
  .openapi('TimeWindow', { example: { from: '09:00', to: '21:00' } });

/** An instant in requests: ISO 8601 with a zone (Z or ±hh:mm); stored as epoch milliseconds. */
export const IsoInstant = z.iso.datetime({ offset: true }).openapi({ example: '2030-01-01T09:00:00+03:00' });

/** An instant in responses. */
export const IsoTimestamp = z.string().openapi({ format: 'date-time', example: '2030-01-01T06:00:00.000Z' });

/** BCP 47-ish locale tag: en, ru, pt-BR. */
export const Locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a locale tag like en or pt-BR')
  .openapi({ example: 'en' });

/** Epoch milliseconds → ISO 8601 (UTC). */
export const toIso = (epochMs: number): string => new Date(epochMs).toISOString();
