// bench/chart.mjs: from a small results.json (test/fixtures/bench/results.json: three channel
// scenarios, one with two peers not expressible and one with a peer that failed, plus a
// scenario with another baseline and a cross-thread one, which the chart leaves out), the script
// writes an SVG that names every library, draws one bar per figure at the figure / the promise
// channel's, and says what is missing and why.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = fileURLToPath(new URL("../fixtures/bench/results.json", import.meta.url));

/** Every bar's (scenario, library, relative figure), from the label each bar carries ("<scenario> / <library>: <relative>"). */
function bars(svg: string): { scenario: string; library: string; relative: number }[] {
  return [...svg.matchAll(/<path aria-label="([^"/]*) \/ ([^"]*): ([^"]*)"[^>]*aria-roledescription="bar"/g)].map((m) => ({
    scenario: m[1],
    library: m[2],
    relative: Number(m[3]),
  }));
}

describe("bench/chart.mjs", () => {
  const dir = mkdtempSync(join(tmpdir(), "baton-chart-"));
  const out = join(dir, "chart.svg");
  let svg = "";

  it("writes an SVG from a results.json", () => {
    const log = execFileSync(process.execPath, ["bench/chart.mjs", "--in", fixture, "--out", out], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(log).toMatch(/wrote .*chart\.svg/);
    svg = readFileSync(out, "utf8");
    rmSync(dir, { recursive: true, force: true });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });

  it("names every library in its legend and every channel scenario, and leaves the others out", () => {
    for (const name of ["baton", "promise channel", "js-csp", "@thi.ng/csp", "Effect"]) expect(svg).toContain(`>${name}</text>`);
    for (const name of ["pingpong", "parked_goroutine_bytes (bytes)", "sieve2000"]) expect(svg).toContain(`>${name}</text>`);
    expect(svg).not.toContain("mutex_uncontended");
    expect(svg).not.toContain("spsc_xthread");
    expect(svg).toMatch(/relative to the promise channel/);
  });

  it("draws one bar per figure, at the figure divided by the promise channel's", () => {
    const got = bars(svg);
    const want = [
      ["pingpong", "baton", 1.2], ["pingpong", "promise channel", 1], ["pingpong", "js-csp", 50], ["pingpong", "@thi.ng/csp", 2], ["pingpong", "Effect", 5],
      ["parked_goroutine_bytes (bytes)", "baton", 1.6], ["parked_goroutine_bytes (bytes)", "promise channel", 1], ["parked_goroutine_bytes (bytes)", "Effect", 4],
      ["sieve2000", "baton", 1.25], ["sieve2000", "promise channel", 1], ["sieve2000", "js-csp", 2], ["sieve2000", "@thi.ng/csp", 1.5],
    ] as const;
    expect(got.length).toBe(want.length);
    for (const [scenario, library, relative] of want) {
      const bar = got.find((b) => b.scenario === scenario && b.library === library);
      expect(bar, `${scenario} / ${library}`).toBeDefined();
      expect(bar!.relative).toBeCloseTo(relative, 3);
    }
  });

  it("says in a missing bar's place whose it is and why", () => {
    expect(svg).toContain(">js-csp: not expressible</text>");
    expect(svg).toContain(">@thi.ng/csp: not expressible</text>");
    expect(svg).toContain(">Effect: failed: Maximum call stack size exceeded</text>");
  });
});
