// The bench's peers (bench/peers/<peer>/<scenario>.mjs: js-csp, @thi.ng/csp, Effect, each in its
// own idiom): every module that expresses a channel scenario gives the scenario's checksum on a
// small size of it, twice in a row from one make() (as tinybench reuses the iteration); every
// module that does not says why, and the limit it names holds in the library; and the bench child
// runs a peer through the harness, checking its checksum, or reports it as not expressible.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { gc } from "../helpers/util.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const load = (rel: string): Promise<any> => import(new URL(`../../${rel}`, import.meta.url).href);

const SCENARIOS = ["pingpong", "spsc_buffered", "spsc_unbuffered", "select4", "fanin8", "pipeline3", "spawn_join", "sieve2000", "parked_goroutine_bytes"];
const PEERS = ["jscsp", "thingcsp", "effect"];

/** A small size of a scenario: 40 messages (a multiple of 4 and 8), a buffer of 4 where it has one, 30 primes, 2,000 parked. */
function small(sc: any): any {
  return { ...sc, batch: 40, capacity: sc.capacity > 0 ? 4 : sc.capacity, primes: 30, count: 2000 };
}

describe("the channel scenarios name every peer", () => {
  it.each(SCENARIOS)("%s runs the promise channel (its baseline) and js-csp, @thi.ng/csp, Effect", async (name) => {
    const sc = await load(`bench/scenarios/${name}.mjs`);
    expect(sc.peers).toEqual(["baseline", ...PEERS]);
  });
});

// The scenario's parked_goroutine_bytes forces garbage collections through globalThis.gc.
let savedGc: unknown;
beforeAll(() => {
  savedGc = (globalThis as any).gc;
  (globalThis as any).gc = gc;
});
afterAll(() => {
  (globalThis as any).gc = savedGc;
});

const cases = PEERS.flatMap((peer) => SCENARIOS.map((name) => [peer, name] as const));

describe.each(cases)("%s, %s", (peer, name) => {
  it("gives the scenario's checksum, or says why it cannot express it", async () => {
    const sc = await load(`bench/scenarios/${name}.mjs`);
    const mod = await load(`bench/peers/${peer}/${name}.mjs`);
    if (mod.notExpressible !== undefined) {
      expect(typeof mod.notExpressible).toBe("string");
      expect(mod.notExpressible.length).toBeGreaterThan(20);
      expect(mod.make).toBeUndefined();
      expect(mod.measure).toBeUndefined();
      return;
    }
    const params = small(sc);
    if (sc.kind === "memory") {
      // measureParking checks that every fiber parked, none woke before the release, all after.
      const r = await mod.measure(params, { reps: 1 });
      expect(r.count).toBe(2000);
      expect(r.value).toBeGreaterThan(0);
      expect(r.value).toBeLessThan(100_000);
      return;
    }
    const want = sc.checksum(params);
    const run = await mod.make(params);
    expect(await run()).toBe(want);
    expect(await run()).toBe(want);
  });
});

describe("the limits the not-expressible modules name hold", () => {
  it("js-csp: the 1025th pending take on one channel throws", async () => {
    const { default: csp } = await load("node_modules/js-csp/lib/js-csp.js");
    const mod = await load("bench/peers/jscsp/parked_goroutine_bytes.mjs");
    expect(mod.notExpressible).toMatch(/1024 pending takes/);
    const c = csp.chan();
    for (let i = 0; i < 1024; i++) csp.takeAsync(c, () => {});
    expect(() => csp.takeAsync(c, () => {})).toThrow(/No more than 1024 pending takes/);
  });

  it("@thi.ng/csp: beyond 1024 pending reads, read() resolves to undefined at once", async () => {
    const { channel, MAX_READS } = await load("node_modules/@thi.ng/csp/index.js");
    const mod = await load("bench/peers/thingcsp/parked_goroutine_bytes.mjs");
    expect(mod.notExpressible).toMatch(/1024 pending reads/);
    expect(MAX_READS).toBe(1024);
    const c = channel();
    const settled: unknown[] = [];
    for (let i = 0; i < 1025; i++) c.read().then((v: unknown) => settled.push(v));
    await new Promise((r) => setImmediate(r));
    // Nobody wrote: the first 1024 wait, the 1025th came back at once, as a closed channel's read.
    expect(settled).toEqual([undefined]);
    c.close();
    await new Promise((r) => setImmediate(r));
    expect(settled.length).toBe(1025);
  });
});

describe("the bench child runs a peer", () => {
  const child = (scenario: string, lib: string): any => {
    const out = execFileSync(process.execPath, ["--expose-gc", "bench/lib/child.mjs", scenario, lib, "--quick"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const line = out.split("\n").find((l) => l.startsWith("@@bench "));
    return JSON.parse(line!.slice("@@bench ".length));
  };

  it("measures one whose checksum holds", () => {
    const r = child("spsc_unbuffered", "thingcsp");
    expect(r.status).toBe("ok");
    expect(r.batch).toBe(10_000);
    expect(r.value).toBeGreaterThan(0);
  });

  it("reports one that cannot express the scenario, with its reason", () => {
    const r = child("parked_goroutine_bytes", "jscsp");
    expect(r).toEqual({ status: "not-expressible", reason: expect.stringMatching(/1024 pending takes/) });
  });
});
