// pool_tasks, piscina (npm `piscina`): a pool of 2 threads (minThreads = maxThreads = 2, the
// rest piscina's defaults: Atomics-based task hand-off, unbounded queue); a batch is N tiny
// tasks, all in flight at once: `pool.run({ a: i, b: 2 * i }, { name: "add" })` × N, then
// `Promise.all`. The task (pool_tasks.piscina.task.mjs) returns a + b. Checked: the count and
// the sum of the results.
import { Piscina } from "piscina";
import { verify, deadline, CALL_MS, CLOSE_MS } from "../lib/xthread.mjs";

const TASK_URL = new URL("./pool_tasks.piscina.task.mjs", import.meta.url);

export async function start(lib, { N, size }) {
  const pool = new Piscina({ filename: TASK_URL.href, minThreads: size, maxThreads: size });
  const want = { count: N, sum: 3 * ((N * (N - 1)) / 2) };
  return {
    async run() {
      const ps = new Array(N);
      for (let i = 0; i < N; i++) ps[i] = pool.run({ a: i, b: 2 * i }, { name: "add" });
      const rs = await deadline(Promise.all(ps), CALL_MS, "pool_tasks/piscina: the tasks");
      let sum = 0;
      for (const r of rs) sum += r;
      verify("pool_tasks/piscina", { count: rs.length, sum }, want);
    },
    close: () => deadline(pool.destroy(), CLOSE_MS, "piscina destroy()"),
  };
}
