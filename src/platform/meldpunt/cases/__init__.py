"""Case handling, phase 1 (DESIGN §7, seed-000 §2.2–§2.3): routing, the decision panel with its
declarations and pooled process guardians, the phase-1 steps, and the deadline engine."""
