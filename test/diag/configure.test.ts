// configure(): every option value it does not accept, and every option name it does not know (a
// typo), is a TypeError that names the option and what is accepted; a refused call changes nothing.

import { afterEach, describe, expect, it } from "vitest";
import { chan, configure, go, goroutines } from "../../src/index.js";
import type { BatonOptions } from "../../src/index.js";
import { eventually } from "../helpers/wait.js";
import { runFixture } from "./fixture.js";

afterEach(() => configure({ creationSites: true, deadlockDetection: true }));

/** The error configure(options) throws (fails the test if it throws none). */
function refusal(options: unknown): Error {
  try {
    configure(options as BatonOptions);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`configure(${String(options)}) was accepted`);
}

describe("configure", () => {
  it("refuses a deadlockDetection that is not a boolean, naming the option and the accepted values", () => {
    for (const bad of ["yes", "true", 1, 0, null, {}]) {
      const e = refusal({ deadlockDetection: bad });
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toContain("deadlockDetection");
      expect(e.message).toMatch(/true.*false/);
    }
  });

  it("refuses an unknown option name, naming it and listing the known ones", () => {
    const e = refusal({ deadlockDetecton: false });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('"deadlockDetecton"');
    for (const known of ["deadlockDetection", "creationSites", "spinMicros"]) expect(e.message).toContain(known);
    expect(refusal({ creationSite: "all" }).message).toContain('"creationSite"');
  });

  it("refuses creationSites and spinMicros values it does not know, as TypeErrors naming them", () => {
    const sites = refusal({ creationSites: "some" });
    expect(sites).toBeInstanceOf(TypeError);
    expect(sites.message).toContain("creationSites");
    expect(sites.message).toContain('"sampled"');
    const spin = refusal({ spinMicros: "50" });
    expect(spin).toBeInstanceOf(TypeError);
    expect(spin.message).toContain("spinMicros");
    expect(refusal({ spinMicros: -1 })).toBeInstanceOf(RangeError);
  });

  it("applies nothing of a call it refuses", async () => {
    refusal({ creationSites: "off", deadlockDetecton: false });
    refusal({ creationSites: "off", deadlockDetection: "no" });
    const ch = chan<number>();
    const before = new Set(goroutines().map((g) => g.id));
    go(() => ch.recv());
    const g = goroutines().find((x) => !before.has(x.id))!;
    expect(g.createdAt).toContain("configure.test.ts"); // creationSites was not turned off
    ch.close();
    expect(await eventually(() => !goroutines().some((x) => x.id === g.id))).toBe(true);
  });

  it("accepts every documented value, and undefined for any option", () => {
    expect(() =>
      configure({ deadlockDetection: true, creationSites: "sampled", spinMicros: 50 }),
    ).not.toThrow();
    for (const sites of ["all", "off", "sampled", true, false] as const) expect(() => configure({ creationSites: sites })).not.toThrow();
    expect(() => configure({ deadlockDetection: undefined, creationSites: undefined, spinMicros: undefined })).not.toThrow();
    expect(() => configure({})).not.toThrow();
  });

  it('leaves deadlock detection on after refusing { deadlockDetection: "yes" } (child process)', () => {
    const r = runFixture("deadlock-configure-bad-value.mjs");
    expect(r.stdout).toBe("TypeError\n");
    expect(r.stderr.startsWith("fatal error: all goroutines are asleep - deadlock!")).toBe(true);
    expect(r.status).toBe(2);
  });
});
