import type { Job } from './job.js';
import { catalogueJob } from './catalogue/catalogue.job.js';
import { popularJob } from './popular/popular.job.js';
import { itemCfJob } from './item-cf/item-cf.job.js';
import { swingJob } from './swing/swing.job.js';
import { easeJob } from './ease/ease.job.js';
import { twoTowerJob } from './two-tower/two-tower.job.js';
import { rankJob } from './rank/rank.job.js';

/** The offline DAG in dependency order (every job reads only the training view; rank also runs recall, two-tower included, on the draft). */
export const JOBS: readonly Job[] = [catalogueJob, popularJob, itemCfJob, swingJob, easeJob, twoTowerJob, rankJob];

export const JOB_NAMES = JOBS.map((job) => job.name);

export function findJob(name: string): Job | undefined {
  return JOBS.find((job) => job.name === name);
}
