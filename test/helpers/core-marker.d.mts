/** The marker of one embedded copy of the core (from src/core-wasm.generated.ts). */
export function coreMarker(): string;
/** How many copies of the core `text` (a bundle, read as latin1) holds. */
export function copiesOfCore(text: string, marker?: string): number;
