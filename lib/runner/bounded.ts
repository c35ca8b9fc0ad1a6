/**
 * Run `work` for every item with at most `limit` in flight at once, starting items in order.
 * `mayStart` is asked before each start (an interrupted run starts nothing new); items it refuses
 * are never started. Resolves when every started item has settled; `work` must not reject.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, mayStart: () => boolean = () => true): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && mayStart()) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker);
  await Promise.all(workers);
}
