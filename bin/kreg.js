#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code between runs (in the OS temp dir); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

// The CLI as one bundle (dist/cli/, made by npm run build): far fewer files to load than dist/src.
const { main, processIo } = await import('../dist/cli/kreg.mjs');

// A reader that goes away (kreg get ... | head) is not an error: stop quietly, as kubectl does.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2), processIo());
