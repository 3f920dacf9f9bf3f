/**
 * Rate limits per provider (SMS_RATE_PER_S, SMS_RATE_PER_HOUR, and the same for push and email), shared by
 * every sender process: token buckets in Redis, taken per chunk and channel in one Lua call (GCRA: each
 * bucket keeps the theoretical arrival time of its next message, read from Redis's own clock so every
 * process counts against the same time).
 *
 * What does not fit now is not waited for: it goes back through the delay queue, due at the slot its
 * place in line should get, so a throttled provider never blocks a partition and the rest of the batch
 * (other channels, express) goes on. Each per-second rate is split (PROVIDER_RATE_EXPRESS_SHARE): express
 * has its share, bulk the rest, so bulk's backlog never delays an express message.
 */
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import type { Channel, DeliveryCommand } from '../../schemas/types';

export interface ProviderRate {
  /** Messages per second; 0: no per-second limit. */
  perSecond: number;
  /** Messages per hour; 0: no hourly limit. */
  perHour: number;
}

export interface ProviderRates {
  channels: Partial<Record<Channel, ProviderRate>>;
  /** The share of a per-second rate bulk may not use, so express always finds room (0–0.9). */
  expressShare: number;
}

/** A bucket: its key below the channel, the interval between messages and the burst it tolerates, in ms. */
interface Bucket {
  name: string;
  intervalMs: number;
  toleranceMs: number;
}

/** A per-second bucket lets through bursts of 50 ms worth of messages: a second's count holds within a few %. */
const BURST_MS = 50;

/**
 * How far ahead a chunk may book slots. Booked messages go back through the delay queue due at their slot
 * and pass without asking again when they come back; the rest of a long backlog comes back after the
 * horizon and books then. So the rate's slots are handed out back to back while there is demand, however
 * irregularly the senders ask (asking per chunk, a bucket that only refilled between calls lost every gap:
 * a limit of 200/s gave 40/s).
 */
export const BOOKING_HORIZON_MS = 2_000;

/** The buckets a message of `lane` must pass on a channel limited by `rate` (pure). */
export function bucketsOf(rate: ProviderRate, lane: 'express' | 'bulk', expressShare: number): Bucket[] {
  const buckets: Bucket[] = [];
  const perSecond = (name: string, perS: number) => {
    const intervalMs = 1000 / perS;
    buckets.push({ name, intervalMs, toleranceMs: Math.max(0, BURST_MS - intervalMs) });
  };
  if (rate.perSecond > 0) {
    // Split, not shared: bulk books its slots up to the horizon ahead, and express sharing its bucket would
    // queue behind them (2 s, measured). Express keeps its share even when idle; the total never passes the rate.
    if (expressShare <= 0) perSecond('second', rate.perSecond);
    else if (lane === 'express') perSecond('second-express', rate.perSecond * expressShare);
    else perSecond('second-bulk', rate.perSecond * (1 - expressShare));
  }
  if (rate.perHour > 0) {
    // The whole hour's count may go at once (then it is spent until the hour has passed), as a window would.
    const intervalMs = 3_600_000 / rate.perHour;
    buckets.push({ name: 'hour', intervalMs, toleranceMs: 3_600_000 - intervalMs });
  }
  return buckets;
}

/**
 * KEYS: the buckets, then the channel's booked set (member: delivery id and attempt, score: its slot).
 * ARGV: the horizon (ms), the number of buckets, each bucket's interval and tolerance (ms), then the
 * members asking. Per member: 0 to send now (its slot is now, or it booked one earlier and is back),
 * a positive number of ms until the slot it has booked now, or minus the ms until the first free slot
 * when that is beyond the horizon (nothing booked).
 */
