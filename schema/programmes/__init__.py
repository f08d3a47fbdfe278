"""The programme workflow: rules, support packages, applications, attestations, outcomes."""
