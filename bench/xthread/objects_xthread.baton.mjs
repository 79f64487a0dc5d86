// objects_xthread, baton: as spsc_xthread (a producer worker, a consumer worker, one shared
// channel of capacity 1024, one send / one recv per value), but every value is a small object
// { id: i, name: "job-" + i, tags: ["a", "b"], at: i * 0.5 }, copied with structured-clone
// semantics as a shared channel copies every value. The consumer checks every field of
// every object and replies with its count, the sum of the ids, and how many were wrong or out
// of order.
import * as baton from "../../dist/index.js";
import { startThreads, needShared, isWorker, serve, workerData, producerConsumer, spinFromEnv } from "../lib/xthread.mjs";
import { job, checkJob } from "./objects.mjs";

spinFromEnv(baton);

const ROLE = "objects_xthread.baton";

export async function start(lib, { N, capacity }) {
  needShared(baton);
  const ch = baton.chan(capacity, { shared: true });
  const handle = ch.handle();
  const url = new URL("./objects_xthread.baton.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.producer`, data: { ch: handle } },
    { url, role: `${ROLE}.consumer`, data: { ch: handle } },
  ]);
  return producerConsumer(threads, "objects_xthread/baton", N, { count: N, sum: (N * (N - 1)) / 2, bad: 0 });
}

if (isWorker(ROLE)) {
  const ch = baton.attach(workerData.ch);
  serve({
    async produce(n) {
      for (let i = 0; i < n; i++) await ch.send(job(i));
      return n;
    },
    async consume(n) {
      let count = 0, sum = 0, bad = 0;
      for (let i = 0; i < n; i++) {
        const v = await ch.recv();
        if (v === undefined) break;
        if (!checkJob(v, i)) bad++;
        sum += v.id;
        count++;
      }
      return { count, sum, bad };
    },
  });
}
