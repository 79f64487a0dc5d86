// What the cross-process scenarios (nats_throughput) share: child processes started with an IPC
// channel, request/reply over it, a deadline on every wait, and killing them all. The process
// counterpart of lib/xthread.mjs's Thread (same calls, same deadlines).
//
// A scenario side is one file (bench/xthread/<scenario>.<library>.mjs) holding both halves:
// `start(lib, params)` in the bench child forks the file itself with a role in BENCH_ROLE, and
// the forked process serves the bench child's requests with `serveProcess(handlers)`.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { START_MS, CLOSE_MS, deadline, Peer } from "./xthread.mjs";

/** One child process and its request/reply channel; its exit rejects every pending request. */
export class Proc extends Peer {
  constructor(url, role, data = {}) {
    super(role);
    this.stderr = "";
    this.proc = fork(fileURLToPath(url), [], {
      env: { ...process.env, BENCH_ROLE: role, BENCH_DATA: JSON.stringify(data) },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    this.proc.stderr.on("data", (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.exited = new Promise((resolve) => this.proc.once("exit", resolve));
    this.proc.on("message", (m) => this.receive(m, (r) => new Error(`${role}: ${r.error}`)));
    this.proc.on("exit", (code, signal) => this.fail(new Error(`${role}: process exited (${signal ?? `code ${code}`})${this.stderr ? `\n${this.stderr}` : ""}`)));
  }
  post(msg) {
    this.proc.send(msg);
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
