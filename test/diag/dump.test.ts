// What the goroutine dump may claim (src/diag.ts). A wait is known to be a goroutine's only when
// the goroutine parked it during its synchronous start; after its first await, JavaScript cannot
// tell whose code parks a wait. So: a goroutine parked in a known wait shows that wait's reason;
// one whose wait is not known shows Go's generic "waiting", never a guessed reason; the text
// dump lists the waits it cannot attribute, saying whose they may be.
//
// Every goroutine a test parks is woken before the test ends.

import { describe, expect, it } from "vitest";
import { chan, configure, go, goroutines, numGoroutine } from "../../src/index.js";
import { formatDump } from "../../src/diag.js";
import { eventually, sleep } from "../helpers/wait.js";

/** Starts goroutines with go(fn) for each fn; returns their ids (the new entries of goroutines()). */
function goAll(fns: (() => unknown)[]): number[] {
  const before = new Set(goroutines().map((g) => g.id));
  for (const fn of fns) go(fn);
  const ids = goroutines()
    .filter((g) => !before.has(g.id))
    .map((g) => g.id);
  expect(ids).toHaveLength(fns.length);
  return ids;
}

function stateOf(id: number): string | undefined {
  return goroutines().find((g) => g.id === id)?.state;
}

/** The paragraph of the text dump that lists unattributed waits, or "" if there is none. */
function unattributedSection(dump: string): string {
  return dump.split("\n\n").find((p) => p.startsWith("unattributed waits")) ?? "";
}

