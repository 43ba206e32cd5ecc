// The postgres tests validate with the project's shared validators (test/support): CRDs from
// ../shared with unknown fields rejected, and chart values as Helm merges them.
import { SHARED_DIR, validateChartValues, validateObject } from "../support/upstream-schemas";

export const SHARED = SHARED_DIR;

/** Validation errors of a custom resource against its pinned CRD (empty when valid). */
export function crdErrors(obj: {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}): string[] {
  return validateObject(obj);
}

/**
 * Validation errors of Helm values for a chart folder of ../shared/charts (`<chart>-<version>`),
 * also refusing keys the chart's schema does not list: a misspelt value is a silent no-op in Helm.
 */
export function chartValueErrors(chartDir: string, values: unknown): string[] {
  const m = /^(.*)-v?(\d+\.\d+\.\d+)$/.exec(chartDir);
  if (!m) throw new Error(`'${chartDir}' is not <chart>-<version>`);
  return validateChartValues(m[1], m[2], values, { closed: true });
}
