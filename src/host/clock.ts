// Milliseconds for timing a run, from `performance` where the runtime has it
// (bare and edge runtimes may not). One clock for every layer that times work.
export const now = (): number => globalThis.performance?.now() ?? Date.now();
