import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { RecsysError, errorMessage, isRecsysError } from '../../lib/domain/errors.js';

export type TextEncoding = 'utf8' | 'latin1';

/** Called once per line, without its line end; `lineNo` is 1-based. */
export type LineHandler = (line: string, lineNo: number) => void;

const CHUNK_BYTES = 1 << 20;

/**
 * Streams a text file line by line (LF or CRLF; a UTF-8 byte order mark is
 * dropped). Resolves with the number of lines. A failure to read becomes
 * RECSYS_ERR_DATA_UNREADABLE naming the path; errors thrown by the handler
 * pass through unchanged.
 */
export async function forEachLine(path: string, encoding: TextEncoding, onLine: LineHandler): Promise<number> {
  let lineNo = 0;
  let carry = '';
  const emit = (line: string): void => {
    lineNo++;
    let text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (lineNo === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    onLine(text, lineNo);
  };
  try {
    const stream = createReadStream(path, { encoding, highWaterMark: CHUNK_BYTES });
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = carry.length > 0 ? carry + chunk : chunk;
      let start = 0;
      let end = text.indexOf('\n', start);
      while (end !== -1) {
        emit(text.slice(start, end));
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      carry = text.slice(start);
    }
    if (carry.length > 0) emit(carry);
  } catch (error) {
    throw asUnreadable(path, error);
  }
  return lineNo;
}

/** Whether a line is empty or only whitespace (cheap for the common non-blank line). */
export function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0);
}

/** The first `count` lines of a file (read from its first 64 KiB), for format detection. */
export async function readFirstLines(path: string, count: number, encoding: TextEncoding = 'utf8'): Promise<string[]> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(1 << 16);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString(encoding).replace(/^\uFEFF/, '');
      const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
      if (bytesRead === buffer.length) lines.pop();
      return lines.filter((line) => line.trim().length > 0).slice(0, count);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw asUnreadable(path, error);
  }
}

/** A failed file-system call becomes RECSYS_ERR_DATA_UNREADABLE naming the path; anything else passes through. */
export function asUnreadable(path: string, error: unknown): Error {
  if (isRecsysError(error)) return error;
  if (error instanceof Error && !isSystemError(error)) return error;
  return new RecsysError('RECSYS_ERR_DATA_UNREADABLE', `cannot read ${path}: ${errorMessage(error)}`, {
    cause: error,
  });
}

function isSystemError(error: Error): boolean {
  return typeof (error as NodeJS.ErrnoException).code === 'string';
}
