"""Phase 2: the chosen follow-up carried out (seed-000 §2.4, §3.2): conversations, bemiddeling, mediation."""
