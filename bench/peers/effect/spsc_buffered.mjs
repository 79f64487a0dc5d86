// spsc_buffered and spsc_unbuffered in Effect: a producer fiber offers 0..N-1 on
// `Queue.bounded(capacity)` (capacity 0: a rendezvous, see pingpong.mjs), a consumer fiber takes
// them; main joins the consumer for its sum.
import { Effect, Fiber, Queue } from "effect";

export function make({ batch: N, capacity }) {
  const producer = (q) =>
    Effect.gen(function* () {
      for (let i = 0; i < N; i++) yield* Queue.offer(q, i);
    });
  const consumer = (q) =>
    Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += yield* Queue.take(q);
      return sum;
    });
  const spsc = Effect.gen(function* () {
    const q = yield* Queue.bounded(capacity);
    yield* Effect.forkChild(producer(q));
    return yield* Fiber.join(yield* Effect.forkChild(consumer(q)));
  });
  return () => Effect.runPromise(spsc);
}
