// goroutines(), the goroutine dump as data (API.md, Goroutines): one entry per live goroutine,
// with its id, Go's wait reason as its state, how long it has been in it, and where it was
// created. Also: the panic handler's id matches the dump's, and configure({ creationSites }).
//
// Every goroutine a test parks is woken (its channel closed) before the test ends, except those
// parked in a select that can never proceed (select([]), nil channels), which cannot be woken:
// tests therefore look only at the goroutines they started, never at the whole list's length.

import { afterEach, describe, expect, it } from "vitest";
import {
  chan, configure, go, goroutines, numGoroutine, recv, select, send, setPanicHandler, Group, Mutex,
  WaitGroup, sleep as batonSleep,
} from "../../src/index.js";
import type { GoroutineInfo } from "../../src/index.js";
import { eventually as waitUntil, sleep } from "../helpers/wait.js";

/** The shared eventually(), with this file's bound of 5 s. */
const eventually = (cond: () => boolean): Promise<boolean> => waitUntil(cond, 5000);

// Stays in this file: createdAt names the file that calls go(), which the tests check.
/** Starts fn as a goroutine and returns its id, read from goroutines() as the one new entry. */
function goTracked(fn: () => unknown): number {
  const before = new Set(goroutines().map((g) => g.id));
  go(fn);
  const added = goroutines().filter((g) => !before.has(g.id));
  expect(added).toHaveLength(1);
  return added[0]!.id;
}

/** The dump's entry for goroutine `id`, or undefined once it has finished. */
function info(id: number): GoroutineInfo | undefined {
  return goroutines().find((g) => g.id === id);
}

/** Lets queued goroutines start and run their synchronous part (a macrotask runs after them). */
const settle = () => sleep(0);

afterEach(() => {
  setPanicHandler(null);
  configure({ creationSites: true });
});

