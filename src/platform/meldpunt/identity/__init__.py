"""Identity and access: OIDC sign-in, accounts, grants, roles and the one policy layer every controller uses."""
