// What a started goroutine holds, object by object: heap snapshots before and after starting N
// goroutines that each wait on a promise that never settles (so each is alive and suspended),
// diffed by V8's object kinds, per goroutine. For baton's go() and for the bare async-function
// call the baselines use as `go`; the difference is what spawn_join's garbage collector moves.
//
//   node --expose-gc bench/goroutine-bytes.mjs [N=20000]
//
// Kinds present in fewer than 0.9 per goroutine are left out (the scenario's own arrays, caches).
import v8 from "node:v8";

const N = Number(process.argv[2] ?? 20_000);
const { go } = await import(new URL("../dist/index.js", import.meta.url).href);
const bare = (fn, ...args) => {
  fn(...args);
};
const never = new Promise(() => {});
async function worker(i, arg) {
  await never;
}

async function kinds() {
  const chunks = [];
  for await (const c of v8.getHeapSnapshot()) chunks.push(c);
  const h = JSON.parse(chunks.join(""));
  const fields = h.snapshot.meta.node_fields.length;
  const types = h.snapshot.meta.node_types[0];
  const m = new Map();
  for (let i = 0; i < h.nodes.length; i += fields) {
    const key = `${types[h.nodes[i]]}: ${h.strings[h.nodes[i + 1]].slice(0, 40)}`;
    const e = m.get(key) ?? [0, 0];
    e[0]++;
    e[1] += h.nodes[i + 3];
    m.set(key, e);
  }
  return m;
}

async function measure(name, spawn) {
  globalThis.gc();
  const before = await kinds();
  for (let i = 0; i < N; i++) spawn(worker, i, null);
  await new Promise((r) => setTimeout(r, 20)); // every goroutine started and suspended
  globalThis.gc();
  const after = await kinds();
  const rows = [];
  for (const [k, [c, bytes]] of after) {
    const [c0, b0] = before.get(k) ?? [0, 0];
    if (c - c0 >= N * 0.9) rows.push([k, (c - c0) / N, (bytes - b0) / N]);
  }
  rows.sort((a, b) => b[2] - a[2]);
  let total = 0;
  console.log(`\n${name}: per goroutine`);
  for (const [k, count, bytes] of rows) {
    total += bytes;
    console.log(`  ${bytes.toFixed(0).padStart(5)} B  ${count.toFixed(2).padStart(5)} × ${k}`);
  }
  console.log(`  ${total.toFixed(0).padStart(5)} B  in all`);
}

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
await measure("the bare async function (the baselines' go)", bare);
await measure("baton's go()", go);
