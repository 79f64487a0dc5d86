// Renders a bench run (bench/results.json) as an SVG chart (bench/chart.svg): for each channel
// scenario (the ones run against the promise channel), every library's median per operation
// divided by the promise channel's in the same run, one bar per library, on a log scale; a
// library that could not run a scenario gets a note in its bar's place instead ("not
// expressible", or the error). The spec is Vega-Lite, compiled to Vega and rendered by Vega's
// headless View (`toSVG()`), so no browser is needed.
//
//   npm run bench:chart                                 bench/results.json -> bench/chart.svg
//   node bench/chart.mjs --in FILE --out FILE
//
// bench/run.mjs does not call this: the chart is regenerated from results.json by this script.
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as vega from "vega";
import * as vegaLite from "vega-lite";

const PROMISE_CHANNEL = "bench/baselines/promise-chan.mjs";

/** The libraries in the order of their bars, with how the chart names them. */
function libraries(results, scenarios) {
  const libs = [{ key: "baton", label: "baton" }, { key: "baseline", label: "promise channel" }];
  for (const name of scenarios) {
    for (const [key, p] of Object.entries(results.scenarios[name].peers ?? {})) {
      if (!libs.some((l) => l.key === key)) libs.push({ key, label: p.label ?? key });
    }
  }
  return libs;
}

/**
 * The chart's rows, one per (scenario, library) that ran or was asked to: `relative` is the
 * library's figure / the promise channel's, or null with a `note` for one that has no figure.
 */
export function chartRows(results) {
  const scenarios = Object.keys(results.scenarios).filter((name) => {
    const sc = results.scenarios[name];
    return sc.baselineModule === PROMISE_CHANNEL && sc.baseline?.status === "ok";
  });
  const libs = libraries(results, scenarios);
  const rows = [];
  for (const name of scenarios) {
    const sc = results.scenarios[name];
    const base = sc.baseline.value;
    const scenario = sc.unit === "bytes" ? `${name} (bytes)` : name;
    for (const lib of libs) {
      const r = lib.key === "baton" ? sc.baton : lib.key === "baseline" ? sc.baseline : sc.peers?.[lib.key]?.result;
      if (!r) continue;
      const row = { scenario, library: lib.label, relative: null, figure: null, note: null };
      if (r.status === "ok") {
        row.relative = r.value / base;
        row.figure = `${formatRelative(row.relative)}`;
      } else if (r.status === "not-expressible") {
        row.note = "not expressible";
      } else {
        row.note = `failed: ${String(r.error?.message ?? r.kind ?? "error").slice(0, 60)}`;
      }
      rows.push(row);
    }
  }
  return { rows, libraries: libs.map((l) => l.label), scenarios };
}

function formatRelative(x) {
  return x >= 10 ? `${x.toFixed(0)}×` : x >= 1 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`;
}

/** The Vega-Lite spec of the chart. */
export function chartSpec(results) {
  const { rows, libraries: libs } = chartRows(results);
  if (rows.length === 0) throw new Error("bench chart: no scenario with a promise-channel baseline result in these results");
  const figures = rows.filter((r) => r.relative != null).map((r) => r.relative);
  // The log axis spans every bar from a power of ten, with room on the right for the labels.
  const lo = 10 ** Math.floor(Math.log10(Math.min(0.5, ...figures)));
  const hi = Math.max(2, ...figures) * 2.5;
  const m = results.machine ?? {};
  const when = [results.date?.slice(0, 10), m.node && `Node ${m.node.replace(/^v/, "")}`, m.cpus && `${m.cpus.count} CPUs`, results.quick ? "quick run" : null]
    .filter(Boolean)
    .join(", ");
  const y = { field: "scenario", type: "nominal", title: null, sort: null, axis: { labelLimit: 0, labelFontSize: 12 } };
  const yOffset = { field: "library", type: "nominal", sort: libs };
  const x = {
    field: "relative", type: "quantitative",
    title: "median per operation ÷ the promise channel's (log scale; lower is better)",
    scale: { type: "log", domain: [lo, hi], nice: false },
    axis: { grid: true, format: "~g" },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Channel scenarios: baton, the promise channel and the CSP libraries",
      subtitle: [
        "each library's median time per operation (bytes per parked goroutine for parked_goroutine_bytes)",
        `relative to the promise channel's in the same run${when ? ` (${when})` : ""}`,
      ],
      anchor: "start",
      offset: 12,
    },
    width: 640,
    height: { step: 14 },
    background: "white",
    data: { values: rows },
    encoding: { y, yOffset },
    layer: [
      {
        // A log scale has no zero: each bar starts at the axis' left end.
        // Each bar's accessible label (aria-label in the SVG): "<scenario> / <library>: <relative>".
        transform: [
          { filter: "datum.relative != null" },
          { calculate: `${lo}`, as: "from" },
          { calculate: "datum.scenario + ' / ' + datum.library + ': ' + datum.relative", as: "description" },
        ],
        mark: { type: "bar", height: { band: 1 } },
        encoding: {
          x,
          x2: { field: "from" },
          color: { field: "library", type: "nominal", sort: libs, title: "library", scale: { scheme: "tableau10" } },
          description: { field: "description" },
        },
      },
      {
        transform: [{ filter: "datum.relative != null" }],
        mark: { type: "text", align: "left", dx: 3, fontSize: 9, baseline: "middle" },
        encoding: { x, text: { field: "figure" } },
      },
      {
        // In a missing bar's place: "<library>: <note>", from the left edge.
        transform: [
          { filter: "datum.relative == null" },
          { calculate: `${lo}`, as: "at" },
          { calculate: "datum.library + ': ' + datum.note", as: "label" },
        ],
        mark: { type: "text", align: "left", dx: 3, fontSize: 9, baseline: "middle", fontStyle: "italic", color: "#555" },
        encoding: { x: { field: "at", type: "quantitative", scale: { type: "log", domain: [lo, hi], nice: false } }, text: { field: "label" } },
      },
      {
        mark: { type: "rule", color: "#333", strokeDash: [3, 3] },
        encoding: { x: { datum: 1, type: "quantitative", scale: { type: "log", domain: [lo, hi], nice: false } }, y: null, yOffset: null },
      },
    ],
    config: { font: "Helvetica, Arial, sans-serif", legend: { orient: "right" }, axisY: { ticks: false, domain: false } },
  };
}

/** The chart as an SVG document. */
export async function chartSvg(results) {
  const { spec } = vegaLite.compile(chartSpec(results));
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// ---- command line -------------------------------------------------------------------------
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const args = process.argv.slice(2);
  let input = path.join(here, "results.json"), output = path.join(here, "chart.svg");
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--in") input = path.resolve(args[++i]);
    else if (a === "--out") output = path.resolve(args[++i]);
    else {
      console.error(`usage: node bench/chart.mjs [--in results.json] [--out chart.svg]`);
      process.exit(2);
    }
  }
  const svg = await chartSvg(JSON.parse(readFileSync(input, "utf8")));
  writeFileSync(output + ".tmp", svg + "\n");
  renameSync(output + ".tmp", output);
  console.log(`wrote ${path.relative(process.cwd(), output) || output} from ${path.relative(process.cwd(), input) || input}`);
}
