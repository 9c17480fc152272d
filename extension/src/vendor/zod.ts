/**
 * zod as the extension's bundler sees it. Parcel 2.9 (Plasmo's bundler)
 * drops zod 4's `./v4/classic/external.js` from production builds when it is
 * imported through zod's index (a namespace import re-exported in a
 * side-effect-free package: parcel-bundler/parcel#10175), leaving `z` empty.
 * Taking the namespace as a value here keeps all of it. `package.json`
 * aliases "zod" to this file for the bundler only; type checks and tests
 * use zod itself.
 */
import * as classic from '../../../node_modules/zod/v4/classic/external.js';

export const z = classic;
export default z;
