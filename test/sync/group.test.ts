// Group (x/sync/errgroup): the API.md sync row, ports of golang.org/x/sync's
// errgroup/errgroup_test.go (TestZeroGroup, TestWithContext, TestTryGo, TestGoLimit,
// TestCancelCause's wait-cancels-the-context half), and the JS side of Go's blocking g.Go:
// go() over the limit returns a promise that resolves once the goroutine has started.

import { describe, expect, it } from "vitest";
import { Group } from "../../src/sync/index.js";
import { chan, go, gosched, numGoroutine, PanicError } from "../../src/index.js";
import { background, withCancel, Canceled } from "../../src/context.js";
import { forEachWait, K_SEND } from "../../src/core.js";
import { useGoroutineHygiene } from "../helpers/goroutines.js";
import { yields } from "../helpers/wait.js";

const hygiene = useGoroutineHygiene({ checkGoroutines: false });

/** g.wait()'s outcome: undefined, or the error it rejected with. */
async function waitErr(g: Group): Promise<unknown> {
  return g.wait().then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("Group (API.md: x/sync/errgroup)", () => {
  it("TestZeroGroup: wait() gives the first error thrown, after each go", async () => {
    const err1 = new Error("errgroup_test: 1");
    const err2 = new Error("errgroup_test: 2");
    const cases: (Error | null)[][] = [[], [null], [err1], [err1, null], [err1, null, err2]];
    for (const errs of cases) {
      const g = new Group();
      let firstErr: Error | null = null;
      for (const err of errs) {
        g.go(() => {
          if (err !== null) throw err;
        });
        if (firstErr === null && err !== null) firstErr = err;
        expect(await waitErr(g)).toBe(firstErr ?? undefined);
      }
    }
  });

  it("TestWithContext: wait() gives the first error, and the context is done afterwards either way", async () => {
    const errDoom = new Error("group_test: doomed");
    const cases: { errs: (Error | null)[]; want: Error | undefined }[] = [
      { errs: [], want: undefined },
      { errs: [null], want: undefined },
      { errs: [errDoom], want: errDoom },
      { errs: [errDoom, null], want: errDoom },
    ];
    for (const tc of cases) {
      const [g, ctx] = Group.withContext(background());
      for (const err of tc.errs) {
        g.go(async () => {
          if (err !== null) throw err;
        });
      }
      expect(await waitErr(g)).toBe(tc.want);
      expect(ctx.done().tryRecv(), "ctx.done() was not closed").toEqual([undefined, false]);
      expect(ctx.err()).toBe(Canceled);
    }
  });

  it("TestCancelCause (tryGo half): wait() via tryGo gives the first error and cancels the context", async () => {
    const errDoom = new Error("group_test: doomed");
    for (const errs of [[], [null], [errDoom], [errDoom, null]] as (Error | null)[][]) {
      const [g, ctx] = Group.withContext(background());
      for (const err of errs) {
        expect(
          g.tryGo(() => {
            if (err !== null) throw err;
          }),
        ).toBe(true);
      }
      expect(await waitErr(g)).toBe(errs[0] ?? undefined);
      expect(ctx.err()).toBe(Canceled);
    }
  });

  it("the first error cancels the group's context at once, before wait(); later errors are dropped", async () => {
    const [g, ctx] = Group.withContext(background());
    const first = new Error("first");
    const seen: unknown[] = [];
    g.go(async () => {
      await ctx.done().recv(); // a sibling that stops when the group's context ends
      seen.push(ctx.err());
      throw new Error("second");
    });
    g.go(async () => {
      await gosched();
      throw first;
    });
    await yields();
    expect(seen).toEqual([Canceled]);
    expect(await waitErr(g)).toBe(first);
  });

  it("the context follows its parent", async () => {
    const [parent, cancel] = withCancel(background());
    const [g, ctx] = Group.withContext(parent);
    g.go(() => ctx.done().recv());
    cancel();
    expect(await waitErr(g)).toBeUndefined();
    expect(ctx.err()).toBe(Canceled);
  });

  it("TestTryGo: with a limit, tryGo fails exactly when the limit is reached", async () => {
    const g = new Group();
    const n = 42;
    g.setLimit(42);
    const ch = chan<void>();
    const fn = () => ch.send();
    for (let i = 0; i < n; i++) expect(g.tryGo(fn), `tryGo should succeed at call ${i}`).toBe(true);
    expect(g.tryGo(fn), "tryGo should fail at the limit").toBe(false);
    go(async () => {
      for (let i = 0; i < n; i++) await ch.recv();
    });
    await g.wait();
    expect(g.tryGo(fn), "tryGo should succeed after all goroutines").toBe(true);
    go(() => ch.recv());
    await g.wait();
    // Switch limit.
    g.setLimit(1);
    expect(g.tryGo(fn)).toBe(true);
    expect(g.tryGo(fn)).toBe(false);
    go(() => ch.recv());
    await g.wait();
    // Block all calls.
    g.setLimit(0);
    for (let i = 0; i < 1 << 10; i++) expect(g.tryGo(fn)).toBe(false);
    await g.wait();
  });

  it("TestGoLimit: with limit 10, never more than 10 of 1025 goroutines run at once", async () => {
    const limit = 10;
    const g = new Group();
    g.setLimit(limit);
    let active = 0;
    let peak = 0;
    let ran = 0;
    for (let i = 0; i <= 1 << 10; i++) {
      await g.go(async () => {
        const n = ++active;
        peak = Math.max(peak, n);
        if (n > limit) throw new Error(`saw ${n} active goroutines; want ≤ ${limit}`);
        await gosched(); // give other goroutines a chance to increment active
        active--;
        ran++;
      });
    }
    expect(await waitErr(g)).toBeUndefined();
    expect(ran).toBe(1025);
    expect(peak).toBe(limit);
  });

  it("go() over the limit waits in a channel send, and wait() covers goroutines not yet started", async () => {
    const g = new Group();
    g.setLimit(2);
    const release = chan<void>();
    let started = 0;
    let finished = 0;
    const body = async () => {
      started++;
      await release.recv();
      finished++;
    };
    const launches = [g.go(body), g.go(body), g.go(body), g.go(body)];
    let launched = 0;
    for (const l of launches) void l.then(() => launched++);
    await yields();
    expect(started).toBe(2);
    expect(launched).toBe(2);
    // The two go() calls over the limit wait in a channel send ("chan send"), as Go's g.Go blocks.
    let sending = 0;
    forEachWait((token) => {
      if ((token & 7) === K_SEND) sending++;
    });
    expect(sending).toBe(2);
    let done = false;
    void g.wait().then(() => (done = true));
    for (let i = 0; i < 4; i++) await release.send();
    await Promise.all(launches);
    await yields();
    expect(done).toBe(true);
    expect(started).toBe(4);
    expect(finished).toBe(4);
  });

  it("setLimit while goroutines started under a limit are active panics, as in Go", async () => {
    const g = new Group();
    g.setLimit(3);
    const release = chan<void>();
    g.go(() => release.recv());
    g.go(() => release.recv());
    let err: unknown;
    try {
      g.setLimit(5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PanicError);
    expect((err as Error).message).toBe("errgroup: modify limit while 2 goroutines in the group are still active");
    await release.send();
    await release.send();
    await g.wait();
    g.setLimit(5); // fine once they have returned
    g.setLimit(-1); // no limit
    for (let i = 0; i < 100; i++) expect(g.tryGo(() => {})).toBe(true);
    await g.wait();
  });

  it("errors are not panics; a sync throw and a non-Error throw count too", async () => {
    const g = new Group();
    g.go(() => {
      throw "plain string";
    });
    expect(await waitErr(g)).toBe("plain string");
    const h = new Group();
    h.go(() => {
      throw undefined;
    });
    await expect(h.wait()).rejects.toBeUndefined();
    expect(hygiene.panics()).toEqual([]);
  });

  it("runs goroutines after the caller's synchronous code, and a zero Group's wait resolves at once", async () => {
    const g = new Group();
    await g.wait();
    const log: string[] = [];
    g.go(() => void log.push("goroutine"));
    log.push("caller");
    await g.wait();
    expect(log).toEqual(["caller", "goroutine"]);
    expect(numGoroutine()).toBe(hygiene.baseGoroutines());
  });

  it("bad input throws at the call", () => {
    const g = new Group();
    expect(() => g.go(1 as unknown as () => void)).toThrow(TypeError);
    expect(() => g.tryGo(null as unknown as () => void)).toThrow(TypeError);
    expect(() => g.setLimit(1.5)).toThrow(RangeError);
    expect(() => g.setLimit("2" as unknown as number)).toThrow(TypeError);
  });
});
