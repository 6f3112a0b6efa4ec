"""HTTP handlers only: parse, call a service, answer."""
