/**
 * Peak resident memory of a job: process.memoryUsage.rss() sampled on a timer and on
 * demand (worker threads live in the same process, so their memory is included), plus the
 * kernel's lifetime high-water mark resourceUsage().maxRSS (covers spikes between samples,
 * but also anything the process did before the job).
 */
export interface PeakRss {
  /** Largest sampled RSS during the job, MiB. */
  readonly peakRssMb: number;
  /** process.resourceUsage().maxRSS at the end of the job (process lifetime peak), MiB. */
  readonly maxRssMb: number;
}

export class PeakRssSampler {
  private peak = 0;
  private lastSample = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs = 100) {
    this.sample();
    this.timer = setInterval(() => { this.sample(); }, intervalMs);
    this.timer.unref();
  }

  sample(): void {
    this.lastSample = performance.now();
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }

  /** Samples unless the last sample is recent: cheap enough to call from a busy loop. */
  maybeSample(): void {
    if (performance.now() - this.lastSample >= this.intervalMs) this.sample();
  }

  stop(): PeakRss {
    clearInterval(this.timer);
    this.sample();
    const mb = (bytes: number): number => Math.round((bytes / (1 << 20)) * 10) / 10;
    return { peakRssMb: mb(this.peak), maxRssMb: mb(process.resourceUsage().maxRSS * 1024) };
  }
}
