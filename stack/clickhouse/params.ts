// Query parameters ({name:Type} placeholders) for the ClickHouse adapter.
//
// Over HTTP a client sends `param_<name>=<value>` with the value already in
// ClickHouse's text "Escaped" form, exactly as @clickhouse/client renders it:
// a top-level string is backslash-escaped and unquoted (it\'s), composites are
// literals with quoted, backslash-escaped strings (['it\'s','b']), NULL is \N.
//
// chdb binds parameters server-side too (Session.queryBindAsync, no SQL
// injection surface), but it takes JS values and renders them itself: a JS
// string gets TSV-escaped (backslashes doubled) and handed to the engine. So the
// wire text must first be turned into the string that chdb's escaping maps back
// to an equivalent wire text. Escapes chdb re-creates (\\ \t \n \r \0 \b \f) are
// decoded to the raw character. \' has no such preimage: outside quotes it is a
// plain ' (Escaped form), inside a quoted literal it becomes the SQL-style ''
// which the engine's quoted-string parser reads as the same quote.
const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  t: "\t",
  n: "\n",
  r: "\r",
  "0": "\0",
  b: "\b",
  f: "\f",
};

/** Converts an HTTP `param_*` value into the value to pass to chdb's queryBindAsync. */
export function decodeParam(wire: string): string | null {
  if (wire === "\\N") return null;
  let out = "";
  let inQuotes = false;
  for (let i = 0; i < wire.length; i++) {
    const ch = wire[i]!;
    if (ch === "'") {
      inQuotes = !inQuotes;
      out += ch;
    } else if (ch !== "\\" || i + 1 === wire.length) {
      out += ch;
    } else {
      const next = wire[++i]!;
      if (next === "'") out += inQuotes ? "''" : "'";
      // Other escapes (never produced by @clickhouse/client) keep the character.
      else out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
