// spawn_join: spawn `batch` goroutines, each doing trivial work (doubling its argument) and
// sending the result on a done channel of capacity `batch` (so no goroutine ever waits);
// main joins them by receiving `batch` results. Per goroutine.
//
// Why a done channel and not a counter: the baseline's goroutine is a bare async-function
// call, which runs to completion inside the call when its body never awaits; joined by a
// counter it measures ~4 ns of plain function call and nothing of spawn, finish or join.
// Go: 250-890 ns; the async-function baseline ~280 ns (FACTS.md). An iteration resolves to the
// sum of the results.
import { CHANNEL_PEERS } from "../lib/libs.mjs";

export const name = "spawn_join";
export const unit = "ns/op";
export const per = "goroutine";
export const batch = 10_000;
export const target = { ratio: 1.5 };
export const peers = CHANNEL_PEERS;
export const checksum = ({ batch: N }) => N * (N - 1);

export function make({ chan, go }) {
  const N = batch;
  async function worker(i, done) {
    await done.send(i * 2);
  }
  return async function spawnJoin() {
    const done = chan(N);
    for (let i = 0; i < N; i++) go(worker, i, done);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += await done.recv();
    return sum;
  };
}
