// objects_xthread, postMessage: as spsc_xthread's postMessage side (a MessagePort between the
// producer worker and the consumer worker, no flow control), one object per message:
// { id: i, name: "job-" + i, tags: ["a", "b"], at: i * 0.5 }, structured-cloned by
// postMessage. The consumer checks every field of every object.
import { MessageChannel } from "node:worker_threads";
import { startThreads, isWorker, serve, workerData, producerConsumer } from "../lib/xthread.mjs";
import { job, checkJob } from "./objects.mjs";

const ROLE = "objects_xthread.postmessage";

export async function start(lib, { N }) {
  const { port1, port2 } = new MessageChannel();
  const url = new URL("./objects_xthread.postmessage.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.producer`, data: { port: port1 }, transferList: [port1] },
    { url, role: `${ROLE}.consumer`, data: { port: port2 }, transferList: [port2] },
  ]);
  return producerConsumer(threads, "objects_xthread/postmessage", N, { count: N, sum: (N * (N - 1)) / 2, bad: 0 });
}

if (isWorker(ROLE)) {
  const port = workerData.port;
  if (workerData.benchRole.endsWith(".producer")) {
    serve({
      produce(n) {
        for (let i = 0; i < n; i++) port.postMessage(job(i));
        return n;
      },
    });
  } else {
    let count = 0, sum = 0, bad = 0, want = -1, reply = null;
    const finish = () => {
      const r = { count, sum, bad };
      count = sum = bad = 0;
      want = -1;
      const f = reply;
      reply = null;
      f(r);
    };
    port.on("message", (v) => {
      if (!checkJob(v, count)) bad++;
      sum += v.id;
      if (++count === want) finish();
    });
    serve({
      consume(n) {
        return new Promise((resolve) => {
          reply = resolve;
          want = n;
          if (count >= n) finish();
        });
      },
    });
  }
}
