// The value objects_xthread sends, and the consumer's check of one (every field, and that
// it is the i-th). Shared by every library's side so that all build and check the same.
export function job(i) {
  return { id: i, name: "job-" + i, tags: ["a", "b"], at: i * 0.5 };
}
export function checkJob(v, i) {
  return v.id === i && v.name === "job-" + i && v.tags.length === 2 && v.tags[0] === "a" && v.tags[1] === "b" && v.at === i * 0.5;
}
