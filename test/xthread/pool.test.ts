// Goroutines on a pool of workers (API.md, workers()): tasks run as goroutines on worker threads,
// shared channels in their arguments arrive attached, a parked goroutine leaves its worker free, a
// busy worker's backlog is taken by the others, panics reach this thread's handler with the
// worker's stack, and close/terminate end the pool.

import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chan, workers, setPanicHandler, Mutex } from "../../dist/index.js";
import type { WorkerPool } from "../../dist/index.js";

const TASKS = new URL("../fixtures/xthread/tasks.mjs", import.meta.url);

afterEach(() => setPanicHandler(null));

/** Has the workers of a pool of 2 load the task module, so that a task then parks in its
 *  synchronous start: two tasks, one each as they come (a worker takes its next task only once
 *  the last one has started, its module loaded). Waits until those tasks have ended. */
async function loadTasks(pool: WorkerPool): Promise<void> {
  const warm = chan<number>(2, { shared: true });
  pool.go(TASKS, "add", 1, 1, warm);
  pool.go(TASKS, "add", 1, 1, warm);
  await warm.recv();
  await warm.recv();
  await until(async () => (await pool.goroutines()).length === 0);
}

/** Resolves once `cond()` holds, asked every 5 ms; fails after 10 s. */
async function until(cond: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("until: the condition never held");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("workers()", () => {
  it("runs 2000 tasks on 2 workers; results come back on a shared channel", async () => {
    const pool = await workers({ size: 2 });
    expect(pool.size).toBe(2);
    const out = chan<number>(64, { shared: true });
    const N = 2000;
    for (let i = 0; i < N; i++) pool.go(TASKS, "add", i, 1, out);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += (await out.recv())!;
    expect(sum).toBe((N * (N - 1)) / 2 + N);
    await pool.close();
  });

  it("takes the module as a path string too", async () => {
    const pool = await workers({ size: 1 });
    const out = chan<number>(1, { shared: true });
    pool.go(fileURLToPath(TASKS), "add", 2, 3, out);
    expect(await out.recv()).toBe(5);
    await pool.close();
  });

  it("shared channels anywhere in the arguments arrive attached; other values are copied", async () => {
    const pool = await workers({ size: 1 });
    const out = chan<unknown>(2, { shared: true }), inner = chan<string>(1, { shared: true });
    pool.go(TASKS, "kinds", { m: new Map([[1, 2]]), d: new Date(0), deep: [{ ch: inner }] }, out);
    expect(await out.recv()).toEqual({ map: true, date: true, nested: true });
    expect(await inner.recv()).toBe("through the nested channel");
    await pool.close();
  });

  it("a goroutine parked on a channel leaves its only worker free for the next task", async () => {
    const pool = await workers({ size: 1 });
    const a = chan<number>(0, { shared: true }), b = chan<number>(0, { shared: true });
    // The first task parks on `a`; the second (same single worker) must run to feed it.
    pool.go(TASKS, "relay", { in: a, outs: [b] });
    pool.go(TASKS, "add", 41, 0, a);
    expect(await b.recv()).toBe(42);
    await pool.close();
  });

  it("a busy worker's backlog is taken by the other worker", async () => {
    const pool = await workers({ size: 2 });
    const out = chan<string>(16, { shared: true }), started = chan<number>(1, { shared: true });
    pool.go(TASKS, "busy", 3000, started, out);
    await started.recv(); // one worker is now busy running code
    for (let i = 0; i < 5; i++) pool.go(TASKS, "quick", out);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push((await out.recv())!);
    expect(order.slice(0, 5)).toEqual(["quick", "quick", "quick", "quick", "quick"]);
    expect(order[5]).toBe("slow");
    await pool.close();
  });

  it("refuses local channels, thread-bound objects and functions at the call", async () => {
    const pool = await workers({ size: 1 });
    expect(() => pool.go(TASKS, "add", 1, 2, chan(1))).toThrow(/local channel/);
    expect(() => pool.go(TASKS, "add", 1, 2, { m: new Mutex() })).toThrow(TypeError);
    expect(() => pool.go(TASKS, "add", () => 1, 2)).toThrow(/function/);
    expect(() => pool.go("relative/tasks.js", "add")).toThrow(TypeError);
    expect(() => pool.go(TASKS, "")).toThrow(TypeError);
    await pool.close();
    expect(() => pool.go(TASKS, "add", 1, 2, chan(1, { shared: true }))).toThrow(/closed/);
    await pool.close(); // idempotent
  });

  it("panics, a missing export and a goroutine's panic reach this thread's handler with the worker's stack", async () => {
    const got: { message: string; stack: string; name: string }[] = [];
    setPanicHandler((e) => got.push(e as { message: string; stack: string; name: string }));
    const pool = await workers({ size: 1 });
    pool.go(TASKS, "throws");
    pool.go(TASKS, "nope");
    pool.go(TASKS, "startsPanicking");
    pool.go(new URL("./missing.mjs", TASKS), "x");
    for (let i = 0; i < 1000 && got.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    const messages = got.map((e) => e.message).sort();
    expect(messages.length).toBe(4);
    expect(messages).toContain("thrown in a pool task");
    expect(messages).toContain("panic in a goroutine a task started");
    expect(messages.some((m) => /has no exported function "nope"/.test(m))).toBe(true);
    expect(messages.some((m) => /missing\.mjs/.test(m))).toBe(true);
    const thrown = got.find((e) => e.message === "thrown in a pool task")!;
    expect(thrown.name).toBe("RangeError");
    expect(thrown.stack).toMatch(/tasks\.mjs/); // the worker's stack
    await pool.close();
  });

  it("goroutines(): each worker's goroutines, named after their export, with their worker and state; none once they end", async () => {
    const pool = await workers({ size: 2 });
    await loadTasks(pool);
    const a = chan<number>(0, { shared: true }), b = chan<number>(8, { shared: true });
    for (let i = 0; i < 5; i++) pool.go(TASKS, "relay", { in: a, outs: [b] });
    await until(async () => (await pool.goroutines()).length === 5);
    const gs = await pool.goroutines();
    expect(gs.map((g) => [g.fn, g.state])).toEqual(Array(5).fill(["relay", "chan receive"]));
    for (const g of gs) {
      expect([0, 1]).toContain(g.worker);
      expect(g.id).toBeGreaterThan(0);
      expect(g.waitingSinceMs).toBeGreaterThanOrEqual(0);
    }
    const order = gs.map((g) => [g.worker, g.id]);
    expect(order).toEqual([...order].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!));
    expect(new Set(gs.map((g) => `${g.worker}:${g.id}`)).size).toBe(5);
    for (let i = 0; i < 5; i++) await a.send(i);
    let sum = 0;
    for (let i = 0; i < 5; i++) sum += (await b.recv())!;
    expect(sum).toBe(15);
    await until(async () => (await pool.goroutines()).length === 0);
    await pool.close();
    expect(await pool.goroutines()).toEqual([]);
  });

  it("goroutines(): a worker busy running code answers once it is free; queries at once are each answered", async () => {
    const pool = await workers({ size: 1 });
    const out = chan<string>(16, { shared: true }), started = chan<number>(1, { shared: true });
    pool.go(TASKS, "busy", 300, started, out);
    await started.recv();
    const answers = await Promise.all(Array.from({ length: 10 }, () => pool.goroutines()));
    // The worker answered after its busy loop, which sends "slow" as soon as it ends.
    expect(out.len).toBe(1);
    for (const gs of answers) for (const g of gs) expect(g.worker).toBe(0);
    await pool.close();
  });

  it("goroutines(): after terminate(), and on a closing pool, it resolves", async () => {
    const pool = await workers({ size: 2 });
    const never = chan<number>(0, { shared: true });
    pool.go(TASKS, "relay", { in: never, outs: [never] });
    await until(async () => (await pool.goroutines()).length === 1);
    const pending = pool.goroutines();
    await pool.terminate();
    expect((await pending).length).toBeLessThanOrEqual(1);
    expect(await pool.goroutines()).toEqual([]);

    const other = await workers({ size: 2 });
    const out = chan<number>(1, { shared: true });
    other.go(TASKS, "add", 2, 2, out);
    const closing = other.close();
    const during = other.goroutines();
    await closing;
    expect(Array.isArray(await during)).toBe(true);
    expect(await other.goroutines()).toEqual([]);
    expect(await out.recv()).toBe(4);
  });

  it("a worker that exits (process.exit in a task) is reported; goroutines() and close() do not wait for it", async () => {
    const panics: string[] = [];
    setPanicHandler((e) => void panics.push(String((e as Error).message)));
    const pool = await workers({ size: 2 });
    const a = chan<number>(0, { shared: true }), b = chan<number>(4, { shared: true });
    pool.go(TASKS, "exitWorker");
    await until(async () => panics.length > 0);
    expect(panics[0]).toMatch(/^pool: worker [01] exited with code 3; the goroutines it ran \(1 of its tasks\) are gone$/);
    // The other worker still runs tasks, and answers.
    pool.go(TASKS, "relay", { in: a, outs: [b] });
    await until(async () => (await pool.goroutines()).length === 1);
    await a.send(1);
    expect(await b.recv()).toBe(2);
    await pool.close();
  });

  it("a pool idle after its worker exited does not keep the process alive (the exited worker's task is counted as gone)", () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL("../fixtures/xthread/exit-worker.mjs", import.meta.url))], {
      encoding: "utf8",
      timeout: 20_000,
    });
    const [message, left, ...rest] = r.stdout.trim().split("\n");
    expect(message).toMatch(/^pool: worker [01] exited with code 3; the goroutines it ran \(1 of its tasks\) are gone$/);
    expect([left, rest]).toEqual(["0", []]);
    expect(r.status).toBe(0);
  });

  it("workers() rejects when a worker fails to start, and leaves nothing running", () => {
    // Every worker thread of that process throws at its start (a module preloaded with --import).
    const dir = fileURLToPath(new URL("../fixtures/xthread/", import.meta.url));
    const r = spawnSync(process.execPath, ["--import", "./fail-in-workers.mjs", "pool-start-fails.mjs"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.stdout.trim()).toMatch(/^workers: pool worker [01] failed to start: this worker cannot start$/);
    // The other worker fails too, after the pool is gone: no panic for it.
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("goroutines() on an idle pool keeps the process alive until the workers answer", () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL("../fixtures/xthread/query-idle-pool.mjs", import.meta.url))], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("0");
    expect(r.status).toBe(0);
  });

  it("startTrace()/stopTrace(): one trace of every worker, a process each, its goroutines' tracks named after their task", async () => {
    const pool = await workers({ size: 2 });
    await loadTasks(pool);
    const before = performance.timeOrigin + performance.now();
    await pool.startTrace();
    await expect(pool.startTrace()).rejects.toThrow(/already recording/);
    // Enough tasks that a worker's trace comes back in several parts (10,000 events each).
    const out = chan<number>(64, { shared: true });
    const N = 3000;
    for (let i = 0; i < N; i++) pool.go(TASKS, "add", i, 0, out);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += (await out.recv())!;
    expect(sum).toBe((N * (N - 1)) / 2);
    const a = chan<number>(0, { shared: true }), b = chan<number>(8, { shared: true });
    for (let i = 0; i < 4; i++) pool.go(TASKS, "relay", { in: a, outs: [b] });
    await until(async () => (await pool.goroutines()).length === 4);
    for (let i = 0; i < 4; i++) await a.send(i);
    for (let i = 0; i < 4; i++) await b.recv();
    await until(async () => (await pool.goroutines()).length === 0);
    const t = await pool.stopTrace();
    await expect(pool.stopTrace()).rejects.toThrow(/no trace of this pool is recording/);
    await pool.close();

    const ev = t.traceEvents;
    expect(ev.length).toBeGreaterThan(2 * 10_000);
    const procs = ev.filter((e) => e.ph === "M" && e.name === "process_name").map((e) => [e.pid, e.args!.name]);
    expect(procs).toEqual([[2, "pool worker 0"], [3, "pool worker 1"]]);
    for (const e of ev) expect([2, 3]).toContain(e.pid);
    // Every goroutine has a named track in its worker's process: one per task.
    const tracks = ev.filter((e) => e.ph === "M" && e.name === "thread_name");
    const named = (fn: string) => tracks.filter((e) => new RegExp(`^goroutine \\d+ \\(${fn}\\)$`).test(String(e.args!.name))).length;
    expect(named("add")).toBe(N);
    expect(named("relay")).toBe(4);
    const tracked = new Set(tracks.map((e) => `${e.pid}:${e.tid}`));
    for (const e of ev) if (e.ph === "X") expect(tracked.has(`${e.pid}:${e.tid}`)).toBe(true);
    // The relays' blocked slices carry Go's wait reason; every flow start has its end in its process.
    const relayTids = new Set(tracks.filter((e) => String(e.args!.name).endsWith("(relay)")).map((e) => `${e.pid}:${e.tid}`));
    const blocked = ev.filter((e) => e.ph === "X" && e.name === "chan receive" && relayTids.has(`${e.pid}:${e.tid}`));
    expect(blocked.length).toBe(4);
    const ends = new Set(ev.filter((e) => e.ph === "f").map((e) => `${e.pid}:${e.cat}:${e.id}`));
    for (const e of ev) if (e.ph === "s") expect(ends.has(`${e.pid}:${e.cat}:${e.id}`)).toBe(true);
    // Times count from the pool's startTrace(), in microseconds. A worker's clock is lined up by
    // performance.timeOrigin, which each thread samples from the wall clock at its start: a
    // millisecond of slack for that.
    expect(t.otherData.origin).toBeGreaterThanOrEqual(before);
    const end = t.otherData.durationMs * 1000;
    const outside = ev.filter((e) => e.ph !== "M" && (e.ts < -1000 || e.ts + (e.dur ?? 0) > end + 1000));
    expect(outside).toEqual([]);
    expect(t.otherData.droppedEvents).toBe(0);
  });

  it("startTrace() checks its options as startTrace does, on every worker; maxEvents bounds each worker's events", async () => {
    const pool = await workers({ size: 2 });
    await expect(pool.startTrace(null as never)).rejects.toThrow(TypeError);
    await expect(pool.startTrace({ maxEvents: 0 })).rejects.toThrow(RangeError);
    await pool.startTrace({ maxEvents: 20 }); // the failed starts left nothing recording
    const out = chan<number>(64, { shared: true });
    for (let i = 0; i < 100; i++) pool.go(TASKS, "add", i, 0, out);
    for (let i = 0; i < 100; i++) await out.recv();
    const t = await pool.stopTrace();
    expect(t.otherData.droppedEvents).toBeGreaterThan(0);
    for (const pid of [2, 3]) expect(t.traceEvents.filter((e) => e.pid === pid && e.ph !== "M" && e.tid !== 0).length).toBeLessThanOrEqual(20);
    await pool.terminate();
    await expect(pool.stopTrace()).rejects.toThrow(/no trace/);
  });

  it("checks its size", async () => {
    await expect(workers({ size: 0 })).rejects.toThrow(RangeError);
    await expect(workers({ size: 1.5 })).rejects.toThrow(RangeError);
    await expect(workers({ size: "2" as never })).rejects.toThrow(RangeError);
  });

  it("terminate() stops the workers at once", async () => {
    const pool = await workers({ size: 1 });
    const never = chan<number>(0, { shared: true });
    pool.go(TASKS, "relay", { in: never, outs: [never] });
    await pool.terminate();
    expect(() => pool.go(TASKS, "quick", never)).toThrow(/closed/);
  });

  it("an idle pool does not keep the process alive", () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL("../fixtures/xthread/idle-pool.mjs", import.meta.url))], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.stdout.trim()).toBe("42");
    expect(r.status).toBe(0);
  });
});
