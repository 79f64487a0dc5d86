// batonjs/testing's leak check (in the manner of Uber's goleak): leakCheck() remembers the
// goroutines alive now; the function it returns resolves once every goroutine started since has
// finished, or rejects with a LeakError listing those still alive after timeoutMs.
//
// Every goroutine a test parks is woken (its channel closed) before the test ends.

import { describe, expect, it } from "vitest";
import { chan, go, goroutines } from "../../src/index.js";
import { leakCheck, LeakError } from "../../src/testing.js";
import { sleep } from "../helpers/wait.js";

/** Waits (bounded) until no goroutine of `ids` is alive; the bound is reached only on failure. */
async function gone(ids: number[], ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  const alive = () => goroutines().some((g) => ids.includes(g.id));
  while (alive() && Date.now() < end) await sleep(1);
  return !alive();
}

// Stays in this file: createdAt names the file that calls go(), which the tests check.
/** Starts fn as a goroutine and returns its id (the one new entry of goroutines()). */
function goTracked(fn: () => unknown): number {
  const before = new Set(goroutines().map((g) => g.id));
  go(fn);
  const added = goroutines().filter((g) => !before.has(g.id));
  expect(added).toHaveLength(1);
  return added[0]!.id;
}

describe("leakCheck", () => {
  it("rejects with a LeakError naming a goroutine parked forever", async () => {
    const check = leakCheck({ timeoutMs: 50 });
    const ch = chan<number>();
    const id = goTracked(() => ch.recv());
    let error: unknown;
    try {
      await check();
    } catch (e) {
      error = e;
    }
    try {
      expect(error).toBeInstanceOf(LeakError);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("LeakError");
      const leak = error as LeakError;
      expect(leak.leaked).toHaveLength(1);
      expect(leak.leaked[0]!.id).toBe(id);
      expect(leak.leaked[0]!.state).toBe("chan receive");
      expect(leak.leaked[0]!.createdAt).toContain("leak.test.ts");
      expect(leak.message).toContain(`goroutine ${id} [chan receive]`);
      expect(leak.message).toContain("leak.test.ts");
    } finally {
      ch.close();
    }
    expect(await gone([id])).toBe(true);
  });

  it("lists every leaked goroutine, each with its state", async () => {
    const check = leakCheck({ timeoutMs: 50 });
    const a = chan<number>();
    const b = chan<number>();
    const r = goTracked(() => a.recv());
    const s = goTracked(() => b.send(1).catch(() => {}));
    const error = await check().then(
      () => undefined,
      (e: unknown) => e,
    );
    a.close();
    b.close();
    expect(error).toBeInstanceOf(LeakError);
    const leaked = (error as LeakError).leaked.map((g) => [g.id, g.state]).sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(leaked).toEqual([
      [r, "chan receive"],
      [s, "chan send"],
    ]);
    expect(await gone([r, s])).toBe(true);
  });

  it("resolves when the goroutines started since finish within the timeout", async () => {
    const check = leakCheck({ timeoutMs: 5000 });
    const ch = chan<number>();
    const ids = [
      goTracked(() => {}),
      goTracked(async () => {
        await sleep(20);
      }),
      goTracked(() => ch.recv()),
    ];
    setTimeout(() => ch.close(), 20);
    await expect(check()).resolves.toBeUndefined();
    expect(await gone(ids, 0)).toBe(true);
  });

  it("resolves at once when nothing was started", async () => {
    await expect(leakCheck({ timeoutMs: 0 })()).resolves.toBeUndefined();
  });

  it("does not report goroutines alive before leakCheck() was called", async () => {
    const old = chan<number>();
    const before = goTracked(() => old.recv());
    const check = leakCheck({ timeoutMs: 50 });
    try {
      await expect(check()).resolves.toBeUndefined();

      // With a new leak too, only the new one is listed.
      const check2 = leakCheck({ timeoutMs: 50 });
      const fresh = chan<number>();
      const after = goTracked(() => fresh.recv());
      const error = await check2().then(
        () => undefined,
        (e: unknown) => e,
      );
      fresh.close();
      expect(error).toBeInstanceOf(LeakError);
      expect((error as LeakError).leaked.map((g) => g.id)).toEqual([after]);
      expect(await gone([after])).toBe(true);
    } finally {
      old.close();
    }
    expect(await gone([before])).toBe(true);
  });
});
