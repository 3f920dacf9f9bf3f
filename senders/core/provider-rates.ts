/**
 * Rate limits per provider (SMS_RATE_PER_S, SMS_SECONDARY_RATE_PER_S, an HTTP provider's `ratePerSecond`,
 * and the same per hour), shared by every sender process: token buckets in Redis, taken per chunk and
 * channel in one Lua call (GCRA: each bucket keeps the theoretical arrival time of its next message, read
 * from Redis's own clock so every process counts against the same time).
 *
 * A channel with several providers (failover-channel.ts) routes each message here: to the first provider in
 * its order of preference that has a slot now and whose circuit is not open, else to the one whose slot
 * comes first. So a limited first provider overflows into the second instead of queueing, and the message
 * is sent starting at the provider that gave its slot.
 *
 * What does not fit now is not waited for: it goes back through the delay queue, due at the slot its
 * place in line should get, so a throttled provider never blocks a partition and the rest of the batch
 * (other channels, express) goes on. Each per-second rate is split (PROVIDER_RATE_EXPRESS_SHARE): express
 * has its share, bulk the rest, so bulk's backlog never delays an express message.
 */
import type { Redis } from '../../platform/redis/client';
import { DEFAULT_PROVIDER } from '../../platform/providers';
import { KEYS } from '../../platform/redis/keys';
import type { Channel, DeliveryCommand } from '../../schemas/types';

export interface ProviderRate {
  /** Messages per second; 0: no per-second limit. */
  perSecond: number;
  /** Messages per hour; 0: no hourly limit. */
  perHour: number;
}

