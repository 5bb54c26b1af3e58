// The driver of the contended cases: `tasks` concurrent tasks, each awaiting `acquisition()`
// `rounds` times. Each call compiles its own copy of the driver: closures of one function
// literal share V8's type feedback, so a shared driver would let one case's promises make the
// other cases' awaits polymorphic, and the order of the cases would decide the result.
const driverSource = `
  const task = async () => {
    for (let i = 0; i < rounds; i++) await acquisition();
  };
  return () => {
    const running = [];
    for (let t = 0; t < tasks; t++) running.push(task());
    return Promise.all(running);
  };`;

/** A function that runs `acquisition` `tasks` × `rounds` times, in `tasks` concurrent tasks. */
export function contended(acquisition, tasks, rounds) {
  return new Function("acquisition", "tasks", "rounds", driverSource)(acquisition, tasks, rounds);
}

/** What a holder does while it holds: yield once, so that the others queue. */
export const yieldOnce = async () => {
  await null;
};
