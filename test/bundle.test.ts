// Loading the core must work where there is no Node: vite bundles baton for the browser (the
// core travels inside the bundle, as a string of its bytes), and the bundle must not reach for
// any Node module. The bundle is then run to show the core it carries works.

import { describe, expect, it } from "vitest";
import { build } from "vite";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

describe("bundling for the browser", () => {
  it("vite bundles baton with no Node module, and the bundle runs", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "baton-bundle-"));
    try {
      await build({
        configFile: false,
        logLevel: "silent",
        build: {
          outDir,
          emptyOutDir: true,
          target: "es2022",
          minify: false,
          lib: { entry: resolve(__dirname, "fixtures/bundle/entry.ts"), formats: ["es"], fileName: "bundle" },
          rollupOptions: { external: (id) => id.startsWith("node:") },
        },
      });
      const file = readdirSync(outDir).find((f) => f.endsWith(".js"))!;
      const code = readFileSync(join(outDir, file), "utf8");
      expect(code).not.toMatch(/from\s+["']node:|require\(["']node:|import\(["']node:/);
      expect(code).not.toMatch(/\bprocess\.binding\b/);
      const mod = (await import(pathToFileURL(join(outDir, file)).href)) as { pingPong(n: number): Promise<number> };
      expect(await mod.pingPong(100)).toBe(100);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
