// At most `limit` tasks at once, the rest started in the order they were queued: the engines
// take every query the pipeline issues and run as many together as they can bear (Athena: the
// configured cap under the account's active-query quota; DuckDB: its one connection).
export type Limited = <T>(task: () => Promise<T>) => Promise<T>;

export function concurrencyLimit(limit: number): Limited {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`a concurrency limit must be a whole number of at least 1, got ${limit}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
