// spsc_unbuffered in Effect: spsc_buffered's code, with the scenario's capacity (0:
// `Queue.bounded(0)`, a rendezvous).
export { make } from "./spsc_buffered.mjs";
