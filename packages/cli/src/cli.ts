#!/usr/bin/env node
/**
 * The `deepbelief` executable: runs {@link main} on the process arguments and exits with its
 * code once the output is flushed.
 * @module
 */
import { main } from './program.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
