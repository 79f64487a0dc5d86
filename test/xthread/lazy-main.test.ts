// In Node the main thread's memory is fixed when baton loads, but its core is compiled at its
// first call (loader.ts). A child process (this test runner's main thread has used baton long
// since) runs test/fixtures/lazy/main.mjs: workers started before the main thread's first baton
// call share its memory, and one that ends before that call is seen ending.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

describe("the main thread's core, compiled at its first call", () => {
  it("is over the memory fixed at load, which workers started before that call share; a worker that ended before it is seen", () => {
    const fixture = fileURLToPath(new URL("../fixtures/lazy/main.mjs", import.meta.url));
    const r = spawnSync(process.execPath, [fixture], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ first: ["first", true], got: [1, 2], local: "local", third: 1, goroutines: 0 });
  });
});
