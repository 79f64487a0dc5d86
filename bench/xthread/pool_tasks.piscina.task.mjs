// pool_tasks' task for piscina: `pool.run({ a, b }, { name: "add" })` returns a + b.
export function add({ a, b }) {
  return a + b;
}
