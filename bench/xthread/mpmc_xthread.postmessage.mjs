// mpmc_xthread, postMessage, direct: 2 producer workers, 2 consumer workers, and a
// MessageChannel from every producer to every consumer (4 ports pairs, made by the main thread,
// transferred at start). Producer k sends k, k + 2, k + 4, ... (N / 2 values, one number per
// message), alternating between its two consumers, then posts an end marker (null) to each.
// A consumer's batch is over once both producers' end markers have arrived.
//
// This is the fastest postMessage design for the workload (no thread in the middle), at the
// price of being no queue: the split between consumers is fixed in advance, a slow consumer
// is not relieved by the other. `mpmc_xthread.postmessage-broker.mjs` is the queue-like one.
import { MessageChannel } from "node:worker_threads";
import { startThreads, terminateAll, verify, isWorker, serve, workerData } from "../lib/xthread.mjs";

const ROLE = "mpmc_xthread.postmessage";
const END = null;

export async function start(lib, { N, producers = 2, consumers = 2 }) {
  const url = new URL("./mpmc_xthread.postmessage.mjs", import.meta.url);
  // ports[p][c]: the pair between producer p and consumer c.
  const ports = Array.from({ length: producers }, () => Array.from({ length: consumers }, () => new MessageChannel()));
  const threads = await startThreads([
    ...ports.map((row, k) => {
      const mine = row.map((mc) => mc.port1);
      return { url, role: `${ROLE}.producer${k}`, data: { ports: mine }, transferList: mine };
    }),
    ...Array.from({ length: consumers }, (_, c) => {
      const mine = ports.map((row) => row[c].port2);
      return { url, role: `${ROLE}.consumer${c}`, data: { ports: mine }, transferList: mine };
    }),
  ]);
  const ps = threads.slice(0, producers), cs = threads.slice(producers);
  const want = { count: N, sum: (N * (N - 1)) / 2 };
  return {
    async run() {
      const got = cs.map((c) => c.call("consume"));
      await Promise.all(ps.map((p, k) => p.call("produce", { first: k, step: producers, n: N / producers })));
      const rs = await Promise.all(got);
      verify("mpmc_xthread/postmessage", { count: rs.reduce((a, r) => a + r.count, 0), sum: rs.reduce((a, r) => a + r.sum, 0) }, want);
    },
    close: () => terminateAll(threads),
  };
}

if (isWorker(ROLE)) {
  const ports = workerData.ports;
  if (workerData.benchRole.includes(".producer")) {
    serve({
      produce({ first, step, n }) {
        const m = ports.length;
        for (let i = 0, v = first; i < n; i++, v += step) ports[i % m].postMessage(v);
        for (const p of ports) p.postMessage(END);
        return n;
      },
    });
  } else {
    let count = 0, sum = 0, ends = 0, reply = null;
    const finish = () => {
      const r = { count, sum };
      count = sum = ends = 0;
      const f = reply;
      reply = null;
      f(r);
    };
    const onValue = (v) => {
      if (v === END) {
        if (++ends === ports.length && reply) finish();
        return;
      }
      sum += v;
      count++;
    };
    for (const p of ports) p.on("message", onValue);
    serve({
      consume() {
        return new Promise((resolve) => {
          reply = resolve;
          if (ends === ports.length) finish();
        });
      },
    });
  }
}
