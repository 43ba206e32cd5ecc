// Kubernetes resource quantities as the program reads them: CPU in cores, memory in bytes. The
// schema accepts only what these parse, so the failure-domain model (planning/failure-model.ts)
// and the API server read the same number. Pure.

/** CPU: whole or decimal cores (`1`, `1.5`) or millicores (`250m`); never finer than 1m. */
const CPU = /^([0-9]+(?:\.[0-9]+)?)(m?)$/;

/** Memory: bytes with an optional decimal (k, M, G, T) or binary (Ki … Ti) suffix. */
const MEMORY = /^([0-9]+(?:\.[0-9]+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/;

const MEMORY_FACTOR: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Cores of a CPU quantity, or undefined when it is not one. */
export function parseCpu(quantity: string): number | undefined {
  const m = CPU.exec(quantity);
  return m ? Number(m[1]) / (m[2] === "m" ? 1000 : 1) : undefined;
}

/** Bytes of a memory quantity, or undefined when it is not one. */
export function parseMemory(quantity: string): number | undefined {
  const m = MEMORY.exec(quantity);
  return m ? Number(m[1]) * MEMORY_FACTOR[m[2] ?? ""] : undefined;
}

/** Why `quantity` is not a CPU amount the program and Kubernetes read alike, or undefined. */
export function cpuProblem(quantity: string): string | undefined {
  const cores = parseCpu(quantity);
  if (cores === undefined)
    return "is not a CPU quantity: whole or decimal cores (1, 1.5) or millicores (250m)";
  if (cores <= 0) return "must be more than 0";
  // The API server rounds anything finer up to 1m: the pod would get more than was planned.
  if (!Number.isInteger(Math.round(cores * 1e6) / 1e3))
    return "is finer than 1m (0.001 CPU), the smallest unit Kubernetes keeps";
  return undefined;
}

/** Why `quantity` is not a memory amount the program and Kubernetes read alike, or undefined. */
export function memoryProblem(quantity: string): string | undefined {
  // `512m` parses in Kubernetes — as 0.512 bytes (m is milli). Nobody means that.
  if (/^[0-9]+(\.[0-9]+)?m$/.test(quantity))
    return `means ${quantity.slice(0, -1)} thousandths of a byte to Kubernetes (m is milli): write ${quantity.slice(0, -1)}Mi or ${quantity.slice(0, -1)}M`;
  const bytes = parseMemory(quantity);
  if (bytes === undefined)
    return "is not a memory quantity: bytes with a suffix k, M, G, T or Ki, Mi, Gi, Ti (e.g. 512Mi, 4Gi)";
  if (bytes < 1) return "must be at least one byte";
  return undefined;
}
