// objects_xthread, baton: as spsc_xthread (a producer worker, a consumer worker, one shared
// channel of capacity 1024, one send / one recv per value), but every value is a small object
// { id: i, name: "job-" + i, tags: ["a", "b"], at: i * 0.5 }, copied with structured-clone
// semantics as a shared channel copies every value. The consumer checks every field of
// every object and replies with its count, the sum of the ids, and how many were wrong or out
// of order.
import * as baton from "../../dist/index.js";
import { spinFromEnv } from "../lib/xthread.mjs";
spinFromEnv(baton);
import { startThreads, terminateAll, needShared, verify, isWorker, serve, workerData } from "../lib/xthread.mjs";
import { job, checkJob } from "./objects.mjs";

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
  const [producer, consumer] = threads;
  const want = { count: N, sum: (N * (N - 1)) / 2, bad: 0 };
  return {
    async run() {
      const got = consumer.call("consume", N);
      const [, res] = await Promise.all([producer.call("produce", N), got]);
      verify("objects_xthread/baton", res, want);
    },
    close: () => terminateAll(threads),
  };
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
