// pingpong in Effect: fibers A and B (`Effect.gen` programs started with `Effect.forkChild`,
// Effect 4's fork), two `Queue.bounded(0)`s. A offers i on c1 and takes the reply from c2; B
// takes from c1 and offers it on c2. Main joins A (`Fiber.join`) for its sum; the whole program
// is built once and run per iteration with `Effect.runPromise`.
//
// Unbuffered: in Effect 4 a queue of capacity 0 is a rendezvous: an offer completes only when a
// taker takes the value (at once if one is waiting), which is Go's unbuffered send
// (`bounded(1)` would be a buffer of one, not a rendezvous).
import { Effect, Fiber, Queue } from "effect";

export function make({ batch: N }) {
  const a = (c1, c2) =>
    Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < N; i++) {
        yield* Queue.offer(c1, i);
        sum += yield* Queue.take(c2);
      }
      return sum;
    });
  const b = (c1, c2) =>
    Effect.gen(function* () {
      for (let i = 0; i < N; i++) yield* Queue.offer(c2, yield* Queue.take(c1));
    });
  const pingpong = Effect.gen(function* () {
    const c1 = yield* Queue.bounded(0), c2 = yield* Queue.bounded(0);
    yield* Effect.forkChild(b(c1, c2));
    const fa = yield* Effect.forkChild(a(c1, c2));
    return yield* Fiber.join(fa);
  });
  return () => Effect.runPromise(pingpong);
}
