/**
 * The lifecycles' two-step question "is it finished?" (mailing-lifecycle.ts, notification-lifecycle.ts).
 * A source whose every delivery is final has at least that many final rows, so a source with fewer final rows
 * than its total is certainly not done. The final rows are a few rows per source to read (analytics
 * migrations.ts 004), where an exact answer reads every delivery of it: only the sources the rows cannot rule
 * out are asked exactly.
 */

/** `exact` of the sources whose `finalRows` reach their total; the others are absent (not done). */
export async function askExactlyOfNearlyDone<T>(
  sources: readonly { id: string; total: number }[],
  finalRows: (ids: string[]) => Promise<Map<string, number>>,
  exact: (ids: string[]) => Promise<Map<string, T>>,
): Promise<Map<string, T>> {
  if (sources.length === 0) return new Map();
  const rows = await finalRows(sources.map((source) => source.id));
  const nearlyDone = sources.filter(({ id, total }) => (rows.get(id) ?? 0) >= total).map(({ id }) => id);
  return nearlyDone.length > 0 ? exact(nearlyDone) : new Map();
}
