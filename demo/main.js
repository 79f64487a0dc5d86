// The demo page: runs the programs (programs.js), draws their goroutines as lanes coloured by
// state and their channels' buffers while they run (sampling goroutines(), a pool's
// pool.goroutines() for its workers' goroutines, and len/cap every 50 ms), and a finished run's
// timeline from stopTrace(). Canvas for drawing; d3-scale for the
// timeline's axis and the palette of wait reasons.
//
// With ?autorun, it runs every program in turn and POSTs a summary to /result (the browser test,
// test/browser/demo.mjs, reads it).
import { goroutines, startTrace, stopTrace, sharedMemory } from "batonjs";
import { scaleLinear, scaleOrdinal } from "d3-scale";
import { schemeTableau10 } from "d3-scale-chromatic";
import { programs } from "./programs.js";

const WINDOW_MS = 4000;
const SAMPLE_MS = 50;
const ROW = 11;
const LABEL = 150;

// ── colours: one per state, the same in the lanes and the timeline ────────────────────────────
const fixed = {
  running: "#2ca02c",
  runnable: "#a1d99b",
  "chan receive": "#1f77b4",
  "chan send": "#ff7f0e",
  select: "#9467bd",
  sleep: "#bdbdbd",
  waiting: "#8c564b",
};
const others = scaleOrdinal(schemeTableau10.filter((c) => !Object.values(fixed).includes(c)));
function colour(state) {
  if (state in fixed) return fixed[state];
  if (state.startsWith("sync.")) return "#d62728";
  return others(state);
}
document.getElementById("legend").innerHTML = Object.entries(fixed)
  .concat([["sync.* (Mutex, WaitGroup...)", "#d62728"]])
  .map(([s, c]) => `<span><i style="background:${c}"></i>${s}</span>`)
  .join("");

// ── live view ──────────────────────────────────────────────────────────────────────────────────
/** What a run shows: its channels by name, and each goroutine's samples. */
class View {
  constructor() {
    this.channels = [];
    this.lanes = new Map(); // key → { key, label, worker, samples: [t, state][] }
    this.samples = 0;
    this.pool = null;
    this.asking = false; // a pool.goroutines() is under way
    this.poolTrace = null; // the pool's pool.stopTrace(), drawn beside this thread's trace
  }
  watch(name, ch) {
    this.channels.push({ name, ch });
    return ch;
  }
  /** Draws the goroutines of a pool's workers too, while the pool runs. */
  watchPool(pool) {
    this.pool = pool;
    return pool;
  }
  /** Adds a sample of each goroutine in `gs` to its lane; the lanes of `worker` (null: this
   *  thread's) that are not in gs have ended. */
  record(now, gs, worker) {
    const seen = new Set();
    for (const g of gs) {
      const key = worker === null ? `p${g.id}` : `w${worker}:${g.id}`;
      seen.add(key);
      let lane = this.lanes.get(key);
      if (lane === undefined) {
        const label = `${worker === null ? "" : `w${worker} `}g${g.id} ${g.fn || "(anonymous)"}`;
        this.lanes.set(key, (lane = { key, label, worker, samples: [] }));
      }
      lane.samples.push([now, g.state]);
    }
    for (const [key, lane] of this.lanes) {
      if (lane.worker !== worker) continue;
      if (!seen.has(key) && lane.samples.at(-1)?.[1] !== "done") lane.samples.push([now, "done"]);
    }
  }
  sample(now) {
    this.samples++;
    this.record(now, goroutines(), null);
    if (this.pool !== null && !this.asking) {
      // The workers answer when their event loops are free: a sample may come a little late.
      this.asking = true;
      const pool = this.pool;
      pool.goroutines().then((gs) => {
        this.asking = false;
        const t = performance.now();
        for (let w = 0; w < pool.size; w++) this.record(t, gs.filter((g) => g.worker === w), w);
      });
    }
  }
}

