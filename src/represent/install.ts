// Loading this module makes options.represent work in certify and validate
// (src/represent/registry.ts): the Node front imports it always, browsers
// through `flipcert/represent`, which also exports represent().
import { installRepresenter } from './registry.js';
import { runPipeline } from './pipeline.js';

installRepresenter(runPipeline);

export { represent, type RepresentOptions, type RepresentResult } from './represent.js';
export type { RepresentStep } from './registry.js';
