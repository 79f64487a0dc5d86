// mutex_contended4: 4 goroutines share one mutex; each, `batch / 4` times, locks it, increments
// a shared counter, yields once inside the critical section (`await Promise.resolve()`, so the
// other three are queued on the lock by then), and unlocks. Per lock/unlock pair. The run checks
// the final count and that no two goroutines were ever inside at once.
// The goroutines are joined by a plain counter and one promise, the same for both libraries.
// Baseline: async-mutex's Mutex with the same 4 async functions (bare calls).

export const name = "mutex_contended4";
export const unit = "ns/op";
export const per = "lock/unlock pair";
export const batch = 10_000;
export const goroutines = 4;
export const baseline = "async-mutex";
export const target = { ratio: 1.0 };

export function make({ Mutex, go }) {
  const N = batch, G = goroutines, each = N / G;
  const st = { count: 0, inside: false, left: 0, done: null };
  async function worker(mu) {
    for (let i = 0; i < each; i++) {
      const key = await mu.lock();
      if (st.inside) throw new Error("mutex_contended4: two goroutines inside the lock");
      st.inside = true;
      st.count++;
      await Promise.resolve();
      st.inside = false;
      mu.unlock(key);
    }
    if (--st.left === 0) st.done();
  }
  return async function mutexContended4() {
    const mu = new Mutex();
    st.count = 0;
    st.inside = false;
    st.left = G;
    const finished = new Promise((res) => (st.done = res));
    for (let g = 0; g < G; g++) go(worker, mu);
    await finished;
    if (st.count !== N) throw new Error(`mutex_contended4: count ${st.count}, want ${N}`);
  };
}
