// batonjs/nats across real processes (test/fixtures/nats/role.mjs, against dist/) and a real
// nats-server: many producers and consumers, a consumer killed with SIGKILL, the server stopped
// and restarted on its store, capacity under a slow consumer, and a close seen everywhere.
//
// What "nothing lost" means here: every value a producer sent (its send resolved) is received by
// some consumer, counting those a killed consumer reported before it died (it reports what it
// received, then kills itself, so that nothing is in the instant between a hand-over and the
// report). Duplicates are allowed by the delivery contract (at least once); they are counted and
// printed, and must be 0 where nothing fails.
//
// Skipped, with the reason in the suite's name and on stderr, where nats-server is not installed.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { JetStreamManager } from "@nats-io/jetstream";
import { natsChan } from "../../src/nats.js";
import { NatsServer, findNatsServer, INSTALL_HINT } from "../helpers/nats-server.mjs";
import { sleep } from "../helpers/wait.js";

const installed = findNatsServer() !== null;
if (!installed) console.warn(`test/nats/processes.test.ts: skipped: nats-server is not installed (${INSTALL_HINT})`);

const ROLE = fileURLToPath(new URL("../fixtures/nats/role.mjs", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));

/** A process running one role: its result (the "@@result" line) and its progress lines. */
class Role {
  readonly proc: ChildProcess;
  readonly result: Promise<any>;
  progress: string[] = [];
  private waiters: (() => void)[] = [];
  stderr = "";

