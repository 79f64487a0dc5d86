// sieve2000 in Effect: Go's concurrent prime sieve with fibers and `Queue.bounded(0)`s
// (rendezvous, see pingpong.mjs), shut down as the scenario's: the generator stops and ends its
// queue (`Queue.end`), each filter ends its output once a take from its input fails with
// `Cause.Done` (`Pull.catchDone`), main drains the last queue the same way.
//
// With Effect 4.1.5 this fails with "Maximum call stack size exceeded" once the chain is a few
// hundred filters long (~140-220 with bounded(0), ~1,200 with bounded(1), in runs here). A take that finds an
// offer waiting resumes the offering fiber at once, on the taker's stack (Effect.callback's
// resume evaluates the fiber synchronously); that fiber, a filter, goes on to take from its own
// input, where an offer waits too, and so on up the chain: one set of frames per filter when
// the pipeline is full. Shutting the chain down recurses the same way (`Queue.end` resumes the
// waiting taker, a filter, which ends its own output, ...), so a `yieldNow` after each offer
// still overflows there. The fiber the overflow lands in dies with a defect; the run reports that
// error (through passOnFailure below) rather than a workaround that is not how one writes this.
import { Effect, Pull, Queue } from "effect";

// A stage that fails fails its output queue with the same cause, so the failure travels down the
// chain to main's take (as a Stream's would); else a forked fiber's failure stays in the fiber,
// which nobody joins, and the sieve would wait forever.
const passOnFailure = (out) => Effect.onError((cause) => Queue.failCause(out, cause));

export function make({ primes }) {
  let stop = false;
  const generate = (out) =>
    Effect.gen(function* () {
      for (let i = 2; !stop; i++) yield* Queue.offer(out, i);
      yield* Queue.end(out);
    }).pipe(passOnFailure(out));
  const filter = (inp, out, prime) =>
    Effect.gen(function* () {
      yield* Pull.catchDone(
        Effect.gen(function* () {
          for (;;) {
            const v = yield* Queue.take(inp);
            if (v % prime !== 0) yield* Queue.offer(out, v);
          }
        }),
        () => Effect.void,
      );
      yield* Queue.end(out);
    }).pipe(passOnFailure(out));
  const sieve = Effect.gen(function* () {
    stop = false;
    let ch = yield* Queue.bounded(0);
    yield* Effect.forkChild(generate(ch));
    let prime = 0;
    for (let i = 0; i < primes; i++) {
      prime = yield* Queue.take(ch);
      const ch1 = yield* Queue.bounded(0);
      yield* Effect.forkChild(filter(ch, ch1, prime));
      ch = ch1;
    }
    stop = true;
    const last = ch;
    yield* Pull.catchDone(
      Effect.gen(function* () {
        for (;;) yield* Queue.take(last);
      }),
      () => Effect.void,
    );
    return prime;
  });
  return () => Effect.runPromise(sieve);
}
