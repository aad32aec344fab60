#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';
import { processIo } from '../dist/src/cli/io.js';

// A reader that goes away (kreg get ... | head) is not an error: stop quietly, as kubectl does.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2), processIo());
