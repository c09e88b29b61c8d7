/**
 * The `ws` package, loaded when the first relay starts, not when troupe is
 * imported. Kept out of the published declarations' import graph: `ws` ships
 * no types of its own.
 */
import { loadOnce } from '../util/load-once.js';

/** Loads `ws` once. */
export const loadWs = loadOnce(() => import('ws'));
