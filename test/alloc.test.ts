// The core's allocator (assembly/alloc.ts), driven directly through its exports over a fresh
// shared memory per test, with heapCheck() — the core's own walker of every heap invariant —
// after every step.
//
// - A seeded random sequence of allocations and frees of 16 B .. 1 MiB, by two thread contexts and
//   for three owners, against a shadow model: no two live blocks overlap, each keeps the pattern
//   written into it, every owner's bytesInUse matches the model.
// - Filling the memory (512 MiB) with small blocks until allocBytes returns 0, freeing them all,
//   then one block of 256 MiB (free space merges) and 10^6 blocks of 32 B.
// - Two worker threads hand 10^5 blocks to each other through shared rings; the receiver checks
//   and frees each one. The heap and every byte count are back where they started.
// - freeOwnedBy frees exactly a dead thread's blocks; a worker terminated at a random moment
//   never leaves the heap lock held or the heap broken.
// - The locked sections of allocBytes and freeBlock contain no loop and no call (in the .wat).
//
// The module is build/core.wasm once assembly/index.ts exports the allocator's functions, else the
// allocator alone, compiled by test/fixtures/alloc/build.mjs.

import { describe, expect, it, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Worker } from "node:worker_threads";

interface Alloc {
  threadNew(seed: number): number;
  allocBytes(t: number, size: number, owner: number): number;
  freeBlock(t: number, p: number): void;
  blockSize(p: number): number;
  freeOwnedBy(t: number, dead: number): number;
  bytesInUse(t: number): number;
  heapTop(): number;
  heapCheck(): number;
  alloc(t: number, k: number): number;
  free(t: number, b: number, k: number): void;
}

const SHARED = 255;
const MiB = 1 << 20;
const A_LOCK = 1280; // the heap lock word (alloc.ts)
const ROOT = resolve(__dirname, "..");
const WORKER = resolve(__dirname, "fixtures/alloc/worker.mjs");

let wasmModule: WebAssembly.Module;
let wat: string;

beforeAll(() => {
  const core = resolve(ROOT, "build/core.wasm");
  let path = core;
  if (!existsSync(core) || !hasAllocExports(new WebAssembly.Module(readFileSync(core)))) {
    path = execFileSync(process.execPath, [resolve(__dirname, "fixtures/alloc/build.mjs")], { encoding: "utf8" }).trim().split("\n").pop()!;
  }
  wasmModule = new WebAssembly.Module(readFileSync(path));
  wat = readFileSync(path.replace(/\.wasm$/, ".wat"), "utf8");
}, 120_000);

function hasAllocExports(m: WebAssembly.Module): boolean {
  const names = new Set(WebAssembly.Module.exports(m).map((e) => e.name));
  return ["allocBytes", "freeBlock", "blockSize", "freeOwnedBy", "heapCheck"].every((n) => names.has(n));
}

function fresh(initial = 32): { memory: WebAssembly.Memory; x: Alloc } {
  const memory = new WebAssembly.Memory({ initial, maximum: 8192, shared: true });
  const x = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports as unknown as Alloc;
  return { memory, x };
}

/** A view of the whole memory, renewed when the memory has grown. */
function viewer(memory: WebAssembly.Memory): () => Uint32Array {
  let v = new Uint32Array(memory.buffer);
  return () => {
    if (v.byteLength !== memory.buffer.byteLength) v = new Uint32Array(memory.buffer);
    return v;
  };
}

