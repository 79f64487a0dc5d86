// spsc_unbuffered in js-csp: spsc_buffered's code, with the scenario's capacity (0: `chan(0)`,
// unbuffered).
export { make } from "./spsc_buffered.mjs";
