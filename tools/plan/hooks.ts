// Every Helm hook the provider drops, beside the program's cover for it (hooks.json).
import { HookCover, INGRESS_HOOK_COVERS } from "../../components/ingress/hook-covers";
import { DroppedHook } from "./chart-children";

/** Every area's table of covers. */
export const HOOK_COVERS: readonly HookCover[] = [...INGRESS_HOOK_COVERS];

export interface CoveredHook extends DroppedHook {
  /** The program's cover, or null when nothing covers it (a test fails on that). */
  readonly cover: string | null;
}

export function coverOf(hook: DroppedHook, covers: readonly HookCover[]): string | null {
  const found = covers.find(
    (c) =>
      c.chart === hook.chart && c.hooks.some((h) => h.kind === hook.kind && h.name === hook.name),
  );
  return found?.cover ?? null;
}

export function coverHooks(
  hooks: readonly DroppedHook[],
  covers: readonly HookCover[] = HOOK_COVERS,
): CoveredHook[] {
  return hooks.map((h) => ({ ...h, cover: coverOf(h, covers) }));
}

/** One line per hook nothing covers. */
export function uncoveredHooks(hooks: readonly CoveredHook[]): string[] {
  return hooks
    .filter((h) => h.cover === null)
    .map(
      (h) =>
        `${h.cluster}: ${h.chart}@${h.version} hook ${h.kind} ${h.namespace ? `${h.namespace}/` : ""}${h.name} ` +
        `(${h.phases.join(",")}, from ${h.source}) is dropped by helm.v4.Chart and nothing in the program covers it: ` +
        `do its work in the program and record how in a hook-covers table (e.g. components/ingress/hook-covers.ts)`,
    );
}