/** xorshift32, seeded. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

// Sampled pattern: at most 64 words spread over the block, and its last word.
const pat = (p: number, k: number, tag: number): number => (Math.imul(p ^ tag, 0x9e3779b1) + Math.imul(k, 0x85ebca6b)) >>> 0;
function stride(size: number): number { return Math.max(1, Math.floor(size / 4 / 64)); }
function writePattern(v: Uint32Array, p: number, size: number, tag: number): void {
  const w = p >>> 2, words = size >>> 2;
  for (let k = 0; k < words; k += stride(size)) v[w + k] = pat(p, k, tag);
  if (words > 0) v[w + words - 1] = pat(p, words - 1, tag);
}
function patternOk(v: Uint32Array, p: number, size: number, tag: number): boolean {
  const w = p >>> 2, words = size >>> 2;
  for (let k = 0; k < words; k += stride(size)) if (v[w + k] !== pat(p, k, tag)) return false;
  return words === 0 || v[w + words - 1] === pat(p, words - 1, tag);
}

function startWorker(data: Record<string, unknown>): Worker {
  return new Worker(WORKER, { workerData: { module: wasmModule, ...data } });
}
function firstMessage<T>(w: Worker): Promise<T> {
  return new Promise((res, rej) => {
    w.once("message", res);
    w.once("error", rej);
  });
}

describe("allocator: random sequences against a shadow model", () => {
  it("never overlaps blocks, keeps their contents, counts bytes per owner, heapCheck() = 0 at every step", () => {
    const { memory, x } = fresh();
    const view = viewer(memory);
    const t0 = x.threadNew(1), t1 = x.threadNew(2);
    expect([t0, t1]).toEqual([0, 1]);
    expect(x.heapCheck()).toBe(0);
    const rand = prng(0xa110c);
    type Live = { p: number; size: number; owner: number; tag: number };
    const live: Live[] = [];
    const starts: number[] = []; // sorted payload addresses of live blocks
    const ends = new Map<number, number>(); // payload → end of its block's usable bytes
    const bytes = new Map<number, number>([[t0, 0], [t1, 0], [SHARED, 0]]);
    const owners = [t0, t0, t0, t1, SHARED];
    const lowerBound = (a: number): number => {
      let lo = 0, hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! < a) lo = mid + 1; else hi = mid;
      }
      return lo;
    };
    let tags = 0, maxLive = 0;
    for (let step = 0; step < 20_000; step++) {
      // Drift between phases that grow and phases that shrink the live set.
      const growing = Math.floor(step / 2500) % 2 === 0;
      if (live.length === 0 || rand() < (growing ? 0.6 : 0.4)) {
        const size = rand() < 0.02 ? Math.floor(rand() * 16) : Math.floor(2 ** (4 + rand() * 16)); // 0 .. 1 MiB
        const owner = owners[Math.floor(rand() * owners.length)]!;
        const t = rand() < 0.8 ? (owner === SHARED ? t0 : owner) : (owner === t0 ? t1 : t0);
        const p = x.allocBytes(t, size, owner);
        expect(p, `step ${step}: allocBytes(${size})`).toBeGreaterThan(0);
        expect(p % 16).toBe(0);
        const usable = x.blockSize(p);
        expect(usable).toBeGreaterThanOrEqual(size);
        expect(p + usable).toBeLessThanOrEqual(x.heapTop());
        const i = lowerBound(p);
        if (i > 0) expect(ends.get(starts[i - 1]!)!, `step ${step}: overlaps the block before`).toBeLessThanOrEqual(p - 16);
        if (i < starts.length) expect(p + usable, `step ${step}: overlaps the block after`).toBeLessThanOrEqual(starts[i]! - 16);
        starts.splice(i, 0, p);
        ends.set(p, p + usable);
        const tag = ++tags;
        writePattern(view(), p, usable, tag);
        live.push({ p, size: usable, owner, tag });
        bytes.set(owner, bytes.get(owner)! + usable + 16);
        maxLive = Math.max(maxLive, live.length);
      } else {
        const j = Math.floor(rand() * live.length);
        const b = live[j]!;
        live[j] = live[live.length - 1]!;
        live.pop();
        expect(patternOk(view(), b.p, b.size, b.tag), `step ${step}: block ${b.p} was overwritten`).toBe(true);
        expect(x.blockSize(b.p)).toBe(b.size);
        x.freeBlock(rand() < 0.7 ? t0 : t1, b.p);
        expect(view()[b.p >>> 2], "the first word is cleared").toBe(0);
        starts.splice(lowerBound(b.p), 1);
        ends.delete(b.p);
        bytes.set(b.owner, bytes.get(b.owner)! - b.size - 16);
      }
      const c = x.heapCheck();
      if (c !== 0) expect.fail(`step ${step}: heapCheck() = ${c}`);
      for (const [o, n] of bytes) if (x.bytesInUse(o) !== n) expect.fail(`step ${step}: bytesInUse(${o}) = ${x.bytesInUse(o)}, model ${n}`);
    }
    expect(maxLive).toBeGreaterThan(500);
    for (const b of live) {
      expect(patternOk(view(), b.p, b.size, b.tag)).toBe(true);
      x.freeBlock(t0, b.p);
    }
    expect(x.heapCheck()).toBe(0);
    expect([x.bytesInUse(t0), x.bytesInUse(t1), x.bytesInUse(SHARED)]).toEqual([0, 0, 0]);
  });

  it("nothing the allocator writes looks like a record's magic tag at a freed record's address", () => {
    const { memory, x } = fresh();
    const view = viewer(memory);
    const t = x.threadNew(1);
    const rand = prng(7);
    const MAGIC = 0x4e414843; // 'CHAN'
    let live: number[] = [];
    for (let round = 0; round < 20; round++) {
      // Records with their tag in every word; most of them freed (merging), then new blocks
      // allocated over them (splitting), which nobody writes into.
      for (let i = 0; i < 300; i++) {
        const p = x.allocBytes(t, Math.floor(2 ** (4 + rand() * 10)), rand() < 0.5 ? t : SHARED);
        view().fill(MAGIC, p >>> 2, (p + x.blockSize(p)) >>> 2);
        live.push(p);
      }
      const freed = live.filter(() => rand() < 0.8);
      live = live.filter((p) => !freed.includes(p));
      for (const p of freed) x.freeBlock(t, p);
      const fresh = Array.from({ length: 100 }, () => x.allocBytes(t, Math.floor(2 ** (4 + rand() * 10)), t));
      for (const p of freed) if (view()[p >>> 2] === MAGIC) expect.fail(`round ${round}: the freed record at ${p} still carries its tag`);
      for (const p of fresh) x.freeBlock(t, p);
      expect(x.heapCheck()).toBe(0);
    }
  });

  it("keeps the old API: alloc(t, k) is 16 << k bytes owned by t, free(t, b, k) frees it", () => {
    const { x } = fresh();
    const t = x.threadNew(1);
    const bs = [0, 1, 2, 3, 10].map((k) => [x.alloc(t, k), k] as const);
    for (const [b, k] of bs) expect(x.blockSize(b)).toBeGreaterThanOrEqual(16 << k);
    expect(x.bytesInUse(t)).toBe(bs.reduce((n, [b]) => n + x.blockSize(b) + 16, 0));
    for (const [b, k] of bs) x.free(t, b, k);
    expect(x.bytesInUse(t)).toBe(0);
    expect(x.heapCheck()).toBe(0);
  });

  it("refuses bad arguments and traps on a double free, leaving the heap sound", () => {
    const { x } = fresh();
    const t = x.threadNew(1);
    expect(x.allocBytes(t, 2 ** 30 + 1, t)).toBe(0);
    expect(x.allocBytes(t, 16, 240)).toBe(0);
    expect(x.allocBytes(240, 16, SHARED)).toBe(0);
    const p = x.allocBytes(t, 100, SHARED), q = x.allocBytes(t, 16, t);
    x.freeBlock(t, p);
    expect(() => x.freeBlock(t, p)).toThrow(WebAssembly.RuntimeError);
    x.freeBlock(t, q); // into t's cache
    expect(() => x.freeBlock(t, q)).toThrow(WebAssembly.RuntimeError);
    expect(x.heapCheck()).toBe(0);
    expect(x.freeOwnedBy(t, 7)).toBe(-1);
  });
});

describe("allocator: free space serves any size", () => {
  it("fills 512 MiB with small blocks, frees them all, then serves 256 MiB, then 10^6 × 32 B", () => {
    const { memory, x } = fresh();
    const t = x.threadNew(1);
    const rand = prng(99);
    const blocks = new Int32Array(24_000_000);
    let n = 0;
    for (;;) {
      const p = x.allocBytes(t, 16 + Math.floor(rand() * 100), t);
      if (p === 0) break;
      blocks[n++] = p;
    }
    expect(memory.buffer.byteLength).toBe(8192 * 65536);
    expect(n).toBeGreaterThan(3_000_000);
    expect(x.heapCheck()).toBe(0);
    expect(x.allocBytes(t, 1 * MiB, t), "full").toBe(0);
    for (let i = n - 1; i > 0; i--) { // free in random order
      const j = Math.floor(rand() * (i + 1));
      const a = blocks[i]!;
      blocks[i] = blocks[j]!;
      blocks[j] = a;
    }
    for (let i = 0; i < n; i++) x.freeBlock(t, blocks[i]!);
    expect(x.heapCheck()).toBe(0);
    expect(x.bytesInUse(t)).toBe(0);
    const big = x.allocBytes(t, 256 * MiB, t);
    expect(big).toBeGreaterThan(0);
    expect(x.blockSize(big)).toBeGreaterThanOrEqual(256 * MiB);
    expect(x.heapCheck()).toBe(0);
    x.freeBlock(t, big);
    for (let i = 0; i < 1_000_000; i++) {
      const p = x.allocBytes(t, 32, t);
      if (p === 0) expect.fail(`32-byte block ${i} failed`);
    }
    expect(x.bytesInUse(t)).toBe(1_000_000 * 48);
    expect(x.heapCheck()).toBe(0);
  }, 120_000);
});

describe("allocator: across threads", () => {
  it("2 workers hand 10^5 blocks to each other; the receiver checks and frees each one", async () => {
    const { memory, x } = fresh();
    const main = x.threadNew(1);
    const keep = x.allocBytes(main, 1000, main);
    const before = x.bytesInUse(main);
    const sab = new SharedArrayBuffer(2 * (2 + 1024) * 4);
    const ws = [0, 1].map((id) => startWorker({ memory, sab, mode: "exchange", id, n: 50_000, seed: 1234 + id }));
    const rs = await Promise.all(ws.map((w) => firstMessage<{ t: number; errors: string[]; produced: number; consumed: number; local: number }>(w)));
    await Promise.all(ws.map((w) => w.terminate()));
    for (const r of rs) {
      expect(r.errors).toEqual([]);
      expect([r.produced, r.consumed]).toEqual([50_000, 50_000]);
      expect(r.local).toBeGreaterThan(1000);
    }
    expect(x.heapCheck()).toBe(0);
    for (const r of rs) expect(x.bytesInUse(r.t)).toBe(0);
    expect(x.bytesInUse(main)).toBe(before);
    expect(x.bytesInUse(SHARED)).toBe(0);
    x.freeBlock(main, keep);
    expect(x.heapCheck()).toBe(0);
  }, 120_000);

  it("freeOwnedBy frees exactly a dead thread's blocks, cached ones included", async () => {
    const { memory, x } = fresh();
    const main = x.threadNew(1);
    const view = viewer(memory);
    const mine: number[] = [];
    for (let i = 0; i < 100; i++) {
      const p = x.allocBytes(main, 64 + i, main);
      writePattern(view(), p, x.blockSize(p), i);
      mine.push(p);
    }
    const w = startWorker({ memory, mode: "hold", n: 1000, seed: 77 });
    const r = await firstMessage<{ t: number; live: number; shared: [number, number][]; forMain: [number, number][] }>(w);
    await w.terminate();
    expect(r.live).toBe(900);
    const mainBytes = x.bytesInUse(main), sharedBytes = x.bytesInUse(SHARED);
    expect(x.bytesInUse(r.t)).toBeGreaterThan(0);
    expect(x.heapCheck()).toBe(0);

    expect(x.freeOwnedBy(main, r.t)).toBe(900);
    expect(x.heapCheck()).toBe(0);
    expect(x.bytesInUse(r.t)).toBe(0);
    expect(x.bytesInUse(main)).toBe(mainBytes);
    expect(x.bytesInUse(SHARED)).toBe(sharedBytes);
    expect(x.freeOwnedBy(main, r.t)).toBe(0);

    // What the dead thread made for others, and main's own blocks, are intact.
    const v = view();
    const intact = ([p, size]: [number, number]): boolean => v[p >>> 2] === size;
    expect(r.shared.every(intact) && r.forMain.every(intact)).toBe(true);
    mine.forEach((p, i) => expect(patternOk(v, p, x.blockSize(p), i)).toBe(true));
    for (const [p] of [...r.shared, ...r.forMain]) x.freeBlock(main, p);
    for (const p of mine) x.freeBlock(main, p);
    expect(x.heapCheck()).toBe(0);
    expect([x.bytesInUse(main), x.bytesInUse(SHARED)]).toEqual([0, 0]);
  }, 60_000);

  it("a worker terminated at a random moment leaves the lock free and the heap sound", async () => {
    const { memory, x } = fresh();
    const main = x.threadNew(1);
    const lockWord = new Int32Array(memory.buffer, A_LOCK, 1);
    const rand = prng(4242);
    for (let round = 0; round < 12; round++) {
      const sab = new SharedArrayBuffer(8);
      const progress = new Int32Array(sab);
      const w = startWorker({ memory, sab, mode: "churn", seed: 1000 + round });
      const target = 2000 + Math.floor(rand() * 20_000);
      const t0 = Date.now();
      while (Atomics.load(progress, 0) < target && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 1));
      // Keep the heap lock busy from this side too, so that the worker is often near it.
      for (let i = 0; i < 200; i++) x.freeBlock(main, x.allocBytes(main, 40, SHARED));
      await w.terminate();
      expect(Atomics.load(progress, 0)).toBeGreaterThanOrEqual(target);
      const dead = Atomics.load(progress, 1) - 1;
      expect(dead).toBeGreaterThan(0);
      expect(Atomics.load(lockWord, 0), `round ${round}: the heap lock is held`).toBe(0);
      x.freeOwnedBy(main, dead);
      expect(x.heapCheck(), `round ${round}`).toBe(0);
      expect(x.bytesInUse(dead)).toBe(0);
    }
    // The heap still serves: everything but the dead workers' SHARED blocks is back.
    const p = x.allocBytes(main, 64 * MiB, main);
    expect(p).toBeGreaterThan(0);
    x.freeBlock(main, p);
    expect(x.heapCheck()).toBe(0);
  }, 120_000);
});

describe("allocator: locked sections", () => {
  // V8 interrupts a Wasm thread only at loop back-edges and calls: a locked section without
  // either cannot be left half-done by a terminated thread.
  it("allocBytes and freeBlock hold the heap lock over no loop and no call", () => {
    for (const fn of ["allocBytes", "freeBlock"]) {
      const body = funcBody(wat, fn);
      const sections = lockedSections(body);
      expect(sections.length, `${fn}: locked sections found`).toBeGreaterThan(0);
      for (const s of sections) {
        const bad = s.filter((l) => /^\s*(loop|call|call_indirect|return_call)\b/.test(l));
        expect(bad, `${fn}: a loop or call under the lock`).toEqual([]);
      }
    }
  });
});

function funcBody(text: string, name: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^ \\(func \\$[^ ]*/${name} `).test(l));
  if (start < 0) throw new Error(`no function ${name} in the .wat`);
  let end = start + 1;
  while (end < lines.length && !/^ \(/.test(lines[end]!)) end++;
  return lines.slice(start, end);
}

// The lines between the end of each lock-taking loop (a cmpxchg on A_LOCK) and the next store of 0
// to A_LOCK. The .wat is in stack form: `loop`, `block` and `if` open a level, `end` closes one.
function lockedSections(body: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < body.length; i++) {
    if (!/i32\.atomic\.rmw\.cmpxchg/.test(body[i]!) || !body.slice(Math.max(0, i - 3), i).some((l) => l.includes(`i32.const ${A_LOCK}`))) continue;
    // Back to the outermost loop that encloses the cmpxchg (the spin), then on to its `end`.
    let depth = 0, open = -1;
    for (let j = i - 1; j >= 0; j--) {
      const l = body[j]!.trim();
      if (l === "end") depth++;
      else if (/^(loop|block|if)\b/.test(l)) {
        if (depth === 0) { if (l.startsWith("loop")) open = j; break; }
        depth--;
      }
    }
    if (open < 0) continue;
    let close = -1;
    depth = 0;
    for (let j = open; j < body.length; j++) {
      const l = body[j]!.trim();
      if (/^(loop|block|if)\b/.test(l)) depth++;
      else if (l === "end" && --depth === 0) { close = j; break; }
    }
    let release = -1;
    for (let j = close + 1; j < body.length; j++) {
      if (/i32\.atomic\.store\b/.test(body[j]!) && body[j - 2]?.includes(`i32.const ${A_LOCK}`) && /i32\.const 0$/.test(body[j - 1]!.trim())) {
        release = j;
        break;
      }
    }
    if (close < 0 || release < 0) throw new Error("a lock without its release");
    out.push(body.slice(close + 1, release));
    i = release;
  }
  return out;
}
