const QUOTE = 34;

/**
 * Splits one delimited line. A field may be double-quoted, with `""` standing
 * for a quote inside it, so that it can hold the delimiter. Fields that span
 * lines are not supported (no MovieLens file has them).
 */
export function splitDelimited(line: string, delimiter = ','): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (line.charCodeAt(pos) === QUOTE) {
      let field = '';
      pos++;
      for (;;) {
        const close = line.indexOf('"', pos);
        if (close === -1) {
          field += line.slice(pos);
          pos = line.length;
          break;
        }
        field += line.slice(pos, close);
        pos = close + 1;
        if (line.charCodeAt(pos) !== QUOTE) break;
        field += '"';
        pos++;
      }
      const next = line.indexOf(delimiter, pos);
      const tail = next === -1 ? line.slice(pos) : line.slice(pos, next);
      fields.push(field + tail);
      if (next === -1) return fields;
      pos = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, pos);
      if (next === -1) {
        fields.push(line.slice(pos));
        return fields;
      }
      fields.push(line.slice(pos, next));
      pos = next + delimiter.length;
    }
  }
}

/** Quotes a field for a comma-separated line when it needs it. */
export function quoteField(field: string, delimiter = ','): string {
  if (!field.includes('"') && !field.includes(delimiter) && !field.includes('\n')) return field;
  return `"${field.replaceAll('"', '""')}"`;
}

