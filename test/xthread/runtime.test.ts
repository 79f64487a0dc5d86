// Two copies of baton in one thread join one runtime (src/runtime.ts): a second copy of dist/
// exports the first copy's functions and classes; a pool task module that imports its own copy
// and registers its tasks (registerTasks, as a bundled worker does) runs on the pool worker's
// runtime.
import { afterAll, describe, expect, it } from "vitest";
import { cpSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as first from "../../dist/index.js";
import { chan, workers } from "../../dist/index.js";

const dist = fileURLToPath(new URL("../../dist", import.meta.url));
const copy = fileURLToPath(new URL("../fixtures/xthread/second-copy", import.meta.url));
cpSync(dist, copy, { recursive: true });
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("two copies of baton in one thread", () => {
  it("the second copy's entry exports the first copy's runtime", async () => {
    const second = (await import(/* @vite-ignore */ `${copy}/index.js`)) as typeof first;
    expect(second.chan).toBe(first.chan);
    expect(second.Mutex).toBe(first.Mutex);
    expect(second.PanicError).toBe(first.PanicError);
    // A channel of one, in the other's select.
    const ch = first.chan<number>(1);
    ch.trySend(7);
    const c = second.recv(ch);
    expect(await second.select([c])).toBe(0);
    expect(c.value).toBe(7);
  });

  it("a pool task module with its own copy and registered tasks runs on the pool worker's runtime", async () => {
    const pool = await workers({ size: 1 });
    try {
      const inp = chan<number>(1, { shared: true }), out = chan<[number, number]>(1, { shared: true });
      pool.go(new URL("../fixtures/xthread/registered.mjs", import.meta.url), "double", inp, out);
      await inp.send(21);
      const [v, n] = (await out.recv())!;
      expect(v).toBe(42);
      expect(n).toBeGreaterThanOrEqual(1);
    } finally {
      await pool.close();
    }
  });
});
