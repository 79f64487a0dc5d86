// Watching an AbortSignal: one "abort" listener per signal, however many of baton's waits and
// contexts watch it.
//
// Go's idiom is many goroutines waiting on one ctx.Done(); here that is many operations given one
// ctx.signal. A listener each would make the signal's listener list grow with the waits (and Node
// warns of a leak past 10: MaxListenersExceededWarning), and each wait would pay the signal's
// addEventListener and removeEventListener. Instead the first watcher of a signal adds one
// listener, which calls the signal's watchers in the order they came, and the last one to leave
// removes it.
//
// Invariants:
//  `watched` holds a signal exactly while it has watchers and has not fired; its listener is on
//   the signal exactly then.
//  A watcher is called at most once, and never after its unwatch function has been called.

/** The watchers of one signal, and the listener that calls them. */
interface Watch {
  readonly fns: Set<() => void>;
  readonly fire: () => void;
}

const watched = new WeakMap<AbortSignal, Watch>();

/** Calls `fn` once when `signal` aborts; the returned function stops that (a no-op after the
 *  call). A signal that has already aborted never calls it, as with addEventListener. Each watch
 *  passes a function of its own (a closure made for it): the watchers are a set. */
export function watchAbort(signal: AbortSignal, fn: () => void): () => void {
  let w = watched.get(signal);
  if (w === undefined) {
    const fns = new Set<() => void>();
    const fire = (): void => {
      watched.delete(signal);
      signal.removeEventListener("abort", fire);
      for (const f of fns) {
        try {
          f();
        } catch (e) {
          // As an event listener's error: reported, and the other watchers still run.
          queueMicrotask(() => {
            throw e;
          });
        }
      }
      fns.clear();
    };
    w = { fns, fire };
    watched.set(signal, w);
    signal.addEventListener("abort", fire);
  }
  w.fns.add(fn);
  const watch = w;
  return () => {
    // The last watcher gone: the listener goes too (unless the signal fired, or fires now and a
    // new watch of it has begun since).
    if (!watch.fns.delete(fn) || watch.fns.size > 0 || watched.get(signal) !== watch) return;
    watched.delete(signal);
    signal.removeEventListener("abort", watch.fire);
  };
}