const TAKE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local horizon, buckets = tonumber(ARGV[1]), tonumber(ARGV[2])
local booked = KEYS[buckets + 1]
redis.call('ZREMRANGEBYSCORE', booked, '-inf', now - 600000)
local tats = {}
for i = 1, buckets do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
end
local out = {}
for j = 3 + 2 * buckets, #ARGV do
  if redis.call('ZREM', booked, ARGV[j]) == 1 then
    out[#out + 1] = 0
  else
    local at = now
    for i = 1, buckets do
      local earliest = tats[i] - tonumber(ARGV[2 + 2 * i])
      if earliest > at then at = earliest end
    end
    if at - now > horizon then
      out[#out + 1] = -math.ceil(at - now)
    else
      for i = 1, buckets do
        if at > tats[i] then tats[i] = at end
        tats[i] = tats[i] + tonumber(ARGV[1 + 2 * i])
      end
      if at <= now then
        out[#out + 1] = 0
      else
        out[#out + 1] = math.ceil(at - now)
        redis.call('ZADD', booked, at, ARGV[j])
      end
    end
  end
end
-- Written with a microsecond's precision: tostring keeps 14 digits, a tenth of a millisecond here,
-- and rounding down on every call would hand out slots a little early.
for i = 1, buckets do
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.ceil(tats[i] - now) + 60000)
end
redis.call('PEXPIRE', booked, horizon + 600000)
return out`;

export interface ThrottleResult {
  toSend: DeliveryCommand[];
  /** Over the rate now: back through the delay queue at these times. */
  later: { command: DeliveryCommand; dueAt: number }[];
}

/** One Lua call per limited channel present in the chunk; commands of unlimited channels pass as they are. */
export async function takeProviderSlots(
  redis: Redis, commands: readonly DeliveryCommand[], rates: ProviderRates | undefined, lane: 'express' | 'bulk', now: number,
): Promise<ThrottleResult> {
  const result: ThrottleResult = { toSend: [], later: [] };
  const byChannel = new Map<Channel, DeliveryCommand[]>();
  for (const command of commands) {
    const rate = rates?.channels[command.channel];
    if (!rate || (rate.perSecond <= 0 && rate.perHour <= 0)) result.toSend.push(command);
    else {
      const waiting = byChannel.get(command.channel);
      if (waiting) waiting.push(command);
      else byChannel.set(command.channel, [command]);
    }
  }
  for (const [channel, asking] of byChannel) {
    const buckets = bucketsOf(rates!.channels[channel]!, lane, rates!.expressShare);
    const keys = [...buckets.map((b) => KEYS.providerRate(channel, b.name)), KEYS.providerRate(channel, 'booked')];
    const args = [BOOKING_HORIZON_MS, buckets.length, ...buckets.flatMap((b) => [b.intervalMs, b.toleranceMs]), ...asking.map(bookingOf)];
    const answers = (await redis.eval(TAKE, keys.length, ...keys, ...args)) as number[];
    const { toSend, later } = planSlots(asking, answers, now, Math.max(...buckets.map((b) => b.intervalMs)));
    result.toSend.push(...toSend);
    result.later.push(...later);
  }
  return result;
}

/** A booking is per attempt: a retry is another call to the provider, and takes a slot of its own. */
const bookingOf = (command: DeliveryCommand) => `${command.deliveryId}:${command.attempt}`;

/**
 * The Lua answers as a plan (pure): 0 now, n > 0 at its booked slot; -n (nothing free within the horizon)
 * when the first slot frees, one interval apart in their order, so a backlog does not come back all at once.
 */
export function planSlots(commands: readonly DeliveryCommand[], answers: readonly number[], now: number, intervalMs: number): ThrottleResult {
  const plan: ThrottleResult = { toSend: [], later: [] };
  let unbooked = 0;
  commands.forEach((command, i) => {
    const answer = answers[i] ?? -BOOKING_HORIZON_MS;
    if (answer === 0) plan.toSend.push(command);
    else if (answer > 0) plan.later.push({ command, dueAt: now + answer });
    else plan.later.push({ command, dueAt: Math.ceil(now - answer + unbooked++ * intervalMs) });
  });
  return plan;
}
