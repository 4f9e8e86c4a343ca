import { pino, type Logger } from 'pino';

/** Structured JSON logs on stderr; level from RECSYS_LOG_LEVEL (default info). */
export function createLogger(name: string, level = process.env.RECSYS_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination({ fd: 2, sync: true }));
}
