// A TypeScript user's view of the published package: this file imports "batonjs" (resolved to
// dist/*.d.ts through package.json's exports) and is compiled with skipLibCheck off, so that
// declarations that do not compile on their own (a stripped internal type, say) fail the check.
import { chan, recv, send, select, go, WaitGroup, Mutex, newTimer, withTimeout, background, goroutines, sharedMemory } from "batonjs";
import type { Chan, RecvChan, SendChan, Context, GoroutineInfo, WaitOptions, SelectOptions, WorkerPool, PoolGoroutineInfo, TraceData } from "batonjs";
import { leakCheck } from "batonjs/testing";

export async function consumer(): Promise<number | undefined> {
  const c: Chan<number> = chan<number>(1);
  const r: RecvChan<number> = c;
  const s: SendChan<number> = c;
  await s.send(1);
  const rc = recv(r);
  await select([rc, send(null, 0)]);
  const wg = new WaitGroup();
  wg.go(async () => {
    const m = new Mutex();
    await m.lock();
    m.unlock();
  });
  await wg.wait();
  const t = newTimer(10);
  t.stop();
  const [ctx, cancel]: [Context, () => void] = withTimeout(background(), 10);
  cancel();
  void ctx;
  // Withdrawable waits: the option types are public.
  const ac = new AbortController();
  const wo: WaitOptions = { signal: ac.signal };
  const so: SelectOptions = { signal: ctx.signal, default: true };
  void wo;
  void so;
  const gs: GoroutineInfo[] = goroutines();
  const fns: string[] = gs.map((g) => g.fn);
  void fns;
  const shared: boolean = sharedMemory;
  void shared;
  // A pool's goroutines: each a GoroutineInfo with its worker.
  const onPool = async (pool: WorkerPool): Promise<number[]> => {
    await pool.startTrace({ maxEvents: 1000 });
    const pooled: TraceData = await pool.stopTrace();
    const origin: number = pooled.otherData.origin;
    void origin;
    const all: PoolGoroutineInfo[] = await pool.goroutines();
    const asInfo: GoroutineInfo[] = all;
    void asInfo;
    return all.map((g) => g.worker);
  };
  void onPool;
  // Chan is exported as a type only: the package has no runtime export of that name.
  // @ts-expect-error 'Chan' only refers to a type
  void new Chan<number>();
  const check = leakCheck();
  go(() => {});
  await check();
  return rc.value;
}
