// pool_tasks, baton: a pool of 2 workers (`workers({ size: 2 })`); a batch is N tiny tasks,
// all in flight at once: `pool.go(taskUrl, "add", i, 2 * i, results)` × N, where `add` (in
// pool_tasks.baton.task.mjs) sends a + b on `results`, a shared channel of capacity 1024 that
// the main thread receives N values from. Checked: the count and the sum of the results.
// The pool and the channel live for the whole run; `close()` closes the pool (terminating it
// if that does not finish in time).
import * as baton from "../../dist/index.js";
import { spinFromEnv } from "../lib/xthread.mjs";
spinFromEnv(baton);
import { needShared, verify, deadline, CALL_MS, CLOSE_MS, START_MS } from "../lib/xthread.mjs";

export const TASK_URL = new URL("./pool_tasks.baton.task.mjs", import.meta.url);

export async function start(lib, { N, size, capacity }) {
  needShared(baton, ["workers"]);
  const pool = await deadline(baton.workers({ size }), START_MS, "workers({ size })");
  const results = baton.chan(capacity, { shared: true });
  const want = { count: N, sum: 3 * ((N * (N - 1)) / 2) };
  return {
    async run() {
      for (let i = 0; i < N; i++) pool.go(TASK_URL, "add", i, 2 * i, results);
      // Bounded: a lost result must fail the run, not hang it (close() then ends the pool).
      const { count, sum } = await deadline(drain(results, N), CALL_MS, "pool_tasks/baton: receiving the results");
      verify("pool_tasks/baton", { count, sum }, want);
    },
    async close({ failed } = {}) {
      if (failed) return pool.terminate(); // goroutines of the failed batch may never finish
      try {
        await deadline(pool.close(), CLOSE_MS, "pool.close()");
      } catch (e) {
        await pool.terminate();
        throw e;
      }
    },
  };
}

async function drain(results, n) {
  let count = 0, sum = 0;
  for (let i = 0; i < n; i++) {
    sum += await results.recv();
    count++;
  }
  return { count, sum };
}
