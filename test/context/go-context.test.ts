// Ports of Go's src/context/context_test.go: TestBackground, TestWithCancel, TestParentFinishesChild,
// TestChildFinishesFirst, TestDeadline, TestTimeout, TestCanceledTimeout, TestValues,
// TestCancelRemoves, TestSimultaneousCancels, TestInterlockedCancels and TestLayers, in our own
// words. Go's "otherContext" (a Context of a type the package does not know) becomes a wrapper
// object that forwards every method, including the internal afterDone. Deadlines run under
// vitest's fake timers, so "should have timed out within a second" is exact.

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  background, withCancel, withTimeout, withDeadline, withValue, Canceled, DeadlineExceeded,
} from "../../src/context.js";
import type { CancelFunc, Context } from "../../src/context.js";
import { childCount, registeredWith } from "../../src/context.js";
import { after } from "../../src/time.js";
import { pendingTimers } from "../../src/time.js";
import { go, recv, select } from "../../src/index.js";
import { Rng } from "../helpers/util.js";

afterEach(() => {
  vi.useRealTimers();
});

/** Go's otherContext: forwards everything to ctx, but is none of the package's own types. */
function other(ctx: Context): Context {
  return {
    done: () => ctx.done(),
    err: () => ctx.err(),
    value: (k: unknown) => ctx.value(k),
    deadline: () => ctx.deadline(),
    get signal() {
      return ctx.signal;
    },
    afterDone: (fn: () => void) => ctx.afterDone(fn),
  };
}

const blocks = (ctx: Context): boolean => ctx.done().tryRecv() === undefined;

/** Go's testDeadline: the context ends before failAfter, with DeadlineExceeded. */
async function testDeadline(c: Context, failAfter: number): Promise<void> {
  const t = recv(after(failAfter)), d = recv(c.done());
  const p = select([t, d]);
  await vi.advanceTimersByTimeAsync(failAfter);
  expect(await p).toBe(1); // "context should have timed out"
  expect(c.err()).toBe(DeadlineExceeded);
}

