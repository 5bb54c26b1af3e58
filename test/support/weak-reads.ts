// Counts reads of weak collections (WeakMap get/has, WeakSet has) while an operation runs: the
// error-context side table is one, so a walk along a chain of n errors costs n reads. Growth in
// reads, unlike time, is exact and immune to a loaded machine.

/** Runs `operation` and returns how many weak-collection reads it made. */
export async function countWeakReads(operation: () => unknown): Promise<number> {
  let reads = 0;
  const originals = {
    get: WeakMap.prototype.get,
    has: WeakMap.prototype.has,
    setHas: WeakSet.prototype.has,
  };
  WeakMap.prototype.get = function (this: WeakMap<object, unknown>, key: object) {
    reads++;
    return originals.get.call(this, key);
  };
  WeakMap.prototype.has = function (this: WeakMap<object, unknown>, key: object) {
    reads++;
    return originals.has.call(this, key);
  };
  WeakSet.prototype.has = function (this: WeakSet<object>, value: object) {
    reads++;
    return originals.setHas.call(this, value);
  };
  try {
    await operation();
  } finally {
    WeakMap.prototype.get = originals.get;
    WeakMap.prototype.has = originals.has;
    WeakSet.prototype.has = originals.setHas;
  }
  return reads;
}
