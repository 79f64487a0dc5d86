// `npm run test:soak`: the memory soak tests (test/soak/*.soak.ts), kept out of `npm test`
// (vitest.config.ts takes only *.test.ts) because they take a minute or two. Paths are relative
// to the repository root, where npm runs the script.

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: ".",
    include: ["test/soak/**/*.soak.ts"],
    // Each pattern's child is allowed SOAK_CHILD_TIMEOUT_MS (memory.soak.ts); its test waits
    // for it after the ones queued before it have run.
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", ["json", { outputFile: "build/soak-results.json" }]],
  },
});
