const QUOTE = '"';

export type SplitLine = { fields: string[] } | { problem: string };
type Field = { value: string; end: number } | { problem: string };

const MALFORMED = 'fila CSV mal formada';
const UNCLOSED = `${MALFORMED}: una comilla abre un campo y nada lo cierra en esta línea`;
const AFTER_CLOSING = `${MALFORMED}: tras la comilla que cierra un campo debe venir una coma`;
const INSIDE_PLAIN = `${MALFORMED}: comilla dentro de un campo sin comillas (encierre el campo entre comillas y escriba la comilla dos veces)`;

function plainField(text: string, at: number): Field {
  const comma = text.indexOf(',', at);
  const end = comma < 0 ? text.length : comma;
  const value = text.slice(at, end);
  return value.includes(QUOTE) ? { problem: INSIDE_PLAIN } : { value, end };
}

function quotedField(text: string, at: number): Field {
  let value = '';
  for (let from = at + 1; ; ) {
    const quote = text.indexOf(QUOTE, from);
    if (quote < 0) return { problem: UNCLOSED };
    value += text.slice(from, quote);
    if (text[quote + 1] === QUOTE) {
      value += QUOTE;
      from = quote + 2;
      continue;
    }
    const end = quote + 1;
    return end === text.length || text[end] === ',' ? { value, end } : { problem: AFTER_CLOSING };
  }
}

/**
 * Splits one line into RFC 4180 fields: a field in quotes may hold commas, and `""` for a
 * quote. The line is all there is: a quote left open is this line's problem, never the next's.
 */
export function splitCsvLine(text: string): SplitLine {
  if (!text.includes(QUOTE)) return { fields: text.split(',') };
  const fields: string[] = [];
  for (let at = 0; at <= text.length; ) {
    const field = text[at] === QUOTE ? quotedField(text, at) : plainField(text, at);
    if ('problem' in field) return field;
    fields.push(field.value);
    at = field.end + 1;
  }
  return { fields };
}
