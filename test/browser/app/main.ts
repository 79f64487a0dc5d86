// A vite app that runs goroutines on a pool of module Web Workers (test/browser/app.mjs serves it
// from vite's dev server and from a vite build, cross-origin isolated). It reports by POST /result.
import { chan, workers, sharedMemory, setPanicHandler, numGoroutine, recv, select } from "batonjs";
import { libChan, libNumGoroutine } from "baton-user-lib"; // a dependency with its own copy of baton
import type { Result } from "./tasks.ts";
import tasks from "./tasks.ts?worker&url";

const JOBS = 40;

async function run(): Promise<Record<string, unknown>> {
  const r: Record<string, unknown> = { sharedMemory, crossOriginIsolated: globalThis.crossOriginIsolated === true };
  const panics: string[] = [];
  let panicked: () => void = () => {};
  const panic = new Promise<void>((resolve) => (panicked = resolve));
  setPanicHandler((e) => {
    panics.push(`${(e as Error).name}: ${(e as Error).message}`);
    panicked();
  });

  const pool = await workers({ size: 2 });
  const jobs = chan<number>(8, { shared: true });
  const results = chan<Result>(8, { shared: true });
  for (let i = 0; i < 3; i++) pool.go(tasks, "squares", jobs, results);
  const sent = (async () => {
    for (let j = 1; j <= JOBS; j++) await jobs.send(j);
    jobs.close();
  })();
  const got: Result[] = [];
  for (let i = 0; i < JOBS; i++) got.push((await results.recv())!);
  await sent;
  got.sort((a, b) => a.job - b.job);
  r.squares = got.every((g) => g.square === g.job * g.job && g.fired === 0);
  r.jobs = got.map((g) => g.job);
  r.oneRuntime = got.every((g) => g.numGoroutine >= 1 && g.seesPoolGoroutine);
  r.sample = got[0];
  // Two copies on the page (the app's and the dependency's) are one runtime.
  const fromLib = libChan<number>(1);
  fromLib.trySend(5);
  const c = recv(fromLib);
  r.pageCopies = { sameChan: libChan === chan, sameNumGoroutine: libNumGoroutine === numGoroutine, selected: [await select([c]), c.value] };
  pool.go(tasks, "fails");
  await panic;
  r.panics = panics;
  await pool.close();
  return r;
}

run().then(
  (r) => report(r),
  (e: unknown) => report({ error: String(e), stack: (e as Error)?.stack }),
);

function report(r: unknown): void {
  const text = JSON.stringify(r);
  document.getElementById("result")!.textContent = text;
  void fetch("/result", { method: "POST", body: text });
}
