/**
 * Memoization for the pure, hot functions of a plan (issue 20: 10,000 routes in 200 ms), where
 * the same strings and the same objects come back once per route.
 *
 * - `memoByString`: a pure function of a string, cached up to `limit` entries. The limit bounds
 *   memory against hostile input (a catalog of a million distinct addresses): when full, the
 *   cache starts over rather than evicting one by one — plans revisit a small working set.
 * - `memoByObject`: a pure function of an object, cached by identity for as long as the object
 *   lives. Only for objects treated as immutable (catalog symbols, edges): a caller that
 *   mutated one after its first use would get a stale answer.
 */
export function memoByString<V>(limit: number, fn: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    const value = fn(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}

export function memoByObject<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    const value = fn(key);
    cache.set(key, value);
    return value;
  };
}
