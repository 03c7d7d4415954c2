"""The confidential adviser's vault (*vertrouwenspersoon*): consultations, contacts and notes that only
the adviser sees, the consent ledger that every disclosure needs, anonymised signals to the organisation
and reports the adviser prepares for the reporter to submit (DESIGN §7, seed-000 §1.3 and Implications B)."""