describe("goroutines() never states a guessed wait", () => {
  it("shows a goroutine awaiting a plain setTimeout promise as waiting, not in a channel wait", async () => {
    const ch = chan<number>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake: (() => void) | undefined;
    const [id] = goAll([
      async () => {
        await null;
        await new Promise<void>((r) => {
          wake = r;
          timer = setTimeout(r, 1e4);
        });
      },
    ]);
    // A channel wait of the test's own code (not a goroutine's), left parked.
    const left = ch.recv();
    expect(await eventually(() => wake !== undefined)).toBe(true);
    expect(stateOf(id!)).toBe("waiting");
    // The text dump: the receive is not said to be the goroutine's.
    const dump = formatDump();
    expect(dump).toMatch(new RegExp(`^goroutine ${id} \\[waiting\\]:`, "m"));
    expect(dump).not.toMatch(new RegExp(`^goroutine ${id} \\[chan receive`, "m"));
    expect(unattributedSection(dump)).toContain("[chan receive]");
    clearTimeout(timer);
    wake!();
    ch.trySend(1);
    expect(await left).toBe(1);
    expect(await eventually(() => stateOf(id!) === undefined)).toBe(true);
  });

  it("with 10^4 goroutines re-parked after an await and the program's own send: no wrong state", async () => {
    const N = 10_000;
    const gate = chan<void>();
    const work = chan<number>();
    const out = chan<number>();
    const base = numGoroutine();
    let reparked = 0;
    const fns: (() => unknown)[] = [];
    for (let i = 0; i < N; i++) {
      fns.push(async () => {
        await gate.recv(); // parked in its synchronous start: known
        reparked++;
        await work.recv(); // parked after an await: not known
      });
    }
    const ids = goAll(fns);
    await sleep(0);
    for (const id of [ids[0]!, ids[N - 1]!]) expect(stateOf(id)).toBe("chan receive");
    // Wake them all, and park the program's own send before any of them re-parks.
    gate.close();
    const sent = out.send(7);
    expect(await eventually(() => reparked === N)).toBe(true);
    const mine = new Set(ids);
    const states = goroutines().filter((g) => mine.has(g.id)).map((g) => g.state);
    expect(states).toHaveLength(N);
    expect(new Set(states)).toEqual(new Set(["waiting"])); // never "chan send", never a guess
    const dump = formatDump();
    // Nothing in the dump says the program is in a receive, or a goroutine in a send.
    expect(dump).not.toMatch(/^goroutine \d+ \[chan send/m);
    expect(dump).not.toMatch(/^goroutine 0 \[chan receive/m);
    const section = unattributedSection(dump);
    expect(section.match(/\[chan send\]/g)).toHaveLength(1);
    expect(section.match(/\[chan receive\]/g)!.length).toBeGreaterThanOrEqual(N);
    // It names the goroutines whose waits these may be (consecutive ids as a range).
    expect(section).toContain(`${ids[0]}-${ids[N - 1]}`);
    for (let i = 0; i < N; i++) work.trySend(i) || (await work.send(i));
    expect(await out.recv()).toBe(7);
    await sent;
    expect(await eventually(() => numGoroutine() === base, 5000)).toBe(true);
  });

  it("keeps the exact reason of waits parked in a goroutine's synchronous start, beside unknown ones", async () => {
    const known = chan<number>();
    const later = chan<number>();
    const [exact, unknown] = goAll([
      () => known.send(1),
      async () => {
        await null;
        await later.recv();
      },
    ]);
    await sleep(0);
    expect(stateOf(exact!)).toBe("chan send");
    expect(stateOf(unknown!)).toBe("waiting");
    const dump = formatDump();
    expect(dump).toMatch(new RegExp(`^goroutine ${exact} \\[chan send\\]:`, "m"));
    expect(dump).toMatch(new RegExp(`^goroutine ${unknown} \\[waiting\\]:`, "m"));
    const section = unattributedSection(dump);
    expect(section).toContain("[chan receive]");
    expect(section).toContain(String(unknown));
    expect(await known.recv()).toBe(1);
    later.close();
    expect(await eventually(() => stateOf(exact!) === undefined && stateOf(unknown!) === undefined)).toBe(true);
  });

  it('shows the goroutine whose synchronous code is running as "running", even once it has parked a wait', async () => {
    const ch = chan<number>();
    const seen: string[] = [];
    let id = -1;
    go(() => {
      id = goroutines().find((g) => g.state === "running")?.id ?? -2;
      const p = ch.recv(); // parked: this goroutine's known wait
      seen.push(goroutines().find((g) => g.id === id)!.state);
      return p;
    });
    expect(await eventually(() => seen.length === 1)).toBe(true);
    expect(id).toBeGreaterThan(0);
    expect(seen).toEqual(["running"]);
    expect(stateOf(id)).toBe("chan receive");
    ch.close();
    expect(await eventually(() => stateOf(id) === undefined)).toBe(true);
  });

  it("states the program's own waits as goroutine 0 when no goroutine's state is unknown", async () => {
    const ch = chan<number>();
    const mine = chan<string>();
    const [id] = goAll([() => ch.recv()]);
    const left = mine.send("x"); // the test's own code: not a goroutine
    await sleep(0);
    const dump = formatDump();
    expect(dump).toMatch(/^goroutine 0 \[chan send\]:\n\t\(the program itself, not a goroutine\)/m);
    expect(dump).toMatch(new RegExp(`^goroutine ${id} \\[chan receive\\]:`, "m"));
    expect(unattributedSection(dump)).toBe("");
    expect(await mine.recv()).toBe("x");
    await left;
    ch.close();
    expect(await eventually(() => stateOf(id!) === undefined)).toBe(true);
  });
});

describe("the text dump", () => {
  it("names each goroutine's function under its header, as Go does, and none for an anonymous one", async () => {
    const ch = chan<number>();
    async function fetcher(): Promise<void> {
      await ch.recv();
    }
    configure({ creationSites: "all" }); // earlier tests here spent the sampling budget
    const [named, anonymous] = goAll([fetcher, () => ch.recv()]);
    configure({ creationSites: true });
    await sleep(0);
    const dump = formatDump();
    expect(dump).toMatch(new RegExp(`^goroutine ${named} \\[chan receive\\]:\\nfetcher\\(\\.\\.\\.\\)\\ncreated at .*dump\\.test\\.ts:\\d+`, "m"));
    expect(dump).toMatch(new RegExp(`^goroutine ${anonymous} \\[chan receive\\]:\\ncreated at .*dump\\.test\\.ts:\\d+`, "m"));
    ch.close();
    expect(await eventually(() => stateOf(named!) === undefined && stateOf(anonymous!) === undefined)).toBe(true);
  });
});
