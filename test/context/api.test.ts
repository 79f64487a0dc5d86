// The context table of API.md, row by row, plus fromSignal, afterDone (the internal hook the sync
// package uses) and the cleanup guarantees: a child that ends leaves its parent's child set, an
// early cancel stops the deadline timer, fromSignal removes its listener. Deadlines run under
// vitest's fake timers.

import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  background, withCancel, withTimeout, withDeadline, withValue, fromSignal, Canceled, DeadlineExceeded,
} from "../../src/context.js";
import type { Context } from "../../src/context.js";
import { childCount, registeredWith } from "../../src/context.js";
import { pendingTimers } from "../../src/time.js";
import { chan, recv, select } from "../../src/index.js";

afterEach(() => {
  vi.useRealTimers();
});

const isDone = (ctx: Context): boolean => ctx.done().tryRecv() !== undefined;

describe("errors", () => {
  it("Canceled and DeadlineExceeded are singletons with Go's messages", () => {
    expect(Canceled).toBeInstanceOf(Error);
    expect(Canceled.message).toBe("context canceled");
    expect(DeadlineExceeded).toBeInstanceOf(Error);
    expect(DeadlineExceeded.message).toBe("context deadline exceeded");
  });
});

describe("background", () => {
  it("is never done, has no values, no deadline, and is always the same object", async () => {
    const bg = background();
    expect(background()).toBe(bg);
    expect(bg.err()).toBeUndefined();
    expect(bg.value("k")).toBeUndefined();
    expect(bg.deadline()).toBeUndefined();
    expect(bg.signal.aborted).toBe(false);
    expect(isDone(bg)).toBe(false);
    const a = recv(bg.done()), b = recv(chan<void>());
    expect(await select([a, b], { default: true })).toBe(-1);
    expect(String(bg)).toBe("context.Background");
  });
});

describe("withCancel", () => {
  it("ends on cancel with Canceled; cancel is idempotent", () => {
    const [ctx, cancel] = withCancel(background());
    expect(ctx.err()).toBeUndefined();
    expect(isDone(ctx)).toBe(false);
    cancel();
    expect(ctx.err()).toBe(Canceled);
    expect(ctx.done().tryRecv()).toEqual([undefined, false]); // closed
    cancel();
    cancel();
    expect(ctx.err()).toBe(Canceled);
  });

  it("cancelling a parent cancels every descendant, through value contexts too", () => {
    const [root, cancelRoot] = withCancel(background());
    const [a] = withCancel(root);
    const v = withValue(a, "k", 1);
    const [b] = withCancel(v);
    const [c] = withTimeout(b, 3_600_000);
    const [sibling, cancelSibling] = withCancel(background());
    cancelRoot();
    for (const ctx of [root, a, v, b, c]) {
      expect(ctx.err()).toBe(Canceled);
      expect(isDone(ctx)).toBe(true);
    }
    expect(sibling.err()).toBeUndefined();
    expect(pendingTimers()).toBe(0); // c's deadline timer was stopped
    cancelSibling();
  });

  it("cancelling a child leaves the parent live and removes the child from it", () => {
    const [parent, cancelParent] = withCancel(background());
    const [child, cancelChild] = withCancel(parent);
    expect(childCount(parent)).toBe(1);
    expect(registeredWith(child)).toBe(parent);
    cancelChild();
    expect(childCount(parent)).toBe(0);
    expect(parent.err()).toBeUndefined();
    cancelParent();
  });

  it("a child of an ended parent is born ended", () => {
    const [parent, cancel] = withCancel(background());
    cancel();
    const [child] = withCancel(parent);
    expect(child.err()).toBe(Canceled);
    expect(isDone(child)).toBe(true);
    expect(childCount(parent)).toBe(0);
  });

  it("done() wakes a parked receiver and a select", async () => {
    const [ctx, cancel] = withCancel(background());
    const p = ctx.done().recvOk();
    const never = chan<number>();
    const a = recv(never), d = recv(ctx.done());
    const s = select([a, d]);
    cancel();
    expect(await p).toEqual([undefined, false]);
    expect(await s).toBe(1);
  });

  it("10^5 short-lived children under one long-lived parent leave nothing behind", () => {
    const [parent, cancelParent] = withCancel(background());
    let maxKids = 0;
    for (let i = 0; i < 100_000; i++) {
      const [child, cancel] = i % 2 === 0 ? withCancel(parent) : withTimeout(parent, 60_000);
      if (i % 3 === 0) child.done(); // some with their channel made
      if (i % 1000 === 0) maxKids = Math.max(maxKids, childCount(parent));
      cancel();
    }
    expect(maxKids).toBeLessThanOrEqual(1);
    expect(childCount(parent)).toBe(0);
    expect(pendingTimers()).toBe(0);
    cancelParent();
  });

  it("rejects a missing parent", () => {
    expect(() => withCancel(undefined as unknown as Context)).toThrow(TypeError);
    expect(() => withCancel(null as unknown as Context)).toThrow("cannot create context from nil parent");
    expect(() => withCancel({} as Context)).toThrow(TypeError);
  });
});