const live = document.getElementById("live");
const laneList = document.getElementById("lanes");
function drawLive(view, now) {
  const lanes = [...view.lanes.values()].filter((l) => l.samples.some(([t, s]) => s !== "done" && t > now - WINDOW_MS)).slice(-48);
  // The same lanes as text: each goroutine alive now, with its state.
  laneList.replaceChildren(
    ...lanes
      .filter((l) => l.samples.at(-1)[1] !== "done")
      .map((l) => {
        const li = document.createElement("li");
        li.dataset.key = l.key;
        if (l.worker !== null) li.dataset.worker = String(l.worker);
        li.dataset.state = l.samples.at(-1)[1];
        li.textContent = `${l.label}: ${li.dataset.state}`;
        return li;
      }),
  );
  const chans = view.channels.slice(-12);
  const height = Math.max(120, 20 + lanes.length * ROW, 20 + chans.length * 18);
  if (live.height !== height) live.height = height;
  const c = live.getContext("2d");
  c.clearRect(0, 0, live.width, live.height);
  c.font = "10px ui-monospace, monospace";
  const x0 = LABEL, x1 = 660;
  const x = (t) => x0 + ((t - (now - WINDOW_MS)) / WINDOW_MS) * (x1 - x0);
  lanes.forEach((lane, i) => {
    const y = 10 + i * ROW;
    c.fillStyle = "#333";
    c.fillText(lane.label.slice(0, 22), 4, y + 8);
    const s = lane.samples;
    for (let k = 0; k < s.length; k++) {
      const [t, state] = s[k];
      if (state === "done") continue;
      const end = k + 1 < s.length ? s[k + 1][0] : now;
      if (end < now - WINDOW_MS) continue;
      c.fillStyle = colour(state);
      c.fillRect(Math.max(x0, x(t)), y, Math.max(1, x(end) - Math.max(x0, x(t))), ROW - 2);
    }
  });
  // Channels: a bar per channel, filled to len/cap (an unbuffered channel has no buffer to fill).
  chans.forEach(({ name, ch }, i) => {
    const y = 10 + i * 18, bx = 790, bw = 160;
    c.fillStyle = "#333";
    c.fillText(name.slice(0, 20), 672, y + 10);
    c.strokeStyle = "#999";
    c.strokeRect(bx, y, bw, 12);
    if (ch.cap === 0) {
      c.fillStyle = "#999";
      c.fillText("unbuffered", bx + 4, y + 10);
    } else {
      c.fillStyle = "#1f77b4";
      c.fillRect(bx, y, (bw * ch.len) / ch.cap, 12);
      c.fillStyle = "#000";
      c.fillText(`${ch.len}/${ch.cap}`, bx + bw - 36, y + 10);
    }
  });
}

// ── timeline of a finished run, from stopTrace() ───────────────────────────────────────────────
const timeline = document.getElementById("timeline");
/** This thread's trace with a pool's beside it (each worker a process of its own), on one clock:
 *  the pool's times shifted by the difference of the two traces' origins. */
function withPool(trace, poolTrace) {
  if (poolTrace === null) return trace;
  const shift = (poolTrace.otherData.origin - trace.otherData.origin) * 1000;
  const moved = poolTrace.traceEvents.map((e) => (e.ph === "M" ? e : { ...e, ts: e.ts + shift }));
  return { ...trace, traceEvents: [...trace.traceEvents, ...moved] };
}

