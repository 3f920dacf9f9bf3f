import type { ChannelCounts, MessageStat, SourceCounts, StatsQueries, TimeRange } from '../../analytics/ports';

/**
 * StatsQueries over messages held in memory; counts are derived from them, as ClickHouse would. With a
 * range, a message counts when its lastAt is in it (ClickHouse narrows by every change; enough for routes).
 */
export function createMemoryStats(): StatsQueries & { messages: Map<string, MessageStat[]>; channels: ChannelCounts[]; channelRanges: (TimeRange | undefined)[] } {
  const messages = new Map<string, MessageStat[]>();
  const channels: ChannelCounts[] = [];
  const channelRanges: (TimeRange | undefined)[] = [];
  const within = (m: MessageStat, range: TimeRange | undefined) =>
    !range || (Date.parse(m.lastAt) >= range.fromMs && Date.parse(m.lastAt) < range.toMs);
  const countsOf = (list: MessageStat[]): SourceCounts => {
    const byStatus: Record<string, number> = {};
    for (const m of list) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
    return { total: list.length, byStatus };
  };
  return {
    messages,
    channels,
    channelRanges,
    async countsBySource(_sourceType, sourceIds, range) {
      const result = new Map<string, SourceCounts>();
      for (const [id, all] of messages) {
        const list = all.filter((m) => within(m, range));
        if ((!sourceIds || sourceIds.includes(id)) && list.length > 0) result.set(id, countsOf(list));
      }
      return result;
    },
    async sourceDetail(_sourceType, sourceId, page) {
      const all = messages.get(sourceId) ?? [];
      const list = page.status ? all.filter((m) => m.status === page.status) : all;
      const start = page.cursor ? Number(page.cursor) : 0;
      const end = start + page.limit;
      return { ...countsOf(all), messages: list.slice(start, end), nextCursor: end < list.length ? String(end) : null };
    },
    async countsByChannel(_sourceType, _sourceId, range) {
      channelRanges.push(range);
      return channels;
    },
  };
}
