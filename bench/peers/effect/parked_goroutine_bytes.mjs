// parked_goroutine_bytes in Effect: 10^5 fibers, each started with `Effect.runFork` (as the
// baseline's goroutines are bare calls) and parked in `Queue.take` on one `Queue.bounded(0)`
// that nobody offers to; the queue is then ended (`Queue.end`), every take fails with
// `Cause.Done` and every fiber ends. Measured by the scenario's measureParking: the JS heap per
// parked fiber (Effect has no memory outside the heap).
import { Effect, Queue } from "effect";
import { measureParking } from "../../scenarios/parked_goroutine_bytes.mjs";

const tick = () => new Promise((r) => setImmediate(r));

export function measure({ count }, opts) {
  let parked = 0, woke = 0;
  const parker = (q) =>
    Effect.gen(function* () {
      parked++;
      yield* Effect.exit(Queue.take(q));
      woke++;
    });
  return measureParking(
    {
      make: () => {
        parked = woke = 0;
        return Effect.runSync(Queue.bounded(0));
      },
      park: (q) => {
        Effect.runFork(parker(q));
      },
      // Every fiber counts itself on its way into the take, in the same synchronous step as the
      // take's registration; wait until all have.
      settle: async (n) => {
        for (let i = 0; i < 1000 && parked < n; i++) await tick();
        return parked;
      },
      release: (q) => Effect.runSync(Queue.end(q)),
      woke: () => woke,
      coreBytes: () => 0,
      live: () => null,
      after: () => null,
    },
    { ...opts, count },
  );
}
