/**
 * Frequency caps at the moment of sending (the rules are in domain/deliveries/frequency-caps.ts): which
 * claimed deliveries are over a cap. One Lua call per chunk, whatever its size (per client on a Redis
 * Cluster), so the check and the count are one atomic step for every sender process: two mailings sending
 * to one person at once cannot both take the last slot.
 *
 * Replay-safe: a counter holds delivery ids, so a delivery already counted (a retry, or a redelivery after
 * a crash between this check and the send) is let through without counting twice. A capped delivery is
 * never counted; its final claim makes any redelivery a replay.
 */
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import type { DeliveryCommand } from '../../schemas/types';
import { countersOf, windowMs, type FrequencyCapRule } from '../../domain/deliveries/frequency-caps';

/**
 * ARGV: now, the number of deliveries, then for each: its id, its counter count k, and k pairs (max,
 * window ms); KEYS: every delivery's k counters in the same order. Returns, per delivery, 0 when it may go
 * (and is now counted everywhere) or the 1-based index of its first counter that is full.
 */
const CHECK_AND_COUNT = `
local now = tonumber(ARGV[1])
local a, k, out = 3, 1, {}
for d = 1, tonumber(ARGV[2]) do
  local member, count = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  local refused = 0
  for c = 0, count - 1 do
    local key, max, window = KEYS[k + c], tonumber(ARGV[a + 2 * c]), tonumber(ARGV[a + 2 * c + 1])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    if refused == 0 and not redis.call('ZSCORE', key, member) and redis.call('ZCARD', key) >= max then refused = c + 1 end
  end
  if refused == 0 then
    for c = 0, count - 1 do
      redis.call('ZADD', KEYS[k + c], 'NX', now, member)
      redis.call('PEXPIRE', KEYS[k + c], ARGV[a + 2 * c + 1])
    end
  end
  out[d] = refused
  k, a = k + count, a + 2 * count
end
return out`;

export interface CapDecision {
  allowed: DeliveryCommand[];
  capped: { command: DeliveryCommand; rule: FrequencyCapRule }[];
}

export async function applyFrequencyCaps(redis: Redis, commands: readonly DeliveryCommand[], rules: readonly FrequencyCapRule[], now: number): Promise<CapDecision> {
  const decision: CapDecision = { allowed: [], capped: [] };
  const counted = commands.map((command) => ({ command, counters: countersOf(command, rules) }));
  const checked = counted.filter((c) => c.counters.length > 0);
  if (checked.length === 0) return { allowed: [...commands], capped: [] };
  // A Lua script may touch one slot of a Redis Cluster: there, one call per client (its counters share the
  // `{clientId}` tag), sent together by auto-pipelining. A cap is per client, so that is still atomic.
  const groups = redis.isCluster ? byClient(checked) : [checked];
  const refusedAt = new Map((await Promise.all(groups.map((group) => checkAndCount(redis, group, now)))).flat());
  for (const command of commands) {
    const rule = refusedAt.get(command.deliveryId);
    if (rule) decision.capped.push({ command, rule });
    else decision.allowed.push(command);
  }
  return decision;
}

type Counted = { command: DeliveryCommand; counters: ReturnType<typeof countersOf> };

function byClient(checked: readonly Counted[]): Counted[][] {
  const groups = new Map<string, Counted[]>();
  for (const c of checked) {
    const group = groups.get(c.command.clientId);
    if (group) group.push(c);
    else groups.set(c.command.clientId, [c]);
  }
  return [...groups.values()];
}

/** One CHECK_AND_COUNT call: each delivery of `checked` with the rule that refused it, or null. */
async function checkAndCount(redis: Redis, checked: readonly Counted[], now: number): Promise<[string, FrequencyCapRule | null][]> {
  const keys = checked.flatMap(({ command, counters }) => counters.map((c) => KEYS.frequencyCap(command.clientId, c.counter)));
  const args = [now, checked.length, ...checked.flatMap(({ command, counters }) => [
    command.deliveryId, counters.length, ...counters.flatMap((c) => [c.rule.max, windowMs(c.rule)]),
  ])];
  const answers = (await redis.eval(CHECK_AND_COUNT, keys.length, ...keys, ...args)) as number[];
  return checked.map(({ command, counters }, i) => [command.deliveryId, answers[i] ? counters[answers[i]! - 1]!.rule : null]);
}
