"""The rules of the service, without HTTP."""
