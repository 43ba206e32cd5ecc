// Turns the wire form of resource inputs (Pulumi's serialized property values) into plain
// JSON for the plan artifacts: secrets become "[secret]", never their value.
export const SECRET_MARK = "[secret]";
export const UNKNOWN_MARK = "[unknown]";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function maskWire(value: unknown): unknown {
  if (value === UNKNOWN) return UNKNOWN_MARK;
  if (Array.isArray(value)) return value.map(maskWire);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return SECRET_MARK;
    case RESOURCE_SIG:
      return { resource: obj["urn"] };
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return { asset: obj["path"] ?? obj["uri"] ?? "[inline]" };
    case OUTPUT_SIG:
      return obj["secret"] ? SECRET_MARK : maskWire(obj["value"]);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = maskWire(obj[key]);
  return out;
}

/** Unwraps secret markers (deserialized form) so mocks can compute with the values. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj["value"]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = unwrapSecrets(v);
  return out;
}

export function isSecretMarker(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** Wraps a value the way the runtime marks a secret. */
export function secretMarker(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** The wire form with secrets unwrapped to their values (never written anywhere; digests only). */
export function unwrapWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapWire);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return unwrapWire(obj["value"]);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = unwrapWire(obj[key]);
  return out;
}

export interface RevealedWire {
  /** The value with secrets unwrapped (for rendering in memory only). */
  readonly plain: unknown;
  /** Every string leaf that was inside a secret, to mask wherever it reappears. */
  readonly secretStrings: readonly string[];
  /** True when any part is not known yet. */
  readonly unknown: boolean;
}

/** Unwraps the wire form, remembering which strings were secret and whether anything is unknown. */
export function revealWire(value: unknown): RevealedWire {
  const secretStrings: string[] = [];
  let unknown = false;
  const walk = (v: unknown, inSecret: boolean): unknown => {
    if (v === UNKNOWN) {
      unknown = true;
      return v;
    }
    if (typeof v === "string" && inSecret && v !== "") secretStrings.push(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, inSecret));
    if (v === null || typeof v !== "object") return v;
    const obj = v as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return walk(obj["value"], true);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj).sort()) out[key] = walk(obj[key], inSecret);
    return out;
  };
  const plain = walk(value, false);
  return { plain, secretStrings, unknown };
}
