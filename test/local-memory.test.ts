// Without SharedArrayBuffer (a browser page that is not cross-origin isolated), baton runs its
// core over a plain memory: local channels must work the same, also after the memory has grown,
// which detaches the facade's views of a plain memory. Run in a child process, since the module
// chooses its memory once, when it loads.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

describe("the core over a plain (non-shared) memory", () => {
  it("runs channels, select and goroutines after the memory has grown", () => {
    const r = spawnSync(process.execPath, [resolve(__dirname, "fixtures/local/no-sab.mjs")], { encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ shared: "undefined", sum: 999000, grown: true, fired: 50000 });
  });
});
