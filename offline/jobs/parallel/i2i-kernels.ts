/**
 * The row kernels a worker can run, by job name. Each job module exports a factory that
 * turns its (shared, read-only) inputs and options into a RowKernel.
 */
import { itemCfKernel } from '../item-cf/item-cf.kernel.js';
import { swingKernel } from '../swing/swing.kernel.js';
import type { RowKernel } from './row-chunks.js';

export type I2iKernelName = 'item-cf' | 'swing';

export const I2I_KERNELS: Readonly<Record<I2iKernelName, (inputs: never, options: never) => RowKernel>> = {
  'item-cf': itemCfKernel,
  swing: swingKernel,
};
