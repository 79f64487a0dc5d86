// spsc_xthread, baton: a producer worker sends N numbers on a shared channel of capacity 1024,
// a consumer worker receives them, one `send` / one `recv` per value.
//
// The channel is made once in the bench's main thread (`chan(1024, { shared: true })`) and its
// handle given to both workers in workerData; each worker `attach`es it (shared/API.md). A
// batch: the consumer is asked to receive N, the producer to send N; the consumer replies with
// its count, sum and how many values came out of order (FIFO must hold).
import * as baton from "../../dist/index.js";
import { startThreads, needShared, isWorker, serve, workerData, producerConsumer, spinFromEnv } from "../lib/xthread.mjs";

spinFromEnv(baton);

const ROLE = "spsc_xthread.baton";

export async function start(lib, { N, capacity }) {
  needShared(baton);
  const ch = baton.chan(capacity, { shared: true });
  const handle = ch.handle();
  const url = new URL("./spsc_xthread.baton.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.producer`, data: { ch: handle } },
    { url, role: `${ROLE}.consumer`, data: { ch: handle } },
  ]);
  return producerConsumer(threads, "spsc_xthread/baton", N, { count: N, sum: (N * (N - 1)) / 2, outOfOrder: 0 });
}

if (isWorker(ROLE)) {
  const ch = baton.attach(workerData.ch);
  serve({
    async produce(n) {
      for (let i = 0; i < n; i++) await ch.send(i);
      return n;
    },
    async consume(n) {
      let count = 0, sum = 0, outOfOrder = 0;
      for (let i = 0; i < n; i++) {
        const v = await ch.recv();
        if (typeof v !== "number") break;
        if (v !== i) outOfOrder++;
        sum += v;
        count++;
      }
      return { count, sum, outOfOrder };
    },
  });
}
