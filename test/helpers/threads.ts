// Running roles of test/fixtures/xthread/roles.mjs in real worker threads, over the shipped build
// (dist/, which `npm test` builds first): the test file and its workers use the same copy of
// baton, and so one shared memory.

import { Worker } from "node:worker_threads";

const WORKER = new URL("../fixtures/xthread/worker.mjs", import.meta.url);

export interface Running<R> {
  worker: Worker;
  /** The role's result; rejects with the role's error, or if the worker exits first. */
  result: Promise<R>;
  /** Resolves with the exit code once the worker has stopped. */
  exited: Promise<number>;
}

/** Starts `role` in a new worker with channels (handles) and plain arguments. */
export function runRole<R = unknown>(role: string, chans: Record<string, unknown> = {}, args: Record<string, unknown> = {}): Running<R> {
  const worker = new Worker(WORKER, { workerData: { role, chans, args } });
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  const result = new Promise<R>((resolve, reject) => {
    worker.once("message", (m: { ok: boolean; result?: R; error?: { name: string; message: string; stack: string } }) => {
      if (m.ok) resolve(m.result as R);
      else reject(Object.assign(new Error(`${role}: ${m.error!.name}: ${m.error!.message}\n${m.error!.stack}`), m.error));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`${role}: the worker exited (code ${code}) before it reported`)));
  });
  result.catch(() => {}); // a test that does not await it must not see an unhandled rejection
  return { worker, result, exited };
}
