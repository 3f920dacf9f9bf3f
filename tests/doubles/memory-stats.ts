import type { ChannelCounts, MessageStat, SourceCounts, StatsQueries } from '../../analytics/ports';

/** StatsQueries over messages held in memory; counts are derived from them, as ClickHouse would. */
export function createMemoryStats(): StatsQueries & { messages: Map<string, MessageStat[]>; channels: ChannelCounts[] } {
  const messages = new Map<string, MessageStat[]>();
  const channels: ChannelCounts[] = [];
  const countsOf = (list: MessageStat[]): SourceCounts => {
    const byStatus: Record<string, number> = {};
    for (const m of list) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
    return { total: list.length, byStatus };
  };
  return {
    messages,
    channels,
    async countsBySource(_sourceType, sourceIds) {
      const result = new Map<string, SourceCounts>();
      for (const [id, list] of messages) if (!sourceIds || sourceIds.includes(id)) result.set(id, countsOf(list));
      return result;
    },
    async sourceDetail(_sourceType, sourceId, page) {
      const list = messages.get(sourceId) ?? [];
      const start = page.cursor ? Number(page.cursor) : 0;
      const end = start + page.limit;
      return { ...countsOf(list), messages: list.slice(start, end), nextCursor: end < list.length ? String(end) : null };
    },
    async countsByChannel() {
      return channels;
    },
  };
}