describe("withTimeout / withDeadline", () => {
  it("withTimeout ends at the deadline with DeadlineExceeded, not before", async () => {
    vi.useFakeTimers();
    const [ctx, cancel] = withTimeout(background(), 50);
    expect(ctx.deadline()).toBe(Date.now() + 50);
    await vi.advanceTimersByTimeAsync(49);
    expect(ctx.err()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(ctx.err()).toBe(DeadlineExceeded);
    expect(isDone(ctx)).toBe(true);
    cancel(); // after the deadline: changes nothing
    expect(ctx.err()).toBe(DeadlineExceeded);
  });

  it("withDeadline takes an epoch time; one in the past or now ends the context at once", () => {
    for (const d of [Date.now() - 1, Date.now(), -Infinity]) {
      const [ctx] = withDeadline(background(), d);
      expect(ctx.err()).toBe(DeadlineExceeded);
      expect(isDone(ctx)).toBe(true);
    }
    const [z] = withTimeout(background(), 0);
    expect(z.err()).toBe(DeadlineExceeded);
    expect(pendingTimers()).toBe(0);
  });

  it("cancel before the deadline gives Canceled and stops the timer", () => {
    const before = pendingTimers();
    const [ctx, cancel] = withTimeout(background(), 60_000);
    expect(pendingTimers()).toBe(before + 1);
    cancel();
    expect(ctx.err()).toBe(Canceled);
    expect(pendingTimers()).toBe(before);
  });

  it("a child's deadline is the earlier of its own and its parent's", async () => {
    vi.useFakeTimers();
    const now = Date.now();
    const [parent, cancelParent] = withDeadline(background(), now + 100);
    const [later, c1] = withDeadline(parent, now + 500);
    const [earlier, c2] = withDeadline(parent, now + 50);
    const [plain, c3] = withCancel(withValue(parent, "k", "v"));
    expect(later.deadline()).toBe(now + 100);
    expect(earlier.deadline()).toBe(now + 50);
    expect(plain.deadline()).toBe(now + 100);
    await vi.advanceTimersByTimeAsync(50);
    expect(earlier.err()).toBe(DeadlineExceeded);
    expect(parent.err()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(50);
    for (const ctx of [parent, later, plain]) expect(ctx.err()).toBe(DeadlineExceeded);
    expect(pendingTimers()).toBe(0);
    c1();
    c2();
    c3();
    cancelParent();
  });

  it("a deadline that ends a context removes it from its parent", async () => {
    vi.useFakeTimers();
    const [parent, cancel] = withCancel(background());
    withTimeout(parent, 10);
    expect(childCount(parent)).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(childCount(parent)).toBe(0);
    cancel();
  });

  it("rejects bad durations and deadlines", () => {
    expect(() => withTimeout(background(), NaN)).toThrow(RangeError);
    expect(() => withTimeout(background(), "5" as unknown as number)).toThrow(TypeError);
    expect(() => withDeadline(background(), NaN)).toThrow(RangeError);
    expect(() => withDeadline(background(), new Date() as unknown as number)).toThrow(TypeError);
  });
});

describe("withValue", () => {
  it("carries a value to descendants; nearer values shadow farther ones; keys compare with ===", () => {
    const k1 = Symbol("k1"), k2 = {}, k3 = "k3";
    const c1 = withValue(background(), k1, "c1k1");
    const [c2] = withCancel(withValue(c1, k2, "c2k2"));
    const c3 = withValue(c2, k1, "shadow");
    expect(c1.value(k1)).toBe("c1k1");
    expect(c2.value(k1)).toBe("c1k1");
    expect(c2.value(k2)).toBe("c2k2");
    expect(c3.value(k1)).toBe("shadow");
    expect(c3.value({})).toBeUndefined();
    expect(c3.value(k3)).toBeUndefined();
    expect(withValue(background(), "a", 1).value("a")).toBe(1);
  });

  it("ends with its parent, and follows its parent's err, signal and deadline", () => {
    const [p, cancel] = withTimeout(background(), 60_000);
    const v = withValue(p, "k", 1);
    expect(v.deadline()).toBe(p.deadline());
    expect(v.signal).toBe(p.signal);
    cancel();
    expect(v.err()).toBe(Canceled);
    expect(isDone(v)).toBe(true);
  });

  it("rejects a nil key and a missing parent", () => {
    expect(() => withValue(background(), undefined, 1)).toThrow("nil key");
    expect(() => withValue(background(), null, 1)).toThrow(TypeError);
    expect(() => withValue(undefined as unknown as Context, "k", 1)).toThrow(TypeError);
  });
});

describe("signal", () => {
  it("is aborted when the context ends, with err() as its reason", () => {
    const [ctx, cancel] = withCancel(background());
    const s = ctx.signal;
    expect(ctx.signal).toBe(s);
    let reason: unknown;
    s.addEventListener("abort", () => (reason = s.reason));
    expect(s.aborted).toBe(false);
    cancel();
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe(ctx.err());
    expect(reason).toBe(Canceled);
  });

  it("made after the end is already aborted; a deadline's reason is DeadlineExceeded", async () => {
    const [ctx] = withTimeout(background(), -1);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(DeadlineExceeded);
    vi.useFakeTimers();
    const [t] = withTimeout(background(), 10);
    const s = t.signal;
    await vi.advanceTimersByTimeAsync(10);
    expect(s.reason).toBe(DeadlineExceeded);
  });

  it("listeners see the whole subtree ended", () => {
    const [parent, cancel] = withCancel(background());
    const [child] = withCancel(parent);
    let seen: unknown = "not run";
    parent.signal.addEventListener("abort", () => (seen = child.err()));
    cancel();
    expect(seen).toBe(Canceled);
  });
});

describe("fromSignal", () => {
  it("ends the context when the signal aborts, with Canceled", () => {
    const ac = new AbortController();
    const [ctx, cancel] = fromSignal(ac.signal);
    expect(ctx.err()).toBeUndefined();
    ac.abort(new Error("user gave up"));
    expect(ctx.err()).toBe(Canceled);
    expect(isDone(ctx)).toBe(true);
    cancel();
  });

  it("an already aborted signal gives an ended context", () => {
    const [ctx] = fromSignal(AbortSignal.abort());
    expect(ctx.err()).toBe(Canceled);
  });

  it("follows its parent too, and removes its listener however it ends", () => {
    const ac = new AbortController();
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const add = ac.signal.addEventListener.bind(ac.signal);
    const rem = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((type: string, fn: EventListener) => {
      added.push(fn);
      add(type, fn);
    }) as typeof ac.signal.addEventListener;
    ac.signal.removeEventListener = ((type: string, fn: EventListener) => {
      removed.push(fn);
      rem(type, fn);
    }) as typeof ac.signal.removeEventListener;

    const [a, cancelA] = fromSignal(ac.signal);
    cancelA();
    const [parent, cancelParent] = withCancel(background());
    const [b] = fromSignal(ac.signal, parent);
    cancelParent();
    expect(a.err()).toBe(Canceled);
    expect(b.err()).toBe(Canceled);
    expect(added.length).toBe(2);
    expect(removed).toEqual(added);
    ac.abort(); // nothing left to run
  });

  it("many short-lived contexts on one long-lived signal leave no listener behind", () => {
    const ac = new AbortController();
    let live = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const rem = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((t: string, f: EventListener) => (live++, add(t, f))) as typeof add;
    ac.signal.removeEventListener = ((t: string, f: EventListener) => (live--, rem(t, f))) as typeof rem;
    for (let i = 0; i < 10_000; i++) fromSignal(ac.signal)[1]();
    expect(live).toBe(0);
  });

  it("many live contexts on one signal share one listener (no leak warning); the abort ends each; the last one cancelled takes the listener away", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const ac = new AbortController();
      const made = Array.from({ length: 50 }, () => fromSignal(ac.signal));
      // Children of a context that is not baton's but has a signal follow it the same way.
      const foreign = {
        done: () => background().done(),
        err: () => (ac.signal.aborted ? Canceled : undefined),
        value: () => undefined,
        deadline: () => undefined,
        signal: ac.signal,
      } as unknown as Context;
      const children = Array.from({ length: 50 }, () => withCancel(foreign));
      expect(getEventListeners(ac.signal, "abort").length).toBe(1);
      made[0]![1]();
      children[0]![1]();
      ac.abort();
      expect(made.map(([c]) => c.err())).toEqual(Array(50).fill(Canceled));
      expect(children.map(([c]) => c.err())).toEqual(Array(50).fill(Canceled));
      expect(getEventListeners(ac.signal, "abort").length).toBe(0);

      const ac2 = new AbortController();
      const cancels = Array.from({ length: 30 }, () => fromSignal(ac2.signal)[1]);
      for (const cancel of cancels.slice(1)) cancel();
      expect(getEventListeners(ac2.signal, "abort").length).toBe(1);
      cancels[0]!();
      expect(getEventListeners(ac2.signal, "abort").length).toBe(0);
      await new Promise((r) => setImmediate(r)); // a warning is emitted on a later tick
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("rejects what is not an AbortSignal", () => {
    expect(() => fromSignal({} as AbortSignal)).toThrow(TypeError);
    expect(() => fromSignal(undefined as unknown as AbortSignal)).toThrow(TypeError);
  });
});

describe("afterDone (internal)", () => {
  it("runs once, synchronously inside the cancel, after err is set", () => {
    const [ctx, cancel] = withCancel(background());
    const seen: unknown[] = [];
    ctx.afterDone(() => seen.push(ctx.err()));
    expect(seen).toEqual([]);
    cancel();
    expect(seen).toEqual([Canceled]);
    cancel();
    expect(seen).toEqual([Canceled]);
  });

  it("runs at once on an ended context; unregistering prevents it", () => {
    const [ctx, cancel] = withCancel(background());
    let n = 0;
    const unregister = ctx.afterDone(() => n++);
    unregister();
    cancel();
    expect(n).toBe(0);
    ctx.afterDone(() => n++);
    expect(n).toBe(1);
  });

  it("passes through value contexts; background never calls it", () => {
    const [p, cancel] = withCancel(background());
    let n = 0;
    withValue(p, "k", 1).afterDone(() => n++);
    background().afterDone(() => n++)();
    cancel();
    expect(n).toBe(1);
  });
});

describe("foreign parents", () => {
  it("a Context implemented elsewhere is followed through its signal", () => {
    const ac = new AbortController();
    let err: Error | undefined;
    const foreign = {
      done: () => chan<void>(),
      err: () => err,
      value: (k: unknown) => (k === "who" ? "foreign" : undefined),
      deadline: () => undefined,
      signal: ac.signal,
    } as unknown as Context;
    const [child] = withCancel(foreign);
    expect(child.value("who")).toBe("foreign");
    err = Canceled;
    ac.abort(Canceled);
    expect(child.err()).toBe(Canceled);
  });
});
