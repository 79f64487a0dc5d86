// select4 in Effect: four producer fibers, each offering on its own `Queue.bounded(0)`; the
// consumer takes with `Effect.raceAll` over the four takes, Effect's way to wait for the first
// of several effects: it runs each take in a fiber of its own, the first to succeed wins and the
// others are interrupted. That is a select over receives with no value lost: a take that has
// not delivered its value when interrupted leaves it in its queue (Queue.take delivers in the
// same fiber step that dequeues, for that reason), and the checks here (the sum, and each
// queue's share) would catch one that did. When several takes can complete at once the first
// contender in order wins, not a random one as in Go. It costs four fibers per receive.
import { Effect, Fiber, Queue } from "effect";

export function make({ batch: N }) {
  const K = 4, each = N / K;
  const producer = (q, base) =>
    Effect.gen(function* () {
      for (let i = 0; i < each; i++) yield* Queue.offer(q, base + i);
    });
  const consumer = (qs) =>
    Effect.gen(function* () {
      let sum = 0;
      const seen = [0, 0, 0, 0];
      // The cases, built once per batch (as baton's are): each take counts where its value came from.
      const cases = qs.map((q, k) =>
        Effect.map(Queue.take(q), (v) => {
          seen[k]++;
          return v;
        }),
      );
      for (let i = 0; i < N; i++) sum += yield* Effect.raceAll(cases);
      for (let k = 0; k < K; k++) if (seen[k] !== each) throw new Error(`select4 (Effect): queue ${k} gave ${seen[k]} values, want ${each}`);
      return sum;
    });
  const select4 = Effect.gen(function* () {
    const qs = [];
    for (let k = 0; k < K; k++) qs.push(yield* Queue.bounded(0));
    for (let k = 0; k < K; k++) yield* Effect.forkChild(producer(qs[k], k * each));
    return yield* Fiber.join(yield* Effect.forkChild(consumer(qs)));
  });
  return () => Effect.runPromise(select4);
}