describe("goroutines()", () => {
  it("lists each live goroutine once, with a numeric id, and as many entries as numGoroutine()", async () => {
    const ch = chan<number>();
    const ids = [goTracked(() => ch.recv()), goTracked(() => ch.recv()), goTracked(() => ch.recv())];
    await settle();
    const list = goroutines();
    for (const g of list) {
      expect(typeof g.id).toBe("number");
      expect(Number.isInteger(g.id)).toBe(true);
    }
    expect(new Set(list.map((g) => g.id)).size).toBe(list.length);
    expect(list).toHaveLength(numGoroutine());
    for (const id of ids) expect(list.filter((g) => g.id === id)).toHaveLength(1);
    expect(new Set(ids).size).toBe(3);
    ch.close();
    expect(await eventually(() => ids.every((id) => info(id) === undefined))).toBe(true);
  });

  it('reports "runnable" for a goroutine that has not started yet', async () => {
    let ran = false;
    const id = goTracked(() => {
      ran = true;
    });
    // Still inside the synchronous code that called go: the goroutine has not started.
    expect(ran).toBe(false);
    const g = info(id)!;
    expect(g.state).toBe("runnable");
    expect(g.waitingSinceMs).toBeGreaterThanOrEqual(0);
    expect(await eventually(() => ran && info(id) === undefined)).toBe(true);
  });

  it('reports "chan receive" for a goroutine parked in a receive', async () => {
    const ch = chan<number>();
    const id = goTracked(() => ch.recv());
    await settle();
    expect(info(id)!.state).toBe("chan receive");
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it('reports "chan receive" for recvOk and for a for-await loop too', async () => {
    const a = chan<number>();
    const b = chan<number>();
    const idOk = goTracked(() => a.recvOk());
    const idIter = goTracked(async () => {
      for await (const _ of b) {
        // nothing is ever sent
      }
    });
    await settle();
    expect(info(idOk)!.state).toBe("chan receive");
    expect(info(idIter)!.state).toBe("chan receive");
    a.close();
    b.close();
    expect(await eventually(() => info(idOk) === undefined && info(idIter) === undefined)).toBe(true);
  });

  it('reports "chan send" for a goroutine parked in a send', async () => {
    const ch = chan<number>();
    const id = goTracked(() => ch.send(1).catch(() => {})); // the close below rejects the send
    await settle();
    expect(info(id)!.state).toBe("chan send");
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it('reports "chan send" for a send into a full buffer', async () => {
    const ch = chan<number>(1);
    ch.trySend(0);
    const id = goTracked(() => ch.send(1));
    await settle();
    expect(info(id)!.state).toBe("chan send");
    expect(await ch.recv()).toBe(0); // makes room: the parked send completes
    expect(await eventually(() => info(id) === undefined)).toBe(true);
    expect(await ch.recv()).toBe(1);
  });

  it('reports "select" for a goroutine parked in a select', async () => {
    const a = chan<number>();
    const b = chan<number>();
    const id = goTracked(() => select([recv(a), send(b, 1)]));
    await settle();
    expect(info(id)!.state).toBe("select");
    a.close(); // the receive case proceeds
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it('reports "select (no cases)" for select([]) and for a select over only nil channels', async () => {
    // Neither can ever proceed: these goroutines stay parked for the rest of this file.
    const empty = goTracked(() => select([]));
    const nils = goTracked(() => select([recv(null), send(null, 1)]));
    await settle();
    expect(info(empty)!.state).toBe("select (no cases)");
    expect(info(nils)!.state).toBe("select (no cases)");
  });

  // The facade knows whose a wait is only while the goroutine's synchronous start runs; a wait
  // parked after the goroutine's first await could be any code's. (These two cases used to expect
  // the reasons that the dump matched to goroutines by elimination: a guess, which dump.test.ts
  // shows going wrong.)
  it('reports "waiting", never a guessed reason, for a goroutine that parked after an await', async () => {
    const gate = chan<void>();
    const ch = chan<number>();
    let reached = false;
    const id = goTracked(async () => {
      await gate.recv();
      reached = true;
      await ch.recv(); // parked after the first await: the facade no longer knows who runs
    });
    await settle();
    expect(info(id)!.state).toBe("chan receive"); // parked in its synchronous start: known
    gate.close();
    expect(await eventually(() => reached)).toBe(true);
    await settle();
    expect(info(id)!.state).toBe("waiting");
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it("claims none of the waits parked after an await, while the program waits too", async () => {
    // The program itself waits (a baton sleep) while goroutines park after their first await:
    // none of these waits is known to be whose, so every goroutine shows "waiting".
    const ch = chan<number>(), out = chan<number>();
    const mu = new Mutex();
    await mu.lock();
    const a = goTracked(async () => {
      await batonSleep(5);
      await ch.recv();
    });
    const b = goTracked(async () => {
      await batonSleep(10);
      await out.send(1);
    });
    const c = goTracked(async () => {
      await batonSleep(15);
      await mu.lock();
      mu.unlock();
    });
    const d = goTracked(async () => {
      await batonSleep(1);
      await batonSleep(150);
    });
    for (const id of [a, b, c, d]) expect(info(id)!.state).toBe("runnable");
    await settle();
    for (const id of [a, b, c]) expect(info(id)!.state).toBe("sleep"); // the first sleep: known
    await batonSleep(80); // fires after every goroutine's first sleep, before d's second (deadline order)
    for (const id of [a, b, c, d]) expect(info(id)!.state).toBe("waiting");
    ch.close();
    expect(await out.recv()).toBe(1);
    mu.unlock();
    expect(await eventually(() => [a, b, c, d].every((id) => info(id) === undefined))).toBe(true);
  });

  it("drops the entries of goroutines that have finished", async () => {
    const ch = chan<number>();
    const parked = goTracked(() => ch.recv());
    const quick = goTracked(() => {});
    const quickAsync = goTracked(async () => {
      await sleep(1);
    });
    expect(info(parked)).toBeDefined();
    expect(info(quick)).toBeDefined();
    expect(info(quickAsync)).toBeDefined();
    expect(await eventually(() => info(quick) === undefined && info(quickAsync) === undefined)).toBe(true);
    expect(info(parked)!.state).toBe("chan receive");
    ch.close();
    expect(await eventually(() => info(parked) === undefined)).toBe(true);
  });

  it("names this test file in createdAt", async () => {
    const ch = chan<number>();
    const id = goTracked(() => ch.recv());
    expect(info(id)!.createdAt).toContain("goroutines.test.ts");
    await settle();
    expect(info(id)!.createdAt).toContain("goroutines.test.ts");
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it("names the caller's file for a goroutine started from another goroutine", async () => {
    const ch = chan<number>();
    const ids = chan<number>(1);
    go(() => {
      ids.trySend(goTracked(() => ch.recv()));
    });
    const id = (await ids.recv())!;
    expect(info(id)!.createdAt).toContain("goroutines.test.ts");
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it("names the caller's file for goroutines started by wg.go(fn)", async () => {
    const ch = chan<number>();
    const wg = new WaitGroup();
    const before = new Set(goroutines().map((g) => g.id));
    wg.go(() => ch.recv());
    const added = goroutines().filter((g) => !before.has(g.id));
    expect(added).toHaveLength(1);
    expect(added[0]!.createdAt).toContain("goroutines.test.ts");
    ch.close();
    await wg.wait();
  });

  it("names the caller's file for goroutines started by group.go(fn) and group.tryGo(fn), with a limit too", async () => {
    const ch = chan<number>();
    const group = new Group();
    group.setLimit(2);
    const before = new Set(goroutines().map((g) => g.id));
    void group.go(() => ch.recv());
    expect(group.tryGo(() => ch.recv())).toBe(true);
    // Over the limit: this one starts only once another has returned, from a later task.
    const third = group.go(() => ch.recv());
    const started = goroutines().filter((g) => !before.has(g.id));
    expect(started).toHaveLength(2);
    for (const g of started) expect(g.createdAt).toContain("goroutines.test.ts");
    ch.trySend(1) || (await ch.send(1));
    await third;
    const all = goroutines().filter((g) => !before.has(g.id));
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const g of all) expect(g.createdAt).toContain("goroutines.test.ts");
    ch.close();
    await group.wait();
  });

  it('names the goroutine\'s function in fn, "" for an anonymous one', async () => {
    const ch = chan<number>();
    async function receiver(): Promise<void> {
      await ch.recv();
    }
    const waitForIt = () => ch.recv(); // an inferred name
    const named = goTracked(receiver);
    const inferred = goTracked(waitForIt);
    const anonymous = goTracked(() => ch.recv());
    const bound = goTracked(receiver.bind(null));
    const ids = [named, inferred, anonymous, bound];
    await settle();
    expect(ids.map((id) => info(id)!.fn)).toEqual(["receiver", "waitForIt", "", "bound receiver"]);
    expect(info(named)!.state).toBe("chan receive");
    ch.close();
    expect(await eventually(() => ids.every((id) => info(id) === undefined))).toBe(true);
  });

  it("names the user's function for wg.go(fn) and group.go(fn), not baton's wrapper", async () => {
    const ch = chan<number>();
    const before = new Set(goroutines().map((g) => g.id));
    const wg = new WaitGroup();
    wg.go(async function wgWorker() {
      await ch.recv();
    });
    const gate = chan<number>();
    const group = new Group();
    group.setLimit(1);
    void group.go(async function groupWorker() {
      await gate.recv();
    });
    const later = group.go(async function laterWorker() {
      await ch.recv();
    }); // over the limit: started later, from another task
    gate.trySend(1) || (await gate.send(1));
    await later;
    await settle();
    const fns = goroutines()
      .filter((g) => !before.has(g.id))
      .map((g) => g.fn)
      .sort();
    expect(fns).toEqual(["laterWorker", "wgWorker"]);
    ch.close();
    await wg.wait();
    await group.wait();
  });

  it("reads the function's name only when asked, and gives \"\" for a name that is not a string or throws", async () => {
    const ch = chan<number>();
    let reads = 0;
    const counted = () => ch.recv();
    Object.defineProperty(counted, "name", {
      get() {
        reads++;
        return "counted";
      },
    });
    const throwing = () => ch.recv();
    Object.defineProperty(throwing, "name", {
      get() {
        throw new Error("no name");
      },
    });
    const numbered = () => ch.recv();
    Object.defineProperty(numbered, "name", { value: 42 });
    const before = new Set(goroutines().map((g) => g.id));
    go(counted);
    go(throwing);
    go(numbered);
    await settle();
    expect(reads).toBe(0); // not at go(), not at start
    const mine = goroutines().filter((g) => !before.has(g.id));
    expect(reads).toBe(1);
    expect(mine.map((g) => g.fn)).toEqual(["counted", "", ""]);
    ch.close();
    expect(await eventually(() => mine.every((g) => info(g.id) === undefined))).toBe(true);
  });

  it("names the function with creation sites off too", async () => {
    const ch = chan<number>();
    configure({ creationSites: false });
    const id = goTracked(function siteless() {
      return ch.recv();
    });
    configure({ creationSites: true });
    await settle();
    expect(info(id)).toMatchObject({ fn: "siteless", createdAt: "" });
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it("counts waitingSinceMs from when the goroutine parked", async () => {
    const ch = chan<number>();
    const id = goTracked(() => ch.recv());
    await settle();
    const first = info(id)!.waitingSinceMs;
    expect(first).toBeGreaterThanOrEqual(0);
    await sleep(30);
    const later = info(id)!;
    expect(later.state).toBe("chan receive");
    expect(later.waitingSinceMs).toBeGreaterThanOrEqual(20); // lower bound only
    expect(later.waitingSinceMs).toBeGreaterThanOrEqual(first);
    ch.close();
    expect(await eventually(() => info(id) === undefined)).toBe(true);
  });

  it("gives the panic handler the id that goroutines() showed", async () => {
    const gate = chan<void>();
    const got: { error: unknown; info: GoroutineInfo }[] = [];
    setPanicHandler((error, i) => {
      got.push({ error, info: i });
    });
    const boom = new Error("boom");
    const id = goTracked(async () => {
      await gate.recv();
      throw boom;
    });
    await settle();
    const shown = info(id)!;
    expect(shown.state).toBe("chan receive");
    gate.close();
    expect(await eventually(() => got.length === 1)).toBe(true);
    expect(got[0]!.error).toBe(boom);
    expect(got[0]!.info.id).toBe(id);
    expect(got[0]!.info.createdAt).toBe(shown.createdAt);
    expect(got[0]!.info.createdAt).toContain("goroutines.test.ts");
    expect(got[0]!.info.fn).toBe(shown.fn);
    expect(info(id)).toBeUndefined();
  });

  it('leaves createdAt "" for goroutines started with configure({ creationSites: false })', async () => {
    const ch = chan<number>();
    const withSite = goTracked(() => ch.recv());
    configure({ creationSites: false });
    const without = goTracked(() => ch.recv());
    const withoutToo = goTracked(async () => {
      await ch.recv();
    });
    configure({ creationSites: true });
    const again = goTracked(() => ch.recv());
    await settle();
    expect(info(withSite)!.createdAt).toContain("goroutines.test.ts");
    expect(info(without)!.createdAt).toBe("");
    expect(info(withoutToo)!.createdAt).toBe("");
    expect(info(again)!.createdAt).toContain("goroutines.test.ts");
    // The state is still reported without a creation site.
    expect(info(without)!.state).toBe("chan receive");
    ch.close();
    expect(await eventually(() => [withSite, without, withoutToo, again].every((id) => info(id) === undefined))).toBe(
      true,
    );
  });
});
