import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

/** Adds the request id of the call being served (if any) to a log line. */
export function requestIdMixin(): { requestId?: string } {
  const requestId = currentRequestId();
  return requestId === undefined ? {} : { requestId };
}

/** Structured JSON logs on stderr (or `destination`); level from RECSYS_LOG_LEVEL (default info); every line logged during a call carries its request id. */
export function createLogger(name: string, level = process.env.RECSYS_LOG_LEVEL ?? 'info', destination: DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  return pino({ name, level, mixin: requestIdMixin }, destination);
}
