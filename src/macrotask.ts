// A macrotask: a callback that runs after the current task and every microtask it queued, so
// after the goroutines that were woken have run. setImmediate in Node; a MessageChannel hop in
// browsers (setTimeout(0) would be clamped to 4 ms after a few nested calls).

const setImmediateFn = (globalThis as { setImmediate?: <A>(fn: (a: A) => void, a: A) => unknown }).setImmediate;

/** Runs `fn` in a later macrotask. */
export const macrotask: (fn: () => void) => void =
  typeof setImmediateFn === "function"
    ? (fn) => {
        setImmediateFn(fn, undefined);
      }
    : (() => {
        const mc = new MessageChannel();
        const queue: (() => void)[] = [];
        mc.port1.onmessage = () => queue.shift()!();
        return (fn: () => void) => {
          queue.push(fn);
          mc.port2.postMessage(0);
        };
      })();

/** A promise of `v`, resolved in a later macrotask. */
export function macrotaskValue<V>(v: V): Promise<V> {
  return new Promise<V>((resolve) => {
    if (typeof setImmediateFn === "function") setImmediateFn(resolve, v);
    else macrotask(() => resolve(v));
  });
}
