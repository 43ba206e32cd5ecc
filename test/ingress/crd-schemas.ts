// The ingress tests validate custom resources with the project's shared validator: the pinned
// upstream CRDs in ../shared/crds, unknown fields rejected as strict field validation does.
import { SHARED_DIR, validateObject } from "../support/upstream-schemas";

export const SHARED = SHARED_DIR;

/** Validation errors of one custom resource (empty when valid). */
export function crdErrors(obj: object): string[] {
  return validateObject(obj);
}
