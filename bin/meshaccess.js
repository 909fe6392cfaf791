#!/usr/bin/env node
// The command-line entry point. The sources are TypeScript that Node.js 24 runs
// directly (type stripping), so there is no build step between a clone and a run.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
