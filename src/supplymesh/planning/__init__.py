"""Pure decision engines: plain data in, results out; no database, no HTTP, no other context."""
