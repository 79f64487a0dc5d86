// spsc_batch in Effect, with its own batch operations: a producer fiber offers chunks of 256 with
// `Queue.offerAll` on `Queue.bounded(1024)` (it waits only while the batch does not fit), a
// consumer fiber takes 1 to 256 at a time with `Queue.takeBetween`; main joins the consumer.
import { Effect, Fiber, Queue } from "effect";

export function make({ batch: N, capacity, chunk }) {
  const values = Array.from({ length: N }, (_, i) => i);
  const producer = (q) =>
    Effect.gen(function* () {
      for (let i = 0; i < N; i += chunk) yield* Queue.offerAll(q, values.slice(i, i + chunk));
    });
  const consumer = (q) =>
    Effect.gen(function* () {
      let sum = 0;
      for (let n = 0; n < N; ) {
        const got = yield* Queue.takeBetween(q, 1, chunk);
        for (const v of got) sum += v;
        n += got.length;
      }
      return sum;
    });
  const spsc = Effect.gen(function* () {
    const q = yield* Queue.bounded(capacity);
    yield* Effect.forkChild(producer(q));
    return yield* Fiber.join(yield* Effect.forkChild(consumer(q)));
  });
  return () => Effect.runPromise(spsc);
}
