/**
 * Side-effect entry: `import '@deepbelief/backend-tfjs/register'` registers the tfjs
 * backends with core's shared registry (see {@link registerTfjsBackends}).
 * @module
 */
import { registerTfjsBackends } from './registry.js';

registerTfjsBackends();
