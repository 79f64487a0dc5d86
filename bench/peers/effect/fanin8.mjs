// fanin8 in Effect: eight producer fibers offer on one `Queue.bounded(0)` (a rendezvous, see
// pingpong.mjs), a consumer fiber takes all their values; main joins it for the sum.
import { Effect, Fiber, Queue } from "effect";

export function make({ batch: N }) {
  const P = 8, each = N / P;
  const producer = (q, base) =>
    Effect.gen(function* () {
      for (let i = 0; i < each; i++) yield* Queue.offer(q, base + i);
    });
  const consumer = (q) =>
    Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += yield* Queue.take(q);
      return sum;
    });
  const fanin8 = Effect.gen(function* () {
    const q = yield* Queue.bounded(0);
    for (let p = 0; p < P; p++) yield* Effect.forkChild(producer(q, p * each));
    return yield* Fiber.join(yield* Effect.forkChild(consumer(q)));
  });
  return () => Effect.runPromise(fanin8);
}
