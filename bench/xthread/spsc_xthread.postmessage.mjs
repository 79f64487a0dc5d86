// spsc_xthread, postMessage: a producer worker posts N numbers, one per message, on a
// MessagePort whose other end the consumer worker holds (a MessageChannel made by the main
// thread, one port transferred to each worker). No flow control: postMessage has none, so
// the producer posts as fast as it can and the port queues.
//
// The consumer counts every value its port delivers; the batch ends once N have arrived.
// Values may arrive before the consumer sees the "consume" request (the two travel on
// different ports), so it accumulates from the start and replies when both are in.
import { MessageChannel } from "node:worker_threads";
import { startThreads, isWorker, serve, workerData, producerConsumer } from "../lib/xthread.mjs";

const ROLE = "spsc_xthread.postmessage";

export async function start(lib, { N }) {
  const { port1, port2 } = new MessageChannel();
  const url = new URL("./spsc_xthread.postmessage.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.producer`, data: { port: port1 }, transferList: [port1] },
    { url, role: `${ROLE}.consumer`, data: { port: port2 }, transferList: [port2] },
  ]);
  return producerConsumer(threads, "spsc_xthread/postmessage", N, { count: N, sum: (N * (N - 1)) / 2, outOfOrder: 0 });
}

if (isWorker(ROLE)) {
  const port = workerData.port;
  if (workerData.benchRole.endsWith(".producer")) {
    serve({
      produce(n) {
        for (let i = 0; i < n; i++) port.postMessage(i);
        return n;
      },
    });
  } else {
    let count = 0, sum = 0, outOfOrder = 0, want = -1, reply = null;
    const finish = () => {
      const r = { count, sum, outOfOrder };
      count = sum = outOfOrder = 0;
      want = -1;
      const f = reply;
      reply = null;
      f(r);
    };
    port.on("message", (v) => {
      if (v !== count) outOfOrder++;
      sum += v;
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
