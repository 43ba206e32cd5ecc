// URLs checked for what their consumer needs. The schema's z.url() takes anything WHATWG parses
// (`mailto:x`, `s3://bucket`, `https:host`), so each URL key says which schemes and parts its
// consumer can use. Pure.

export interface UrlNeeds {
  /** Schemes the consumer speaks, e.g. ["https:"]. */
  readonly schemes: readonly ("http:" | "https:")[];
  /** Who reads it, for the message ("Barman's S3 client"). */
  readonly consumer: string;
  /** Only scheme, host and port (the consumer appends its own paths). */
  readonly rootOnly?: boolean;
  /** Longest accepted text (a CRD's maxLength). */
  readonly maxLength?: number;
}

/** Why `text` is not a URL `needs.consumer` can use, or undefined. */
export function urlProblem(text: string, needs: UrlNeeds): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${text} is not an absolute URL`;
  }
  const schemes = needs.schemes.map((s) => s.slice(0, -1)).join(" or ");
  if (!(needs.schemes as readonly string[]).includes(url.protocol))
    return `${text} is not an ${schemes} URL, which ${needs.consumer} needs`;
  // `https:host` parses (WHATWG fixes it up) but is not what anyone meant to write.
  if (!new RegExp(`^${url.protocol}//[^/]`, "i").test(text))
    return `${text} must be written ${url.protocol}//<host>…`;
  if (url.hostname === "") return `${text} has no host`;
  if (url.username || url.password)
    return `${text} carries credentials; ${needs.consumer} gets its credentials separately`;
  if (url.hash) return `${text} has a fragment (#…), which ${needs.consumer} does not use`;
  if (needs.rootOnly && (url.pathname !== "/" || url.search))
    return `${text} has a path or query; ${needs.consumer} needs only ${url.protocol}//<host>[:port]`;
  if (needs.maxLength !== undefined && text.length > needs.maxLength)
    return `${text} is longer than ${needs.maxLength} characters, the most ${needs.consumer} accepts`;
  return undefined;
}
