// mpmc_xthread, baton: 2 producer workers and 2 consumer workers on one shared channel of
// capacity 1024. Producer k sends k, k + 2, k + 4, ... (N / 2 values each, so together
// 0 .. N-1); each consumer receives with `for await` until the channel is closed and drained,
// and replies with its count and sum.
//
// One channel per batch, closed the way a Go program closes it: the main thread makes it
// (`chan(1024, { shared: true })`), hands its handle to the four workers with the batch's
// request (each `attach`es it), waits for both producers to finish, then `close()`s it.
import * as baton from "../../dist/index.js";
import { spinFromEnv } from "../lib/xthread.mjs";
spinFromEnv(baton);
import { startThreads, terminateAll, needShared, verify, isWorker, serve } from "../lib/xthread.mjs";

const ROLE = "mpmc_xthread.baton";

export async function start(lib, { N, capacity, producers = 2, consumers = 2 }) {
  needShared(baton);
  const url = new URL("./mpmc_xthread.baton.mjs", import.meta.url);
  const threads = await startThreads([
    ...Array.from({ length: producers }, (_, k) => ({ url, role: `${ROLE}.producer${k}` })),
    ...Array.from({ length: consumers }, (_, k) => ({ url, role: `${ROLE}.consumer${k}` })),
  ]);
  const ps = threads.slice(0, producers), cs = threads.slice(producers);
  const want = { count: N, sum: (N * (N - 1)) / 2 };
  return {
    async run() {
      const ch = baton.chan(capacity, { shared: true });
      const handle = ch.handle();
      const got = cs.map((c) => c.call("consume", { ch: handle }));
      await Promise.all(ps.map((p, k) => p.call("produce", { ch: handle, first: k, step: producers, n: N / producers })));
      ch.close();
      const rs = await Promise.all(got);
      verify("mpmc_xthread/baton", { count: rs.reduce((a, r) => a + r.count, 0), sum: rs.reduce((a, r) => a + r.sum, 0) }, want);
    },
    close: () => terminateAll(threads),
  };
}

if (isWorker(ROLE)) {
  serve({
    async produce({ ch: handle, first, step, n }) {
      const ch = baton.attach(handle);
      for (let i = 0, v = first; i < n; i++, v += step) await ch.send(v);
      return n;
    },
    async consume({ ch: handle }) {
      const ch = baton.attach(handle);
      let count = 0, sum = 0;
      for await (const v of ch) {
        sum += v;
        count++;
      }
      return { count, sum };
    },
  });
}