export interface ProviderRates {
  /** By provider name (platform/providers.ts, or an HTTP_PROVIDERS name); absent: unlimited. */
  providers: Readonly<Record<string, ProviderRate>>;
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
 * KEYS: per provider in order, its buckets then its booked set (member: delivery id and attempt, score: its
 * slot). ARGV: the horizon (ms), the number of providers, per provider: 1 to pass it by (its circuit is
 * open), its number of buckets and each one's interval and tolerance (ms); then the members asking.
 * Per member two numbers: the provider (1-based) and 0 to send now (its slot is now, or it booked one
 * earlier and is back), or a positive number of ms until the slot it has booked now; or 0 and minus the ms
 * until the first free slot when that is beyond the horizon (nothing booked). A provider without buckets
 * always has a slot.
 */
const TAKE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local horizon, count = tonumber(ARGV[1]), tonumber(ARGV[2])
local providers, a, k = {}, 3, 1
for p = 1, count do
  local provider = { skip = ARGV[a] == '1', buckets = {} }
  local buckets = tonumber(ARGV[a + 1])
  a = a + 2
  for b = 1, buckets do
    local tat = tonumber(redis.call('GET', KEYS[k]) or '0')
    if tat < now then tat = now end
    provider.buckets[b] = { key = KEYS[k], interval = tonumber(ARGV[a]), tolerance = tonumber(ARGV[a + 1]), tat = tat }
    k, a = k + 1, a + 2
  end
  provider.booked = KEYS[k]
  k = k + 1
  redis.call('ZREMRANGEBYSCORE', provider.booked, '-inf', now - 600000)
  providers[p] = provider
end
local out = {}
for j = a, #ARGV do
  local member, chosen = ARGV[j], 0
  for p = 1, count do
    if redis.call('ZREM', providers[p].booked, member) == 1 then chosen = p break end
  end
  if chosen > 0 then
    out[#out + 1] = chosen
    out[#out + 1] = 0
  else
    local at
    for p = 1, count do
      if not providers[p].skip then
        local earliest = now
        for _, bucket in ipairs(providers[p].buckets) do
          if bucket.tat - bucket.tolerance > earliest then earliest = bucket.tat - bucket.tolerance end
        end
        if at == nil or earliest < at then chosen, at = p, earliest end
        if earliest <= now then break end
      end
    end
    if at - now > horizon then
      out[#out + 1] = 0
      out[#out + 1] = -math.ceil(at - now)
    else
      for _, bucket in ipairs(providers[chosen].buckets) do
        if at > bucket.tat then bucket.tat = at end
        bucket.tat = bucket.tat + bucket.interval
      end
      out[#out + 1] = chosen
      if at <= now then
        out[#out + 1] = 0
      else
        out[#out + 1] = math.ceil(at - now)
        redis.call('ZADD', providers[chosen].booked, at, member)
      end
    end
  end
end
-- Written with a microsecond's precision: tostring keeps 14 digits, a tenth of a millisecond here,
-- and rounding down on every call would hand out slots a little early.
for p = 1, count do
  for _, bucket in ipairs(providers[p].buckets) do
    redis.call('SET', bucket.key, string.format('%.3f', bucket.tat), 'PX', math.ceil(bucket.tat - now) + 60000)
  end
  redis.call('PEXPIRE', providers[p].booked, horizon + 600000)
end
return out`;

/** A channel's providers in order of preference, as the rate step sees them. */
export interface ProviderRoute {
  name: string;
  /** Its circuit is open: route around it while another provider can take the message. */
  unavailable(): boolean;
}

export type ProviderRoutes = Partial<Record<Channel, readonly ProviderRoute[]>>;

export interface ThrottleResult {
  toSend: DeliveryCommand[];
  /** The provider whose slot a command of `toSend` took, where a channel's providers are rate-limited. */
  providerOf: Map<string, string>;
  /** Over every provider's rate now: back through the delay queue at these times. */
  later: { command: DeliveryCommand; dueAt: number }[];
}

/** One Lua call per limited channel present in the chunk; commands of unlimited channels pass as they are. */
export async function takeProviderSlots(
  redis: Redis, commands: readonly DeliveryCommand[], rates: ProviderRates | undefined, routes: ProviderRoutes, lane: 'express' | 'bulk', now: number,
): Promise<ThrottleResult> {
  const result: ThrottleResult = { toSend: [], providerOf: new Map(), later: [] };
  const byChannel = new Map<Channel, DeliveryCommand[]>();
  for (const command of commands) {
    if (!limitedRoute(rates, routes, command.channel)) result.toSend.push(command);
    else {
      const waiting = byChannel.get(command.channel);
      if (waiting) waiting.push(command);
      else byChannel.set(command.channel, [command]);
    }
  }
  for (const [channel, asking] of byChannel) {
    const route = limitedRoute(rates, routes, channel)!;
    const answers = await take(redis, channel, route, rates!, lane, BOOKING_HORIZON_MS, asking.map(bookingOf));
    const plan = planSlots(asking, answers, now, spreadMsOf(route, rates!, lane));
    result.toSend.push(...plan.toSend);
    for (const [deliveryId, index] of plan.providerAt) result.providerOf.set(deliveryId, route[index]!.name);
    result.later.push(...plan.later);
  }
  return result;
}

/**
 * One provider's slot at the moment of calling it, never booked ahead: a message the rate step routed to
 * one provider that fails over to the next (failover-channel.ts) must still keep that one's rate. True for
 * a provider without a rate.
 */
export async function takeSlotNow(redis: Redis, rates: ProviderRates, channel: Channel, provider: string, command: DeliveryCommand, lane: 'express' | 'bulk'): Promise<boolean> {
  const rate = rates.providers[provider];
  if (!isLimited(rate)) return true;
  const [chosen] = await take(redis, channel, [{ name: provider, unavailable: () => false }], rates, lane, 0, [bookingOf(command)]);
  return chosen === 1;
}

async function take(
  redis: Redis, channel: Channel, route: readonly ProviderRoute[], rates: ProviderRates, lane: 'express' | 'bulk', horizonMs: number, members: string[],
): Promise<number[]> {
  // A circuit that is open everywhere routes nowhere: then every provider is asked as if closed, and the
  // breaker answers (a retry), instead of no slot at all.
  const skip = route.map((provider) => provider.unavailable());
  const skipping = skip.every(Boolean) ? skip.map(() => false) : skip;
  const keys: string[] = [];
  const args: (string | number)[] = [horizonMs, route.length];
  route.forEach((provider, i) => {
    const buckets = bucketsOfProvider(rates, provider.name, lane);
    keys.push(...buckets.map((b) => KEYS.providerRate(channel, `${provider.name}:${b.name}`)), KEYS.providerRate(channel, `${provider.name}:booked`));
    args.push(skipping[i] ? 1 : 0, buckets.length, ...buckets.flatMap((b) => [b.intervalMs, b.toleranceMs]));
  });
  return (await redis.eval(TAKE, keys.length, ...keys, ...args, ...members)) as number[];
}

const isLimited = (rate: ProviderRate | undefined): rate is ProviderRate => rate !== undefined && (rate.perSecond > 0 || rate.perHour > 0);

const bucketsOfProvider = (rates: ProviderRates, provider: string, lane: 'express' | 'bulk'): Bucket[] => {
  const rate = rates.providers[provider];
  return isLimited(rate) ? bucketsOf(rate, lane, rates.expressShare) : [];
};

/** The channel's providers when at least one of them is rate-limited; the default provider alone without routes. */
function limitedRoute(rates: ProviderRates | undefined, routes: ProviderRoutes, channel: Channel): readonly ProviderRoute[] | null {
  if (!rates) return null;
  const route = routes[channel] ?? [{ name: DEFAULT_PROVIDER[channel], unavailable: () => false }];
  return route.some((provider) => isLimited(rates.providers[provider.name])) ? route : null;
}

/** The gap between two messages at the providers' combined rate, to stagger what comes back past the horizon. */
function spreadMsOf(route: readonly ProviderRoute[], rates: ProviderRates, lane: 'express' | 'bulk'): number {
  const perMs = route.reduce((sum, provider) => {
    const buckets = bucketsOfProvider(rates, provider.name, lane);
    return buckets.length === 0 ? sum : sum + 1 / Math.max(...buckets.map((b) => b.intervalMs));
  }, 0);
  return perMs > 0 ? 1 / perMs : 0;
}

/** A booking is per attempt: a retry is another call to the provider, and takes a slot of its own. */
const bookingOf = (command: DeliveryCommand) => `${command.deliveryId}:${command.attempt}`;

export interface SlotPlan {
  toSend: DeliveryCommand[];
  /** Each command to send now, by delivery id: the index of the provider whose slot it took. */
  providerAt: Map<string, number>;
  later: { command: DeliveryCommand; dueAt: number }[];
}

/**
 * The Lua answers as a plan (pure), two numbers per command (provider, wait): wait 0 now, n > 0 at its
 * booked slot; provider 0 and -n (nothing free within the horizon) when the first slot frees, `spreadMs`
 * apart in their order, so a backlog does not come back all at once.
 */
export function planSlots(commands: readonly DeliveryCommand[], answers: readonly number[], now: number, spreadMs: number): SlotPlan {
  const plan: SlotPlan = { toSend: [], providerAt: new Map(), later: [] };
  let unbooked = 0;
  commands.forEach((command, i) => {
    const provider = answers[2 * i] ?? 0;
    const wait = answers[2 * i + 1] ?? -BOOKING_HORIZON_MS;
    if (provider > 0 && wait === 0) {
      plan.toSend.push(command);
      plan.providerAt.set(command.deliveryId, provider - 1);
    } else if (provider > 0) plan.later.push({ command, dueAt: now + wait });
    else plan.later.push({ command, dueAt: Math.ceil(now - wait + unbooked++ * spreadMs) });
  });
  return plan;
}
