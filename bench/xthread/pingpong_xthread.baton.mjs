// pingpong_xthread, baton: worker A sends i on c1, worker B receives it and sends it back on
// c2, A receives it: one round trip. c1 and c2 are unbuffered shared channels
// (`chan(0, { shared: true })`, as in the in-thread `pingpong`), made in the bench's main
// thread, their handles in both workers' workerData.
//
// B echoes for as long as it lives (`for await (const v of c1) await c2.send(v)`); a batch is
// A's N round trips, and A replies with the count and sum of what came back.
import * as baton from "../../dist/index.js";
import { spinFromEnv } from "../lib/xthread.mjs";
spinFromEnv(baton);
import { startThreads, terminateAll, needShared, verify, isWorker, serve, workerData } from "../lib/xthread.mjs";

const ROLE = "pingpong_xthread.baton";

export async function start(lib, { N }) {
  needShared(baton);
  const c1 = baton.chan(0, { shared: true }), c2 = baton.chan(0, { shared: true });
  const data = { c1: c1.handle(), c2: c2.handle() };
  const url = new URL("./pingpong_xthread.baton.mjs", import.meta.url);
  const threads = await startThreads([
    { url, role: `${ROLE}.a`, data },
    { url, role: `${ROLE}.b`, data },
  ]);
  const want = { count: N, sum: (N * (N - 1)) / 2 };
  return {
    async run() {
      verify("pingpong_xthread/baton", await threads[0].call("ping", N), want);
    },
    close: () => terminateAll(threads),
  };
}

if (isWorker(ROLE)) {
  const c1 = baton.attach(workerData.c1), c2 = baton.attach(workerData.c2);
  if (workerData.benchRole.endsWith(".b")) {
    (async () => {
      for await (const v of c1) await c2.send(v);
    })();
    serve({});
  } else {
    serve({
      async ping(n) {
        let count = 0, sum = 0;
        for (let i = 0; i < n; i++) {
          await c1.send(i);
          const v = await c2.recv();
          if (typeof v !== "number") break;
          sum += v;
          count++;
        }
        return { count, sum };
      },
    });
  }
}
