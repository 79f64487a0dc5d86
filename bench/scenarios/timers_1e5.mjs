// timers_1e5: create 10^5 timers of 60 s (baton: newTimer(60_000)), then stop them all, in the
// order they were made; per timer created and stopped. None can fire during the run.
// Creation order is the worst case for baton's 4-ary heap (every stop removes the root, the
// earliest deadline, and sifts down) and the natural one for code that times out requests.
// Baseline: Node's setTimeout(fn, 60_000) and clearTimeout.

export const name = "timers_1e5";
export const unit = "ns/op";
export const per = "timer";
export const batch = 100_000;
export const baseline = "timers";
export const target = { ratio: 0.5 };

export function make({ newTimer, stopTimer }) {
  const N = batch;
  const ts = new Array(N).fill(null);
  return async function timers1e5() {
    for (let i = 0; i < N; i++) ts[i] = newTimer(60_000);
    let stopped = 0;
    for (let i = 0; i < N; i++) if (stopTimer(ts[i])) stopped++;
    ts.fill(null);
    if (stopped !== N) throw new Error(`timers_1e5: ${stopped} of ${N} stops found the timer pending`);
  };
}
