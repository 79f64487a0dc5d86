// What the cross-process scenarios (nats_throughput) share: child processes started with an IPC
// channel, request/reply over it, a deadline on every wait, and killing them all. The process
// counterpart of lib/xthread.mjs's Thread (same calls, same deadlines).
//
// A scenario side is one file (bench/xthread/<scenario>.<library>.mjs) holding both halves:
// `start(lib, params)` in the bench child forks the file itself with a role in BENCH_ROLE, and
// the forked process serves the bench child's requests with `serveProcess(handlers)`.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { START_MS, CALL_MS, CLOSE_MS, deadline } from "./xthread.mjs";

/** One child process and its request/reply channel; its exit rejects every pending request. */
export class Proc {
  constructor(url, role, data = {}) {
    this.role = role;
    this.pending = new Map();
    this.nextId = 1;
    this.failure = null;
    this.stderr = "";
    this.proc = fork(fileURLToPath(url), [], {
      env: { ...process.env, BENCH_ROLE: role, BENCH_DATA: JSON.stringify(data) },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    this.proc.stderr.on("data", (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => this.proc.once("exit", resolve));
    this.proc.on("message", (m) => {
      if (m?.ready) return this.readyResolve();
      const p = this.pending.get(m?.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`${role}: ${m.error}`));
    });
    this.proc.on("exit", (code, signal) => this.fail(new Error(`${role}: process exited (${signal ?? `code ${code}`})${this.stderr ? `\n${this.stderr}` : ""}`)));
  }
  fail(e) {
    if (!this.failure) this.failure = e;
    this.readyReject(this.failure);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
  /** Sends `{ op, arg }` and resolves to the process's reply value, within `ms`. */
  call(op, arg, ms = CALL_MS) {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const p = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.proc.send({ id, op, arg });
    return deadline(p, ms, `${this.role}.${op}`);
  }
  /** Ends the process: SIGTERM, SIGKILL after CLOSE_MS. Never rejects. */
  async kill() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill("SIGTERM");
    const t = setTimeout(() => this.proc.kill("SIGKILL"), CLOSE_MS);
    await this.exited;
    clearTimeout(t);
  }
}

/** Starts one Proc per spec ({ url, role, data }) and waits until every one is ready; on any
 *  failure the ones started are killed before the error propagates. */
export async function startProcs(specs) {
  const procs = specs.map((s) => new Proc(s.url, s.role, s.data));
  try {
    await deadline(Promise.all(procs.map((p) => p.ready)), START_MS, "starting the processes");
  } catch (e) {
    await Promise.all(procs.map((p) => p.kill()));
    throw e;
  }
  return procs;
}

/** In a forked side: its role (BENCH_ROLE) and data, or null in the bench child itself. */
export const role = process.env.BENCH_ROLE ?? null;
export const data = process.env.BENCH_DATA ? JSON.parse(process.env.BENCH_DATA) : null;

/** Serves the parent's requests: `{ id, op, arg }` → `handlers[op](arg)` → `{ id, ok, value |
 *  error }`. Says ready once installed; the process exits when the parent disconnects. */
export function serveProcess(handlers) {
  process.on("message", async (m) => {
    if (!m || typeof m.op !== "string") return;
    try {
      const h = handlers[m.op];
      if (!h) throw new Error(`unknown op ${m.op}`);
      process.send({ id: m.id, ok: true, value: await h(m.arg) });
    } catch (e) {
      process.send({ id: m.id, ok: false, error: String(e?.stack ?? e) });
    }
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ ready: true });
}