describe("context_test.go", () => {
  it("TestBackground", () => {
    const c = background();
    expect(blocks(c)).toBe(true);
    expect(String(c)).toBe("context.Background");
  });

  it("TestWithCancel", () => {
    const [c1, cancel] = withCancel(background());
    expect(String(c1)).toBe("context.Background.WithCancel");
    const o = other(c1);
    const [c2] = withCancel(o);
    const contexts = [c1, o, c2];
    for (const c of contexts) {
      expect(c.err()).toBeUndefined();
      expect(blocks(c)).toBe(true);
    }
    cancel();
    for (const c of contexts) {
      expect(blocks(c)).toBe(false);
      expect(c.err()).toBe(Canceled);
    }
  });

  it("TestParentFinishesChild", () => {
    // parent -> cancelChild; parent -> valueChild -> timerChild
    const [parent, cancel] = withCancel(background());
    const [cancelChild, stop1] = withCancel(parent);
    const valueChild = withValue(parent, "key", "value");
    const [timerChild, stop2] = withTimeout(valueChild, 10_000 * 3_600_000);
    for (const c of [parent, cancelChild, valueChild, timerChild]) expect(blocks(c)).toBe(true);

    // The parent's children are the two cancellable children.
    expect(childCount(parent)).toBe(2);
    expect(registeredWith(cancelChild)).toBe(parent);
    expect(registeredWith(timerChild)).toBe(parent);

    cancel();
    expect(childCount(parent)).toBe(0); // cancel cleared the children
    for (const c of [parent, cancelChild, valueChild, timerChild]) {
      expect(blocks(c)).toBe(false);
      expect(c.err()).toBe(Canceled);
    }
    // A context made on a cancelled parent is cancelled.
    const precanceledChild = withValue(parent, "key", "value");
    expect(blocks(precanceledChild)).toBe(false);
    expect(precanceledChild.err()).toBe(Canceled);
    stop1();
    stop2();
    expect(pendingTimers()).toBe(0);
  });

  it("TestChildFinishesFirst", () => {
    const [cancelable, stop] = withCancel(background());
    for (const parent of [background(), cancelable]) {
      const [child, cancel] = withCancel(parent);
      expect(blocks(parent)).toBe(true);
      expect(blocks(child)).toBe(true);
      const pcok = parent !== background();
      expect(registeredWith(child)).toBe(pcok ? parent : null);
      if (pcok) expect(childCount(parent)).toBe(1);
      cancel();
      if (pcok) expect(childCount(parent)).toBe(0); // the child's cancel removed it
      expect(blocks(child)).toBe(false);
      expect(child.err()).toBe(Canceled);
      expect(blocks(parent)).toBe(true);
      expect(parent.err()).toBeUndefined();
    }
    stop();
  });

  it("TestDeadline", async () => {
    vi.useFakeTimers();
    let [c] = withDeadline(background(), Date.now() + 50);
    expect(String(c).startsWith("context.Background.WithDeadline(")).toBe(true);
    await testDeadline(c, 1000);

    [c] = withDeadline(background(), Date.now() + 50);
    await testDeadline(other(c), 1000);

    [c] = withDeadline(background(), Date.now() + 50);
    [c] = withDeadline(other(c), Date.now() + 4000);
    await testDeadline(c, 2000);

    [c] = withDeadline(background(), Date.now() - 1);
    await testDeadline(c, 1000);

    [c] = withDeadline(background(), Date.now());
    await testDeadline(c, 1000);
    expect(pendingTimers()).toBe(0);
  });

  it("TestTimeout", async () => {
    vi.useFakeTimers();
    let [c] = withTimeout(background(), 50);
    expect(String(c).startsWith("context.Background.WithDeadline(")).toBe(true);
    await testDeadline(c, 1000);

    [c] = withTimeout(background(), 50);
    await testDeadline(other(c), 1000);

    [c] = withTimeout(background(), 50);
    [c] = withTimeout(other(c), 3000);
    await testDeadline(c, 2000);
    expect(pendingTimers()).toBe(0);
  });

  it("TestCanceledTimeout", () => {
    const [c0, stop] = withTimeout(background(), 1000);
    const [c, cancel] = withTimeout(other(c0), 2000);
    cancel();
    expect(blocks(c)).toBe(false);
    expect(c.err()).toBe(Canceled);
    stop();
    expect(pendingTimers()).toBe(0);
  });

  it("TestValues", () => {
    // Go's keys: key1(1), key2(1) (same int, other type) and key2(3). Here: distinct objects.
    const k1 = { key1: 1 }, k2 = { key2: 1 }, k3 = { key2: 3 };
    const check = (c: Context, v1: string, v2: string, v3: string) => {
      expect(c.value(k1) ?? "").toBe(v1);
      expect(c.value(k2) ?? "").toBe(v2);
      expect(c.value(k3) ?? "").toBe(v3);
    };
    check(background(), "", "", "");
    const c1 = withValue(background(), k1, "c1k1");
    check(c1, "c1k1", "", "");
    expect(String(withValue(background(), "k", "v"))).toBe('context.Background.WithValue("k", "v")');
    const c2 = withValue(c1, k2, "c2k2");
    check(c2, "c1k1", "c2k2", "");
    const c3 = withValue(c2, k3, "c3k3");
    check(c3, "c1k1", "c2k2", "c3k3");
    const c4 = withValue(c3, k1, undefined);
    check(c4, "", "c2k2", "c3k3");

    check(other(background()), "", "", "");
    const o1 = other(withValue(background(), k1, "c1k1"));
    check(o1, "c1k1", "", "");
    const o2 = withValue(o1, k2, "o2k2");
    check(o2, "c1k1", "o2k2", "");
    const o3 = other(c4);
    check(o3, "", "c2k2", "c3k3");
    const o4 = withValue(o3, k3, undefined);
    check(o4, "", "c2k2", "");
  });

  it("TestCancelRemoves", () => {
    let [ctx] = withCancel(background());
    expect(childCount(ctx)).toBe(0);
    let [, cancel] = withCancel(ctx);
    expect(childCount(ctx)).toBe(1);
    cancel();
    expect(childCount(ctx)).toBe(0);

    [ctx] = withCancel(background());
    expect(childCount(ctx)).toBe(0);
    [, cancel] = withTimeout(ctx, 60 * 60_000);
    expect(childCount(ctx)).toBe(1);
    cancel();
    expect(childCount(ctx)).toBe(0);
    expect(pendingTimers()).toBe(0);
  });

  it("TestSimultaneousCancels: a tree of 100 contexts cancelled from goroutines in random order", async () => {
    const [root, cancelRoot] = withCancel(background());
    const m = new Map<Context, CancelFunc>([[root, cancelRoot]]);
    const q: Context[] = [root];
    while (q.length !== 0 && m.size < 100) {
      const parent = q.shift()!;
      for (let i = 0; i < 4; i++) {
        const [ctx, cancel] = withCancel(parent);
        m.set(ctx, cancel);
        q.push(ctx);
      }
    }
    const rng = new Rng(1);
    for (const cancel of rng.shuffle([...m.values()])) go(cancel);
    for (const ctx of rng.shuffle([...m.keys()])) {
      expect(await ctx.done().recvOk()).toEqual([undefined, false]);
      expect(ctx.err()).toBe(Canceled);
    }
  });

  it("TestInterlockedCancels: a child cancelled while its parent's cancel runs", async () => {
    const [parent, cancelParent] = withCancel(background());
    const [child, cancelChild] = withCancel(parent);
    go(() => {
      parent.done();
      cancelChild();
    });
    cancelParent();
    expect(await child.done().recvOk()).toEqual([undefined, false]);
    // And the reentrant case: the child's cancel called from the parent's own notification.
    const [p2, c2] = withCancel(background());
    const [k2, ck2] = withCancel(p2);
    p2.afterDone(ck2);
    c2();
    expect(k2.err()).toBe(Canceled);
  });

  for (const testTimeout of [false, true]) {
    it(`TestLayers${testTimeout ? "Timeout" : "Cancel"}: random layers of values, cancels and timeouts`, async () => {
      vi.useFakeTimers();
      const rng = new Rng(testTimeout ? 20 : 10);
      const timeout = 200;
      const vals: object[] = [];
      const cancels: CancelFunc[] = [];
      let numTimers = 0;
      let ctx = background();
      for (let i = 0; i < 30 || numTimers === 0 || cancels.length === 0 || vals.length === 0; i++) {
        switch (rng.int(3)) {
          case 0: {
            const v = {};
            ctx = withValue(ctx, v, v);
            vals.push(v);
            break;
          }
          case 1: {
            let cancel: CancelFunc;
            [ctx, cancel] = withCancel(ctx);
            cancels.push(cancel);
            break;
          }
          case 2: {
            let cancel: CancelFunc;
            [ctx, cancel] = withTimeout(ctx, timeout);
            cancels.push(cancel);
            numTimers++;
            break;
          }
        }
      }
      const checkValues = () => {
        for (const key of vals) expect(ctx.value(key)).toBe(key);
      };
      expect(blocks(ctx)).toBe(true);
      expect(String(ctx).startsWith("context.Background.")).toBe(true);
      checkValues();
      if (testTimeout) {
        const t = recv(after(timeout + 1000)), d = recv(ctx.done());
        const p = select([t, d]);
        await vi.advanceTimersByTimeAsync(timeout);
        expect(await p).toBe(1); // "ctx should have timed out"
        expect(ctx.err()).toBe(DeadlineExceeded);
        await vi.advanceTimersByTimeAsync(1000);
      } else {
        cancels[rng.int(cancels.length)]!();
        expect(blocks(ctx)).toBe(false);
      }
      checkValues();
      for (const c of cancels) c();
      expect(pendingTimers()).toBe(0);
    });
  }
});
