// Kubernetes label selectors (matchLabels + matchExpressions), evaluated against pod labels.
import { asArray, asObj, str } from "./types";

export function selectorMatches(
  selector: unknown,
  labels: Readonly<Record<string, unknown>>,
): boolean {
  const sel = asObj(selector);
  const matchLabels = asObj(sel.matchLabels);
  const expressions = asArray(sel.matchExpressions).map(asObj);
  // An empty selector selects nothing for a PDB (policy/v1 semantics are "all pods", but an
  // empty selector is almost always a mistake, so it does not count as covering a Deployment).
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of expressions) {
    const key = str(e.key) ?? "";
    const values = asArray(e.values);
    const has = key in labels;
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
