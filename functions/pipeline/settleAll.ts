// Promise.all for work that shares a resource: when one task fails, the others are still let
// finish before the failure is passed on, so that a caller's `finally` (closing the engine, say)
// never runs while a query is still in flight on it.
export async function settleAll<T extends readonly unknown[]>(tasks: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
