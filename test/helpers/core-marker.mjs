// How a test counts the copies of baton's core in a bundle. The core is embedded as a string
// literal (scripts/embed-core.mjs), part printable ASCII and part \xNN escapes, and a bundler
// prints such a literal its own way (esbuild writes the escapes in capitals, may change the
// quotes). What every printer keeps is a run of plain characters: the marker is the longest
// such run of the literal, which occurs in it once, and so once per copy of the core.
import { readFileSync } from "node:fs";

const GENERATED = new URL("../../src/core-wasm.generated.ts", import.meta.url);

/** The marker of one embedded copy of the core (from src/core-wasm.generated.ts, which
 *  `npm run build:core` writes). */
export function coreMarker() {
  const literal = /export const CORE = "((?:[^"\\]|\\.)*)";/.exec(readFileSync(GENERATED, "utf8"))?.[1];
  if (literal === undefined) throw new Error("core-marker: no CORE in src/core-wasm.generated.ts (run npm run build:core)");
  // Escapes, and the characters that another quoting (' or `) would escape, split the runs.
  const runs = literal.split(/\\x[0-9a-f]{2}|[$`']/).sort((a, b) => b.length - a.length);
  const marker = runs[0];
  if (marker.length < 24 || literal.split(marker).length !== 2) {
    throw new Error(`core-marker: the core has no plain run long enough to be unique (longest: ${marker.length})`);
  }
  return marker;
}

/** How many copies of the core `text` (a bundle, read as latin1) holds. */
export const copiesOfCore = (text, marker = coreMarker()) => text.split(marker).length - 1;
