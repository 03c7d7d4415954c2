"""Messages to professionals (e-mail): that something needs them, never what. No case content, no names."""
