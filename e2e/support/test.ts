import { test as base } from '@downspin/playwright';
import { withDownspin, type TestWithDownspin } from '../../browser-support/with-downspin.js';

/**
 * The published fixture (`@downspin/playwright`, as a user imports it),
 * pointed at the run's `downspin start`: the bundled demo app behind the proxy.
 */
export const test: TestWithDownspin = withDownspin(base);
export { expect } from '@downspin/playwright';
