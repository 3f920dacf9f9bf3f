/**
 * How many clients a mailing's filter reaches (POST /api/mailings/audience), by the fan-out's own rule
 * (domain/audience.ts) over the directory view, so the number shown before the start is the number the
 * fan-out then addresses (suppressed clients included: they are addressed and get a `suppressed` status).
 *
 * Without tags every member of a candidate set matches (a client sits in exactly one operator set), so
 * the answer is one ZCARD per set. With tags the sets overlap and the tag must be checked on each doc:
 * the sets are walked page by page as the fan-out walks them (one MGET per page, memory flat), and a
 * client is counted only from the first set it is in.
 */
import { candidateSets, isFirstSetOf, matchesFilter } from '../domain/audience';
import type { Redis } from '../platform/redis/client';
import { createDirectoryReader } from '../platform/redis/directory';
import type { MailingFilter } from '../schemas/types';
import type { AudienceSize } from './ports';

export function createAudienceSize(deps: { redis: Pick<Redis, 'get' | 'mget' | 'zrangebylex' | 'zcard'>; pageSize?: number }): AudienceSize {
  const directory = createDirectoryReader(deps.redis);
  const pageSize = deps.pageSize ?? 1000;
  return {
    async of(filter: MailingFilter): Promise<number> {
      const sets = candidateSets(filter);
      if (filter.tags.length === 0) {
        const sizes = await Promise.all(sets.map((key) => deps.redis.zcard(key)));
        return sizes.reduce((sum, n) => sum + n, 0);
      }
      let size = 0;
      for (const [setIndex, key] of sets.entries()) {
        for await (const ids of directory.indexPages(key, pageSize)) {
          const clients = await directory.clients(ids);
          size += clients.filter((client) => matchesFilter(client, filter) && isFirstSetOf(client, filter, setIndex)).length;
        }
      }
      return size;
    },
  };
}
