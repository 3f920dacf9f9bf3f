/**
 * Frequency caps per person: rules such as "at most 3 promotional messages per client in any 24 hours,
 * across every mailing and notification" or "at most 1 message of each source type per day". Pure: which
 * rules a delivery counts against, under which counter, and the reason a capped delivery is suppressed
 * with. The counting itself is atomic in Redis (senders/core/frequency-caps.ts).
 */
import { CHANNELS, SOURCE_TYPES, type DeliveryCommand } from '../../schemas/types';
import { VestnikError } from '../../platform/errors';
import { z } from '../resources/zod';

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const FrequencyCapRuleSchema = z.strictObject({
  /** Names the rule in the suppression reason and in its Redis counters: keep it stable. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (at most 40)'),
  /** Which deliveries the rule counts: every field given must match; none given matches every delivery. */
  match: z.strictObject({
    promo: z.boolean().optional(),
    channels: z.array(z.enum(CHANNELS)).min(1).optional(),
    sourceTypes: z.array(z.enum(SOURCE_TYPES)).min(1).optional(),
  }).default({}),
  /** One counter per value of this field ("1 per source type per day"); absent: one counter per client. */
  per: z.enum(['sourceType', 'channel', 'sourceId']).optional(),
  max: z.number().int().min(1).max(10_000),
  /** The sliding window: 30m, 24h, 7d. */
  window: z.string().regex(DURATION, 'a number and m, h or d, e.g. 24h'),
});
export type FrequencyCapRule = z.output<typeof FrequencyCapRuleSchema>;

export const FrequencyCapsSchema = z.array(FrequencyCapRuleSchema).max(20)
  .refine((rules) => new Set(rules.map((r) => r.name)).size === rules.length, 'rule names must be unique');

/** FREQUENCY_CAPS as configured, checked: a wrong rule stops the start with the rule and field it concerns. */
export function frequencyCapsOf(configured: unknown[]): FrequencyCapRule[] {
  const parsed = FrequencyCapsSchema.safeParse(configured);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `FREQUENCY_CAPS${i.path.length ? `[${i.path.join('.')}]` : ''}: ${i.message}`);
  throw new VestnikError('CONFIG_INVALID', `invalid configuration — ${problems.join('; ')}`, { details: problems });
}

export function windowMs(rule: FrequencyCapRule): number {
  const [, n, unit] = DURATION.exec(rule.window)!;
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/**
 * Test sends and the daily report are the operators' own messages: no cap counts them. An in-app message
 * is not a notification a person can be flooded by outside the app, but it counts when a rule names it.
 */
const NEVER_CAPPED = new Set<string>(['test', 'report']);

function matches(rule: FrequencyCapRule, command: DeliveryCommand): boolean {
  const { promo, channels, sourceTypes } = rule.match;
  return (promo === undefined || command.promo === promo)
    && (channels === undefined || channels.includes(command.channel))
    && (sourceTypes === undefined || sourceTypes.includes(command.sourceType));
}

export interface CapCounter {
  rule: FrequencyCapRule;
  /** The counter's identity below the client: the rule's name, and the `per` value when there is one. */
  counter: string;
}

/** The counters a delivery counts against: one per matching rule. */
export function countersOf(command: DeliveryCommand, rules: readonly FrequencyCapRule[]): CapCounter[] {
  if (NEVER_CAPPED.has(command.sourceType)) return [];
  return rules.filter((rule) => matches(rule, command))
    .map((rule) => ({ rule, counter: rule.per ? `${rule.name}:${command[rule.per]}` : rule.name }));
}

export function capReason(rule: FrequencyCapRule): string {
  return `frequency cap ${rule.name}: at most ${rule.max} per ${rule.window}${rule.per ? ` per ${rule.per}` : ''}`;
}
