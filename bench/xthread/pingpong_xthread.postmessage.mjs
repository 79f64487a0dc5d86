// pingpong_xthread, postMessage: worker A posts i on a MessagePort, worker B's 'message'
// handler posts it straight back on the same port, A's handler takes it and posts i + 1: one
// round trip per message pair. The MessageChannel is made by the main thread, one port
// transferred to each worker.
import { MessageChannel } from "node:worker_threads";
import { startThreads, terminateAll, verify, isWorker, serve, workerData } from "../lib/xthread.mjs";

const ROLE = "pingpong_xthread.postmessage";

export async function start(lib, { N }) {
  const { port1, port2 } = new MessageChannel();
  const url = new URL("./pingpong_xthread.postmessage.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.a`, data: { port: port1 }, transferList: [port1] },
    { url, role: `${ROLE}.b`, data: { port: port2 }, transferList: [port2] },
  ]);
  const want = { count: N, sum: (N * (N - 1)) / 2 };
  return {
    async run() {
      verify("pingpong_xthread/postmessage", await threads[0].call("ping", N), want);
    },
    close: () => terminateAll(threads),
  };
}

if (isWorker(ROLE)) {
  const port = workerData.port;
  if (workerData.benchRole.endsWith(".b")) {
    port.on("message", (v) => port.postMessage(v));
    serve({});
  } else {
    let n = 0, i = 0, sum = 0, reply = null;
    port.on("message", (v) => {
      sum += v;
      if (++i < n) port.postMessage(i);
      else {
        const r = { count: i, sum };
        i = sum = 0;
        reply(r);
      }
    });
    serve({
      ping(count) {
        return new Promise((resolve) => {
          reply = resolve;
          n = count;
          port.postMessage(0);
        });
      },
    });
  }
}
