// The same package seen from CommonJS TypeScript: `import` in a .cts file compiles to require(),
// which resolves through package.json's "require" condition to dist/*.d.cts. Compiled with
// skipLibCheck off, as consumer.ts is.
import { chan, go, goroutines, sharedMemory, Canceled, DeadlineExceeded } from "batonjs";
import type { Chan, GoroutineInfo } from "batonjs";
import { leakCheck } from "batonjs/testing";

export async function consumerCjs(): Promise<number | undefined> {
  const c: Chan<number> = chan<number>(1);
  go(async () => {
    await c.send(1);
  });
  const shared: boolean = sharedMemory;
  const names: string[] = [Canceled.name, DeadlineExceeded.name];
  void shared;
  void names;
  const gs: GoroutineInfo[] = goroutines();
  const fn: string | undefined = gs[0]?.fn;
  void fn;
  const check = leakCheck();
  const v = await c.recv();
  await check();
  return v;
}