function drawTimeline(trace) {
  const events = trace.traceEvents;
  // A track is a goroutine of a thread: (pid, tid); pid 1 is the page, 2 + i pool worker i.
  const key = (e) => `${e.pid}:${e.tid}`;
  const label = (pid, name) => (pid === 1 ? name : `w${pid - 2} ${name.replace(/^goroutine /, "g")}`);
  const names = new Map(events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [key(e), label(e.pid, e.args.name)]));
  const slices = events.filter((e) => e.ph === "X");
  const order = (k) => k.split(":").map(Number);
  const tids = [...new Set([...names.keys(), ...slices.map(key)])]
    .sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1])
    .slice(0, 80);
  const row = new Map(tids.map((k, i) => [k, i]));
  const end = Math.max(1, ...slices.map((e) => e.ts + (e.dur ?? 0)));
  timeline.height = 30 + tids.length * ROW;
  const c = timeline.getContext("2d");
  c.clearRect(0, 0, timeline.width, timeline.height);
  c.font = "10px ui-monospace, monospace";
  const x = scaleLinear().domain([0, end]).range([LABEL, timeline.width - 10]);
  for (const t of x.ticks(10)) {
    c.fillStyle = "#eee";
    c.fillRect(x(t), 0, 1, timeline.height - 14);
    c.fillStyle = "#666";
    c.fillText(`${(t / 1000).toFixed(0)} ms`, x(t) - 10, timeline.height - 3);
  }
  tids.forEach((k, i) => {
    c.fillStyle = "#333";
    c.fillText(String(names.get(k) ?? k).slice(0, 22), 4, 10 + i * ROW + 8);
  });
  for (const e of slices) {
    const i = row.get(key(e));
    if (i === undefined) continue;
    c.fillStyle = colour(e.name);
    c.fillRect(x(e.ts), 10 + i * ROW, Math.max(1, x(e.ts + (e.dur ?? 0)) - x(e.ts)), ROW - 2);
  }
  // A value's path from a send to the receive that took it (flow events, cat "chan").
  const starts = new Map(events.filter((e) => e.ph === "s").map((e) => [`${e.pid}:${e.cat}:${e.id}`, e]));
  let flows = 0;
  c.strokeStyle = "rgba(0,0,0,0.25)";
  c.beginPath();
  for (const f of events) {
    if (f.ph !== "f") continue;
    const s = starts.get(`${f.pid}:${f.cat}:${f.id}`);
    if (s === undefined || !row.has(key(s)) || !row.has(key(f))) continue;
    c.moveTo(x(s.ts), 10 + row.get(key(s)) * ROW + ROW / 2);
    c.lineTo(x(f.ts), 10 + row.get(key(f)) * ROW + ROW / 2);
    flows++;
  }
  c.stroke();
  const workerTracks = [...names.keys()].filter((k) => !k.startsWith("1:")).length;
  return { tracks: names.size, workerTracks, rows: tids.length, slices: slices.length, flows };
}

// ── running ────────────────────────────────────────────────────────────────────────────────────
const status = document.getElementById("status");
let busy = false;

async function run(program) {
  if (busy) return undefined;
  busy = true;
  const view = new View();
  const started = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    view.sample(now);
    drawLive(view, now);
  }, SAMPLE_MS);
  status.textContent = `${program.title}: running…`;
  startTrace();
  let result, error;
  try {
    result = await program.run(view);
  } catch (e) {
    error = e;
  }
  const trace = withPool(stopTrace(), view.poolTrace);
  clearInterval(timer);
  const drawn = drawTimeline(trace);
  const ms = Math.round(performance.now() - started);
  status.textContent = error === undefined
    ? `${program.title}: ${result} (${ms} ms; ${drawn.rows} goroutine tracks, ${drawn.slices} slices, ${drawn.flows} values traced)`
    : `${program.title}: failed: ${error}`;
  busy = false;
  return { result, error: error === undefined ? undefined : String(error), ms, lanes: view.lanes.size, samples: view.samples, ...drawn };
}

const buttons = document.getElementById("buttons");
for (const p of programs) {
  const b = document.createElement("button");
  b.textContent = p.title;
  b.dataset.program = p.key;
  b.addEventListener("click", () => void run(p));
  buttons.append(b);
}
if (!sharedMemory) {
  status.textContent = "This page is not cross-origin isolated: the worker pool needs the COOP/COEP headers (npm run demo:web sends them).";
}

// ?autorun: every program in turn, then a summary to /result (test/browser/demo.mjs).
if (new URLSearchParams(location.search).has("autorun")) {
  const errors = [];
  addEventListener("error", (e) => errors.push(`error: ${e.message}`));
  addEventListener("unhandledrejection", (e) => errors.push(`unhandled rejection: ${e.reason}`));
  const consoleError = console.error;
  console.error = (...a) => {
    errors.push(`console.error: ${a.join(" ")}`);
    consoleError(...a);
  };
  (async () => {
    const out = { sharedMemory, programs: {} };
    for (const p of programs) {
      const r = await run(p);
      out.programs[p.key] = { ...r, ok: r.error === undefined && p.check(r.result) };
    }
    out.errors = errors;
    await fetch("/result", { method: "POST", body: JSON.stringify(out) });
  })();
}
