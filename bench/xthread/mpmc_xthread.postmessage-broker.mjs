// mpmc_xthread, postMessage through a broker: 2 producer workers post their values (one
// number per message) to the main thread, which forwards each to the consumers round-robin,
// the design with one queue in the middle (what a shared MPMC channel gives). Producer k sends
// k, k + 2, ... (N / 2 values) then an end marker (null); once both producers' markers are in,
// the broker posts an end marker to each consumer, which then replies with its count and sum.
// Every value crosses two hops (producer -> main -> consumer), and the main thread does the
// forwarding.
import { MessageChannel } from "node:worker_threads";
import { startThreads, terminateAll, verify, isWorker, serve, workerData } from "../lib/xthread.mjs";

const ROLE = "mpmc_xthread.postmessage-broker";
const END = null;

export async function start(lib, { N, producers = 2, consumers = 2 }) {
  const url = new URL("./mpmc_xthread.postmessage-broker.mjs", import.meta.url);
  const fromP = Array.from({ length: producers }, () => new MessageChannel());
  const toC = Array.from({ length: consumers }, () => new MessageChannel());
  const threads = await startThreads([
    ...fromP.map((mc, k) => ({ url, role: `${ROLE}.producer${k}`, data: { port: mc.port2 }, transferList: [mc.port2] })),
    ...toC.map((mc, c) => ({ url, role: `${ROLE}.consumer${c}`, data: { port: mc.port2 }, transferList: [mc.port2] })),
  ]);
  const ps = threads.slice(0, producers), cs = threads.slice(producers);
  const out = toC.map((mc) => mc.port1);
  let rr = 0, ends = 0;
  const forward = (v) => {
    if (v === END) {
      if (++ends === producers) {
        ends = 0;
        for (const p of out) p.postMessage(END);
      }
      return;
    }
    out[rr].postMessage(v);
    rr = rr + 1 === out.length ? 0 : rr + 1;
  };
  for (const mc of fromP) mc.port1.on("message", forward);
  const want = { count: N, sum: (N * (N - 1)) / 2 };
  return {
    async run() {
      const got = cs.map((c) => c.call("consume"));
      await Promise.all(ps.map((p, k) => p.call("produce", { first: k, step: producers, n: N / producers })));
      const rs = await Promise.all(got);
      verify("mpmc_xthread/postmessage-broker", { count: rs.reduce((a, r) => a + r.count, 0), sum: rs.reduce((a, r) => a + r.sum, 0) }, want);
    },
    async close() {
      for (const mc of fromP) mc.port1.close();
      for (const p of out) p.close();
      await terminateAll(threads);
    },
  };
}

if (isWorker(ROLE)) {
  const port = workerData.port;
  if (workerData.benchRole.includes(".producer")) {
    serve({
      produce({ first, step, n }) {
        for (let i = 0, v = first; i < n; i++, v += step) port.postMessage(v);
        port.postMessage(END);
        return n;
      },
    });
  } else {
    let count = 0, sum = 0, ended = false, reply = null;
    const finish = () => {
      const r = { count, sum };
      count = sum = 0;
      ended = false;
      const f = reply;
      reply = null;
      f(r);
    };
    port.on("message", (v) => {
      if (v === END) {
        ended = true;
        if (reply) finish();
        return;
      }
      sum += v;
      count++;
    });
    serve({
      consume() {
        return new Promise((resolve) => {
          reply = resolve;
          if (ended) finish();
        });
      },
    });
  }
}
