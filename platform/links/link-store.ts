import { randomBytes } from 'node:crypto';
import { VestnikError } from '../errors';
import type { Redis } from '../redis/client';

/**
 * Short links kept in Redis: `link:<code>` holds the link until it expires (PX) or is used once.
 * A used link leaves a tombstone `link-used:<code>` for a while, so the page can tell "already used"
 * from "expired or unknown" (both of which are simply absent).
 *
 * On a Redis Cluster a link and its tombstone share their code's slot (`{code}`), so a click's script
 * still takes the link and leaves the tombstone in one step; the source and subject indexes are in slots
 * of their own, so creating a link there is a few steps in a crash-safe order (see create and
 * createOnce). One Redis keeps the untagged names and the one-script creates.
 */
export const LINK_KEYS = {
  link: (code: string) => `link:${code}`,
  used: (code: string) => `link-used:${code}`,
  /** The code already created for a source (e.g. a welcome event): a replay reuses it. */
  bySource: (sourceKey: string) => `link-source:${sourceKey}`,
  /** The codes issued about a subject (a set that lives as long as its longest link): erasure finds them here. */
  bySubject: (subject: string) => `link-subject:${subject}`,
} as const;

/** The link keys of a Redis Cluster: a link and its tombstone in their code's slot. */
export const CLUSTER_LINK_KEYS: typeof LINK_KEYS = {
  ...LINK_KEYS,
  link: (code: string) => `link:{${code}}`,
  used: (code: string) => `link-used:{${code}}`,
};

export function linkKeys(redis: { isCluster: boolean }): typeof LINK_KEYS {
  return redis.isCluster ? CLUSTER_LINK_KEYS : LINK_KEYS;
}

export interface Link {
  url: string;
  /** What the link confirms, e.g. 'email-confirmation'. */
  purpose: string;
  /** Whom or what it is about, e.g. the user id. */
  subject: string;
  expiresAt: number;
}

export interface NewLink {
  url: string;
  ttlMs: number;
  purpose: string;
  subject: string;
}

export type ConsumeResult = { kind: 'ok'; link: Link } | { kind: 'used' } | { kind: 'expired' };

export interface LinkStore {
  /** A new random code for the link, valid for ttlMs. */
  create(link: NewLink): Promise<string>;
  /** The code of the link created for `sourceKey`, creating it on the first call only (replays reuse it). */
  createOnce(sourceKey: string, link: NewLink): Promise<string>;
  /** The link, once: every later call says 'used' (while the tombstone lasts), an unknown code 'expired'. */
  consume(code: string): Promise<ConsumeResult>;
  /** Puts a consumed link back (its confirmation could not be recorded), for its remaining lifetime. */
  restore(code: string, link: Link): Promise<void>;
  /** Deletes every link issued about `subject` (erasure of a person); returns how many were still live. */
  eraseSubject(subject: string): Promise<number>;
}

export interface LinkStoreOptions {
  redis: Redis;
  /** How long "already used" is remembered (default 30 days). */
  tombstoneMs?: number;
  clock?: { now(): number };
  /** Bytes of randomness per code (default 16 → 22 url-safe characters, unguessable). */
  codeBytes?: number;
}

/** Codes are base64url: what `create` makes, and all the route accepts before asking Redis. */
export const LINK_CODE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

// GETDEL and the tombstone in one step: two concurrent clicks cannot both get the link.
const CONSUME_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
  return value
