/**
 * What bin/kreg.js needs, as one module: the entry point of the binary's bundle (scripts/build-cli.ts).
 */
export { main } from './main.js';
export { processIo } from './io.js';
