"""Retention: policies per tenant and record class, triggers and due dates, legal holds, and the purge.

The seeds set no periods (seed-000 §0.1): tenants set them, branches give defaults that members may only
tighten. Destruction is crypto-shredding first (the case key), then every stored object and the rows, with
a deletion certificate in the audit log; a legal hold pauses it (seed-000 H7 Stap 6).
"""