  constructor(args: Record<string, unknown>, ms = 120_000) {
    this.proc = spawn(process.execPath, [ROLE, JSON.stringify(args)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    this.proc.stderr!.on("data", (d) => (this.stderr += d));
    this.proc.stdout!.on("data", (d) => {
      out += d;
      let nl: number;
      while ((nl = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith("@@progress ")) {
          this.progress.push(line.slice(11));
          for (const w of this.waiters.splice(0)) w();
        } else if (line.startsWith("@@result ")) {
          this.last = JSON.parse(line.slice(9));
        }
      }
    });
    this.result = new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.proc.kill("SIGKILL");
        reject(new Error(`${String(args.role)} did not finish within ${ms} ms\n${this.stderr}`));
      }, ms);
      this.proc.on("exit", () => {
        clearTimeout(t);
        if (this.last === undefined) reject(new Error(`${String(args.role)} exited without a result\n${this.stderr}`));
        else if (this.last.error) reject(new Error(`${String(args.role)} failed: ${this.last.error}`));
        else resolve(this.last);
      });
    });
    this.result.catch(() => {}); // observed by the test
  }

  private last: any = undefined;

  /** Resolves once a progress line satisfies `pred`. */
  async until(pred: (lines: string[]) => boolean, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.progress)) {
      if (Date.now() > end) throw new Error(`no progress within ${ms} ms\n${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
}

/** Counts the duplicates in `got`, and the values it misses of producers that sent counts[p]
 *  values each. */
function account(got: number[], counts: number[]): { missing: number; duplicates: number } {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const v of got) {
    if (seen.has(v)) duplicates++;
    seen.add(v);
  }
  let missing = 0;
  counts.forEach((n, p) => {
    for (let i = 0; i < n; i++) if (!seen.has(p * 1e6 + i)) missing++;
  });
  return { missing, duplicates };
}

/** True if each producer's values appear in increasing order within `got`. */
function ordered(got: number[]): boolean {
  const last = new Map<number, number>();
  for (const v of got) {
    const p = Math.floor(v / 1e6);
    if ((last.get(p) ?? -1) >= v) return false;
    last.set(p, v);
  }
  return true;
}

let n = 0;
const fresh = (what: string) => `${what}_${process.pid}_${n++}`;

describe.skipIf(!installed)(installed ? "natsChan across processes" : "natsChan across processes (skipped: nats-server is not installed)", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    if (!existsSync(`${root}dist/nats.js`)) throw new Error("dist/ is missing: run `npm run build` before these tests");
    server = await NatsServer.start();
    nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    jsm = await jetstreamManager(nc);
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await server?.close();
  });

  it("3 producers and 3 consumers, 10^5 values: nothing lost, each producer's order kept, no duplicates", async () => {
    const name = fresh("many");
    const capacity = 1000;
    const counts = [33_334, 33_333, 33_333]; // 10^5 values
    const ch = await natsChan<number>(nc, name, { capacity });
    const base = { url: server.url, name, capacity };
    const consumers = [0, 1, 2].map(() => new Role({ ...base, role: "consume" }, 170_000));
    const producers = counts.map((n, id) => new Role({ ...base, role: "produce", id, n }, 170_000));
    await Promise.all(producers.map((p) => p.result));
    ch.close();
    const results = await Promise.all(consumers.map((c) => c.result));
    const got = results.flatMap((r) => r.got as number[]);
    let sum = 0, want = 0;
    for (const v of got) sum += v;
    counts.forEach((n, p) => {
      for (let i = 0; i < n; i++) want += p * 1e6 + i;
    });
    const { missing, duplicates } = account(got, counts);
    console.log(`3x3: ${got.length} received (${results.map((r) => r.got.length).join(" + ")}), ${duplicates} duplicates`);
    expect(missing).toBe(0);
    expect(duplicates).toBe(0);
    expect(sum).toBe(want);
    for (const r of results) expect(ordered(r.got)).toBe(true);
  }, 180_000);

  it("a consumer killed with SIGKILL mid-stream: nothing lost", async () => {
    const name = fresh("kill");
    const capacity = 500;
    const N = 6000;
    const ch = await natsChan<number>(nc, name, { capacity, ackWaitMs: 1500 });
    const base = { url: server.url, name, capacity };
    // The victim drains a backlog, and dies with values asked for and not handed over (role.mjs:
    // after its 500th value it takes what it holds, so that one more is asked for).
    const producer = new Role({ ...base, role: "produce", id: 0, n: N });
    await sleep(500);
    const victim = new Role({ ...base, role: "consume", killAfter: 500 });
    const dead = await victim.result;
    expect(dead.killed).toBe(true);
    const survivor = new Role({ ...base, role: "consume" });
    await producer.result;
    ch.close();
    const alive = await survivor.result;
    const got = [...dead.got, ...alive.got] as number[];
    const { missing, duplicates } = account(got, [N]);
    // Deliveries beyond N: the values the victim held, delivered again after the ack wait.
    const ci = await jsm.consumers.info(`baton_${name}`, "baton");
    const redelivered = ci.delivered.consumer_seq - N;
    console.log(`SIGKILL: victim reported ${dead.got.length}, survivor ${alive.got.length}, ${redelivered} redelivered, ${duplicates} duplicates`);
    expect(missing).toBe(0);
    expect(redelivered).toBeGreaterThan(0);
  }, 120_000);

  it("the server stopped and restarted on its store mid-stream: nothing stored lost, errors name the server, the channel works again", async () => {
    const name = fresh("restart");
    const capacity = 200;
    const N = 4000;
    const ch = await natsChan<number>(nc, name, { capacity, ackWaitMs: 1500 });
    const base = { url: server.url, name, capacity, ackWaitMs: 1500 };
    const consumer = new Role({ ...base, role: "consume", retry: true, progressEvery: 100 });
    const producer = new Role({ ...base, role: "produce", id: 0, n: N, retry: true });
    await consumer.until((l) => l.length >= 5); // 500 received
    await server.stop();
    await sleep(300);
    await server.restart();
    const sent = await producer.result;
    // The test's own connection came back too: close the channel through it.
    await waitFor(async () => {
      try {
        ch.close();
        return true;
      } catch {
        return false;
      }
    });
    const recvd = await consumer.result;
    const { missing, duplicates } = account(recvd.got, [N]);
    const errors = [...sent.errors, ...recvd.errors] as string[];
    console.log(`restart: ${recvd.got.length} received, ${duplicates} duplicates; errors: ${[...new Set(errors)].join(" | ")}`);
    expect(missing).toBe(0);
    expect(errors.length).toBeGreaterThan(0); // something was pending when the server went
    for (const e of errors) expect(e).toContain(server.url);
  }, 120_000);

  it("capacity is respected under a fast producer and a slow consumer", async () => {
    const name = fresh("slow");
    const capacity = 5;
    const N = 40;
    const ch = await natsChan<number>(nc, name, { capacity });
    const base = { url: server.url, name, capacity };
    let peak = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const si = await jsm.streams.info(`baton_${name}`);
        peak = Math.max(peak, si.state.messages);
        await sleep(5);
      }
    })();
    const consumer = new Role({ ...base, role: "consume", delayMs: 20, times: true });
    const producer = new Role({ ...base, role: "produce", id: 0, n: N, times: true });
    const sent = await producer.result;
    ch.close();
    const recvd = await consumer.result;
    polling = false;
    await poller;
    expect(recvd.got).toEqual([...Array(N).keys()]);
    expect(peak).toBeLessThanOrEqual(capacity);
    // Send k could complete only once value k - capacity was received (acknowledged), which the
    // consumer asked for after `at` (its receives are 20 ms apart): without backpressure the 40
    // sends would all have completed within a few milliseconds.
    for (let k = capacity; k < N; k++) expect(sent.done[k]).toBeGreaterThan(recvd.at[k - capacity]);
  }, 60_000);

  it("a close from one process is seen by receivers and senders in the others", async () => {
    const capacity = 3;
    const full = fresh("closefull"), empty = fresh("closeempty");
    const chFull = await natsChan<number>(nc, full, { capacity });
    const chEmpty = await natsChan<number>(nc, empty, { capacity });
    const sender = new Role({ url: server.url, name: full, capacity, role: "blockedSend" });
    const waiting = [0, 1].map(() => new Role({ url: server.url, name: empty, capacity, role: "recvAll" }));
    await sender.until((l) => l.includes("full"));
    await sleep(300); // the sender's last send waits for room; the receivers wait for a value
    chFull.close();
    chEmpty.close();
    const s = await sender.result;
    expect(s).toEqual({ outcome: "panic", message: "send on closed channel" });
    for (const r of await Promise.all(waiting.map((w) => w.result))) expect(r).toEqual({ got: [], closedSeen: true });
    // A process that opens the channel after the close drains what is stored, then sees it closed.
    const late = await new Role({ url: server.url, name: full, capacity, role: "recvAll" }).result;
    expect(late).toEqual({ got: [-1, -2, -3], closedSeen: true });
  }, 60_000);
});

/** Polls `f` every 50 ms until it resolves true (at most 20 s). */
async function waitFor(f: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await f())) {
    if (Date.now() > end) throw new Error("gave up waiting");
    await sleep(50);
  }
}
