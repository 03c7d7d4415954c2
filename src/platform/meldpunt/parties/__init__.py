"""The party portal (DESIGN §6, §11 ``/p/{tenant}/…``): the accused, witnesses, affected persons and external
complainants take part in their own case through a per-party invitation link and a separately delivered
one-time code, and see exactly what is shared with them."""
