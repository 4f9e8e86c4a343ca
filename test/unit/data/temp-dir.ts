import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `body` with a fresh temporary folder holding `files`, removed afterwards. */
export async function withFiles<T>(
  files: Readonly<Record<string, string | Buffer>>,
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-data-'));
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Lines joined with `eol`, ending in one. */
export function lines(rows: readonly string[], eol = '\n'): string {
  return rows.map((row) => row + eol).join('');
}
