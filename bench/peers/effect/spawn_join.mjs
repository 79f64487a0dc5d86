// spawn_join in Effect: main forks N fibers (`Effect.forkChild`), each offers 2i on a
// `Queue.bounded(N)` (so none waits), and main takes N results.
import { Effect, Queue } from "effect";

export function make({ batch: N }) {
  const worker = (i, done) => Queue.offer(done, i * 2);
  const spawnJoin = Effect.gen(function* () {
    const done = yield* Queue.bounded(N);
    for (let i = 0; i < N; i++) yield* Effect.forkChild(worker(i, done));
    let sum = 0;
    for (let i = 0; i < N; i++) sum += yield* Queue.take(done);
    return sum;
  });
  return () => Effect.runPromise(spawnJoin);
}
