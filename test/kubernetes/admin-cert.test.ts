// The admin certificate is rotated on purpose; every preview warns ahead of its expiry.
import { adminExpiryWarning } from "../../components/kubernetes/rke2-pki";

const now = new Date("2026-11-30T12:00:00Z");

test("silent while more than 60 days remain", () => {
  expect(adminExpiryWarning("reports", "2027-02-01T12:00:00Z", now)).toBeUndefined();
});

test("warns, naming the cluster and the runbook, within 60 days and after expiry", () => {
  expect(adminExpiryWarning("reports", "2027-01-09T12:00:00Z", now)).toBe(
    "cluster 'reports': the admin client certificate expires in 40 days (2027-01-09T12:00:00Z); " +
      'rotate it on purpose: docs/kubernetes.md, "Rotating the admin certificate"',
  );
  expect(adminExpiryWarning("reports", "2026-11-01T00:00:00Z", now)).toContain("expired");
});

test("an unreadable time is not a warning (preview of a new cluster: the time is unknown)", () => {
  expect(adminExpiryWarning("reports", "", now)).toBeUndefined();
});