end
if redis.call('EXISTS', KEYS[2]) == 1 then return '!used' end
return false`;

// The subject's index of codes (KEYS[last]) outlives its longest link: its TTL only ever grows.
const INDEX_LUA = `
local index = KEYS[#KEYS]
redis.call('SADD', index, ARGV[1])
if redis.call('PTTL', index) < tonumber(ARGV[3]) then redis.call('PEXPIRE', index, ARGV[3]) end`;

// The index alone (a Redis Cluster's first step): KEYS the index; ARGV code, unused, ttl.
const INDEX_SCRIPT = `${INDEX_LUA}
return 1`;

// A link and its place in the subject's index in one step.
const CREATE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
${INDEX_LUA}
return ARGV[1]`;

// One code per source even when two replays race: the first SET wins, the others read it back.
const CREATE_ONCE_SCRIPT = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
${INDEX_LUA}
return ARGV[1]`;

/** The Redis-backed link store. Redis down fails with REDIS_UNAVAILABLE (the Redis edge): the API answers 503. */
export function createLinkStore(options: LinkStoreOptions): LinkStore {
  const { redis } = options;
  const keys = linkKeys(redis);
  const tombstoneMs = options.tombstoneMs ?? 30 * 24 * 60 * 60 * 1000;
  const clock = options.clock ?? { now: () => Date.now() };
  const newCode = () => randomBytes(options.codeBytes ?? 16).toString('base64url');
  const docOf = (link: NewLink): string => {
    if (!Number.isInteger(link.ttlMs) || link.ttlMs < 1) {
      throw new VestnikError('VALIDATION_FAILED', `link ttlMs must be a positive integer, got ${link.ttlMs}`);
    }
    const doc: Link = { url: link.url, purpose: link.purpose, subject: link.subject, expiresAt: clock.now() + link.ttlMs };
    return JSON.stringify(doc);
  };

  return {
    async create(link) {
      const doc = docOf(link);
      const code = newCode();
      if (redis.isCluster) {
        // Indexed first: a crash between the steps leaves an index entry without a link (harmless), never
        // a live link erasure cannot find.
        await indexCode(code, link);
        await redis.set(keys.link(code), doc, 'PX', link.ttlMs);
        return code;
      }
      const scriptKeys = [keys.link(code), keys.bySubject(link.subject)];
      await redis.eval(CREATE_SCRIPT, scriptKeys.length, ...scriptKeys, code, doc, link.ttlMs);
      return code;
    },
    async createOnce(sourceKey, link) {
      const doc = docOf(link);
      const code = newCode();
      if (redis.isCluster) {
        // Indexed, then the link, then the source's code: a replay racing this one, or one after a crash
        // between the steps, reads the source's code only once its link exists. The loser's own link is
        // unreachable (nobody has its code) and deleted.
        const known = await redis.get(keys.bySource(sourceKey));
        if (known !== null) return known; // a replay, the usual case: nothing to write
        await indexCode(code, link);
        await redis.set(keys.link(code), doc, 'PX', link.ttlMs);
        if ((await redis.set(keys.bySource(sourceKey), code, 'PX', link.ttlMs, 'NX')) === 'OK') return code;
        await redis.del(keys.link(code));
        const existing = await redis.get(keys.bySource(sourceKey));
        if (existing === null) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'a link source expired while its link was created', { retriable: true });
        return existing;
      }
      const scriptKeys = [keys.bySource(sourceKey), keys.link(code), keys.bySubject(link.subject)];
      return (await redis.eval(CREATE_ONCE_SCRIPT, scriptKeys.length, ...scriptKeys, code, doc, link.ttlMs)) as string;
    },
    async consume(code) {
      if (!LINK_CODE_PATTERN.test(code)) return { kind: 'expired' };
      const scriptKeys = [keys.link(code), keys.used(code)];
      const value = (await redis.eval(CONSUME_SCRIPT, scriptKeys.length, ...scriptKeys, tombstoneMs)) as string | null;
      if (value === null) return { kind: 'expired' };
      if (value === '!used') return { kind: 'used' };
      return { kind: 'ok', link: JSON.parse(value) as Link };
    },
    async restore(code, link) {
      const remainingMs = link.expiresAt - clock.now();
      if (remainingMs < 1) return;
      await redis.multi().set(keys.link(code), JSON.stringify(link), 'PX', remainingMs).del(keys.used(code)).exec();
    },
    async eraseSubject(subject) {
      const index = keys.bySubject(subject);
      const codes = await redis.smembers(index);
      // The used-link tombstones hold only '1' and the source keys only a code: nothing of the person.
      // One DEL per link (auto-pipelined): on a Cluster each is in a slot of its own.
      const deleted = await Promise.all(codes.map((code) => redis.del(keys.link(code))));
      await redis.del(index);
      return deleted.reduce((sum, n) => sum + n, 0);
    },
  };

  async function indexCode(code: string, link: NewLink): Promise<void> {
    await redis.eval(INDEX_SCRIPT, 1, keys.bySubject(link.subject), code, '', link.ttlMs);
  }
}

