// pipeline3 in Effect: gen -> sq -> sink, fibers over `Queue.bounded(0)`s (rendezvous, see
// pingpong.mjs). A stage ends its output with `Queue.end` once its input is done; a take from an
// ended, drained queue fails with `Cause.Done`, which a stage's loop recovers from with
// `Pull.catchDone` (Effect 4's way to close a queue and to see it closed).
import { Effect, Fiber, Pull, Queue } from "effect";

export function make({ batch: N }) {
  const gen = (out) =>
    Effect.gen(function* () {
      for (let i = 0; i < N; i++) yield* Queue.offer(out, i);
      yield* Queue.end(out);
    });
  const sq = (inp, out) =>
    Effect.gen(function* () {
      yield* Pull.catchDone(
        Effect.gen(function* () {
          for (;;) yield* Queue.offer(out, (yield* Queue.take(inp)) * 2);
        }),
        () => Effect.void,
      );
      yield* Queue.end(out);
    });
  const sink = (inp) =>
    Effect.gen(function* () {
      let sum = 0;
      yield* Pull.catchDone(
        Effect.gen(function* () {
          for (;;) sum += yield* Queue.take(inp);
        }),
        () => Effect.void,
      );
      return sum;
    });
  const pipeline3 = Effect.gen(function* () {
    const c1 = yield* Queue.bounded(0), c2 = yield* Queue.bounded(0);
    yield* Effect.forkChild(gen(c1));
    yield* Effect.forkChild(sq(c1, c2));
    return yield* Fiber.join(yield* Effect.forkChild(sink(c2)));
  });
  return () => Effect.runPromise(pipeline3);
}
