// mutex_uncontended: lock()/unlock() pairs on a mutex nobody else wants, one goroutine, in a
// loop (`await mu.lock(); mu.unlock()`); per pair. Go's sync.Mutex fast path is one CAS each
// way; in JS the floor is the `await` itself (~31 ns, FACTS.md).
// Baseline: async-mutex's Mutex, `const release = await mutex.acquire(); release()`.

export const name = "mutex_uncontended";
export const unit = "ns/op";
export const per = "lock/unlock pair";
export const batch = 10_000;
export const baseline = "async-mutex";
export const target = { ratio: 1.0 };

export function make({ Mutex }) {
  const N = batch;
  return async function mutexUncontended() {
    const mu = new Mutex();
    let n = 0;
    for (let i = 0; i < N; i++) {
      const key = await mu.lock();
      n++;
      mu.unlock(key);
    }
    if (n !== N) throw new Error(`mutex_uncontended: ${n} critical sections, want ${N}`);
  };
}
