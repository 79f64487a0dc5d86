// A macrotask: a callback that runs after the current task and every microtask it queued, so
// after the goroutines that were woken have run. setImmediate in Node; a MessageChannel hop in
// browsers (setTimeout(0) would be clamped to 4 ms after a few nested calls).

const setImmediateFn = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** Runs `fn` in a later macrotask. */
export const macrotask: (fn: () => void) => void =
  typeof setImmediateFn === "function"
    ? (fn) => {
        setImmediateFn(fn);
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
