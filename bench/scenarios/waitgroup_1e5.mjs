// waitgroup_1e5: 10^5 goroutines, each calling wg.done(); `wg.add(1)` before each `go`, then
// `await wg.wait()`. Per goroutine: spawn, run, done and the share of the join.
// Baseline: bench/baselines/waitgroup.mjs, a counter and one promise, with goroutines that
// are bare async-function calls. Such a call runs its body to completion inside the call
// (wg.done() included), while baton's go() queues the goroutine and starts it from a microtask,
// as Go's scheduler would; the ratio is therefore mostly baton's cost of a goroutine.

export const name = "waitgroup_1e5";
export const unit = "ns/op";
export const per = "goroutine";
export const batch = 100_000;
export const baseline = "waitgroup";
export const target = null;

export function make({ WaitGroup, go }) {
  const N = batch;
  let ran = 0;
  async function worker(wg) {
    ran++;
    wg.done();
  }
  return async function waitgroup1e5() {
    const wg = new WaitGroup();
    ran = 0;
    for (let i = 0; i < N; i++) {
      wg.add(1);
      go(worker, wg);
    }
    await wg.wait();
    if (ran !== N) throw new Error(`waitgroup_1e5: wait() returned after ${ran} of ${N} goroutines`);
  };
}
