"""The complaints committee procedure (DESIGN §7 "Complaint track")."""
